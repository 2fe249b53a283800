/*
 * maxpool_avx512.c - 2x2 stride-2 max-pool, AVX-512.
 * x [N,H,W,C] -> y [N,H/2,W/2,C]; an odd last row or column is dropped.
 *
 * Strategy: one output row at a time, walking the two input rows with pointers; per output
 * pixel its C channels in 256-bit vectors of 8 with a masked last one. C = 8, the reference
 * network's, is an instantiation with a constant C; its forward takes two windows per zmm
 * (pool_row_fwd8: 1.08-1.10x over ymm at both pools, measured). A zmm backward measured the same
 * as ymm (pool1's 32 KB of x and 32 KB of dx do not fit L1 beside y and dy: L2 bandwidth
 * decides), so the backward stays on ymm. The four window elements are combined in scalar's order,
 * m = max(max(max(p0, p1), q0), q1) with vmaxps(a, m) = a > m ? a : m, so NaNs and ties give
 * scalar's bits. Backward recomputes the argmax: the window elements are visited in row-major
 * order, each takes what is left of dy where it equals y, and that lane of dy is then cleared, so
 * dy reaches the first maximal element and the other three get 0 (NaN never compares equal:
 * all four get 0, like scalar). With s->relu, dy is first cleared where !(y > 0) (ReLU' fused
 * in; the ordered compare clears NaN too, like scalar). Every element of dx is written exactly
 * once, a dropped odd row or column with zeros.
 */
#include <string.h>

#include "cb_kernel_impl.h"
#include "vmath_avx512.h"

/* y for one output row: p walks the top input row, W*C floats above the bottom one. */
CB_AVX512_INLINE void pool_row_fwd(const float *p, float *o, int ow, size_t row, const int C)
{
    for (int ox = 0; ox < ow; ox++, p += 2 * C, o += C)
        for (int c = 0; c < C; c += 8) {
            const __mmask8 k = cb_avx512_mask8(C - c);
            __m256 m = _mm256_maskz_loadu_ps(k, p + c);
            m = _mm256_max_ps(_mm256_maskz_loadu_ps(k, p + C + c), m);
            m = _mm256_max_ps(_mm256_maskz_loadu_ps(k, p + row + c), m);
            m = _mm256_max_ps(_mm256_maskz_loadu_ps(k, p + row + C + c), m);
            _mm256_mask_storeu_ps(o + c, k, m);
        }
}

/* y for one output row with C = 8 on zmm, two windows at a time: the top rows' 4 pixels are two
 * vectors t0, t1, regrouped by 256-bit halves into (t0.lo | t1.lo), the windows' top-left
 * elements, and (t0.hi | t1.hi), their top-right ones; the bottom rows likewise. Each max then
 * runs in scalar's order on both windows. */
CB_AVX512_INLINE void pool_row_fwd8(const float *p, float *o, int ow, size_t row)
{
    enum { LO = _MM_SHUFFLE(1, 0, 1, 0), HI = _MM_SHUFFLE(3, 2, 3, 2) };
    int ox = 0;
    for (; ox + 2 <= ow; ox += 2, p += 32, o += 16) {
        const __m512 t0 = _mm512_loadu_ps(p), t1 = _mm512_loadu_ps(p + 16);
        const __m512 b0 = _mm512_loadu_ps(p + row), b1 = _mm512_loadu_ps(p + row + 16);
        __m512 m = _mm512_shuffle_f32x4(t0, t1, LO);
        m = _mm512_max_ps(_mm512_shuffle_f32x4(t0, t1, HI), m);
        m = _mm512_max_ps(_mm512_shuffle_f32x4(b0, b1, LO), m);
        m = _mm512_max_ps(_mm512_shuffle_f32x4(b0, b1, HI), m);
        _mm512_storeu_ps(o, m);
    }
    pool_row_fwd(p, o, ow - ox, row, 8); /* an odd last window */
}

void cb_maxpool_fwd_avx512(const cb_pool_shape *s, const float *x, float *y)
{
    const int H = s->h, W = s->w, C = s->c, OH = H / 2, OW = W / 2;
    const size_t row = (size_t)W * C;
    for (int n = 0; n < s->n; n++)
        for (int oy = 0; oy < OH; oy++) {
            const float *p = x + ((size_t)n * H + 2 * oy) * row;
            float *o = y + ((size_t)n * OH + oy) * OW * C;
            if (C == 8)
                pool_row_fwd8(p, o, OW, row);
            else
                pool_row_fwd(p, o, OW, row, C);
        }
}

/* dx for one output row's windows (p / d walk the top rows of x / dx; yo / go walk y / dy). */
CB_AVX512_INLINE void pool_row_bwd(const float *p, const float *yo, const float *go, float *d,
                                   int ow, size_t row, const int C, const bool relu)
{
    for (int ox = 0; ox < ow; ox++, p += 2 * C, d += 2 * C, yo += C, go += C)
        for (int c = 0; c < C; c += 8) {
            const __mmask8 k = cb_avx512_mask8(C - c);
            const __m256 m = _mm256_maskz_loadu_ps(k, yo + c);
            const __mmask8 pass =
                relu ? _mm256_mask_cmp_ps_mask(k, m, _mm256_setzero_ps(), _CMP_GT_OQ) : k;
            const size_t off[4] = {(size_t)c, (size_t)C + c, row + c, row + C + c};
            /* dy where the maximum has not been found yet, else 0 */
            __m256 rest = _mm256_maskz_loadu_ps(pass, go + c);
            CB_AVX512_UNROLL
            for (int e = 0; e < 4; e++) {
                const __mmask8 hit =
                    _mm256_cmp_ps_mask(_mm256_maskz_loadu_ps(k, p + off[e]), m, _CMP_EQ_OQ);
                _mm256_mask_storeu_ps(d + off[e], k, _mm256_maskz_mov_ps(hit, rest));
                rest = _mm256_mask_mov_ps(rest, hit, _mm256_setzero_ps());
            }
        }
}

void cb_maxpool_bwd_avx512(const cb_pool_shape *s, const float *x, const float *y,
                            const float *dy, float *dx)
{
    const int H = s->h, W = s->w, C = s->c, OH = H / 2, OW = W / 2;
    const size_t row = (size_t)W * C;
    for (int n = 0; n < s->n; n++) {
        for (int oy = 0; oy < OH; oy++) {
            const size_t top = ((size_t)n * H + 2 * oy) * row, o = ((size_t)n * OH + oy) * OW * C;
            if (C == 8 && s->relu) /* the step's call, with constant channels and ReLU' */
                pool_row_bwd(x + top, y + o, dy + o, dx + top, OW, row, 8, true);
            else
                pool_row_bwd(x + top, y + o, dy + o, dx + top, OW, row, C, s->relu != 0);
            if (W & 1) { /* the dropped last column of both rows */
                memset(dx + top + row - C, 0, sizeof(float) * C);
                memset(dx + top + 2 * row - C, 0, sizeof(float) * C);
            }
        }
        if (H & 1) /* the dropped last row */
            memset(dx + ((size_t)n * H + H - 1) * row, 0, sizeof(float) * row);
    }
}
