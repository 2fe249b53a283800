/*
 * vmath_avx512.h - vector math for the AVX-512 kernels: exp, log and log1p on __m512 (Cephes'
 * single-precision schemes with the shared constants of cb_vmath_constants.h, evaluated in the
 * same order as vmath_avx2.h, so both ISAs give the same bits), plus the tail masks, horizontal
 * reductions and forced-inlining helpers the kernels share.
 *
 * Accuracy, measured against double on every float of the stated ranges:
 *   cb_exp_avx512    <= 1.01 ulp on [CB_EXP_LO, 88]; 0 below CB_EXP_LO (true value < FLT_MIN).
 *   cb_log_avx512    <= 0.83 ulp for normal positive x.
 *   cb_log1p_avx512  <= 2.5 ulp on [0, 1] (the range the loss kernels use it on).
 * NaN propagates through exp and log1p. No libm, no tables: everything stays in registers.
 */
#ifndef CB_VMATH_AVX512_H
#define CB_VMATH_AVX512_H

#include <immintrin.h>
#include <stddef.h>

#include "cb_vmath_constants.h"

/* For helpers that kernels specialise by calling them with constant block sizes or channel
 * counts, and for the loops over their register blocks: forced inlining and unrolling keep the
 * accumulators in registers whatever the compiler's heuristics. */
#define CB_AVX512_INLINE static inline __attribute__((always_inline))
#define CB_AVX512_UNROLL _Pragma("GCC unroll 16")

/* The first clamp(remaining, 0, 16) lanes (8 for the __m256 variant). */
static inline __mmask16 cb_avx512_mask16(ptrdiff_t remaining)
{
    return remaining >= 16 ? (__mmask16)0xffff
                           : remaining <= 0 ? (__mmask16)0 : (__mmask16)((1u << remaining) - 1);
}

static inline __mmask8 cb_avx512_mask8(ptrdiff_t remaining)
{
    return remaining >= 8 ? (__mmask8)0xff
                          : remaining <= 0 ? (__mmask8)0 : (__mmask8)((1u << remaining) - 1);
}

/* exp(x) = 2^n * (1 + r + r^2 P(r)), n = round(x log2 e), r = x - n ln2 (two-part ln2). */
static inline __m512 cb_exp_avx512(__m512 x)
{
    /* max/min with x second let a NaN through; the clamp keeps n in [-126, 128]. */
    const __m512 xc = _mm512_min_ps(_mm512_set1_ps(CB_EXP_HI),
                                    _mm512_max_ps(_mm512_set1_ps(CB_EXP_LO), x));
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(xc, _mm512_set1_ps(CB_LOG2E)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(CB_LN2_HI), xc);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(CB_LN2_LO), r);
    __m512 p = _mm512_set1_ps(CB_EXP_P0);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(CB_EXP_P1));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(CB_EXP_P2));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(CB_EXP_P3));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(CB_EXP_P4));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(CB_EXP_P5));
    const __m512 y =
        _mm512_add_ps(_mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r), _mm512_set1_ps(1.0f));
    /* y * 2^n, rounded once: the same bits as a multiplication by 2^n wherever 2^n is normal. */
    const __mmask16 under = _mm512_cmp_ps_mask(x, _mm512_set1_ps(CB_EXP_LO), _CMP_LT_OQ);
    return _mm512_maskz_scalef_ps((__mmask16)~under, y, n);
}

/* log(x) for normal positive x: x = m 2^e, m in [sqrt(1/2), sqrt(2)), f = m - 1 exactly,
 * log(x) = f - f^2/2 + f^3 Q(f) + e ln2 (two-part ln2). */
static inline __m512 cb_log_avx512(__m512 x)
{
    const __m512 one = _mm512_set1_ps(1.0f);
    const __m512i xi = _mm512_castps_si512(x);
    /* frexp: mantissa in [0.5, 1), exponent to match. */
    const __m512 m = _mm512_castsi512_ps(_mm512_or_si512(
        _mm512_and_si512(xi, _mm512_set1_epi32(0x007fffff)), _mm512_set1_epi32(0x3f000000)));
    __m512 e = _mm512_cvtepi32_ps(
        _mm512_sub_epi32(_mm512_srli_epi32(xi, 23), _mm512_set1_epi32(126)));
    /* m < sqrt(1/2): use 2m and e - 1; 2m - 1 = (m - 1) + m is exact. */
    const __mmask16 small = _mm512_cmp_ps_mask(m, _mm512_set1_ps(CB_SQRTHF), _CMP_LT_OQ);
    e = _mm512_mask_sub_ps(e, small, e, one);
    const __m512 f0 = _mm512_sub_ps(m, one);
    const __m512 f = _mm512_mask_add_ps(f0, small, f0, m);
    const __m512 z = _mm512_mul_ps(f, f);
    __m512 q = _mm512_set1_ps(CB_LOG_Q0);
    q = _mm512_fmadd_ps(q, f, _mm512_set1_ps(CB_LOG_Q1));
    q = _mm512_fmadd_ps(q, f, _mm512_set1_ps(CB_LOG_Q2));
    q = _mm512_fmadd_ps(q, f, _mm512_set1_ps(CB_LOG_Q3));
    q = _mm512_fmadd_ps(q, f, _mm512_set1_ps(CB_LOG_Q4));
    q = _mm512_fmadd_ps(q, f, _mm512_set1_ps(CB_LOG_Q5));
    q = _mm512_fmadd_ps(q, f, _mm512_set1_ps(CB_LOG_Q6));
    q = _mm512_fmadd_ps(q, f, _mm512_set1_ps(CB_LOG_Q7));
    q = _mm512_fmadd_ps(q, f, _mm512_set1_ps(CB_LOG_Q8));
    __m512 y = _mm512_mul_ps(_mm512_mul_ps(q, f), z);
    y = _mm512_fmadd_ps(e, _mm512_set1_ps(CB_LN2_LO), y);
    y = _mm512_fnmadd_ps(_mm512_set1_ps(0.5f), z, y);
    return _mm512_fmadd_ps(e, _mm512_set1_ps(CB_LN2_HI), _mm512_add_ps(f, y));
}

/* log1p(e) for e >= 0: with u = 1 + e rounded, log1p(e) = log(u) * e / (u - 1) cancels the
 * rounding of u (Goldberg); u == 1 means e < 2^-24 and log1p(e) = e to within an ulp. */
static inline __m512 cb_log1p_avx512(__m512 e)
{
    const __m512 one = _mm512_set1_ps(1.0f);
    const __m512 u = _mm512_add_ps(one, e);
    const __m512 d = _mm512_sub_ps(u, one);
    const __mmask16 tiny = _mm512_cmp_ps_mask(d, _mm512_setzero_ps(), _CMP_EQ_OQ);
    const __m512 safe_d = _mm512_mask_mov_ps(d, tiny, one);
    const __m512 r = _mm512_mul_ps(cb_log_avx512(u), _mm512_div_ps(e, safe_d));
    return _mm512_mask_mov_ps(r, tiny, e);
}

#endif /* CB_VMATH_AVX512_H */
