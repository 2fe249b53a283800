/*
 * cb_transpose8x8.h - internal to kernels/: 8 x 8 float transposes on 256-bit registers, shared by
 * the AVX2 and AVX-512 files that need a matrix the other way round (dense backward-data's w^T
 * tiles, the AVX2 convolution's backward-data weight repack). AVX2 instructions only; each file
 * compiles them with its own flags.
 */
#ifndef CB_TRANSPOSE8X8_H
#define CB_TRANSPOSE8X8_H

#include <immintrin.h>
#include <stddef.h>

#define CB_TRANSPOSE_INLINE static inline __attribute__((always_inline))
#define CB_TRANSPOSE_UNROLL _Pragma("GCC unroll 8")

/* dst[k][l] = src[l][k] for l < nr, k < nk (the other lanes and rows of the 8 x 8 block set to 0),
 * rows `ss` / `ds` floats apart; FULL (a constant) says nr = nk = 8, so no load needs a mask.
 * The first round of the transpose is done by the loads: vector l < 4 holds elements 0..3 of rows
 * l and l + 4 in its two halves, vector l + 4 elements 4..7 of the same rows (an xmm load and an
 * insert, which Intel's ports 0, 1 and 5 take, where the cross-lane shuffle it replaces takes port
 * 5 only); then a 4 x 4 transpose within each half, two rounds of 8 shuffles. */
CB_TRANSPOSE_INLINE void cb_transpose8x8(const float *src, ptrdiff_t ss, const int FULL, int nr,
                                         int nk, float *dst, ptrdiff_t ds)
{
    __m256 r[8], t[8];
    const __m256i cols = _mm256_cmpgt_epi32(_mm256_set1_epi32(nk < 8 ? nk : 8),
                                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    CB_TRANSPOSE_UNROLL
    for (int l = 0; l < 4; l++)
        CB_TRANSPOSE_UNROLL
        for (int h = 0; h < 2; h++) {
            const float *lo = src + l * ss + 4 * h, *hi = src + (l + 4) * ss + 4 * h;
            __m128 a, b;
            if (FULL) {
                a = _mm_loadu_ps(lo);
                b = _mm_loadu_ps(hi);
            } else {
                const __m128i m = h ? _mm256_extracti128_si256(cols, 1)
                                    : _mm256_castsi256_si128(cols);
                a = l < nr ? _mm_maskload_ps(lo, m) : _mm_setzero_ps();
                b = l + 4 < nr ? _mm_maskload_ps(hi, m) : _mm_setzero_ps();
            }
            r[l + 4 * h] = _mm256_insertf128_ps(_mm256_castps128_ps256(a), b, 1);
        }
    CB_TRANSPOSE_UNROLL
    for (int h = 0; h < 8; h += 4) {
        t[h] = _mm256_unpacklo_ps(r[h], r[h + 1]);
        t[h + 1] = _mm256_unpackhi_ps(r[h], r[h + 1]);
        t[h + 2] = _mm256_unpacklo_ps(r[h + 2], r[h + 3]);
        t[h + 3] = _mm256_unpackhi_ps(r[h + 2], r[h + 3]);
        _mm256_store_ps(dst + (h + 0) * ds, _mm256_shuffle_ps(t[h], t[h + 2], 0x44));
        _mm256_store_ps(dst + (h + 1) * ds, _mm256_shuffle_ps(t[h], t[h + 2], 0xee));
        _mm256_store_ps(dst + (h + 2) * ds, _mm256_shuffle_ps(t[h + 1], t[h + 3], 0x44));
        _mm256_store_ps(dst + (h + 3) * ds, _mm256_shuffle_ps(t[h + 1], t[h + 3], 0xee));
    }
}

/* dst[k][l] = src[l][k] for l < min(nr, 8), k < nk (the rest of dst's 8 lanes set to 0, nk
 * rounded up to a multiple of 8), rows `ss` / `ds` floats apart: a strip of 8 rows of w. */
CB_TRANSPOSE_INLINE void cb_transpose_rows(const float *src, ptrdiff_t ss, int nr, int nk,
                                           float *dst, ptrdiff_t ds)
{
    int k = 0;
    if (nr >= 8)
        for (; k + 8 <= nk; k += 8)
            cb_transpose8x8(src + k, ss, 1, 8, 8, dst + k * ds, ds);
    for (; k < nk; k += 8)
        cb_transpose8x8(src + k, ss, 0, nr, nk - k, dst + k * ds, ds);
}

#endif /* CB_TRANSPOSE8X8_H */
