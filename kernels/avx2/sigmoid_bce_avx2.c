/*
 * sigmoid_bce_avx2.c - sigmoid + binary cross-entropy, fused, AVX2.
 * z [N,K] logits, t [N,K] targets in [0,1], flattened to N*K floats -> dz = (sigmoid(z) - t)/(N*K);
 * returns the mean of max(z,0) - z*t + log1p(exp(-|z|)).
 *
 * Strategy: one streaming pass, eight elements at a time, masked tail. e = exp(-|z|) is in [0, 1]
 * for every z, so nothing overflows: sigmoid(z) = (z >= 0 ? 1 : e) / (1 + e), and log1p(e) uses
 * the accurate form of vmath_avx2.h. max(z,0) - z*t is one FMA (exact cancellation for t = 1).
 * Masked-off lanes (z = t = 0 would add log 2) are cleared before they reach the sum.
 */
#include <immintrin.h>

#include "cb_kernel_impl.h"
#include "vmath_avx2.h"

float cb_sigmoid_bce_avx2(int n, int k, const float *z, const float *t, float *dz)
{
    const size_t count = (size_t)n * k;
    const float inv = 1.0f / (float)count;
    const __m256 one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps(), vinv = _mm256_set1_ps(inv);
    __m256 total = _mm256_setzero_ps();
    for (size_t i = 0; i < count; i += 8) {
        const ptrdiff_t rem = count - i;
        const __m256 zi = cb_avx2_loadn(z + i, rem), ti = cb_avx2_loadn(t + i, rem);
        const __m256 e = cb_exp_avx2(_mm256_or_ps(zi, _mm256_set1_ps(-0.0f))); /* exp(-|z|) */
        const __m256 nonneg = _mm256_cmp_ps(zi, zero, _CMP_GE_OQ);
        const __m256 p = _mm256_div_ps(_mm256_blendv_ps(e, one, nonneg), _mm256_add_ps(one, e));
        const __m256 loss = _mm256_add_ps(_mm256_fnmadd_ps(zi, ti, _mm256_max_ps(zi, zero)),
                                          cb_log1p_avx2(e));
        const __m256 valid = _mm256_castsi256_ps(cb_avx2_tail_mask(rem));
        total = _mm256_add_ps(total, _mm256_and_ps(valid, loss));
        cb_avx2_storen(dz + i, _mm256_mul_ps(_mm256_sub_ps(p, ti), vinv), rem);
    }
    return cb_avx2_hsum(total) * inv;
}
