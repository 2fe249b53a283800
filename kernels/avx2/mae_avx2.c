/*
 * mae_avx2.c - linear output + mean absolute error, AVX2.
 * z, t [N,K] flattened to N*K floats -> dz = sign(z - t) / (N*K) with sign(0) = 0; returns
 * mean |z - t|.
 *
 * Strategy: one streaming pass, eight elements at a time, masked tail (masked-off lanes load
 * z = t = 0: d = 0 adds nothing). dz is bit-identical to scalar, NaN d included (-> 0); the loss is
 * summed in eight lanes, then reduced.
 */
#include <immintrin.h>

#include "cb_kernel_impl.h"
#include "vmath_avx2.h"

float cb_mae_avx2(int n, int k, const float *z, const float *t, float *dz)
{
    const size_t count = (size_t)n * k;
    const float inv = 1.0f / (float)count;
    const __m256 pos = _mm256_set1_ps(inv), neg = _mm256_set1_ps(-inv), zero = _mm256_setzero_ps();
    const __m256 sign_bit = _mm256_set1_ps(-0.0f);
    __m256 total = _mm256_setzero_ps();
    for (size_t i = 0; i < count; i += 8) {
        const ptrdiff_t rem = count - i;
        const __m256 d = _mm256_sub_ps(cb_avx2_loadn(z + i, rem), cb_avx2_loadn(t + i, rem));
        total = _mm256_add_ps(total, _mm256_andnot_ps(sign_bit, d));
        const __m256 g = _mm256_or_ps(_mm256_and_ps(_mm256_cmp_ps(d, zero, _CMP_GT_OQ), pos),
                                      _mm256_and_ps(_mm256_cmp_ps(d, zero, _CMP_LT_OQ), neg));
        cb_avx2_storen(dz + i, g, rem);
    }
    return cb_avx2_hsum(total) * inv;
}
