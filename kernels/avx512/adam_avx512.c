/*
 * adam_avx512.c - Adam update over n contiguous parameters, AVX-512 (formula in cb_kernels.h).
 *
 * Strategy: a streaming map, vectors of 16 with a masked tail. Scalar's expression is evaluated
 * operation for operation (separate multiplies and adds, correctly rounded sqrt and division, no
 * FMA contraction), so the result has scalar's bits. Memory-bound: 4 streams in, 3 out.
 */
#include "cb_kernel_impl.h"
#include "vmath_avx512.h"

void cb_adam_avx512(size_t n, float *p, const float *g, float *m, float *v,
                    const cb_adam_hparams *h)
{
    const __m512 b1 = _mm512_set1_ps(h->beta1), b2 = _mm512_set1_ps(h->beta2);
    const __m512 c1 = _mm512_set1_ps(1.0f - h->beta1), c2 = _mm512_set1_ps(1.0f - h->beta2);
    const __m512 step = _mm512_set1_ps(h->step), eps = _mm512_set1_ps(h->eps);
    for (size_t i = 0; i < n; i += 16) {
        const __mmask16 k = cb_avx512_mask16((ptrdiff_t)(n - i));
        const __m512 gv = _mm512_maskz_loadu_ps(k, g + i);
        const __m512 mv = _mm512_add_ps(_mm512_mul_ps(b1, _mm512_maskz_loadu_ps(k, m + i)),
                                        _mm512_mul_ps(c1, gv));
        const __m512 vv = _mm512_add_ps(_mm512_mul_ps(b2, _mm512_maskz_loadu_ps(k, v + i)),
                                        _mm512_mul_ps(_mm512_mul_ps(c2, gv), gv));
        const __m512 upd = _mm512_div_ps(_mm512_mul_ps(step, mv),
                                         _mm512_add_ps(_mm512_sqrt_ps(vv), eps));
        _mm512_mask_storeu_ps(m + i, k, mv);
        _mm512_mask_storeu_ps(v + i, k, vv);
        _mm512_mask_storeu_ps(p + i, k, _mm512_sub_ps(_mm512_maskz_loadu_ps(k, p + i), upd));
    }
}
