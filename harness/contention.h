/*
 * contention.h - whether something else used the machine while a figure was timed.
 *
 * A benchmark on a shared machine can be slowed by other work without anything looking wrong: an
 * epoch at a few % of peak with most of its time "waiting at barriers", or 2 threads at half the
 * speed of one. This module measures, around every timed interval (a train epoch, a scale
 * repetition), what the run really got, and judges it.
 *
 * What is measured
 *
 *   cpu_per_wall  process CPU seconds / (wall seconds x threads) (CLOCK_PROCESS_CPUTIME_ID and
 *                 CLOCK_MONOTONIC), and the same per thread of the OpenMP team
 *                 (CLOCK_THREAD_CPUTIME_ID, read by each team thread, with its own wall clock).
 *                 ~1 when every thread had a core of its own the whole time.
 *   steal_share   of the `cpu` line of /proc/stat (all CPUs, USER_HZ ticks): steal / (user + nice
 *                 + system + idle + iowait + irq + softirq + steal), the share of the machine's CPU
 *                 time the hypervisor gave to other guests. Not measured (NAN) when /proc/stat
 *                 cannot be read or its cpu line has no steal column (kernels before 2.6.11).
 *   peak          the FMA-throughput loop (kernels/peak/peak.h), run on every thread of the team at
 *                 once (cb_contention_team_peak), before and right after the timed work: train
 *                 measures it before the first epoch (it is the run's "peak", the 100% of
 *                 "% peak") and again after the last one, so the pair brackets every epoch; scale
 *                 before and after each thread count's repetitions. Each thread's loop is timed
 *                 on its own CPU clock (as cb_peak_measure, best of 5 runs of >= 10 ms), so the
 *                 peak says how fast a core computes while the thread runs (clock frequency,
 *                 thermal limits, a busy SMT sibling), not whether it ran: that is cpu_per_wall.
 *
 * Note on OpenMP: idle threads of GNU OpenMP spin-wait at barriers and between parallel regions
 * (OMP_WAIT_POLICY, GOMP_SPINCOUNT) before they sleep, so a thread's CPU time includes its time
 * spinning at barriers. That is what makes CPU/wall a test of *descheduling*: a thread that waits
 * for a slower one still uses its core, so on a quiet machine cpu_per_wall is ~1 however much
 * of the step is barrier wait, and below 1 means a thread did not get its core (another process,
 * or another thread of ours, ran there). It is not a measure of useful work. With
 * OMP_WAIT_POLICY=passive or GOMP_SPINCOUNT=0 waiting threads sleep and CPU/wall falls with the
 * barrier wait itself, so with more than one thread the two CPU rules are not judged then (the
 * figures are still recorded; `waits_passively`).
 *
 * The rules (cb_contention_judge; each rule that fires sets `flagged` and adds one sentence with
 * its figures to the reasons):
 *
 *   cpu     cpu_per_wall < 0.90:
 *           "the threads ran only 62% of the wall time (CPU/wall per thread 0.62: 1.240 CPU s in
 *            1.000 s x 2 threads): something else had the cores"
 *   thread  (more than one thread, and the cpu rule did not fire) one thread's CPU/wall < 0.90,
 *           the lowest one named:
 *           "thread 1 ran only 40% of the wall time (0.400 CPU s in 1.000 s): its core was
 *            shared" (with many threads one starved thread slows every step, at the barriers,
 *            but hardly moves the process's mean)
 *   steal   steal_share > 0.05 over more than one tick of steal (so that the rounding of the tick
 *           counters alone cannot fire it on a short interval):
 *           "8.0% of the CPU time was stolen by the hypervisor (16 of 200 ticks in /proc/stat):
 *            the virtual CPUs waited for physical ones"
 *   peak    peak_after < 0.85 x peak_before:
 *           "the FMA peak fell from 117.5 to 80.0 GFLOP/s (-32%) between before and after the
 *            timed work: the machine got slower while it ran"
 *
 * scale judges each repetition (its reasons start "repetition 2 of 3: ") and a thread count takes
 * the worst of its repetitions (cb_contention_merge), then the peak rule of its own pair.
 *
 * Cost: the clocks, one /proc/stat read and one parallel region reading the team's thread clocks
 * at each end of the interval, outside the timed loop (microseconds; the epoch's seconds do not
 * include them). The peak costs ~0.1 s per measurement (calibration, a warm-up and 5 runs of
 * >= 10 ms; all threads measure at once): train measures it once more than before (after the last
 * epoch), scale twice per thread count.
 */
#ifndef CB_CONTENTION_H
#define CB_CONTENTION_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "cb_dispatch.h"
#include "peak.h"
#include "team.h"
#include "variants.h"

#define CB_CONTENTION_MIN_CPU_PER_WALL 0.90 /* cpu and thread rules: fire below */
#define CB_CONTENTION_MAX_STEAL_SHARE 0.05  /* steal rule: fires above ... */
#define CB_CONTENTION_MIN_STEAL_TICKS 2     /* ... with at least this many ticks of steal */
#define CB_CONTENTION_MIN_PEAK_RATIO 0.85   /* peak rule: after / before below */

enum {
    CB_CONTENTION_MAX_REASONS = 8, /* more are counted in reasons_dropped */
    CB_CONTENTION_REASON_LEN = 256,
};

/* The figures of one timed interval (or the worst of several), and the verdict. A figure not
 * measured is NAN (ratios, shares) or 0 (peaks, counts). */
typedef struct cb_contention {
    int threads;
    double wall_seconds;            /* the interval, less the time the caller excluded */
    double cpu_seconds;             /* process CPU time over it, all threads */
    double cpu_per_wall;            /* cpu_seconds / (wall_seconds x threads) */
    int min_thread;                 /* the team thread with the lowest CPU/wall; -1: not measured */
    double min_thread_cpu_per_wall; /* its CPU/wall, and the figures of that ratio */
    double min_thread_cpu_seconds, min_thread_wall_seconds;
    double steal_share;             /* NAN: not measured */
    unsigned long long steal_ticks, total_ticks; /* over the interval */
    double peak_before_gflops, peak_after_gflops; /* 0: not measured */
    bool waits_passively;           /* OMP_WAIT_POLICY=passive or GOMP_SPINCOUNT=0 (above) */
    bool flagged;
    int reasons, reasons_dropped;
    char reason[CB_CONTENTION_MAX_REASONS][CB_CONTENTION_REASON_LEN];
} cb_contention;

/* The readings at the start of an interval (cb_contention_begin), for cb_contention_end. */
typedef struct cb_contention_probe {
    int threads, team_seen;
    double wall, cpu;
    bool stat_ok;
    unsigned long long steal, total;
    double thread_wall[CB_MAX_THREADS], thread_cpu[CB_MAX_THREADS];
} cb_contention_probe;

/* Everything "not measured", nothing flagged. */
void cb_contention_clear(cb_contention *c);

/* The `cpu` line of /proc/stat's text: steal and the total of the first 8 columns (user .. steal;
 * guest and guest_nice are already in user and nice). False when there is no such line, or it has
 * fewer than 8 numbers (no steal column). */
bool cb_contention_parse_stat(const char *text, unsigned long long *steal,
                              unsigned long long *total);

/* The same read from /proc/stat now; false when it cannot be read or parsed. */
bool cb_contention_read_stat(unsigned long long *steal, unsigned long long *total);

/* Starts an interval for a team of `threads` (those of the next parallel regions: the team thread
 * clocks are read in a parallel region of that size). Call it right before the timed work. */
void cb_contention_begin(cb_contention_probe *p, int threads);

/* Ends it, right after the timed work: fills c's measured figures (not the peaks, not the verdict;
 * c is cleared first). excluded_seconds (e.g. the time spent drawing progress output, which the
 * epoch's seconds leave out) is taken off the wall time. */
void cb_contention_end(const cb_contention_probe *p, double excluded_seconds, cb_contention *c);

/* Applies the rules above to c's figures (those measured), setting flagged and adding the reasons,
 * each prefixed with `prefix` when not NULL (e.g. "repetition 2 of 3: "). */
void cb_contention_judge(cb_contention *c, const char *prefix);

/* Folds `from` into `into`, keeping the worst: the lowest CPU/wall (and thread), the highest
 * steal share, the peaks when `from` has them, flagged when either is, and every reason. */
void cb_contention_merge(cb_contention *into, const cb_contention *from);

/* The reasons as one line, "a; b; c" (with a count of those dropped). */
void cb_contention_reasons_line(const cb_contention *c, char *buf, size_t len);

/* Writes c into a result's contention object (cbr_new_epoch_contention,
 * cbr_new_scale_point_contention): flagged, the figures measured (a peak only when > 0), and the
 * reasons ([] when none). */
void cb_contention_to_json(json_t *obj, const cb_contention *c);

/* The FMA-peak loop for a run: the widest ISA it uses (of v when not NULL, else isa); NULL when
 * this build has none. */
const cb_peak_loop *cb_contention_peak_loop(cb_isa isa, const cb_variants *v);

/* GFLOP/s of `loop` on every thread of a team of `threads` at once, summed (each thread timed as
 * cb_peak_measure: best of 5 runs of >= 10 ms on its CPU clock, after a warm-up). */
double cb_contention_team_peak(const cb_peak_loop *loop, int threads);

#endif /* CB_CONTENTION_H */
