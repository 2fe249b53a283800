/* adam_hparams.c - the per-update scalars of Adam, shared by every ISA's kernel. */
#include <math.h>

#include "cb_kernels.h"

cb_adam_hparams cb_adam_hparams_at(float lr, float beta1, float beta2, float eps, long t)
{
    /* In double, so that the bias correction keeps its precision over many updates. */
    double c1 = 1.0 - pow(beta1, (double)t), c2 = 1.0 - pow(beta2, (double)t);
    cb_adam_hparams h = {(float)(lr * sqrt(c2) / c1), beta1, beta2, eps};
    return h;
}
