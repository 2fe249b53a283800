/*
 * vmath_avx2.h - vector math for the AVX2 + FMA kernels: exp, log and log1p on __m256 (Cephes'
 * single-precision schemes with the shared constants of cb_vmath_constants.h), plus the tail masks
 * and horizontal reductions the kernels share.
 *
 * Accuracy, measured against double on every float of the stated ranges:
 *   cb_exp_avx2    <= 1.01 ulp on [CB_EXP_LO, CB_EXP_HI]; 0 below CB_EXP_LO (true value < FLT_MIN).
 *   cb_log_avx2    <= 0.83 ulp for normal positive x.
 *   cb_log1p_avx2  <= 2.5 ulp on [0, 1] (the range the loss kernels use it on).
 * NaN propagates through exp and log1p. No libm, no tables: everything stays in registers.
 */
#ifndef CB_VMATH_AVX2_H
#define CB_VMATH_AVX2_H

#include <immintrin.h>
#include <stddef.h>

#include "cb_vmath_constants.h"

/* For helpers that kernels specialise by calling them with constant block sizes or channel
 * counts, and for the loops over their register blocks: forced inlining and unrolling keep the
 * accumulators in registers whatever the optimisation level and the compiler's heuristics. */
#if defined(__GNUC__)
#define CB_AVX2_INLINE static inline __attribute__((always_inline))
#define CB_AVX2_UNROLL _Pragma("GCC unroll 16") /* before a loop over a register block */
#else
#define CB_AVX2_INLINE static inline
#define CB_AVX2_UNROLL
#endif

static inline int cb_avx2_min_int(int a, int b)
{
    return a < b ? a : b;
}

/* All-ones in the first clamp(remaining, 0, 8) lanes, zero above: the mask for the next vector of
 * a row with `remaining` elements left. */
static inline __m256i cb_avx2_tail_mask(ptrdiff_t remaining)
{
    const int lanes = remaining <= 0 ? 0 : remaining < 8 ? (int)remaining : 8;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(lanes), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* The next min(remaining, 8) floats of a row (zeros above for the load), never touching memory
 * past them. Full vectors use plain moves: masked ones are for tails only, since a vmaskmovps
 * store is microcoded on AMD (~13 cycles on Zen 4). */
static inline __m256 cb_avx2_loadn(const float *p, ptrdiff_t remaining)
{
    return remaining >= 8 ? _mm256_loadu_ps(p)
                          : _mm256_maskload_ps(p, cb_avx2_tail_mask(remaining));
}

static inline void cb_avx2_storen(float *p, __m256 v, ptrdiff_t remaining)
{
    if (remaining >= 8)
        _mm256_storeu_ps(p, v);
    else
        _mm256_maskstore_ps(p, cb_avx2_tail_mask(remaining), v);
}

static inline float cb_avx2_hsum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static inline float cb_avx2_hmax(__m256 v)
{
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* exp(x) = 2^n * (1 + r + r^2 P(r)), n = round(x log2 e), r = x - n ln2 (two-part ln2). */
static inline __m256 cb_exp_avx2(__m256 x)
{
    /* max/min with x second let a NaN through; the clamp keeps 2^n a normal float. */
    const __m256 xc = _mm256_min_ps(_mm256_set1_ps(CB_EXP_HI),
                                    _mm256_max_ps(_mm256_set1_ps(CB_EXP_LO), x));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(xc, _mm256_set1_ps(CB_LOG2E)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(CB_LN2_HI), xc);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(CB_LN2_LO), r);
    __m256 p = _mm256_set1_ps(CB_EXP_P0);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(CB_EXP_P1));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(CB_EXP_P2));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(CB_EXP_P3));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(CB_EXP_P4));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(CB_EXP_P5));
    const __m256 y =
        _mm256_add_ps(_mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r), _mm256_set1_ps(1.0f));
    const __m256i bits = _mm256_slli_epi32(
        _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    const __m256 under = _mm256_cmp_ps(x, _mm256_set1_ps(CB_EXP_LO), _CMP_LT_OQ);
    return _mm256_andnot_ps(under, _mm256_mul_ps(y, _mm256_castsi256_ps(bits)));
}

/* log(x) for normal positive x: x = m 2^e, m in [sqrt(1/2), sqrt(2)), f = m - 1 exactly,
 * log(x) = f - f^2/2 + f^3 Q(f) + e ln2 (two-part ln2). */
static inline __m256 cb_log_avx2(__m256 x)
{
    const __m256 one = _mm256_set1_ps(1.0f);
    const __m256i xi = _mm256_castps_si256(x);
    /* frexp: mantissa in [0.5, 1), exponent to match. */
    const __m256 m = _mm256_castsi256_ps(_mm256_or_si256(
        _mm256_and_si256(xi, _mm256_set1_epi32(0x007fffff)), _mm256_set1_epi32(0x3f000000)));
    __m256 e = _mm256_cvtepi32_ps(
        _mm256_sub_epi32(_mm256_srli_epi32(xi, 23), _mm256_set1_epi32(126)));
    /* m < sqrt(1/2): use 2m and e - 1; 2m - 1 = (m - 1) + m is exact. */
    const __m256 small = _mm256_cmp_ps(m, _mm256_set1_ps(CB_SQRTHF), _CMP_LT_OQ);
    e = _mm256_sub_ps(e, _mm256_and_ps(small, one));
    const __m256 f = _mm256_add_ps(_mm256_sub_ps(m, one), _mm256_and_ps(small, m));
    const __m256 z = _mm256_mul_ps(f, f);
    __m256 q = _mm256_set1_ps(CB_LOG_Q0);
    q = _mm256_fmadd_ps(q, f, _mm256_set1_ps(CB_LOG_Q1));
    q = _mm256_fmadd_ps(q, f, _mm256_set1_ps(CB_LOG_Q2));
    q = _mm256_fmadd_ps(q, f, _mm256_set1_ps(CB_LOG_Q3));
    q = _mm256_fmadd_ps(q, f, _mm256_set1_ps(CB_LOG_Q4));
    q = _mm256_fmadd_ps(q, f, _mm256_set1_ps(CB_LOG_Q5));
    q = _mm256_fmadd_ps(q, f, _mm256_set1_ps(CB_LOG_Q6));
    q = _mm256_fmadd_ps(q, f, _mm256_set1_ps(CB_LOG_Q7));
    q = _mm256_fmadd_ps(q, f, _mm256_set1_ps(CB_LOG_Q8));
    __m256 y = _mm256_mul_ps(_mm256_mul_ps(q, f), z);
    y = _mm256_fmadd_ps(e, _mm256_set1_ps(CB_LN2_LO), y);
    y = _mm256_fnmadd_ps(_mm256_set1_ps(0.5f), z, y);
    return _mm256_fmadd_ps(e, _mm256_set1_ps(CB_LN2_HI), _mm256_add_ps(f, y));
}

/* log1p(e) for e in [0, 1]: with u = 1 + e rounded, log1p(e) = log(u) * e / (u - 1) cancels the
 * rounding of u (Goldberg); u == 1 means e < 2^-24 and log1p(e) = e to within an ulp. */
static inline __m256 cb_log1p_avx2(__m256 e)
{
    const __m256 u = _mm256_add_ps(_mm256_set1_ps(1.0f), e);
    const __m256 d = _mm256_sub_ps(u, _mm256_set1_ps(1.0f));
    const __m256 tiny = _mm256_cmp_ps(d, _mm256_setzero_ps(), _CMP_EQ_OQ);
    const __m256 safe_d = _mm256_blendv_ps(d, _mm256_set1_ps(1.0f), tiny);
    const __m256 r = _mm256_mul_ps(cb_log_avx2(u), _mm256_div_ps(e, safe_d));
    return _mm256_blendv_ps(r, e, tiny);
}

#endif /* CB_VMATH_AVX2_H */
