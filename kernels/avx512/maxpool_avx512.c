/*
 * maxpool_avx512.c - 2x2 stride-2 max-pool, AVX-512.
 * x [N,H,W,C] -> y [N,H/2,W/2,C] and the window index arg [N,H/2,W/2,C] (bytes, cb_kernels.h);
 * an odd last row or column is dropped. Backward: dy [N,H/2,W/2,C] -> dx [N,H,W,C] by arg.
 *
 * Strategy: one output row at a time, walking the two input rows with pointers; per output
 * pixel its C channels in 256-bit vectors of 8 with a masked last one. C = 8, the reference
 * network's, is an instantiation with a constant C that takes two windows per zmm: lanes 0-7
 * window ox, lanes 8-15 window ox + 1, exactly the order of y and arg. The four window elements
 * are combined in scalar's order, m = max(max(max(p0, p1), q0), q1) with vmaxps(a, m) =
 * a > m ? a : m, so NaNs and ties give scalar's bits. The index comes from the four equality
 * masks e_k == m, blended into bytes last to first so that the first equal element wins (NaN
 * equals nothing: CB_POOL_NONE, like scalar), and with s->relu cleared to CB_POOL_NONE where
 * !(m > 0): 16 bytes per zmm, one store. Backward then only selects: dy where arg == k, for each
 * of the four k, and the two windows' results regrouped by 256-bit halves into the rows of dx.
 * It reads 2 KB of arg and 8 KB of dy per pool1 image where recomputing the argmax read 32 KB of
 * x and 8 KB of y. Measured, benchmarks pool1 N:1 against that recomputing build, 3 alternating
 * runs: backward 194-216 ns against 653-687, forward 261-280 against 149-174 (the index's cost),
 * together 0.35 us per image less. Every element of dx is written exactly once, a dropped odd row
 * or column with zeros.
 */
#include <string.h>

#include "cb_kernel_impl.h"
#include "cb_maxpool_rows.h"
#include "vmath_avx512.h"

/* _mm512_shuffle_f32x4 selectors: (a.lo256 | b.lo256) and (a.hi256 | b.hi256). */
enum { HALVES_LO = _MM_SHUFFLE(1, 0, 1, 0), HALVES_HI = _MM_SHUFFLE(3, 2, 3, 2) };

/* The window index of up to 16 lanes from their masks eq[k] (element k equals the maximum) and
 * pass (the lanes whose maximum may get the gradient). */
CB_AVX512_INLINE __m128i window_index(const __mmask16 eq[4], __mmask16 pass)
{
    __m128i a = _mm_set1_epi8(CB_POOL_NONE);
    CB_AVX512_UNROLL
    for (int k = 3; k >= 0; k--) /* the first equal element is blended in last */
        a = _mm_mask_mov_epi8(a, eq[k] & pass, _mm_set1_epi8((char)k));
    return a;
}

/* y and arg for one output row: p walks the top input row, W*C floats above the bottom one. */
CB_AVX512_INLINE void pool_row_fwd(const float *p, float *o, uint8_t *ao, int ow, size_t row,
                                   const int C, const bool relu)
{
    for (int ox = 0; ox < ow; ox++, p += 2 * C, o += C, ao += C)
        for (int c = 0; c < C; c += 8) {
            const __mmask8 k = cb_avx512_mask8(C - c);
            const __m256 e[4] = {
                _mm256_maskz_loadu_ps(k, p + c), _mm256_maskz_loadu_ps(k, p + C + c),
                _mm256_maskz_loadu_ps(k, p + row + c), _mm256_maskz_loadu_ps(k, p + row + C + c)};
            __m256 m = e[0];
            for (int i = 1; i < 4; i++)
                m = _mm256_max_ps(e[i], m);
            __mmask16 eq[4];
            for (int i = 0; i < 4; i++)
                eq[i] = _mm256_cmp_ps_mask(e[i], m, _CMP_EQ_OQ);
            const __mmask16 pass = relu ? _mm256_cmp_ps_mask(m, _mm256_setzero_ps(), _CMP_GT_OQ)
                                        : (__mmask16)0xffff;
            _mm256_mask_storeu_ps(o + c, k, m);
            _mm_mask_storeu_epi8(ao + c, k, window_index(eq, pass));
        }
}

/* y and arg for one output row with C = 8 on zmm, two windows at a time: the top rows' 4 pixels
 * are two vectors t0, t1, regrouped by 256-bit halves into (t0.lo | t1.lo), the windows' top-left
 * elements, and (t0.hi | t1.hi), their top-right ones; the bottom rows likewise. */
CB_AVX512_INLINE void pool_row_fwd8(const float *p, float *o, uint8_t *ao, int ow, size_t row,
                                    const bool relu)
{
    int ox = 0;
    for (; ox + 2 <= ow; ox += 2, p += 32, o += 16, ao += 16) {
        const __m512 t0 = _mm512_loadu_ps(p), t1 = _mm512_loadu_ps(p + 16);
        const __m512 b0 = _mm512_loadu_ps(p + row), b1 = _mm512_loadu_ps(p + row + 16);
        const __m512 e[4] = {_mm512_shuffle_f32x4(t0, t1, HALVES_LO),
                             _mm512_shuffle_f32x4(t0, t1, HALVES_HI),
                             _mm512_shuffle_f32x4(b0, b1, HALVES_LO),
                             _mm512_shuffle_f32x4(b0, b1, HALVES_HI)};
        __m512 m = e[0];
        CB_AVX512_UNROLL
        for (int i = 1; i < 4; i++)
            m = _mm512_max_ps(e[i], m);
        __mmask16 eq[4];
        CB_AVX512_UNROLL
        for (int i = 0; i < 4; i++)
            eq[i] = _mm512_cmp_ps_mask(e[i], m, _CMP_EQ_OQ);
        const __mmask16 pass = relu ? _mm512_cmp_ps_mask(m, _mm512_setzero_ps(), _CMP_GT_OQ)
                                    : (__mmask16)0xffff;
        _mm512_storeu_ps(o, m);
        _mm_storeu_si128((__m128i *)ao, window_index(eq, pass));
    }
    pool_row_fwd(p, o, ao, ow - ox, row, 8, relu); /* an odd last window */
}

CB_MAXPOOL_FWD_ROWS(avx512)

/* dx for one output row's windows (ao / go walk arg / dy; d walks the top row of dx). */
CB_AVX512_INLINE void pool_row_bwd(const uint8_t *ao, const float *go, float *d, int ow,
                                   size_t row, const int C)
{
    for (int ox = 0; ox < ow; ox++, ao += C, go += C, d += 2 * C)
        for (int c = 0; c < C; c += 8) {
            const __mmask8 k = cb_avx512_mask8(C - c);
            const __m128i a = _mm_maskz_loadu_epi8(k, ao + c);
            const __m256 g = _mm256_maskz_loadu_ps(k, go + c);
            const size_t off[4] = {(size_t)c, (size_t)C + c, row + c, row + C + c};
            for (int e = 0; e < 4; e++) {
                const __mmask8 hit = (__mmask8)_mm_cmpeq_epi8_mask(a, _mm_set1_epi8((char)e));
                _mm256_mask_storeu_ps(d + off[e], k, _mm256_maskz_mov_ps(hit, g));
            }
        }
}

/* dx for one output row with C = 8, two windows per zmm: g[k] = dy where arg == k, lanes 0-7
 * window ox's, 8-15 window ox + 1's; the top row of dx is (g0.lo, g1.lo, g0.hi, g1.hi), the
 * bottom row the same of g2, g3. */
CB_AVX512_INLINE void pool_row_bwd8(const uint8_t *ao, const float *go, float *d, int ow,
                                    size_t row)
{
    int ox = 0;
    for (; ox + 2 <= ow; ox += 2, ao += 16, go += 16, d += 32) {
        const __m128i a = _mm_loadu_si128((const __m128i *)ao);
        const __m512 dyv = _mm512_loadu_ps(go);
        __m512 g[4];
        CB_AVX512_UNROLL
        for (int e = 0; e < 4; e++)
            g[e] = _mm512_maskz_mov_ps(_mm_cmpeq_epi8_mask(a, _mm_set1_epi8((char)e)), dyv);
        _mm512_storeu_ps(d, _mm512_shuffle_f32x4(g[0], g[1], HALVES_LO));
        _mm512_storeu_ps(d + 16, _mm512_shuffle_f32x4(g[0], g[1], HALVES_HI));
        _mm512_storeu_ps(d + row, _mm512_shuffle_f32x4(g[2], g[3], HALVES_LO));
        _mm512_storeu_ps(d + row + 16, _mm512_shuffle_f32x4(g[2], g[3], HALVES_HI));
    }
    pool_row_bwd(ao, go, d, ow - ox, row, 8); /* an odd last window */
}

CB_MAXPOOL_BWD_ROWS(avx512)
