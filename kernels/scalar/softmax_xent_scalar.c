/*
 * softmax_xent_scalar.c - softmax + sparse categorical cross-entropy, fused, plain C.
 * z [N,K] logits, labels [N] in 0..K-1 -> dz [N,K] = (softmax(z) - onehot) / N; returns the mean
 * loss. The row maximum is taken out before exp, so no finite logit overflows.
 *
 * The rounding error of d = z - m (up to half an ulp of |d|: 16 ulp of exp(d) at |d| = 20) is
 * recovered exactly with TwoSum and applied as exp(d + err) = exp(d) (1 + err), as the SIMD kernels
 * do, so the probabilities stay within a few ulp (DESIGN.md: ~10 ulp relative).
 */
#include <math.h>

#include "cb_kernel_impl.h"

/* exp(z - m) for z <= m, with the rounding error of z - m compensated (TwoSum, no FMA needed). */
static float exp_diff(float z, float m)
{
    const float d = z - m;
    const float z_part = d + m;      /* the part of z that d holds */
    const float m_part = z_part - d; /* the part of m that d holds */
    const float err = (z - z_part) - (m - m_part);
    const float e = expf(d);
    /* err is NaN only if z - m overflowed to -inf; e is then 0, and so must the result be. */
    return e > 0.0f ? e + e * err : e;
}

float cb_softmax_xent_scalar(int n, int k, const float *z, const int32_t *labels, float *dz)
{
    const float inv_n = 1.0f / (float)n;
    float total = 0.0f;
    for (int r = 0; r < n; r++) {
        const float *zr = z + (size_t)r * k;
        float *dr = dz + (size_t)r * k;
        float m = zr[0];
        for (int c = 1; c < k; c++)
            m = zr[c] > m ? zr[c] : m;
        float sum = 0.0f;
        for (int c = 0; c < k; c++) {
            dr[c] = exp_diff(zr[c], m);
            sum += dr[c];
        }
        total += logf(sum) - (zr[labels[r]] - m);
        const float scale = inv_n / sum;
        for (int c = 0; c < k; c++)
            dr[c] *= scale;
        dr[labels[r]] -= inv_n;
    }
    return total * inv_n;
}
