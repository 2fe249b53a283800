/*
 * softmax_xent_avx512.c - softmax + sparse categorical cross-entropy, fused, AVX-512.
 * z [N,K] logits, labels [N] in 0..K-1 -> dz [N,K] = (softmax(z) - onehot) / N; returns the mean
 * over rows of logsumexp(z) - z[label].
 *
 * Strategy: one row at a time, the row in vectors of 16 with a masked last vector (K = 10: one
 * 10-lane vector; any K >= 1 works). Three short passes over the row, all in L1:
 *   1. the row maximum m (masked-off lanes take z[0], which cannot change it);
 *   2. e = exp(z - m) into dz, summed over the valid lanes, with the rounding error of z - m
 *      recovered (see exp_sub);
 *   3. dz = e * (1 / N) / sum, then dz[label] -= 1/N.
 * z - m <= 0, so exp never overflows and sum is in [1, K]: log(sum) is always finite.
 */
#include "cb_kernel_impl.h"
#include "vmath_avx512.h"

static float row_max(int k, const float *zr)
{
    const __m512 first = _mm512_set1_ps(zr[0]);
    __m512 m = first;
    for (int c = 0; c < k; c += 16)
        m = _mm512_max_ps(m, _mm512_mask_loadu_ps(first, cb_avx512_mask16(k - c), zr + c));
    return _mm512_reduce_max_ps(m);
}

/* exp(z - m) for z <= m. d = z - m is rounded by up to half an ulp of |d| (16 ulp of the result
 * at d = -20); TwoSum recovers the error exactly and exp(d + err) = exp(d) (1 + err) applies it. */
static inline __m512 exp_sub(__m512 z, __m512 m)
{
    const __m512 d = _mm512_sub_ps(z, m);
    const __m512 z_in_d = _mm512_add_ps(d, m);
    const __m512 m_in_d = _mm512_sub_ps(z_in_d, d);
    const __m512 err = _mm512_sub_ps(_mm512_sub_ps(z, z_in_d), _mm512_sub_ps(m, m_in_d));
    const __m512 e = cb_exp_avx512(d);
    /* Where exp(d) is 0, err may be NaN (z - m overflowed) and must not be applied. */
    const __mmask16 ok = _mm512_cmp_ps_mask(d, _mm512_set1_ps(CB_EXP_LO), _CMP_GE_OQ);
    return _mm512_mask_fmadd_ps(e, ok, err, e);
}

/* dr = exp(zr - m); returns the sum of dr. */
static float row_exp(int k, const float *zr, float m, float *dr)
{
    const __m512 vm = _mm512_set1_ps(m);
    __m512 sum = _mm512_setzero_ps();
    for (int c = 0; c < k; c += 16) {
        const __mmask16 lanes = cb_avx512_mask16(k - c);
        const __m512 zv = _mm512_maskz_loadu_ps(lanes, zr + c);
        const __m512 e = _mm512_maskz_mov_ps(lanes, exp_sub(zv, vm)); /* 0 in unused lanes */
        _mm512_mask_storeu_ps(dr + c, lanes, e);
        sum = _mm512_add_ps(sum, e);
    }
    return _mm512_reduce_add_ps(sum);
}

static void row_scale(int k, float *dr, float scale)
{
    const __m512 vs = _mm512_set1_ps(scale);
    for (int c = 0; c < k; c += 16) {
        const __mmask16 lanes = cb_avx512_mask16(k - c);
        const __m512 e = _mm512_maskz_loadu_ps(lanes, dr + c);
        _mm512_mask_storeu_ps(dr + c, lanes, _mm512_mul_ps(e, vs));
    }
}

float cb_softmax_xent_avx512(int n, int k, const float *z, const int32_t *labels, float *dz)
{
    const float inv_n = 1.0f / (float)n;
    float total = 0.0f;
    for (int r = 0; r < n; r++) {
        const float *zr = z + (size_t)r * k;
        float *dr = dz + (size_t)r * k;
        const float m = row_max(k, zr);
        const float sum = row_exp(k, zr, m, dr);
        const float log_sum = _mm512_cvtss_f32(cb_log_avx512(_mm512_set1_ps(sum)));
        total += log_sum - (zr[labels[r]] - m);
        row_scale(k, dr, inv_n / sum);
        dr[labels[r]] -= inv_n;
    }
    return total * inv_n;
}
