/* bisect.c - measuring a revision for `cifarbench bisect` and judging it against good and bad
 * (bisect.h). */
#define _POSIX_C_SOURCE 200809L /* access, unlink */
#include "bisect.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_clock.h"
#include "cb_stats.h"
#include "child_process.h"
#include "figures.h"
#include "load_results.h"
#include "mann_whitney.h"

/* ---- samples -------------------------------------------------------------------------------- */

int cb_samples_add(cb_samples *s, double x)
{
    if (s->n == s->cap) {
        const size_t cap = s->cap ? 2 * s->cap : 16;
        double *v = realloc(s->v, cap * sizeof *v);
        if (!v)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = x;
    return 0;
}

void cb_samples_free(cb_samples *s)
{
    free(s->v);
    *s = (cb_samples){0};
}

/* ---- measuring ------------------------------------------------------------------------------ */

/* One run of sh -c COMMAND in f->dir; its wall time in *seconds. */
static int run_command(const cb_bisect_figure *f, double *seconds, char *err, size_t errlen)
{
    char *const argv[] = {"sh", "-c", (char *)f->command, NULL};
    const double t0 = cb_now();
    const pid_t pid = cb_spawn(argv, f->dir, CB_FD_NULL, CB_FD_INHERIT);
    if (pid < 0) {
        snprintf(err, errlen, "cannot start sh: %s", strerror(errno));
        return -1;
    }
    const int status = cb_wait(pid);
    *seconds = cb_now() - t0;
    if (status != 0) {
        char what[96];
        snprintf(err, errlen, "COMMAND %s", cb_status_text(what, sizeof what, status));
        return -1;
    }
    return 0;
}

/* "out.json has no figure 'x' (it has: 'a', 'b')". */
static void no_figure(char *err, size_t errlen, const char *path, const char *name,
                      const cb_figure *fig, size_t n)
{
    size_t used = (size_t)snprintf(err, errlen, "%s has no figure '%s' (it has%s", path, name,
                                   n ? ":" : " none");
    for (size_t i = 0; i < n && used < errlen; i++)
        used += (size_t)snprintf(err + used, errlen - used, "%s '%s'", i ? "," : "", fig[i].name);
    if (used < errlen)
        snprintf(err + used, errlen - used, ")");
}

static int add_values(cb_samples *s, const double *v, size_t n, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++)
        if (cb_samples_add(s, v[i]) != 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    return 0;
}

/* Appends the values of figure `name` in the result file at path. */
static int read_figure(const char *path, const char *name, cb_samples *s, char *err, size_t errlen)
{
    if (access(path, F_OK) != 0) {
        snprintf(err, errlen, "COMMAND wrote no %s", path);
        return -1;
    }
    cb_rfile file;
    if (cb_rfile_load(path, &file, err, errlen) != 0)
        return -1;
    cb_figure *fig;
    size_t n;
    if (cb_figures_of(&file, &fig, &n) != 0) {
        snprintf(err, errlen, "out of memory");
        cb_rfile_free(&file);
        return -1;
    }
    int rc = -1;
    const cb_figure *x = cb_figure_find(fig, n, name);
    if (!x)
        no_figure(err, errlen, path, name, fig, n);
    else if (x->n == 0)
        snprintf(err, errlen, "%s: figure '%s' has no values", path, name);
    else
        rc = add_values(s, x->v, x->n, err, errlen);
    cb_figures_free(fig, n);
    cb_rfile_free(&file);
    return rc;
}

int cb_bisect_measure(const cb_bisect_figure *f, int runs, cb_samples *s, char *err, size_t errlen)
{
    char path[CB_BISECT_PATH_LEN] = "";
    if (f->result && snprintf(path, sizeof path, "%s%s%s", f->result[0] == '/' ? "" : f->dir,
                              f->result[0] == '/' ? "" : "/", f->result) >= (int)sizeof path) {
        snprintf(err, errlen, "the path of --result is too long");
        return -1;
    }
    for (int i = 0; i < runs; i++) {
        if (f->result && unlink(path) != 0 && errno != ENOENT) {
            snprintf(err, errlen, "cannot remove the old %s: %s", path, strerror(errno));
            return -1;
        }
        double seconds;
        if (run_command(f, &seconds, err, errlen) != 0)
            return -1;
        if (cb_interrupted()) {
            snprintf(err, errlen, "interrupted");
            return -1;
        }
        if ((f->result ? read_figure(path, f->figure, s, err, errlen)
                       : add_values(s, &seconds, 1, err, errlen)) != 0)
            return -1;
    }
    return 0;
}

int cb_bisect_warm_up(const cb_bisect_figure *f, char *err, size_t errlen)
{
    cb_samples scratch = {0};
    const int rc = cb_bisect_measure(f, 1, &scratch, err, errlen);
    cb_samples_free(&scratch);
    return rc;
}

/* ---- judging -------------------------------------------------------------------------------- */

double cb_bisect_p(const double *x, size_t nx, const double *y, size_t ny)
{
    cb_mwu t;
    return cb_mwu_test(x, nx, y, ny, CB_MWU_AUTO, &t) == 0 ? t.p : NAN;
}

/* Different from both: the verdict of the nearer median, undecided when equally near. */
static cb_bisect_verdict nearer(double m, const cb_samples *good, const cb_samples *bad)
{
    const double to_good = fabs(m - cb_median_of(good->v, good->n));
    const double to_bad = fabs(m - cb_median_of(bad->v, bad->n));
    return to_good < to_bad ? CB_BISECT_GOOD : to_bad < to_good ? CB_BISECT_BAD : CB_BISECT_UNDECIDED;
}

cb_bisect_class cb_bisect_classify(const double *x, size_t n, const cb_samples *good,
                                   const cb_samples *bad, double alpha)
{
    cb_bisect_class c = {.median = cb_median_of(x, n),
                         .p_good = cb_bisect_p(x, n, good->v, good->n),
                         .p_bad = cb_bisect_p(x, n, bad->v, bad->n),
                         .verdict = CB_BISECT_UNDECIDED};
    if (isnan(c.p_good) || isnan(c.p_bad))
        return c;
    const bool off_good = c.p_good < alpha, off_bad = c.p_bad < alpha;
    if (off_good && off_bad) {
        c.verdict = nearer(c.median, good, bad);
        c.nearer = true;
    } else if (off_good) {
        c.verdict = CB_BISECT_BAD;
    } else if (off_bad) {
        c.verdict = CB_BISECT_GOOD;
    }
    return c;
}

int cb_bisect_judge(const cb_bisect_figure *f, const cb_bisect_plan *plan, const cb_samples *good,
                    const cb_samples *bad, cb_samples *s, int *runs, cb_bisect_class *out, char *err,
                    size_t errlen)
{
    *runs = 0;
    if (cb_bisect_warm_up(f, err, errlen) != 0)
        return -1;
    for (;;) {
        const int left = plan->max_repetitions - *runs;
        const int more = plan->repetitions < left ? plan->repetitions : left;
        if (cb_bisect_measure(f, more, s, err, errlen) != 0)
            return -1;
        *runs += more;
        *out = cb_bisect_classify(s->v, s->n, good, bad, plan->alpha);
        if (out->verdict != CB_BISECT_UNDECIDED || *runs >= plan->max_repetitions)
            return 0;
    }
}

int cb_bisect_min_repetitions(double alpha, int limit)
{
    for (int n = 1; n <= limit; n++)
        if (cb_mwu_min_p((size_t)n, (size_t)n) < alpha)
            return n;
    return 0;
}
