/*
 * dense_scalar.c - fully connected layer, plain C.
 * x [N,In], w [In,Out], b [Out], y/dy [N,Out]; dx [N,In], dw [In,Out], db [Out].
 */
#include <string.h>

#include "cb_kernel_impl.h"

void cb_dense_fwd_scalar(int n, int in, int out, const float *x, const float *w, const float *b,
                         float *y, int relu)
{
    for (int r = 0; r < n; r++) {
        const float *xr = x + (size_t)r * in;
        float *yr = y + (size_t)r * out;
        for (int o = 0; o < out; o++)
            yr[o] = b[o];
        for (int i = 0; i < in; i++)
            for (int o = 0; o < out; o++)
                yr[o] += xr[i] * w[(size_t)i * out + o];
        if (relu)
            for (int o = 0; o < out; o++)
                yr[o] = yr[o] > 0.0f ? yr[o] : 0.0f;
    }
}

void cb_dense_bwd_scalar(int n, int in, int out, const float *x, const float *w, const float *dy,
                         float *dx, float *dw, float *db)
{
    if (dw) {
        memset(dw, 0, sizeof(float) * (size_t)in * out);
        memset(db, 0, sizeof(float) * (size_t)out);
    }
    for (int r = 0; r < n; r++) {
        const float *dyr = dy + (size_t)r * out;
        if (dw) {
            const float *xr = x + (size_t)r * in;
            for (int o = 0; o < out; o++)
                db[o] += dyr[o];
            for (int i = 0; i < in; i++)
                for (int o = 0; o < out; o++)
                    dw[(size_t)i * out + o] += xr[i] * dyr[o];
        }
        if (dx)
            for (int i = 0; i < in; i++) {
                float acc = 0.0f;
                for (int o = 0; o < out; o++)
                    acc += dyr[o] * w[(size_t)i * out + o];
                dx[(size_t)r * in + i] = acc;
            }
    }
}
