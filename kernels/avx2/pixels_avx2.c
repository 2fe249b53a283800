/*
 * pixels_avx2.c - the input image's uint8 pixels to floats in [0, 1], src [n] -> dst [n] (any
 * layout: the data set's channels-last [H, W, C] bytes to the image's float input), AVX2.
 *
 * Strategy: 32 bytes per iteration as four 8-byte chunks, each zero-extended to eight int32
 * (vpmovzxbd from memory), converted (vcvtdq2ps, exact for 0..255) and divided by 255 (vdivps,
 * correctly rounded like scalar's divss, so bit-identical to it; a multiplication by the rounded
 * reciprocal would not be); then single 8-byte chunks; then one masked tail. AVX2 has no
 * byte-masked load, so the tail's n % 8 bytes are copied into a zeroed 8-byte chunk first, and
 * stored under a lane mask: nothing past element n-1 is read or written.
 */
#include <immintrin.h>
#include <string.h>

#include "cb_kernel_impl.h"
#include "vmath_avx2.h"

/* The 8 bytes at p (unaligned) as floats / 255. */
static inline __m256 convert8(const uint8_t *p)
{
    const __m256i v = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)p));
    return _mm256_div_ps(_mm256_cvtepi32_ps(v), _mm256_set1_ps(255.0f));
}

void cb_pixels_to_float_avx2(size_t n, const uint8_t *src, float *dst)
{
    size_t i = 0;
    for (; i + 32 <= n; i += 32)
        CB_AVX2_UNROLL
        for (int u = 0; u < 32; u += 8)
            _mm256_storeu_ps(dst + i + u, convert8(src + i + u));
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(dst + i, convert8(src + i));
    if (i < n) {
        uint8_t tail[8] = {0};
        memcpy(tail, src + i, n - i);
        _mm256_maskstore_ps(dst + i, cb_avx2_tail_mask((ptrdiff_t)(n - i)), convert8(tail));
    }
}
