/* contention.c - see contention.h. */
#define _POSIX_C_SOURCE 200809L
#include "contention.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cb_clock.h"
#include "cb_result.h"
#include "cb_timing.h"

#ifdef _OPENMP
#include <omp.h>
#endif

void cb_contention_clear(cb_contention *c)
{
    memset(c, 0, sizeof *c);
    c->wall_seconds = c->cpu_seconds = c->cpu_per_wall = NAN;
    c->min_thread = -1;
    c->min_thread_cpu_per_wall = c->min_thread_cpu_seconds = c->min_thread_wall_seconds = NAN;
    c->steal_share = NAN;
}

/* ---- /proc/stat ------------------------------------------------------------------------------ */

bool cb_contention_parse_stat(const char *text, unsigned long long *steal,
                              unsigned long long *total)
{
    /* The aggregate line is "cpu" followed by blanks ("cpu0" and the rest are per CPU). */
    const char *line = text;
    while (line && !(strncmp(line, "cpu", 3) == 0 && (line[3] == ' ' || line[3] == '\t'))) {
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    if (!line)
        return false;
    const char *s = line + 3;
    unsigned long long v[8], sum = 0;
    for (int i = 0; i < 8; i++) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s < '0' || *s > '9')
            return false; /* end of line first: an old kernel without the steal column */
        char *end;
        v[i] = strtoull(s, &end, 10);
        s = end;
        sum += v[i];
    }
    *steal = v[7];
    *total = sum;
    return true;
}

bool cb_contention_read_stat(unsigned long long *steal, unsigned long long *total)
{
    FILE *f = fopen("/proc/stat", "r");
    if (!f)
        return false;
    char buf[512]; /* the cpu line is the first: 10 numbers */
    const size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return cb_contention_parse_stat(buf, steal, total);
}

/* ---- the interval ---------------------------------------------------------------------------- */

/* Each team thread's wall and CPU clock, read by the thread itself in a parallel region of the
 * team's size (GNU OpenMP keeps the same threads for regions of one size: team.h). Returns how
 * many threads the region had. */
static int read_team(int threads, double *wall, double *cpu)
{
#ifdef _OPENMP
    if (threads > 1) {
        int seen = 0;
#pragma omp parallel num_threads(threads)
        {
            const int t = omp_get_thread_num();
            wall[t] = cb_now();
            cpu[t] = cb_thread_cpu_seconds();
#pragma omp single
            seen = omp_get_num_threads();
        }
        return seen;
    }
#else
    (void)threads;
#endif
    wall[0] = cb_now();
    cpu[0] = cb_thread_cpu_seconds();
    return 1;
}

static bool waits_passively(void)
{
    const char *policy = getenv("OMP_WAIT_POLICY"), *spin = getenv("GOMP_SPINCOUNT");
    return (policy && strcasecmp(policy, "passive") == 0) || (spin && strcmp(spin, "0") == 0);
}

void cb_contention_begin(cb_contention_probe *p, int threads)
{
    p->threads = threads < 1 ? 1 : threads > CB_MAX_THREADS ? CB_MAX_THREADS : threads;
    p->stat_ok = cb_contention_read_stat(&p->steal, &p->total);
    p->team_seen = read_team(p->threads, p->thread_wall, p->thread_cpu);
    p->cpu = cb_process_cpu_seconds();
    p->wall = cb_now();
}

void cb_contention_end(const cb_contention_probe *p, double excluded_seconds, cb_contention *c)
{
    const double wall = cb_now(), cpu = cb_process_cpu_seconds();
    double thread_wall[CB_MAX_THREADS], thread_cpu[CB_MAX_THREADS];
    const int seen = read_team(p->threads, thread_wall, thread_cpu);
    unsigned long long steal = 0, total = 0;
    const bool stat_ok = p->stat_ok && cb_contention_read_stat(&steal, &total);

    cb_contention_clear(c);
    c->threads = p->team_seen > 0 ? p->team_seen : p->threads;
    c->waits_passively = waits_passively();
    const double w = wall - p->wall - (excluded_seconds > 0 ? excluded_seconds : 0.0);
    if (w > 0) {
        c->wall_seconds = w;
        c->cpu_seconds = cpu - p->cpu;
        c->cpu_per_wall = c->cpu_seconds / (w * c->threads);
    }
    if (seen == p->team_seen && seen == p->threads && seen > 0) {
        for (int t = 0; t < seen; t++) {
            const double tw = thread_wall[t] - p->thread_wall[t] -
                              (excluded_seconds > 0 ? excluded_seconds : 0.0);
            if (!(tw > 0))
                continue;
            const double tc = thread_cpu[t] - p->thread_cpu[t], r = tc / tw;
            if (c->min_thread < 0 || r < c->min_thread_cpu_per_wall) {
                c->min_thread = t;
                c->min_thread_cpu_per_wall = r;
                c->min_thread_cpu_seconds = tc;
                c->min_thread_wall_seconds = tw;
            }
        }
    }
    if (stat_ok && total > p->total && steal >= p->steal) {
        c->steal_ticks = steal - p->steal;
        c->total_ticks = total - p->total;
        c->steal_share = (double)c->steal_ticks / (double)c->total_ticks;
    }
}

/* ---- the rules ------------------------------------------------------------------------------- */

static void add_reason(cb_contention *c, const char *prefix, const char *fmt, ...)
{
    c->flagged = true;
    if (c->reasons >= CB_CONTENTION_MAX_REASONS) {
        c->reasons_dropped++;
        return;
    }
    char *r = c->reason[c->reasons++];
    int n = snprintf(r, CB_CONTENTION_REASON_LEN, "%s", prefix ? prefix : "");
    if (n < 0 || n >= CB_CONTENTION_REASON_LEN)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r + n, (size_t)(CB_CONTENTION_REASON_LEN - n), fmt, ap);
    va_end(ap);
}

void cb_contention_judge(cb_contention *c, const char *prefix)
{
    /* With waiting threads asleep, CPU/wall falls with the barrier wait: not a sign of others. */
    const bool judge_cpu = !(c->waits_passively && c->threads > 1);
    const bool cpu_low = isfinite(c->cpu_per_wall) && c->cpu_per_wall < CB_CONTENTION_MIN_CPU_PER_WALL;
    if (judge_cpu && cpu_low)
        add_reason(c, prefix,
                   "the threads ran only %.0f%% of the wall time (CPU/wall per thread %.2f: %.3f "
                   "CPU s in %.3f s x %d thread%s): something else had the cores",
                   100.0 * c->cpu_per_wall, c->cpu_per_wall, c->cpu_seconds, c->wall_seconds,
                   c->threads, c->threads == 1 ? "" : "s");
    if (judge_cpu && !cpu_low && c->threads > 1 && c->min_thread >= 0 &&
        c->min_thread_cpu_per_wall < CB_CONTENTION_MIN_CPU_PER_WALL)
        add_reason(c, prefix,
                   "thread %d ran only %.0f%% of the wall time (%.3f CPU s in %.3f s): its core "
                   "was shared",
                   c->min_thread, 100.0 * c->min_thread_cpu_per_wall, c->min_thread_cpu_seconds,
                   c->min_thread_wall_seconds);
    if (isfinite(c->steal_share) && c->steal_share > CB_CONTENTION_MAX_STEAL_SHARE &&
        c->steal_ticks >= CB_CONTENTION_MIN_STEAL_TICKS)
        add_reason(c, prefix,
                   "%.1f%% of the CPU time was stolen by the hypervisor (%llu of %llu ticks in "
                   "/proc/stat): the virtual CPUs waited for physical ones",
                   100.0 * c->steal_share, c->steal_ticks, c->total_ticks);
    if (c->peak_before_gflops > 0 && c->peak_after_gflops > 0 &&
        c->peak_after_gflops < CB_CONTENTION_MIN_PEAK_RATIO * c->peak_before_gflops)
        add_reason(c, prefix,
                   "the FMA peak fell from %.1f to %.1f GFLOP/s (%+.0f%%) between before and after "
                   "the timed work: the machine got slower while it ran",
                   c->peak_before_gflops, c->peak_after_gflops,
                   100.0 * (c->peak_after_gflops / c->peak_before_gflops - 1.0));
}

void cb_contention_merge(cb_contention *into, const cb_contention *from)
{
    if (into->threads == 0)
        into->threads = from->threads;
    if (isfinite(from->cpu_per_wall) &&
        !(isfinite(into->cpu_per_wall) && into->cpu_per_wall <= from->cpu_per_wall)) {
        into->cpu_per_wall = from->cpu_per_wall;
        into->cpu_seconds = from->cpu_seconds;
        into->wall_seconds = from->wall_seconds;
    }
    if (from->min_thread >= 0 &&
        !(into->min_thread >= 0 && into->min_thread_cpu_per_wall <= from->min_thread_cpu_per_wall)) {
        into->min_thread = from->min_thread;
        into->min_thread_cpu_per_wall = from->min_thread_cpu_per_wall;
        into->min_thread_cpu_seconds = from->min_thread_cpu_seconds;
        into->min_thread_wall_seconds = from->min_thread_wall_seconds;
    }
    if (isfinite(from->steal_share) &&
        !(isfinite(into->steal_share) && into->steal_share >= from->steal_share)) {
        into->steal_share = from->steal_share;
        into->steal_ticks = from->steal_ticks;
        into->total_ticks = from->total_ticks;
    }
    if (from->peak_before_gflops > 0)
        into->peak_before_gflops = from->peak_before_gflops;
    if (from->peak_after_gflops > 0)
        into->peak_after_gflops = from->peak_after_gflops;
    into->waits_passively |= from->waits_passively;
    into->flagged |= from->flagged;
    for (int r = 0; r < from->reasons; r++) {
        if (into->reasons < CB_CONTENTION_MAX_REASONS)
            memcpy(into->reason[into->reasons++], from->reason[r], CB_CONTENTION_REASON_LEN);
        else
            into->reasons_dropped++;
    }
    into->reasons_dropped += from->reasons_dropped;
}

void cb_contention_reasons_line(const cb_contention *c, char *buf, size_t len)
{
    size_t w = 0;
    if (len == 0)
        return;
    buf[0] = '\0';
    for (int r = 0; r < c->reasons && w < len; r++) {
        const int n = snprintf(buf + w, len - w, "%s%s", r ? "; " : "", c->reason[r]);
        w += n > 0 ? (size_t)n : 0;
    }
    if (c->reasons_dropped && w < len)
        snprintf(buf + w, len - w, "; and %d more", c->reasons_dropped);
}

void cb_contention_to_json(json_t *obj, const cb_contention *c)
{
    cbr_set_contention_flagged(obj, c->flagged);
    if (isfinite(c->cpu_per_wall))
        cbr_set_contention_cpu_per_wall(obj, c->cpu_per_wall);
    if (isfinite(c->steal_share))
        cbr_set_contention_steal_share(obj, c->steal_share);
    if (c->peak_before_gflops > 0)
        cbr_set_contention_peak_before_gflops(obj, c->peak_before_gflops);
    if (c->peak_after_gflops > 0)
        cbr_set_contention_peak_after_gflops(obj, c->peak_after_gflops);
    const char *v[CB_CONTENTION_MAX_REASONS + 1];
    char more[64];
    size_t n = 0;
    for (int r = 0; r < c->reasons; r++)
        v[n++] = c->reason[r];
    if (c->reasons_dropped) {
        snprintf(more, sizeof more, "%d more reason%s not recorded", c->reasons_dropped,
                 c->reasons_dropped == 1 ? "" : "s");
        v[n++] = more;
    }
    cbr_set_contention_reasons(obj, v, n);
}

/* ---- the FMA peak on the team ---------------------------------------------------------------- */

const cb_peak_loop *cb_contention_peak_loop(cb_isa isa, const cb_variants *v)
{
    cb_isa widest = isa;
    if (v)
        for (int k = 0; k < CB_KERNEL_COUNT; k++)
            widest = k == 0 || v->isa[k] > widest ? v->isa[k] : widest;
    return cb_peak_loop_for(widest);
}

typedef struct peak_arg {
    const cb_peak_loop *loop;
    float *sink; /* the thread's own: CB_PEAK_SINK_FLOATS */
} peak_arg;

static void run_peak(void *arg, long reps)
{
    const peak_arg *a = arg;
    a->loop->run(reps, a->sink);
}

/* One thread's GFLOP/s, timed as cb_peak_measure times it (which shares one sink between
 * callers, so it cannot run on several threads at once). */
static double thread_peak(const cb_peak_loop *loop)
{
    _Alignas(64) float sink[CB_PEAK_SINK_FLOATS];
    const cb_timing t = {.samples = 5, .min_seconds = 0.010, .clock = CB_CLOCK_THREAD_CPU,
                         .warm_up = true};
    const double s = cb_time_best(&t, run_peak, &(peak_arg){loop, sink});
    return s > 0 ? loop->flops_per_iter / s * 1e-9 : 0.0;
}

double cb_contention_team_peak(const cb_peak_loop *loop, int threads)
{
#ifdef _OPENMP
    if (threads > 1) {
        double sum = 0.0;
#pragma omp parallel num_threads(threads) reduction(+ : sum)
        sum += thread_peak(loop);
        return sum;
    }
#else
    (void)threads;
#endif
    return thread_peak(loop);
}
