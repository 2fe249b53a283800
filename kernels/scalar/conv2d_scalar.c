/*
 * conv2d_scalar.c - 3x3 stride-1 "same" convolution, plain C, one lane.
 *
 * Layouts (see cb_kernels.h): x [N,H,W,Cin], y/dy [N,H,W,Cout], w [3,3,Cin,Cout], b [Cout].
 * Out-of-image taps are skipped (zero padding); each call covers the shape's band of output rows.
 * This is the production fallback for CPUs without AVX2 and the order of operations the SIMD
 * variants are measured against.
 */
#include <string.h>

#include "cb_kernel_impl.h"

void cb_conv2d_fwd_scalar(const cb_conv_shape *s, const float *x, const float *w, const float *b,
                           float *y, int relu)
{
    const int H = s->h, W = s->w, CI = s->cin, CO = s->cout;
    for (int n = 0; n < s->n; n++) {
        const float *xn = x + (size_t)n * H * W * CI;
        for (int i = s->row_begin; i < cb_conv_row_end(s); i++) {
            for (int j = 0; j < W; j++) {
                float *yp = y + (((size_t)n * H + i) * W + j) * CO;
                for (int co = 0; co < CO; co++)
                    yp[co] = b[co];
                for (int ky = 0; ky < 3; ky++) {
                    const int yy = i + ky - 1;
                    if (yy < 0 || yy >= H)
                        continue;
                    for (int kx = 0; kx < 3; kx++) {
                        const int xx = j + kx - 1;
                        if (xx < 0 || xx >= W)
                            continue;
                        const float *xp = xn + ((size_t)yy * W + xx) * CI;
                        const float *wp = w + (size_t)(ky * 3 + kx) * CI * CO;
                        for (int ci = 0; ci < CI; ci++)
                            for (int co = 0; co < CO; co++)
                                yp[co] += xp[ci] * wp[ci * CO + co];
                    }
                }
                if (relu)
                    for (int co = 0; co < CO; co++)
                        yp[co] = yp[co] > 0.0f ? yp[co] : 0.0f;
            }
        }
    }
}

void cb_conv2d_bwd_data_scalar(const cb_conv_shape *s, const float *dy, const float *w, float *dx)
{
    const int H = s->h, W = s->w, CI = s->cin, CO = s->cout;
    for (int n = 0; n < s->n; n++) {
        const float *dyn = dy + (size_t)n * H * W * CO;
        for (int i = s->row_begin; i < cb_conv_row_end(s); i++) {
            for (int j = 0; j < W; j++) {
                float *dxp = dx + (((size_t)n * H + i) * W + j) * CI;
                for (int ci = 0; ci < CI; ci++)
                    dxp[ci] = 0.0f;
                for (int ky = 0; ky < 3; ky++) {
                    const int yy = i - ky + 1;
                    if (yy < 0 || yy >= H)
                        continue;
                    for (int kx = 0; kx < 3; kx++) {
                        const int xx = j - kx + 1;
                        if (xx < 0 || xx >= W)
                            continue;
                        const float *dyp = dyn + ((size_t)yy * W + xx) * CO;
                        const float *wp = w + (size_t)(ky * 3 + kx) * CI * CO;
                        for (int ci = 0; ci < CI; ci++)
                            for (int co = 0; co < CO; co++)
                                dxp[ci] += dyp[co] * wp[ci * CO + co];
                    }
                }
            }
        }
    }
}

void cb_conv2d_bwd_weights_scalar(const cb_conv_shape *s, const float *x, const float *dy,
                                   float *dw, float *db)
{
    const int H = s->h, W = s->w, CI = s->cin, CO = s->cout;
    memset(dw, 0, sizeof(float) * 9 * CI * CO);
    memset(db, 0, sizeof(float) * CO);
    for (int n = 0; n < s->n; n++) {
        const float *xn = x + (size_t)n * H * W * CI;
        for (int i = s->row_begin; i < cb_conv_row_end(s); i++) {
            for (int j = 0; j < W; j++) {
                const float *dyp = dy + (((size_t)n * H + i) * W + j) * CO;
                for (int co = 0; co < CO; co++)
                    db[co] += dyp[co];
                for (int ky = 0; ky < 3; ky++) {
                    const int yy = i + ky - 1;
                    if (yy < 0 || yy >= H)
                        continue;
                    for (int kx = 0; kx < 3; kx++) {
                        const int xx = j + kx - 1;
                        if (xx < 0 || xx >= W)
                            continue;
                        const float *xp = xn + ((size_t)yy * W + xx) * CI;
                        float *dwp = dw + (size_t)(ky * 3 + kx) * CI * CO;
                        for (int ci = 0; ci < CI; ci++)
                            for (int co = 0; co < CO; co++)
                                dwp[ci * CO + co] += xp[ci] * dyp[co];
                    }
                }
            }
        }
    }
}
