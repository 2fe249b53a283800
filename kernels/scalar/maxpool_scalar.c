/*
 * maxpool_scalar.c - 2x2 stride-2 max-pool, plain C.
 * x [N,H,W,C] -> y [N,H/2,W/2,C] and arg [N,H/2,W/2,C] (the window element, 0..3 row-major, first
 * equal to the maximum, or CB_POOL_NONE: none, or with s->relu !(y > 0)); backward writes dy to the
 * element arg names and zeroes the rest of dx [N,H,W,C].
 */
#include <string.h>

#include "cb_kernel_impl.h"

void cb_maxpool_fwd_scalar(const cb_pool_shape *s, const float *x, float *y, uint8_t *arg)
{
    const int H = s->h, W = s->w, C = s->c, OH = H / 2, OW = W / 2;
    for (int n = 0; n < s->n; n++)
        for (int oy = 0; oy < OH; oy++)
            for (int ox = 0; ox < OW; ox++) {
                const float *p = x + (((size_t)n * H + 2 * oy) * W + 2 * ox) * C;
                const float *q = p + (size_t)W * C;
                const size_t o = (((size_t)n * OH + oy) * OW + ox) * C;
                for (int c = 0; c < C; c++) {
                    const float e[4] = {p[c], p[C + c], q[c], q[C + c]};
                    float m = e[0];
                    for (int k = 1; k < 4; k++)
                        m = e[k] > m ? e[k] : m;
                    int a = CB_POOL_NONE;
                    for (int k = 3; k >= 0; k--) /* the first of the equal ones is written last */
                        a = e[k] == m ? k : a;
                    y[o + c] = m;
                    arg[o + c] = (uint8_t)(s->relu && !(m > 0.0f) ? CB_POOL_NONE : a);
                }
            }
}

void cb_maxpool_bwd_scalar(const cb_pool_shape *s, const uint8_t *arg, const float *dy, float *dx)
{
    const int H = s->h, W = s->w, C = s->c, OH = H / 2, OW = W / 2;
    memset(dx, 0, sizeof(float) * s->n * H * W * C);
    for (int n = 0; n < s->n; n++)
        for (int oy = 0; oy < OH; oy++)
            for (int ox = 0; ox < OW; ox++) {
                const size_t base = (((size_t)n * H + 2 * oy) * W + 2 * ox) * C;
                const size_t win[4] = {base, base + C, base + (size_t)W * C, base + (size_t)W * C + C};
                const size_t o = (((size_t)n * OH + oy) * OW + ox) * C;
                for (int c = 0; c < C; c++)
                    if (arg[o + c] < CB_POOL_NONE)
                        dx[win[arg[o + c]] + c] = dy[o + c];
            }
}
