/*
 * pixels_avx512.c - the input image's uint8 pixels to floats in [0, 1], src [n] -> dst [n] (any
 * layout: the data set's channels-last [H, W, C] bytes to the image's float input), AVX-512.
 *
 * Strategy: 64 bytes per iteration as four 16-byte loads, each zero-extended to sixteen int32
 * (vpmovzxbd), converted (vcvtdq2ps, exact for 0..255) and divided by 255 (vdivps, correctly
 * rounded like scalar's divss, so bit-identical to it; a multiplication by the rounded reciprocal
 * would not be); then 16 lanes at a time, the last under a mask: a byte-masked load (AVX512BW+VL)
 * and a masked store, so masked-off elements are neither read nor written.
 */
#include "cb_kernel_impl.h"
#include "vmath_avx512.h"

/* src [16] (zeros in masked-off lanes) as floats / 255. */
static inline __m512 convert16(__m128i src)
{
    return _mm512_div_ps(_mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(src)), _mm512_set1_ps(255.0f));
}

void cb_pixels_to_float_avx512(size_t n, const uint8_t *src, float *dst)
{
    size_t i = 0;
    for (; i + 64 <= n; i += 64)
        CB_AVX512_UNROLL
        for (int u = 0; u < 64; u += 16)
            _mm512_storeu_ps(dst + i + u,
                             convert16(_mm_loadu_si128((const __m128i *)(src + i + u))));
    for (; i < n; i += 16) {
        const __mmask16 m = cb_avx512_mask16((ptrdiff_t)(n - i));
        _mm512_mask_storeu_ps(dst + i, m, convert16(_mm_maskz_loadu_epi8(m, src + i)));
    }
}
