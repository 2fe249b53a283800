/*
 * maxpool_scalar.c - 2x2 stride-2 max-pool, plain C.
 * x [N,H,W,C] -> y [N,H/2,W/2,C]; backward routes dy to the first maximal element of each window
 * (row-major window order) and zeroes the rest of dx [N,H,W,C]; with s->relu, only where y > 0.
 */
#include <string.h>

#include "cb_kernel_impl.h"

void cb_maxpool_fwd_scalar(const cb_pool_shape *s, const float *x, float *y)
{
    const int H = s->h, W = s->w, C = s->c, OH = H / 2, OW = W / 2;
    for (int n = 0; n < s->n; n++)
        for (int oy = 0; oy < OH; oy++)
            for (int ox = 0; ox < OW; ox++) {
                const float *p = x + (((size_t)n * H + 2 * oy) * W + 2 * ox) * C;
                const float *q = p + (size_t)W * C;
                float *o = y + (((size_t)n * OH + oy) * OW + ox) * C;
                for (int c = 0; c < C; c++) {
                    float m = p[c];
                    m = p[C + c] > m ? p[C + c] : m;
                    m = q[c] > m ? q[c] : m;
                    m = q[C + c] > m ? q[C + c] : m;
                    o[c] = m;
                }
            }
}

void cb_maxpool_bwd_scalar(const cb_pool_shape *s, const float *x, const float *y, const float *dy,
                            float *dx)
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
                    for (int k = 0; k < 4; k++)
                        if (x[win[k] + c] == y[o + c]) {
                            dx[win[k] + c] = !s->relu || y[o + c] > 0.0f ? dy[o + c] : 0.0f;
                            break;
                        }
            }
}
