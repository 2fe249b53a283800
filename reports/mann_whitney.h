/*
 * mann_whitney.h - the Mann-Whitney U test (Wilcoxon rank-sum), two-sided, as
 * scipy.stats.mannwhitneyu(x, y, alternative="two-sided") computes it, which is what Google
 * Benchmark's compare.py uses to say whether two sets of repetitions differ.
 *
 *   U1 = R1 - n1 (n1 + 1) / 2 (R1: the sum of x's ranks in the pooled sample, ties averaged),
 *   U  = max(U1, n1 n2 - U1).
 *   asymptotic: z = (U - n1 n2 / 2 - 1/2) / s with the tie-corrected
 *               s = sqrt(n1 n2 / 12 ((n + 1) - sum(t^3 - t) / (n (n - 1)))), p = 2 P(Z >= z)
 *   exact:      p = 2 P(U' >= floor(U)) under the null distribution of U without ties
 *   auto:       exact when the smaller sample has at most 8 values and there are no ties,
 *               else asymptotic (scipy's rule; exact also needs the larger sample <= 1000 here)
 * p is clipped to [0, 1].
 */
#ifndef CB_MANN_WHITNEY_H
#define CB_MANN_WHITNEY_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { CB_MWU_AUTO, CB_MWU_EXACT, CB_MWU_ASYMPTOTIC } cb_mwu_method;

typedef struct cb_mwu {
    double u1;   /* U of the first sample: pairs x > y, a tie counting one half */
    double p;    /* two-sided p-value */
    bool exact;  /* which method gave p */
    bool ties;   /* whether the pooled sample has tied values */
} cb_mwu;

/* Returns 0, or -1 when a sample is empty, a value is not finite, or memory runs out. */
int cb_mwu_test(const double *x, size_t nx, const double *y, size_t ny, cb_mwu_method method,
                cb_mwu *out);

/* The smallest two-sided p-value the auto method can give for samples of these sizes (no ties,
 * complete separation). When it is not below alpha, no data can make the test significant. */
double cb_mwu_min_p(size_t nx, size_t ny);

#endif /* CB_MANN_WHITNEY_H */
