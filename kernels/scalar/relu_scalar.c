/* relu_scalar.c - ReLU forward/backward over n contiguous floats (any layout), plain C. */
#include "cb_kernel_impl.h"

void cb_relu_fwd_scalar(size_t n, const float *x, float *y)
{
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void cb_relu_bwd_scalar(size_t n, const float *y, const float *dy, float *dx)
{
    for (size_t i = 0; i < n; i++)
        dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}
