/*
 * sigmoid_bce_scalar.c - sigmoid + binary cross-entropy, fused, plain C.
 * z [N,K] logits, t [N,K] targets in [0,1] -> dz = (sigmoid(z) - t) / (N*K); returns the mean of
 * max(z,0) - z*t + log1p(exp(-|z|)), which is finite for every finite z.
 */
#include <math.h>

#include "cb_kernel_impl.h"

float cb_sigmoid_bce_scalar(int n, int k, const float *z, const float *t, float *dz)
{
    const size_t count = (size_t)n * k;
    const float inv = 1.0f / (float)count;
    float total = 0.0f;
    for (size_t i = 0; i < count; i++) {
        const float e = expf(-fabsf(z[i])); /* in (0, 1]: never overflows */
        const float p = z[i] >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
        total += (z[i] > 0.0f ? z[i] : 0.0f) - z[i] * t[i] + log1pf(e);
        dz[i] = (p - t[i]) * inv;
    }
    return total * inv;
}
