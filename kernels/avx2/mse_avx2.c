/*
 * mse_avx2.c - linear output + mean squared error, AVX2.
 * z, t [N,K] flattened to N*K floats -> dz = 2 (z - t) / (N*K); returns mean (z - t)^2.
 *
 * Strategy: one streaming pass, eight elements at a time, masked tail (masked-off lanes load
 * z = t = 0, so they add nothing to the sum). dz is bit-identical to scalar (2 d inv, with the
 * factor 2 exact); the loss is summed in eight lanes, then reduced.
 */
#include <immintrin.h>

#include "cb_kernel_impl.h"
#include "vmath_avx2.h"

float cb_mse_avx2(int n, int k, const float *z, const float *t, float *dz)
{
    const size_t count = (size_t)n * k;
    const float inv = 1.0f / (float)count;
    const __m256 two_inv = _mm256_set1_ps(2.0f * inv);
    __m256 total = _mm256_setzero_ps();
    for (size_t i = 0; i < count; i += 8) {
        const ptrdiff_t rem = count - i;
        const __m256 d = _mm256_sub_ps(cb_avx2_loadn(z + i, rem), cb_avx2_loadn(t + i, rem));
        total = _mm256_fmadd_ps(d, d, total);
        cb_avx2_storen(dz + i, _mm256_mul_ps(d, two_inv), rem);
    }
    return cb_avx2_hsum(total) * inv;
}
