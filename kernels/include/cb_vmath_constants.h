/*
 * cb_vmath_constants.h - constants of the vectorised exp and log used by the SIMD loss kernels.
 *
 * Both are Cephes' single-precision schemes (S. L. Moshier), evaluated in each ISA's registers by
 * vmath_<isa>.h. Every ISA uses these numbers, so the AVX2 and AVX-512 results agree to the last
 * bit wherever they evaluate the same expression.
 *
 * exp(x): n = round(x * log2(e)); r = x - n*ln2 (ln2 split in a hi and a lo part so r is exact);
 *         exp(x) = 2^n * (1 + r + r^2 * P(r)) with the degree-5 P below. Max error ~1 ulp on
 *         [CB_EXP_LO, CB_EXP_HI]; below CB_EXP_LO the result is flushed to 0 (the true value is
 *         under FLT_MIN), above CB_EXP_HI it is clamped (callers never pass such x).
 * log(x): x = m * 2^e with m in [sqrt(1/2), sqrt(2)); f = m - 1;
 *         log(x) = f - f^2/2 + f^3 * Q(f) + e*ln2 with the degree-8 Q below. Max error ~1 ulp for
 *         normal positive x.
 */
#ifndef CB_VMATH_CONSTANTS_H
#define CB_VMATH_CONSTANTS_H

#define CB_LOG2E 1.44269504088896341f
#define CB_LN2_HI 0.693359375f     /* exact in 9 bits, so n * CB_LN2_HI is exact */
#define CB_LN2_LO -2.12194440e-4f  /* ln(2) - CB_LN2_HI */
#define CB_EXP_HI 88.3762626647949f  /* largest x with exp(x) < FLT_MAX after clamping */
#define CB_EXP_LO -87.3365447504f    /* exp(CB_EXP_LO) = FLT_MIN */

/* exp: P(r), highest power first. */
#define CB_EXP_P0 1.9875691500e-4f
#define CB_EXP_P1 1.3981999507e-3f
#define CB_EXP_P2 8.3334519073e-3f
#define CB_EXP_P3 4.1665795894e-2f
#define CB_EXP_P4 1.6666665459e-1f
#define CB_EXP_P5 5.0000001201e-1f

/* log: Q(f), highest power first. */
#define CB_SQRTHF 0.707106781186547524f
#define CB_LOG_Q0 7.0376836292e-2f
#define CB_LOG_Q1 -1.1514610310e-1f
#define CB_LOG_Q2 1.1676998740e-1f
#define CB_LOG_Q3 -1.2420140846e-1f
#define CB_LOG_Q4 1.4249322787e-1f
#define CB_LOG_Q5 -1.6668057665e-1f
#define CB_LOG_Q6 2.0000714765e-1f
#define CB_LOG_Q7 -2.4999993993e-1f
#define CB_LOG_Q8 3.3333331174e-1f

#endif /* CB_VMATH_CONSTANTS_H */
