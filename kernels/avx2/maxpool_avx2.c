/*
 * maxpool_avx2.c - 2x2 stride-2 max-pool, AVX2.
 * x [N,H,W,C] -> y [N,H/2,W/2,C] (an odd last row or column is dropped) and the window index
 * arg [N,H/2,W/2,C] (bytes, cb_kernels.h); backward routes dy [N,H/2,W/2,C] by arg into
 * dx [N,H,W,C] and zeroes the rest of it.
 *
 * Strategy: one output row at a time; a pixel's channels are contiguous, so a window is four
 * vectors of (up to) 8 channels: C = 8, the reference network's, is an instantiation with a
 * constant C, one vector per pixel; other C go in chunks of 8 with a masked last chunk. Both
 * kernels are bit-identical to scalar: vmaxps(new, m) is scalar's new > m ? new : m; the index is
 * blended from the equality masks e_k == m last to first (the first equal element wins; NaN
 * equals nothing), as 32-bit lanes, which C = 8 packs four windows at a time into one 32-byte
 * store; backward compares the widened index bytes with each k.
 */
#include <immintrin.h>
#include <string.h>

#include "cb_kernel_impl.h"
#include "cb_maxpool_rows.h"
#include "vmath_avx2.h"

/* The max of one chunk of 8 channels of a window (its elements at p + off[k], the first
 * `remaining` lanes) into *max, and its index as 32-bit lanes. */
CB_AVX2_INLINE __m256i pool_chunk(const float *p, const size_t off[4], ptrdiff_t remaining,
                                  const bool relu, __m256 *max)
{
    const __m256 none = _mm256_castsi256_ps(_mm256_set1_epi32(CB_POOL_NONE));
    __m256 e[4];
    CB_AVX2_UNROLL
    for (int k = 0; k < 4; k++)
        e[k] = cb_avx2_loadn(p + off[k], remaining);
    __m256 m = e[0];
    CB_AVX2_UNROLL
    for (int k = 1; k < 4; k++)
        m = _mm256_max_ps(e[k], m);
    __m256 a = none;
    CB_AVX2_UNROLL
    for (int k = 3; k >= 0; k--) /* the first equal element is blended in last */
        a = _mm256_blendv_ps(a, _mm256_castsi256_ps(_mm256_set1_epi32(k)),
                             _mm256_cmp_ps(e[k], m, _CMP_EQ_OQ));
    if (relu)
        a = _mm256_blendv_ps(none, a, _mm256_cmp_ps(m, _mm256_setzero_ps(), _CMP_GT_OQ));
    *max = m;
    return _mm256_castps_si256(a);
}

/* The first min(remaining, 8) index bytes of a chunk of 8 channels, from or to p (a partial
 * chunk byte by byte: the index has no room to over-read or over-write). */
CB_AVX2_INLINE __m256i load_index(const uint8_t *p, ptrdiff_t remaining)
{
    __m128i bytes;
    if (remaining >= 8) {
        bytes = _mm_loadl_epi64((const __m128i *)p);
    } else {
        uint8_t part[8] = {0};
        for (ptrdiff_t i = 0; i < remaining; i++)
            part[i] = p[i];
        bytes = _mm_loadl_epi64((const __m128i *)part);
    }
    return _mm256_cvtepu8_epi32(bytes);
}

CB_AVX2_INLINE void store_index(uint8_t *p, __m256i a, ptrdiff_t remaining)
{
    const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
    const __m128i bytes = _mm_packus_epi16(w, w);
    if (remaining >= 8) {
        _mm_storel_epi64((__m128i *)p, bytes);
    } else {
        uint8_t part[8];
        _mm_storel_epi64((__m128i *)part, bytes);
        for (ptrdiff_t i = 0; i < remaining; i++)
            p[i] = part[i];
    }
}

/* Four chunks' indices as 32 bytes, in order: the packs interleave the chunks' 4-lane halves by
 * 128-bit lane, (a0.lo a1.lo a2.lo a3.lo | a0.hi a1.hi a2.hi a3.hi) as 4-byte groups, and the
 * permutation puts each chunk's halves back together. */
CB_AVX2_INLINE void store_index4(uint8_t *p, const __m256i a[4])
{
    const __m256i bytes = _mm256_packus_epi16(_mm256_packs_epi32(a[0], a[1]),
                                              _mm256_packs_epi32(a[2], a[3]));
    _mm256_storeu_si256((__m256i *)p, _mm256_permutevar8x32_epi32(
                                          bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
}

/* y and arg for one output row (p walks the top input row, row floats above the bottom one). */
CB_AVX2_INLINE void pool_row_fwd(const float *p, float *o, uint8_t *ao, int ow, size_t row,
                                 const int C, const bool relu)
{
    const size_t off[4] = {0, (size_t)C, row, row + C};
    for (int ox = 0; ox < ow; ox++, p += 2 * C, o += C, ao += C)
        for (int c = 0; c < C; c += 8) {
            __m256 m;
            const __m256i a = pool_chunk(p + c, off, C - c, relu, &m);
            cb_avx2_storen(o + c, m, C - c);
            store_index(ao + c, a, C - c);
        }
}

/* pool_row_fwd with C = 8, four windows per index store. */
CB_AVX2_INLINE void pool_row_fwd8(const float *p, float *o, uint8_t *ao, int ow, size_t row,
                                  const bool relu)
{
    const size_t off[4] = {0, 8, row, row + 8};
    int ox = 0;
    for (; ox + 4 <= ow; ox += 4, p += 64, o += 32, ao += 32) {
        __m256i a[4];
        CB_AVX2_UNROLL
        for (int j = 0; j < 4; j++) {
            __m256 m;
            a[j] = pool_chunk(p + 16 * j, off, 8, relu, &m);
            _mm256_storeu_ps(o + 8 * j, m);
        }
        store_index4(ao, a);
    }
    pool_row_fwd(p, o, ao, ow - ox, row, 8, relu); /* the last ow % 4 windows */
}

CB_MAXPOOL_FWD_ROWS(avx2)

/* dx for one output row's windows (ao / go walk arg / dy; d walks the top row of dx). */
CB_AVX2_INLINE void pool_row_bwd(const uint8_t *ao, const float *go, float *d, int ow, size_t row,
                                 const int C)
{
    const size_t off[4] = {0, (size_t)C, row, row + C};
    for (int ox = 0; ox < ow; ox++, ao += C, go += C, d += 2 * C)
        for (int c = 0; c < C; c += 8) {
            const __m256i a = load_index(ao + c, C - c);
            const __m256 g = cb_avx2_loadn(go + c, C - c);
            CB_AVX2_UNROLL
            for (int k = 0; k < 4; k++) {
                const __m256 hit =
                    _mm256_castsi256_ps(_mm256_cmpeq_epi32(a, _mm256_set1_epi32(k)));
                cb_avx2_storen(d + off[k] + c, _mm256_and_ps(hit, g), C - c);
            }
        }
}

/* pool_row_bwd with C = 8: a window's 8 index bytes widened in one load, no tail. */
CB_AVX2_INLINE void pool_row_bwd8(const uint8_t *ao, const float *go, float *d, int ow, size_t row)
{
    for (int ox = 0; ox < ow; ox++, ao += 8, go += 8, d += 16) {
        const __m256i a = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)ao));
        const __m256 g = _mm256_loadu_ps(go);
        float *const dk[4] = {d, d + 8, d + row, d + row + 8};
        CB_AVX2_UNROLL
        for (int k = 0; k < 4; k++)
            _mm256_storeu_ps(dk[k], _mm256_and_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(
                                                      a, _mm256_set1_epi32(k))),
                                                  g));
    }
}

CB_MAXPOOL_BWD_ROWS(avx2)
