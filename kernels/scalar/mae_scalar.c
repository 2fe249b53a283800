/* mae_scalar.c - linear output + mean absolute error, plain C.
 * z, t [N,K] -> dz = sign(z - t) / (N*K) with sign(0) = 0; returns mean |z - t|. */
#include <math.h>

#include "cb_kernel_impl.h"

float cb_mae_scalar(int n, int k, const float *z, const float *t, float *dz)
{
    const size_t count = (size_t)n * k;
    const float inv = 1.0f / (float)count;
    float total = 0.0f;
    for (size_t i = 0; i < count; i++) {
        const float d = z[i] - t[i];
        total += fabsf(d);
        dz[i] = d > 0.0f ? inv : (d < 0.0f ? -inv : 0.0f);
    }
    return total * inv;
}
