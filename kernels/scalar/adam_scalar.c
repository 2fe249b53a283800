/* adam_scalar.c - Adam update over n contiguous parameters, plain C (formula in cb_kernels.h). */
#include <math.h>

#include "cb_kernel_impl.h"

void cb_adam_scalar(size_t n, float *p, const float *g, float *m, float *v, const cb_adam_hparams *h)
{
    const float b1 = h->beta1, b2 = h->beta2, c1 = 1.0f - b1, c2 = 1.0f - b2;
    for (size_t i = 0; i < n; i++) {
        m[i] = b1 * m[i] + c1 * g[i];
        v[i] = b2 * v[i] + c2 * g[i] * g[i];
        p[i] -= h->step * m[i] / (sqrtf(v[i]) + h->eps);
    }
}
