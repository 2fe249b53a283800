/*
 * pixels_scalar.c - the input image's uint8 pixels to floats in [0, 1], src [n] -> dst [n] (any
 * layout: the data set's channels-last [H, W, C] bytes to the image's float input), plain C.
 *
 * Strategy: one divss per element, (float)src[i] / 255.0f: correctly rounded, so the vector
 * kernels' divisions give the same bits.
 */
#include "cb_kernel_impl.h"

void cb_pixels_to_float_scalar(size_t n, const uint8_t *src, float *dst)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = (float)src[i] / 255.0f;
}
