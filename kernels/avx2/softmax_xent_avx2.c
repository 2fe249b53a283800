/*
 * softmax_xent_avx2.c - softmax + sparse categorical cross-entropy, fused, AVX2.
 * z [N,K] logits, labels [N] in 0..K-1 -> dz [N,K] = (softmax(z) - onehot) / N; returns the mean
 * over rows of logsumexp(z) - z[label].
 *
 * Strategy: one row at a time, the row in vectors of 8 with a masked last vector (K = 10: one full
 * vector and a 2-lane tail; any K >= 1 works). Three short passes over the row, all in L1:
 *   1. the row maximum m (masked-off lanes take z[0], which cannot change it);
 *   2. e = exp(z - m) into dz, summed (masked-off lanes cleared: exp(0 - m) may be huge), with
 *      the rounding error of z - m compensated (see exp_diff);
 *   3. dz = e / (N sum), then dz[label] -= 1/N.
 * z - m <= 0, so exp never overflows and sum is in [1, K]: log(sum) is always finite.
 */
#include <immintrin.h>

#include "cb_kernel_impl.h"
#include "vmath_avx2.h"

static float row_max(int k, const float *zr)
{
    const __m256 first = _mm256_set1_ps(zr[0]);
    __m256 m = first;
    for (int c = 0; c < k; c += 8) {
        m = _mm256_max_ps(m, _mm256_blendv_ps(first, cb_avx2_loadn(zr + c, k - c),
                                              _mm256_castsi256_ps(cb_avx2_tail_mask(k - c))));
    }
    return cb_avx2_hmax(m);
}

/* exp(z - m) for z <= m. The rounding error of d = z - m (up to half an ulp of |z - m|, i.e.
 * 16 ulp of the result at |z - m| = 20) is recovered exactly with TwoSum and applied as
 * exp(d + err) = exp(d) (1 + err), which keeps the probabilities within a few ulp. */
static inline __m256 exp_diff(__m256 z, __m256 m)
{
    const __m256 d = _mm256_sub_ps(z, m);
    const __m256 z_part = _mm256_add_ps(d, m);   /* the part of z that d holds */
    const __m256 m_part = _mm256_sub_ps(z_part, d); /* the part of m that d holds */
    /* err is NaN if z - m overflows; exp(d) is then 0, and so must the result be. */
    const __m256 err = _mm256_and_ps(
        _mm256_cmp_ps(d, _mm256_set1_ps(CB_EXP_LO), _CMP_GE_OQ),
        _mm256_sub_ps(_mm256_sub_ps(z, z_part), _mm256_sub_ps(m, m_part)));
    const __m256 e = cb_exp_avx2(d);
    return _mm256_fmadd_ps(e, err, e);
}

/* dr = exp(zr - m); returns the sum of dr. */
static float row_exp(int k, const float *zr, float m, float *dr)
{
    const __m256 vm = _mm256_set1_ps(m);
    __m256 sum = _mm256_setzero_ps();
    for (int c = 0; c < k; c += 8) {
        const __m256 e = _mm256_and_ps(_mm256_castsi256_ps(cb_avx2_tail_mask(k - c)),
                                       exp_diff(cb_avx2_loadn(zr + c, k - c), vm));
        cb_avx2_storen(dr + c, e, k - c);
        sum = _mm256_add_ps(sum, e);
    }
    return cb_avx2_hsum(sum);
}

static void row_scale(int k, float *dr, float scale)
{
    const __m256 vs = _mm256_set1_ps(scale);
    for (int c = 0; c < k; c += 8)
        cb_avx2_storen(dr + c, _mm256_mul_ps(cb_avx2_loadn(dr + c, k - c), vs), k - c);
}

float cb_softmax_xent_avx2(int n, int k, const float *z, const int32_t *labels, float *dz)
{
    const float inv_n = 1.0f / (float)n;
    float total = 0.0f;
    for (int r = 0; r < n; r++) {
        const float *zr = z + (size_t)r * k;
        float *dr = dz + (size_t)r * k;
        const float m = row_max(k, zr);
        const float sum = row_exp(k, zr, m, dr);
        const float log_sum = _mm256_cvtss_f32(cb_log_avx2(_mm256_set1_ps(sum)));
        total += log_sum - (zr[labels[r]] - m);
        row_scale(k, dr, inv_n / sum);
        dr[labels[r]] -= inv_n;
    }
    return total * inv_n;
}
