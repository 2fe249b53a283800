/* bisect_drive.c - `cifarbench bisect` from git bisect start to git bisect reset, and what it
 * prints on the way (bisect_drive.h). */
#define _POSIX_C_SOURCE 200809L /* ssize_t, read */
#include "bisect_drive.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bisect_state.h"
#include "cb_buf.h"
#include "cb_options.h"
#include "cb_stats.h"
#include "child_process.h"
#include "report_data.h"

/* The driver's state, from git bisect start to the report. */
typedef struct bisect_run {
    const cb_bisect_job *job;
    cb_samples good_v, bad_v; /* the ends' values */
    cb_bisect_workdir w;      /* the runner, the state file, the step log */
    cb_bisect_record *steps;  /* the steps' records, as relayed */
    size_t n_steps;
    bool bisecting;           /* git bisect start was run: git bisect reset is due */
} bisect_run;

/* ---- messages and numbers ------------------------------------------------------------------- */

int cb_bisect_fail(const char *fmt, ...)
{
    if (cb_interrupted())
        return CB_EXIT_FAILURE;
    va_list ap;
    va_start(ap, fmt);
    fflush(stdout); /* what was printed comes first */
    fputs("cifarbench bisect: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return CB_EXIT_FAILURE;
}

/* A value of the figure: seconds for the wall time, else as the file gives it. */
static const char *fmt_value(char *buf, size_t n, const bisect_run *r, double x)
{
    if (!isfinite(x))
        snprintf(buf, n, "not measured");
    else if (!r->job->fig.result)
        cb_fmt_seconds(buf, n, x);
    else
        snprintf(buf, n, "%.5g", x);
    return buf;
}

static const char *fmt_p(char *buf, size_t n, double p)
{
    if (isnan(p))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, p < 0.0001 ? "%.1e" : "%.4f", p);
    return buf;
}

/* The hash a "HASH SUBJECT" line of git log starts with. */
static void hash_of_line(const char *line, char hash[CB_GIT_HASH_LEN])
{
    snprintf(hash, CB_GIT_HASH_LEN, "%.*s", (int)strcspn(line, " \n"), line);
}

/* ---- the steps ------------------------------------------------------------------------------ */

static void print_step(const bisect_run *r, const cb_bisect_record *rec)
{
    char m[48], pg[16], pb[16];
    if (isnan(rec->median))
        printf("  %.12s  skip: %s\n", rec->hash, rec->note);
    else
        printf("  %.12s  median %-10s  p vs good %-7s  p vs bad %-7s  %s%s%s (%d runs)\n", rec->hash,
               fmt_value(m, sizeof m, r, rec->median), fmt_p(pg, sizeof pg, rec->p_good),
               fmt_p(pb, sizeof pb, rec->p_bad), rec->verdict, rec->note[0] ? ": " : "", rec->note,
               rec->runs);
}

/* Prints and keeps the records the steps have appended since the last call. */
static void relay_steps(bisect_run *r)
{
    for (cb_bisect_record rec; cb_bisect_record_next(r->w.log_in, &rec);) {
        print_step(r, &rec);
        cb_bisect_record *more = realloc(r->steps, (r->n_steps + 1) * sizeof *more);
        if (more) { /* else its median is "not measured" at the end */
            r->steps = more;
            r->steps[r->n_steps++] = rec;
        }
    }
    fflush(stdout);
}

/* The median measured at hash: good's, bad's or a step's; NAN when it was not measured. */
static double median_at(const bisect_run *r, const char *hash)
{
    if (strcmp(hash, r->job->good) == 0)
        return cb_median_of(r->good_v.v, r->good_v.n);
    if (strcmp(hash, r->job->bad) == 0)
        return cb_median_of(r->bad_v.v, r->bad_v.n);
    for (size_t i = r->n_steps; i-- > 0;)
        if (strcmp(r->steps[i].hash, hash) == 0)
            return r->steps[i].median;
    return NAN;
}

/* git bisect run with the step; the step log relayed as it grows. Returns git's status. */
static int run_bisect(bisect_run *r)
{
    int fds[2];
    if (cb_pipe(fds) != 0)
        return cb_bisect_fail("cannot make a pipe: %s", strerror(errno));
    char *const argv[] = {"git",     "-C",     (char *)r->job->top, "bisect", "run", r->w.runner,
                          "bisect", "--step", r->w.state,          NULL};
    const pid_t pid = cb_spawn(argv, NULL, fds[1], CB_FD_INHERIT);
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return cb_bisect_fail("cannot run git: %s", strerror(errno));
    }
    char chunk[4096]; /* git's own progress: each piece follows a step, whose line is shown instead */
    for (ssize_t got; (got = read(fds[0], chunk, sizeof chunk)) != 0;) {
        if (got < 0 && errno != EINTR)
            break;
        relay_steps(r);
    }
    close(fds[0]);
    const int status = cb_wait(pid);
    relay_steps(r);
    return status;
}

/* ---- the ends ------------------------------------------------------------------------------- */

static void print_header(const bisect_run *r)
{
    const cb_bisect_job *j = r->job;
    char range[2 * CB_GIT_HASH_LEN + 4], count[32] = "?";
    snprintf(range, sizeof range, "%s..%s", j->good, j->bad);
    cb_git_line(j->top, count, sizeof count, "rev-list", "--count", range, NULL);
    if (j->fig.result)
        printf("cifarbench bisect: figure '%s' of %s, written by `%s`, in %s\n", j->fig.figure,
               j->fig.result, j->fig.command, j->top);
    else
        printf("cifarbench bisect: wall time of `%s` in %s\n", j->fig.command, j->top);
    printf("good %.12s, bad %.12s, %s commits after good up to bad; %d runs a revision (up to %d), "
           "U test at alpha %g\n", j->good, j->bad, count, j->plan.repetitions, j->plan.max_repetitions,
           j->plan.alpha);
}

/* Measures the good or the bad end (role), checked out, into *v. */
static int measure_end(bisect_run *r, const char *role, const char *hash, cb_samples *v)
{
    const cb_bisect_job *j = r->job;
    char err[1024], m[48];
    if (cb_git_checkout(j->top, hash) != 0)
        return cb_bisect_fail("cannot check out --%s %.12s", role, hash);
    if (cb_bisect_warm_up(&j->fig, err, sizeof err) != 0 ||
        cb_bisect_measure(&j->fig, j->plan.repetitions, v, err, sizeof err) != 0)
        return cb_bisect_fail("cannot measure --%s %.12s: %s", role, hash, err);
    printf("%-4s  %.12s  median %s  (%d runs, %zu values)\n", role, hash,
           fmt_value(m, sizeof m, r, cb_median_of(v->v, v->n)), j->plan.repetitions, v->n);
    return 0;
}

/* Whether good and bad differ significantly (printed either way). */
static bool ends_differ(const bisect_run *r)
{
    const double p = cb_bisect_p(r->good_v.v, r->good_v.n, r->bad_v.v, r->bad_v.n);
    char g[48], b[48], ps[16];
    fmt_value(g, sizeof g, r, cb_median_of(r->good_v.v, r->good_v.n));
    fmt_value(b, sizeof b, r, cb_median_of(r->bad_v.v, r->bad_v.n));
    if (p < r->job->plan.alpha) {
        printf("good and bad differ: p = %s (two-sided Mann-Whitney U); bisecting\n",
               fmt_p(ps, sizeof ps, p));
        return true;
    }
    cb_bisect_fail("good (median %s) and bad (median %s) do not differ significantly: p = %s, not below "
                   "alpha %g (two-sided Mann-Whitney U, %zu and %zu values): nothing to bisect", g, b,
                   fmt_p(ps, sizeof ps, p), r->job->plan.alpha, r->good_v.n, r->bad_v.n);
    return false;
}

/* ---- the outcome ---------------------------------------------------------------------------- */

/* The revisions the first bad one may still be, newest first, as "HASH SUBJECT" lines: bad's and
 * those not yet proven good. Their number, 0 when git failed. */
static size_t candidates(const bisect_run *r, cb_buf *out)
{
    cb_buf_init(out);
    if (cb_git_out(r->job->top, out, "log", "--format=%H %s", "refs/bisect/bad", "--not",
                   "--glob=refs/bisect/good-*", NULL) != 0)
        return 0;
    size_t n = 0;
    for (const char *l = cb_buf_str(out); *l; l = cb_git_next_line(l))
        n++;
    return n;
}

static void print_medians(const bisect_run *r, const char *first_bad, const char *parent)
{
    char g[48], b[48], f[48], p[48];
    printf("medians: good %s, bad %s", fmt_value(g, sizeof g, r, median_at(r, r->job->good)),
           fmt_value(b, sizeof b, r, median_at(r, r->job->bad)));
    if (first_bad)
        printf("; first bad %s, its parent %s", fmt_value(f, sizeof f, r, median_at(r, first_bad)),
               fmt_value(p, sizeof p, r, parent[0] ? median_at(r, parent) : NAN));
    printf("\n");
}

static int report_found(const bisect_run *r, const char *line)
{
    char hash[CB_GIT_HASH_LEN], spec[CB_GIT_HASH_LEN + 2], parent[CB_GIT_HASH_LEN] = "";
    hash_of_line(line, hash);
    snprintf(spec, sizeof spec, "%s^", hash);
    if (cb_git_rev(r->job->top, spec, parent) != 0)
        parent[0] = '\0';
    printf("first bad revision: %.*s\n", (int)cb_git_line_len(line), line);
    print_medians(r, hash, parent);
    return CB_EXIT_OK;
}

/* Several candidates are left: all skipped (git can go no further), or git bisect run stopped. */
static int report_unfinished(const bisect_run *r, const char *cand, size_t n, int run_status)
{
    char bad[CB_GIT_HASH_LEN] = "";
    cb_buf refs;
    cb_buf_init(&refs);
    cb_git_rev(r->job->top, "refs/bisect/bad", bad);
    cb_git_out(r->job->top, &refs, "for-each-ref", "--format=%(refname)", "refs/bisect/", NULL);
    size_t untested = 0;
    for (const char *l = cand; *l; l = cb_git_next_line(l)) {
        char hash[CB_GIT_HASH_LEN], ref[CB_GIT_HASH_LEN + 32];
        hash_of_line(l, hash);
        snprintf(ref, sizeof ref, "refs/bisect/skip-%s\n", hash);
        untested += strcmp(hash, bad) != 0 && !strstr(cb_buf_str(&refs), ref);
    }
    cb_buf_free(&refs);
    if (untested) {
        char what[96];
        return cb_bisect_fail("git bisect run stopped early (it %s): %zu of the %zu candidate revisions "
                              "are untested", cb_status_text(what, sizeof what, run_status), untested, n);
    }
    printf("no single first bad revision: only skipped revisions are left to test, and the first bad one "
           "is one of these %zu:\n", n);
    for (const char *l = cand; *l; l = cb_git_next_line(l))
        printf("  %.*s\n", (int)cb_git_line_len(l), l);
    print_medians(r, NULL, NULL);
    return CB_EXIT_FAILURE;
}

static int report_outcome(const bisect_run *r, int run_status)
{
    cb_buf cand;
    const size_t n = candidates(r, &cand);
    const int rc = n == 0   ? cb_bisect_fail("cannot read the bisect's outcome (git log refs/bisect/bad)")
                   : n == 1 ? report_found(r, cb_buf_str(&cand))
                            : report_unfinished(r, cb_buf_str(&cand), n, run_status);
    cb_buf_free(&cand);
    return rc;
}

/* ---- the whole ------------------------------------------------------------------------------ */

/* git bisect start, the ends measured, git bisect run, the outcome. */
static int bisect(bisect_run *r)
{
    const cb_bisect_job *j = r->job;
    char mid[CB_GIT_HASH_LEN], err[1024];
    r->bisecting = true;
    if (cb_git(j->top, CB_FD_INHERIT, "bisect", "start", j->bad, j->good, NULL) != 0 ||
        cb_git_head(j->top, mid) != 0)
        return cb_bisect_fail("git bisect start failed in %s", j->top);
    if (measure_end(r, "good", j->good, &r->good_v) != 0 || measure_end(r, "bad", j->bad, &r->bad_v) != 0)
        return CB_EXIT_FAILURE;
    if (!ends_differ(r))
        return CB_EXIT_FAILURE;
    cb_buf cand;
    const size_t n = candidates(r, &cand);
    cb_buf_free(&cand);
    int run_status = 0;
    if (n > 1) { /* else git bisect start found it already: bad's parent is good */
        if (cb_bisect_state_write(r->w.state, &j->fig, r->w.log, &j->plan, &r->good_v, &r->bad_v, err,
                                  sizeof err) != 0)
            return cb_bisect_fail("cannot write %s: %s", r->w.state, err);
        if (cb_git_checkout(j->top, mid) != 0)
            return cb_bisect_fail("cannot check out %.12s again, the revision git bisect start chose", mid);
        run_status = run_bisect(r);
    }
    return cb_interrupted() ? CB_EXIT_FAILURE : report_outcome(r, run_status);
}

static int drive(bisect_run *r)
{
    int rc = cb_bisect_workdir_make(&r->w) == 0 ? 0 : CB_EXIT_FAILURE;
    if (rc == 0) {
        cb_catch_interrupts();
        print_header(r);
        rc = bisect(r);
    }
    if (r->bisecting && cb_git(r->job->top, CB_FD_NULL, "bisect", "reset", NULL) != 0) {
        fprintf(stderr, "cifarbench bisect: git bisect reset failed in %s: run it there yourself\n",
                r->job->top);
        rc = CB_EXIT_FAILURE;
    }
    cb_bisect_workdir_remove(&r->w);
    const int sig = cb_interrupted();
    if (sig) {
        fprintf(stderr, "cifarbench bisect: interrupted by signal %d%s\n", sig,
                r->bisecting ? "; the repository is back where it was (git bisect reset)" : "");
        rc = 128 + sig;
    }
    return rc;
}

int cb_bisect_drive(const cb_bisect_job *job)
{
    bisect_run r = {.job = job};
    const int rc = drive(&r);
    cb_samples_free(&r.good_v);
    cb_samples_free(&r.bad_v);
    free(r.steps);
    return rc;
}
