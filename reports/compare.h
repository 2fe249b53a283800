/*
 * compare.h - the regression check behind `cifarbench compare`, in the manner of Google
 * Benchmark's compare.py: every figure present in both files is a set of repetitions on each side;
 * the medians give the change and the two-sided Mann-Whitney U test says whether the difference
 * is more than noise. The figures and their repetitions are figures.h's: train images/s, scale
 * images/s per thread count, Google Benchmark real times.
 *
 * Only one configuration is compared against itself: files whose CPU, ISA, kernel variants,
 * threads (but for scale results, whose figures are per thread count), task, images per epoch or
 * batch differ are refused ("not comparable: ..." naming every difference), and so are study and
 * regression results, which hold no timings. A different git revision, compiler, build flags or
 * thread binding is what a regression check is for: noted.
 *
 * A figure is a regression when it is significantly slower (p < alpha) and its median is more
 * than threshold percent slower (images/s lower, times higher). With fewer than CB_CMP_MIN_REPS
 * repetitions on a side, or so few that no outcome could give p < alpha (3 against 3: the
 * smallest two-sided p is 0.1), the test is not run and the median change alone decides, which
 * the verdict says. Repetitions the harness flagged for contention are counted per figure.
 */
#ifndef CB_COMPARE_H
#define CB_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "load_results.h"

enum { CB_CMP_MIN_REPS = 3 };

typedef enum {
    CB_VERDICT_REGRESSION,       /* slower by more than the threshold (and significant, if tested) */
    CB_VERDICT_SLOWER_WITHIN,    /* significantly slower, but by no more than the threshold */
    CB_VERDICT_NOT_SIGNIFICANT,  /* tested: p >= alpha */
    CB_VERDICT_WITHIN,           /* not tested: |change| within the threshold */
    CB_VERDICT_FASTER_WITHIN,    /* significantly faster, by no more than the threshold */
    CB_VERDICT_FASTER            /* faster by more than the threshold (and significant, if tested) */
} cb_verdict;

typedef struct cb_cmp_row {
    char name[160];
    double *base, *new_;         /* the repetitions (owned) */
    size_t n_base, n_new;
    double base_median, new_median;
    double change_pct;           /* (new - base) / base * 100 */
    size_t flagged_base, flagged_new; /* repetitions flagged for contention */
    const char *reason;          /* the first flagged repetition's first reason, or NULL */
    bool tested;                 /* whether the U test was run (enough repetitions) */
    double p;                    /* two-sided p-value; NAN when not tested */
    bool exact;                  /* p from the exact distribution */
    cb_verdict verdict;
} cb_cmp_row;

typedef struct cb_cmp {
    double threshold_pct, alpha;
    bool higher_better;          /* images/s (train, scale); else times (gbench) */
    const char *what;            /* "images/s, higher is better", ... */
    cb_cmp_row *rows;
    size_t n;
    size_t regressions;
    size_t untested;             /* rows judged by the median alone */
    size_t flagged;              /* rows with repetitions flagged for contention: unreliable */
    size_t only_base, only_new;  /* figures one file has and the other lacks */
    char warnings[1024];         /* differences that do not refuse, one per line; "" when none */
} cb_cmp;

/* Compares two loaded files. Returns 0, or -1 with a message in err when a file holds no timings,
 * the files are of different kinds or not comparable, or they have no figure in common. */
int cb_compare(const cb_rfile *base, const cb_rfile *new_, double threshold_pct, double alpha,
               cb_cmp *out, char *err, size_t errlen);
void cb_compare_free(cb_cmp *c);

/* "REGRESSION", "faster", "no significant change", ... (with "(median only)" when not tested). */
const char *cb_verdict_text(const cb_cmp_row *r, char *buf, size_t n);

#endif /* CB_COMPARE_H */
