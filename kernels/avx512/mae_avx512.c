/*
 * mae_avx512.c - linear output + mean absolute error, AVX-512.
 * z, t [N,K] -> dz = sign(z - t) / (N*K) with sign(0) = 0; returns mean |z - t|.
 *
 * Strategy: a streaming map over the N*K elements as one flat array, vectors of 16 with a masked
 * tail, per-lane partial sums of |d| added up at the end. dz is +inv where d > 0 and -inv where
 * d < 0 (ordered compares: 0 and NaN give 0, like scalar), so it has scalar's bits.
 */
#include "cb_kernel_impl.h"
#include "vmath_avx512.h"

float cb_mae_avx512(int n, int k, const float *z, const float *t, float *dz)
{
    const size_t count = (size_t)n * k;
    const float inv = 1.0f / (float)count;
    const __m512 vinv = _mm512_set1_ps(inv), neg_inv = _mm512_set1_ps(-inv);
    const __m512 zero = _mm512_setzero_ps();
    __m512 total = zero;
    for (size_t i = 0; i < count; i += 16) {
        const __mmask16 lanes = cb_avx512_mask16((ptrdiff_t)(count - i));
        const __m512 d = _mm512_sub_ps(_mm512_maskz_loadu_ps(lanes, z + i),
                                       _mm512_maskz_loadu_ps(lanes, t + i));
        total = _mm512_add_ps(total, _mm512_abs_ps(d)); /* masked-off lanes hold d = 0 */
        const __m512 g = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(d, zero, _CMP_GT_OQ), vinv);
        const __mmask16 neg = _mm512_cmp_ps_mask(d, zero, _CMP_LT_OQ);
        _mm512_mask_storeu_ps(dz + i, lanes, _mm512_mask_mov_ps(g, neg, neg_inv));
    }
    return _mm512_reduce_add_ps(total) * inv;
}
