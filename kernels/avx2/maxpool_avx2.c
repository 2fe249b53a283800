/*
 * maxpool_avx2.c - 2x2 stride-2 max-pool, AVX2.
 * x [N,H,W,C] -> y [N,H/2,W/2,C] (an odd last row or column is dropped); backward routes
 * dy [N,H/2,W/2,C] to the first element of each window, in row-major window order, equal to the
 * window's maximum (with s->relu, only where y > 0: ReLU' fused in), and zeroes the rest of
 * dx [N,H,W,C].
 *
 * Strategy: a pixel's channels are contiguous, so a window is four vectors of (up to) 8 channels:
 * C = 8 is one vector per pixel, other C go in chunks of 8 with a masked last chunk. Both kernels
 * are bit-identical to scalar: vmaxps(new, m) is scalar's new > m ? new : m, and the backward
 * "first match" is a chain of equality masks, each cleared of the lanes already taken.
 */
#include <immintrin.h>
#include <string.h>

#include "cb_kernel_impl.h"
#include "vmath_avx2.h"

/* Offsets of the four window pixels of an input, in floats, in row-major window order. */
static void window_offsets(const cb_pool_shape *s, size_t off[4])
{
    off[0] = 0;
    off[1] = (size_t)s->c;
    off[2] = (size_t)s->w * s->c;
    off[3] = (size_t)s->w * s->c + s->c;
}

void cb_maxpool_fwd_avx2(const cb_pool_shape *s, const float *x, float *y)
{
    const int H = s->h, W = s->w, C = s->c, OH = H / 2, OW = W / 2;
    size_t off[4];
    window_offsets(s, off);
    for (int n = 0; n < s->n; n++)
        for (int oy = 0; oy < OH; oy++)
            for (int ox = 0; ox < OW; ox++) {
                const float *p = x + (((size_t)n * H + 2 * oy) * W + 2 * ox) * C;
                float *o = y + (((size_t)n * OH + oy) * OW + ox) * C;
                for (int c = 0; c < C; c += 8) {
                    __m256 m = cb_avx2_loadn(p + off[0] + c, C - c);
                    for (int k = 1; k < 4; k++)
                        m = _mm256_max_ps(cb_avx2_loadn(p + off[k] + c, C - c), m);
                    cb_avx2_storen(o + c, m, C - c);
                }
            }
}

void cb_maxpool_bwd_avx2(const cb_pool_shape *s, const float *x, const float *y, const float *dy,
                          float *dx)
{
    const int H = s->h, W = s->w, C = s->c, OH = H / 2, OW = W / 2;
    const size_t row = (size_t)W * C;
    const int relu = s->relu;
    const __m256 zero = _mm256_setzero_ps();
    size_t off[4];
    window_offsets(s, off);
    for (int n = 0; n < s->n; n++) {
        for (int oy = 0; oy < OH; oy++) {
            const size_t base = ((size_t)n * H + 2 * oy) * row;
            for (int ox = 0; ox < OW; ox++) {
                const size_t win = base + (size_t)2 * ox * C;
                const size_t o = (((size_t)n * OH + oy) * OW + ox) * C;
                for (int c = 0; c < C; c += 8) {
                    const __m256 yv = cb_avx2_loadn(y + o + c, C - c);
                    const __m256 dyv = cb_avx2_loadn(dy + o + c, C - c);
                    const __m256 g = relu ? _mm256_and_ps(_mm256_cmp_ps(yv, zero, _CMP_GT_OQ), dyv)
                                          : dyv;
                    __m256 taken = _mm256_setzero_ps();
                    for (int k = 0; k < 4; k++) {
                        const __m256 eq = _mm256_cmp_ps(cb_avx2_loadn(x + win + off[k] + c, C - c),
                                                        yv, _CMP_EQ_OQ);
                        const __m256 first = _mm256_andnot_ps(taken, eq);
                        taken = _mm256_or_ps(taken, eq);
                        cb_avx2_storen(dx + win + off[k] + c, _mm256_and_ps(first, g), C - c);
                    }
                }
            }
            if (W % 2) { /* the dropped last column of both window rows */
                memset(dx + base + row - C, 0, sizeof(float) * C);
                memset(dx + base + 2 * row - C, 0, sizeof(float) * C);
            }
        }
        if (H % 2) /* the dropped last row */
            memset(dx + ((size_t)n * H + H - 1) * row, 0, sizeof(float) * row);
    }
}
