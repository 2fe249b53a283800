/*
 * mse_avx512.c - linear output + mean squared error, AVX-512.
 * z, t [N,K] -> dz = 2 (z - t) / (N*K); returns mean (z - t)^2.
 *
 * Strategy: a streaming map over the N*K elements as one flat array, vectors of 16 with a masked
 * tail, per-lane partial sums of d^2 (one FMA each) added up at the end. dz is computed as
 * (2 d) * (1 / (N*K)) like scalar, so it has scalar's bits.
 */
#include "cb_kernel_impl.h"
#include "vmath_avx512.h"

float cb_mse_avx512(int n, int k, const float *z, const float *t, float *dz)
{
    const size_t count = (size_t)n * k;
    const float inv = 1.0f / (float)count;
    const __m512 vinv = _mm512_set1_ps(inv), two = _mm512_set1_ps(2.0f);
    __m512 total = _mm512_setzero_ps();
    for (size_t i = 0; i < count; i += 16) {
        const __mmask16 lanes = cb_avx512_mask16((ptrdiff_t)(count - i));
        const __m512 d = _mm512_sub_ps(_mm512_maskz_loadu_ps(lanes, z + i),
                                       _mm512_maskz_loadu_ps(lanes, t + i));
        total = _mm512_fmadd_ps(d, d, total); /* masked-off lanes hold d = 0 */
        _mm512_mask_storeu_ps(dz + i, lanes, _mm512_mul_ps(_mm512_mul_ps(two, d), vinv));
    }
    return _mm512_reduce_add_ps(total) * inv;
}
