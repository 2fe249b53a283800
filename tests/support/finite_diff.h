/*
 * finite_diff.h - central finite differences, the one implementation every gradient test uses.
 *
 * The derivative of an objective f with respect to one input p is estimated as
 *
 *     fd = (f(p + h) - f(p - h)) / 2h,
 *
 * with p restored afterwards. Its error has two parts:
 *   truncation  h^2/6 |f'''| (the even terms of the Taylor series cancel), so O(h^2); zero when f
 *               is linear in p on [p - h, p + h] (piecewise linear without a kink there);
 *   rounding    about eps |f| / h, eps the relative error in evaluating f; it grows as h shrinks,
 *               and the two balance near h ~ (3 eps |f / f'''|)^(1/3): ~1e-5 for a double f,
 *               ~5e-3 for a float one (eps 1e-16 and 6e-8, f and f''' of size 1).
 * The quotient divides by the nominal 2h. A float input is set to the float sums p + h and p - h
 * (the same values as (float)((double)p + h): double holds the exact sum of two floats closely
 * enough that rounding it again to float gives the correctly rounded float sum), so the step
 * taken can differ from h by half an ulp of p; each caller's step makes that exact or negligible.
 *
 * The callers and their steps:
 *   test_conv2d, test_dense  h = 2^-10 on the double inputs of a double forward pass.
 *                            L = sum(y r) is linear in each single input: no truncation, only
 *                            the rounding of L over 2h (~1e-11), so any small step works; a power
 *                            of two keeps p +- h as exact as p allows.
 *   test_losses              h = 1e-4 on the double logits of the double losses: smooth, so
 *                            truncation h^2/6 |L'''| <= 2e-10 G and cancellation ~1e-11 G (G the
 *                            gradient scale); MAE inputs stay 0.01 > h away from the kink.
 *   test_pool_relu           h = 1/32 on float inputs that are distinct multiples of 1/8: below
 *                            half the gap, so the argmax never changes; L is linear there and
 *                            x +- 1/32 is exact in float, so fd is exact up to double rounding.
 *   test_mismatched          h = 1e-2 on float logits of losses returned as floats (eps ~1e-7):
 *                            rounding ~1e-7 |L| / h plus O(h^2) truncation, against a bound of
 *                            2e-4; a much smaller step would drown in the float rounding.
 *   test_training            h = 1e-2 max(|p|, 0.1) on the float parameters p of the whole float
 *                            network (relative: the parameters differ in scale); a ReLU or
 *                            max-pool switching inside +-h spoils an odd difference, so that test
 *                            asks 9 in 10 parameters, not all, to agree.
 */
#ifndef CB_FINITE_DIFF_H
#define CB_FINITE_DIFF_H

#include <stddef.h>

/* The objective at the current inputs (the ones the caller lets the helpers perturb). */
typedef double cbt_objective_fn(void *ctx);

/* (f(p + h) - f(p - h)) / 2h for one double input *p of f; *p is restored after. */
double cbt_central_diff(cbt_objective_fn *f, void *ctx, double *p, double h);

/* The same for a float input: *p is set to the float sums p + h and p - h, then restored. */
double cbt_central_diff_f(cbt_objective_fn *f, void *ctx, float *p, float h);

/* g[i] = cbt_central_diff(f, ctx, &p[i], h) for each of the n inputs p[0 .. n-1]. */
void cbt_fd_gradient(cbt_objective_fn *f, void *ctx, double *p, size_t n, double h, double *g);

/* Every got[i] (the float gotf[i] when gotf != NULL, else the double gotd[i]) against fd[i]:
 * cbt_assert_rel with relative tolerance tol and floor 1, named "<what> <shape>[<i>]". */
void cbt_assert_fd(const char *what, const char *shape, const float *gotf, const double *gotd,
                   const double *fd, size_t n, double tol);

#endif /* CB_FINITE_DIFF_H */
