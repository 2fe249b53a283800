/*
 * sigmoid_bce_avx512.c - sigmoid + binary cross-entropy, fused, AVX-512.
 * z [N,K] logits, t [N,K] targets in [0,1] -> dz = (sigmoid(z) - t) / (N*K); returns the mean of
 * max(z,0) - z*t + log1p(exp(-|z|)), which is finite for every finite z.
 *
 * Strategy: a streaming map over the N*K elements as one flat array, vectors of 16 with a masked
 * tail; per-lane partial sums of the loss, added up at the end. From e = exp(-|z|) in (0, 1]:
 * sigmoid(z) = (z >= 0 ? 1 : e) / (1 + e) (one division, no cancellation) and the loss term uses
 * the accurate log1p of vmath_avx512.h; max(z,0) - z*t is one FMA, so it is exact when it cancels.
 */
#include "cb_kernel_impl.h"
#include "vmath_avx512.h"

float cb_sigmoid_bce_avx512(int n, int k, const float *z, const float *t, float *dz)
{
    const size_t count = (size_t)n * k;
    const float inv = 1.0f / (float)count;
    const __m512 vinv = _mm512_set1_ps(inv), one = _mm512_set1_ps(1.0f);
    const __m512 zero = _mm512_setzero_ps();
    __m512 total = zero;
    for (size_t i = 0; i < count; i += 16) {
        const __mmask16 lanes = cb_avx512_mask16((ptrdiff_t)(count - i));
        const __m512 zv = _mm512_maskz_loadu_ps(lanes, z + i);
        const __m512 tv = _mm512_maskz_loadu_ps(lanes, t + i);
        const __m512 e = cb_exp_avx512(_mm512_sub_ps(zero, _mm512_abs_ps(zv)));
        const __mmask16 nonneg = _mm512_cmp_ps_mask(zv, zero, _CMP_GE_OQ);
        const __m512 p = _mm512_div_ps(_mm512_mask_mov_ps(e, nonneg, one), _mm512_add_ps(one, e));
        const __m512 term =
            _mm512_add_ps(_mm512_fnmadd_ps(zv, tv, _mm512_max_ps(zv, zero)), cb_log1p_avx512(e));
        total = _mm512_add_ps(total, _mm512_maskz_mov_ps(lanes, term));
        _mm512_mask_storeu_ps(dz + i, lanes, _mm512_mul_ps(_mm512_sub_ps(p, tv), vinv));
    }
    return _mm512_reduce_add_ps(total) * inv;
}
