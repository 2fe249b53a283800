/*
 * pixels_cases.c - the input conversion's cases (cb_cases.h); dims = {bytes per image}:
 * pixels_to_float, src [N,32,32,3] uint8 -> dst [N,32,32,3] float, one image per call as the step
 * gathers it (layer "input").
 * The case buffers are floats, so src is ceil(n/4) floats whose first n bytes hold the pixels:
 * every byte value in turn, from an offset drawn from the case's generator, for both fills (the
 * division is correctly rounded on every ISA, whatever the bytes, so there is nothing to make
 * exact; and the bytes are never read as floats, so no fill may write floats into them).
 * FLOPs: 1 per element (the division). Bytes: 1 read and 4 written per element.
 */
#include "cb_cases.h"
#include "cb_network.h"

enum { SRC, DST }; /* buffer order */

static int prepare(cb_case_data *d)
{
    const size_t n = (size_t)d->batch * (size_t)d->c->dims[0];
    float *src = cb_case_buffer_add(d, "src", (n + 3) / 4, false);
    if (!src || !cb_case_buffer_add(d, "dst", n, true))
        return -1;
    uint8_t *bytes = (uint8_t *)src;
    const uint32_t offset = cb_rng_below(&d->rng, 256);
    for (size_t i = 0; i < n; i++)
        bytes[i] = (uint8_t)(i * 37 + offset); /* 37 is odd: 256 bytes in a row take every value */
    d->flops = (double)n;
    d->bytes = 5.0 * (double)n;
    return 0;
}

static float run(const cb_kernel_table *t, const cb_case_data *d)
{
    t->pixels_to_float(d->buf[DST].n, (const uint8_t *)d->buf[SRC].p, d->buf[DST].p);
    return 0;
}

static const cb_case cases[] = {{"input", {CB_IN_H * CB_IN_W * CB_IN_C}, CB_UNIT_IMAGES, true}};

/* One correctly rounded division per element: bit-identical on every ISA for any input. */
const cb_kernel_cases cb_cases_pixels_to_float = {cases, 1, prepare, run, {0, 0}, {0, 0}};
