/* mse_scalar.c - linear output + mean squared error, plain C.
 * z, t [N,K] -> dz = 2 (z - t) / (N*K); returns mean (z - t)^2. */
#include "cb_kernel_impl.h"

float cb_mse_scalar(int n, int k, const float *z, const float *t, float *dz)
{
    const size_t count = (size_t)n * k;
    const float inv = 1.0f / (float)count;
    float total = 0.0f;
    for (size_t i = 0; i < count; i++) {
        const float d = z[i] - t[i];
        total += d * d;
        dz[i] = 2.0f * d * inv;
    }
    return total * inv;
}
