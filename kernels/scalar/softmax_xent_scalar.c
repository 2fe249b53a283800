/*
 * softmax_xent_scalar.c - softmax + sparse categorical cross-entropy, fused, plain C.
 * z [N,K] logits, labels [N] in 0..K-1 -> dz [N,K] = (softmax(z) - onehot) / N; returns the mean
 * loss. The row maximum is taken out before exp, so no finite logit overflows.
 */
#include <math.h>

#include "cb_kernel_list.h"

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
            dr[c] = expf(zr[c] - m);
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
