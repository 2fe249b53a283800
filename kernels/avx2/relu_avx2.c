/*
 * relu_avx2.c - ReLU forward/backward over n contiguous floats (any layout), AVX2.
 *
 * Strategy: a streaming map, four vectors per iteration, then single vectors, then one masked
 * tail (no access past element n-1). vmaxps(x, 0) returns its second operand unless x > 0, which
 * is exactly scalar's x > 0 ? x : 0 (NaN and -0 give +0), so both kernels are bit-identical to
 * scalar. In place is fine: every element is read before it is written.
 */
#include <immintrin.h>

#include "cb_kernel_impl.h"
#include "vmath_avx2.h"

typedef __m256 relu_op(__m256 a, __m256 b);

/* out[i] = op(a[i], b[i]) for i < n. Inlined with a constant op, so the op is inlined too. */
CB_AVX2_INLINE void relu_map(size_t n, const float *a, const float *b, float *out, relu_op *op)
{
    size_t i = 0;
    for (; i + 32 <= n; i += 32)
        for (int u = 0; u < 32; u += 8)
            _mm256_storeu_ps(out + i + u,
                             op(_mm256_loadu_ps(a + i + u), _mm256_loadu_ps(b + i + u)));
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(out + i, op(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
    if (i < n) {
        const __m256i m = cb_avx2_tail_mask(n - i);
        _mm256_maskstore_ps(out + i, m,
                            op(_mm256_maskload_ps(a + i, m), _mm256_maskload_ps(b + i, m)));
    }
}

/* max(x, 0); the second operand is unused. */
static inline __m256 relu_fwd_op(__m256 x, __m256 unused)
{
    (void)unused;
    return _mm256_max_ps(x, _mm256_setzero_ps());
}

/* y > 0 ? dy : 0 */
static inline __m256 relu_bwd_op(__m256 y, __m256 dy)
{
    return _mm256_and_ps(_mm256_cmp_ps(y, _mm256_setzero_ps(), _CMP_GT_OQ), dy);
}

void cb_relu_fwd_avx2(size_t n, const float *x, float *y)
{
    relu_map(n, x, x, y, relu_fwd_op);
}

void cb_relu_bwd_avx2(size_t n, const float *y, const float *dy, float *dx)
{
    relu_map(n, y, dy, dx, relu_bwd_op);
}
