/*
 * bisect.h - what `cifarbench bisect` measures at a revision and how it judges it.
 *
 * The figure is either the wall time of `sh -c COMMAND` in the repository's top directory, or
 * a figure of the result file COMMAND writes (figures.h: "train images/s" is its epochs' images/s,
 * a Google Benchmark run name its repetitions' real time), every repetition of every run pooled.
 * A revision's values are judged against the good and the bad revision's by the two-sided
 * Mann-Whitney U test (mann_whitney.h): different from good only is bad, from bad only is good.
 * COMMAND runs as a child process (child_process.h): an interrupt stops it.
 */
#ifndef CB_BISECT_H
#define CB_BISECT_H

#include <stdbool.h>
#include <stddef.h>

/* ---- samples -------------------------------------------------------------------------------- */

typedef struct cb_samples {
    double *v;
    size_t n, cap;
} cb_samples;

/* Appends x; -1 when memory runs out. */
int cb_samples_add(cb_samples *s, double x);
void cb_samples_free(cb_samples *s);

/* ---- measuring ------------------------------------------------------------------------------ */

enum { CB_BISECT_PATH_LEN = 4096 }; /* room for a path: the top directory, a file in it or in TMPDIR */

typedef struct cb_bisect_figure {
    const char *command; /* run as sh -c COMMAND, stdout to /dev/null, stderr passed through */
    const char *dir;     /* where: the repository's top directory */
    const char *result;  /* NULL: the figure is COMMAND's wall time in seconds; else the result file
                            COMMAND writes (relative to dir), removed before every run */
    const char *figure;  /* with result: the figure's name (figures.h) */
} cb_bisect_figure;

/* Runs COMMAND `runs` times, appending the figure's values of each run to s. Returns 0, or -1
 * with the reason in err ("COMMAND exited with status 1", the file's load error, "out.json has no
 * figure 'x'"): the revision cannot be measured. */
int cb_bisect_measure(const cb_bisect_figure *f, int runs, cb_samples *s, char *err, size_t errlen);

/* One run of COMMAND whose values are discarded, before a revision's measured runs: the first run
 * after a checkout pays for cold caches (and for the build, when COMMAND builds). 0, or -1 as
 * cb_bisect_measure: a warm-up run that fails makes the revision undecidable too. */
int cb_bisect_warm_up(const cb_bisect_figure *f, char *err, size_t errlen);

/* ---- judging -------------------------------------------------------------------------------- */

typedef enum { CB_BISECT_GOOD, CB_BISECT_BAD, CB_BISECT_UNDECIDED } cb_bisect_verdict;

typedef struct cb_bisect_class {
    double median;        /* of the revision's values */
    double p_good, p_bad; /* two-sided U test against the good / the bad values */
    cb_bisect_verdict verdict;
    bool nearer;          /* different from both: decided by the nearer median */
} cb_bisect_class;

/* The two-sided U test's p for x against y; NAN when a sample is empty or a value not finite. */
double cb_bisect_p(const double *x, size_t nx, const double *y, size_t ny);

/* Judges x[0..n) against the good and the bad values at level alpha: p_bad < alpha <= p_good is
 * good, p_good < alpha <= p_bad is bad. Different from both (the machine's speed has drifted since
 * good and bad were measured, and more runs only sharpen that), the nearer median decides (nearer
 * set). Different from neither, or a test impossible, or the medians equally near: undecided. */
cb_bisect_class cb_bisect_classify(const double *x, size_t n, const cb_samples *good,
                                   const cb_samples *bad, double alpha);

typedef struct cb_bisect_plan {
    int repetitions;     /* runs of COMMAND at first, and added at each retry */
    int max_repetitions; /* runs at most */
    double alpha;
} cb_bisect_plan;

/* Measures the checked-out revision: a warm-up run, then plan->repetitions runs, judged; while
 * undecided, that many more (never past max_repetitions in all, the warm-up not counted) and
 * judged again. Returns 0 with the verdict in *out, the values in *s and the runs made in *runs,
 * or -1 as cb_bisect_measure when COMMAND or its figure failed. */
int cb_bisect_judge(const cb_bisect_figure *f, const cb_bisect_plan *plan, const cb_samples *good,
                    const cb_samples *bad, cb_samples *s, int *runs, cb_bisect_class *out, char *err,
                    size_t errlen);

/* The fewest repetitions a side for which the U test can reach p < alpha (n against n, no ties),
 * 0 when even `limit` are too few. */
int cb_bisect_min_repetitions(double alpha, int limit);

#endif /* CB_BISECT_H */
