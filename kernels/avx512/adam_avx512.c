/*
 * adam_avx512.c - Adam update over n contiguous parameters, AVX-512 (formula in cb_kernels.h).
 *
 * Strategy: a streaming map, vectors of 16, then one masked tail. Scalar's expression is evaluated
 * operation for operation (separate multiplies and adds, correctly rounded sqrt and division, no
 * FMA contraction), so the result has scalar's bits. Memory-bound: 4 streams in, 3 out.
 */
#include "cb_kernel_impl.h"
#include "vmath_avx512.h"

/* One vector of 16 parameters at i, lanes k (all 16 but in the tail). */
CB_AVX512_INLINE void adam16(size_t i, __mmask16 k, float *p, const float *g, float *m, float *v, __m512 b1,
                             __m512 b2, __m512 c1, __m512 c2, __m512 step, __m512 eps)
{
    const __m512 gv = _mm512_maskz_loadu_ps(k, g + i);
    const __m512 mv = _mm512_add_ps(_mm512_mul_ps(b1, _mm512_maskz_loadu_ps(k, m + i)), _mm512_mul_ps(c1, gv));
    const __m512 vv = _mm512_add_ps(_mm512_mul_ps(b2, _mm512_maskz_loadu_ps(k, v + i)),
                                    _mm512_mul_ps(_mm512_mul_ps(c2, gv), gv));
    const __m512 upd = _mm512_div_ps(_mm512_mul_ps(step, mv), _mm512_add_ps(_mm512_sqrt_ps(vv), eps));
    _mm512_mask_storeu_ps(m + i, k, mv);
    _mm512_mask_storeu_ps(v + i, k, vv);
    _mm512_mask_storeu_ps(p + i, k, _mm512_sub_ps(_mm512_maskz_loadu_ps(k, p + i), upd));
}

void cb_adam_avx512(size_t n, float *p, const float *g, float *m, float *v,
                    const cb_adam_hparams *h)
{
    const __m512 b1 = _mm512_set1_ps(h->beta1), b2 = _mm512_set1_ps(h->beta2);
    const __m512 c1 = _mm512_set1_ps(1.0f - h->beta1), c2 = _mm512_set1_ps(1.0f - h->beta2);
    const __m512 step = _mm512_set1_ps(h->step), eps = _mm512_set1_ps(h->eps);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) /* full vectors: a constant mask the compiler drops */
        adam16(i, 0xffff, p, g, m, v, b1, b2, c1, c2, step, eps);
    if (i < n)
        adam16(i, cb_avx512_mask16((ptrdiff_t)(n - i)), p, g, m, v, b1, b2, c1, c2, step, eps);
}
