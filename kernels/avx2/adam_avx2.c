/*
 * adam_avx2.c - Adam update over n contiguous parameters, AVX2 (formula in cb_kernels.h).
 *
 * Strategy: the scalar formula, eight parameters at a time, with a masked tail. The operations and
 * their order are scalar's exactly (separate multiplies and adds, correctly rounded sqrt and
 * division, no FMA contraction), so the results are bit-identical to cb_adam_scalar. The loop is
 * bound by the divide and square root units, not by memory (17,554 parameters fit in L2).
 */
#include <immintrin.h>

#include "cb_kernel_impl.h"
#include "vmath_avx2.h"

void cb_adam_avx2(size_t n, float *p, const float *g, float *m, float *v, const cb_adam_hparams *h)
{
    const __m256 b1 = _mm256_set1_ps(h->beta1), b2 = _mm256_set1_ps(h->beta2);
    const __m256 c1 = _mm256_set1_ps(1.0f - h->beta1), c2 = _mm256_set1_ps(1.0f - h->beta2);
    const __m256 step = _mm256_set1_ps(h->step), eps = _mm256_set1_ps(h->eps);
    for (size_t i = 0; i < n; i += 8) {
        const ptrdiff_t rem = n - i;
        const __m256 gi = cb_avx2_loadn(g + i, rem);
        const __m256 mi = _mm256_add_ps(_mm256_mul_ps(b1, cb_avx2_loadn(m + i, rem)),
                                        _mm256_mul_ps(c1, gi));
        const __m256 vi = _mm256_add_ps(_mm256_mul_ps(b2, cb_avx2_loadn(v + i, rem)),
                                        _mm256_mul_ps(_mm256_mul_ps(c2, gi), gi));
        const __m256 upd =
            _mm256_div_ps(_mm256_mul_ps(step, mi), _mm256_add_ps(_mm256_sqrt_ps(vi), eps));
        cb_avx2_storen(m + i, mi, rem);
        cb_avx2_storen(v + i, vi, rem);
        cb_avx2_storen(p + i, _mm256_sub_ps(cb_avx2_loadn(p + i, rem), upd), rem);
    }
}
