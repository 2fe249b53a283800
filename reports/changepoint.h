/*
 * changepoint.h - change points in a noisy series of run medians: E-divisive means (Matteson and
 * James, "A Nonparametric Approach for Multiple Change Point Analysis of Multivariate Data", JASA
 * 2014), with a permutation significance test, as MongoDB's performance CI and DataStax's Hunter
 * use it.
 *
 * For a segment Z[a, b) and a split t (a + min_size <= t <= b - min_size), X = Z[a, t), Y = Z[t, b),
 * n = |X|, m = |Y|, distances |x - y| (alpha = 1):
 *
 *   E(t) = 2/(n m) sum |X_i - Y_j|  -  1/C(n,2) sum_{i<k} |X_i - X_k|  -  1/C(m,2) sum_{j<k} |Y_j - Y_k|
 *   Q(t) = n m / (n + m) E(t)
 *
 * The best split of the segment maximises Q. Its significance: the segment's values are permuted
 * `permutations` times (a seeded cb_rng, so the same series always gives the same answer) and
 * p = (1 + #{permutations whose best Q >= the observed best Q}) / (1 + permutations). Splits are
 * found one at a time (bisection): every segment of the current partition proposes its best split,
 * the one with the largest Q is tested, and the search stops at the first split with p >= alpha.
 * The series is scaled by its median absolute value first (by 1 when that is 0, by the largest
 * absolute value when the median one is too small for the distance sums to stay finite), so Q is
 * unit-free (only its ranking and the permutation test matter).
 *
 * Each change point is reported with the medians of the segments on either side, as the figure's
 * relative change: change = (after - before) / before.
 *
 * Cost: one sweep finds Q at every split of a segment of L values in O(L log L) (changepoint.c), so
 * a test costs O(permutations L log L): about a millisecond for 499 permutations of 80 values.
 * The location found is the E-divisive argmax itself (no refinement): for one step in Gaussian noise
 * it lands within +- 1 of the true step about as often as the least-squares location does.
 */
#ifndef CB_CHANGEPOINT_H
#define CB_CHANGEPOINT_H

#include <stddef.h>
#include <stdint.h>

enum { CB_CP_MAX = 64 };

typedef struct cb_cp_options {
    double alpha;          /* significance: a split is kept when p < alpha (default 0.01) */
    int permutations;      /* per test (default 499) */
    size_t min_size;       /* the fewest points in a segment (default 3) */
    uint64_t seed;         /* of the permutations (default 1) */
} cb_cp_options;

/* The defaults above. */
cb_cp_options cb_cp_defaults(void);

typedef struct cb_cp {
    size_t index;          /* the first point after the change: segments [.., index), [index, ..) */
    double p;              /* permutation p-value of the split when it was accepted */
    double q;              /* its statistic Q (on the scaled series) */
    double before, after;  /* the medians of the adjacent segments (of the unscaled values) */
    double change;         /* (after - before) / before; NAN when before is 0 */
} cb_cp;

typedef struct cb_cp_result {
    cb_cp points[CB_CP_MAX]; /* in increasing index order */
    size_t n;
} cb_cp_result;

/* Finds the change points of x[0..n-1] (finite values) into *out (out->n = 0 on any failure).
 * Returns 0, or -1 when a value is not finite, an option is out of range (alpha not in (0, 1),
 * permutations < 1, min_size < 2), o or out is NULL (or x with n > 0), n > INT32_MAX, or memory
 * runs out. A series shorter than 2 min_size has no change point (and returns 0). At most
 * CB_CP_MAX points are reported: the search stops there. */
int cb_changepoints(const double *x, size_t n, const cb_cp_options *o, cb_cp_result *out);

#endif /* CB_CHANGEPOINT_H */
