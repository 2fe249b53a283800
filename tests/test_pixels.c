/*
 * test_pixels.c - the input conversion pixels_to_float, every ISA (the scalar production kernel is
 * tested like the others) against references written here.
 *
 * - pixels_match_reference: n in {0, 1, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 3072} (empty, every
 *   body and tail path of 8-, 32-, 16- and 64-element steps, and one CIFAR image); in round r,
 *   src[i] = (37 i + r) mod 256, so over the 256 rounds every position, the tails' included, sees
 *   every byte value. Each dst[i] must be (float)src[i] / 255.0f bit for bit (the division is
 *   correctly rounded, so every ISA gives these bits); 0 must give +0 and 255 exactly 1. src ends
 *   at a page that may not be read, so a read past element n-1 crashes the test; dst starts as NaN
 *   with NaN guards after element n-1 (cbt_alloc), so every element must be written and nothing
 *   past it; src must be unchanged.
 * - pixels_match_double: each of the 256 byte values through the kernel, against v / 255 in
 *   double: within half an ulp of the result (the distance to the next float up), as a correctly
 *   rounded division must be.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kernel_test.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

enum { MAX_N = 3072, VALUES = 256 };

static const size_t sizes[] = {0, 1, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, MAX_N};

/* A source buffer whose last byte is the last readable one: `span` bytes, then a PROT_NONE page. */
typedef struct fenced {
    unsigned char *map;
    size_t map_bytes, span;
} fenced;

static fenced fenced_new(size_t span)
{
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    fenced f = {.span = (span + page - 1) / page * page};
    f.map_bytes = f.span + page;
    f.map = mmap(NULL, f.map_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(f.map != MAP_FAILED);
    assert_int_equal(mprotect(f.map + f.span, page, PROT_NONE), 0);
    return f;
}

/* The n bytes that end at the fence. */
static uint8_t *fenced_tail(const fenced *f, size_t n)
{
    return f->map + f->span - n;
}

static void fenced_free(fenced *f)
{
    munmap(f->map, f->map_bytes);
}

static void pixels_match_reference(void **state)
{
    const cb_kernel_table *k = cbt_table(state);
    fenced f = fenced_new(MAX_N);
    uint8_t keep[MAX_N];
    char what[96];
    for (size_t s = 0; s < ARRAY_LEN(sizes); s++)
        for (int round = 0; round < VALUES; round++) {
            const size_t n = sizes[s];
            uint8_t *src = fenced_tail(&f, n);
            float *dst = cbt_alloc(n), *want = cbt_alloc(n);
            for (size_t i = 0; i < n; i++)
                src[i] = (uint8_t)(37 * i + (size_t)round);
            for (size_t i = 0; i < n; i++)
                want[i] = (float)src[i] / 255.0f;
            memcpy(keep, src, n);
            k->pixels_to_float(n, src, dst);
            snprintf(what, sizeof what, "pixels_to_float dst (n=%zu, round %d)", n, round);
            cbt_assert_bits_equal(what, dst, want, n);
            for (size_t i = 0; i < n; i++)
                if ((src[i] == 0 && (dst[i] != 0.0f || signbit(dst[i]))) ||
                    (src[i] == 255 && dst[i] != 1.0f))
                    fail_msg("pixels_to_float dst[%zu] = %.9g for byte %d (n=%zu)", i,
                             (double)dst[i], src[i], n);
            if (memcmp(src, keep, n) != 0)
                fail_msg("pixels_to_float changed its input (n=%zu, round %d)", n, round);
            cbt_free(want);
            cbt_free(dst);
        }
    fenced_free(&f);
}

static void pixels_match_double(void **state)
{
    const cb_kernel_table *k = cbt_table(state);
    uint8_t src[VALUES];
    for (int v = 0; v < VALUES; v++)
        src[v] = (uint8_t)v;
    float *dst = cbt_alloc(VALUES);
    k->pixels_to_float(VALUES, src, dst);
    for (int v = 0; v < VALUES; v++) {
        const double exact = v / 255.0, got = dst[v];
        const double half_ulp = 0.5 * ((double)nextafterf(dst[v], INFINITY) - got);
        if (!(fabs(got - exact) <= half_ulp)) /* also catches NaN */
            fail_msg("pixels_to_float(%d) = %.9g, %d/255 = %.17g: error %.3g > half an ulp %.3g", v,
                     got, v, exact, fabs(got - exact), half_ulp);
    }
    cbt_free(dst);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CBT_PER_ISA(pixels_match_reference),
        CBT_PER_ISA(pixels_match_double),
    };
    return cmocka_run_group_tests_name("pixels", tests, NULL, NULL);
}
