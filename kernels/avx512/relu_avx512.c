/*
 * relu_avx512.c - ReLU forward/backward over n contiguous floats (any layout), AVX-512.
 *
 * Strategy: a streaming map, four __m512 per iteration, then single vectors, then one masked
 * tail (masked-off lanes are neither read nor written). vmaxps(x, 0) returns its second operand
 * unless x > 0, which is exactly scalar's x > 0 ? x : 0 (NaN and -0 give +0); backward keeps dy
 * where y > 0 (ordered compare: NaN gives 0). Both are bit-identical to scalar. In place is fine:
 * every element is read before it is written.
 */
#include "cb_kernel_impl.h"
#include "vmath_avx512.h"

typedef __m512 relu_op(__m512 a, __m512 b);

/* out[i] = op(a[i], b[i]) for i < n. Inlined with a constant op, so the op is inlined too. */
CB_AVX512_INLINE void relu_map(size_t n, const float *a, const float *b, float *out, relu_op *op)
{
    size_t i = 0;
    for (; i + 64 <= n; i += 64)
        CB_AVX512_UNROLL
        for (int u = 0; u < 64; u += 16)
            _mm512_storeu_ps(out + i + u,
                             op(_mm512_loadu_ps(a + i + u), _mm512_loadu_ps(b + i + u)));
    for (; i < n; i += 16) {
        const __mmask16 m = cb_avx512_mask16((ptrdiff_t)(n - i));
        _mm512_mask_storeu_ps(out + i, m,
                              op(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i)));
    }
}

/* max(x, 0); the second operand is unused. */
static inline __m512 relu_fwd_op(__m512 x, __m512 unused)
{
    (void)unused;
    return _mm512_max_ps(x, _mm512_setzero_ps());
}

/* y > 0 ? dy : 0 */
static inline __m512 relu_bwd_op(__m512 y, __m512 dy)
{
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(y, _mm512_setzero_ps(), _CMP_GT_OQ), dy);
}

void cb_relu_fwd_avx512(size_t n, const float *x, float *y)
{
    relu_map(n, x, x, y, relu_fwd_op);
}

void cb_relu_bwd_avx512(size_t n, const float *y, const float *dy, float *dx)
{
    relu_map(n, y, dy, dx, relu_bwd_op);
}
