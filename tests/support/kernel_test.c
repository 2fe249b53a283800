/* kernel_test.c - see kernel_test.h. */
#include "kernel_test.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const cb_isa cbt_isas[CB_ISA_COUNT] = {CB_ISA_SCALAR, CB_ISA_AVX2, CB_ISA_AVX512};

/* The seed of the test running now, printed with any failed comparison. */
static uint64_t current_seed;

/* A guard is a signalling-looking NaN payload no kernel produces by arithmetic. */
static const uint32_t guard_bits = 0x7fa5a5a5u;

cb_isa cbt_isa(void **state)
{
    return *(const cb_isa *)*state;
}

const cb_kernel_table *cbt_table(void **state)
{
    const cb_isa isa = cbt_isa(state);
    if (!cb_isa_compiled(isa)) {
        printf("[  SKIP    ] %s: this build has no %s kernels (compiler lacks the flags)\n",
               cb_isa_name(isa), cb_isa_name(isa));
        skip();
    }
    if (!cb_isa_supported(isa)) {
        printf("[  SKIP    ] %s: this CPU (or CIFARBENCH_MAX_ISA) does not support %s\n",
               cb_isa_name(isa), cb_isa_name(isa));
        skip();
    }
    return cb_kernel_table_for(isa);
}

const cb_kernel_table *cbt_scalar(void)
{
    return cb_kernel_table_for(CB_ISA_SCALAR);
}

void cbt_rng(cb_rng *r, void **state, uint64_t salt)
{
    current_seed = 0x5eed0000u + 1000u * (uint64_t)cbt_isa(state) + salt;
    cb_rng_seed(r, current_seed);
}

void cbt_fill_uniform(cb_rng *r, float *p, size_t n, float lo, float hi)
{
    for (size_t i = 0; i < n; i++)
        p[i] = lo + (hi - lo) * cb_rng_uniform(r);
}

void cbt_fill_int(cb_rng *r, float *p, size_t n, int lo, int hi)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (float)(lo + (int)cb_rng_below(r, (uint32_t)(hi - lo + 1)));
}

/* Layout: [size_t n][pad to 64 bytes][n floats][CBT_GUARD guards]; the float block is 64-byte
 * aligned like the harness's slabs. */
#define HEADER 64

float *cbt_alloc(size_t n)
{
    unsigned char *base = aligned_alloc(64, HEADER + ((n + CBT_GUARD) * sizeof(float) + 63) / 64 * 64);
    assert_non_null(base);
    memcpy(base, &n, sizeof n);
    float *p = (float *)(base + HEADER);
    for (size_t i = 0; i < n; i++)
        p[i] = NAN;
    for (size_t i = 0; i < CBT_GUARD; i++)
        memcpy(&p[n + i], &guard_bits, sizeof guard_bits);
    return p;
}

float *cbt_copy(const float *src, size_t n)
{
    float *p = cbt_alloc(n);
    memcpy(p, src, n * sizeof *p);
    return p;
}

void cbt_check_guard(const float *p)
{
    size_t n;
    memcpy(&n, (const unsigned char *)p - HEADER, sizeof n);
    for (size_t i = 0; i < CBT_GUARD; i++) {
        uint32_t bits;
        memcpy(&bits, &p[n + i], sizeof bits);
        if (bits != guard_bits)
            fail_msg("guard %zu past a %zu-float buffer overwritten (0x%08" PRIx32 ")", i, n, bits);
    }
}

void cbt_free(float *p)
{
    if (!p)
        return;
    cbt_check_guard(p);
    free((unsigned char *)p - HEADER);
}

/* Maps a float's bits to an integer that is monotonic in the float's value. */
static int64_t ordered(float f)
{
    int32_t i;
    memcpy(&i, &f, sizeof i);
    return i < 0 ? (int64_t)INT32_MIN - i : i;
}

int64_t cbt_ulp_diff(float a, float b)
{
    if (isnan(a) || isnan(b))
        return INT64_MAX;
    const int64_t d = ordered(a) - ordered(b);
    return d < 0 ? -d : d;
}

void cbt_assert_ulp(const char *what, const float *got, const float *want, size_t n,
                    int64_t max_ulp, double abs_floor)
{
    for (size_t i = 0; i < n; i++) {
        const int64_t d = cbt_ulp_diff(got[i], want[i]);
        if (d <= max_ulp)
            continue;
        if (d != INT64_MAX && fabs((double)got[i] - (double)want[i]) <= abs_floor)
            continue;
        fail_msg("%s[%zu]: got %.9g, want %.9g (%" PRId64 " ulp > %" PRId64 ", floor %g; seed %" PRIu64
                 ")",
                 what, i, got[i], want[i], d, max_ulp, abs_floor, current_seed);
    }
}

void cbt_assert_bits_equal(const char *what, const float *got, const float *want, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(&got[i], &want[i], sizeof got[i]) != 0)
            fail_msg("%s[%zu]: got %.9g, want %.9g bit for bit (seed %" PRIu64 ")", what, i, got[i],
                     want[i], current_seed);
}

void cbt_assert_within(const char *what, const float *got, const double *want,
                       const double *bound, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const double err = fabs((double)got[i] - want[i]);
        if (!(err <= bound[i])) /* also catches NaN */
            fail_msg("%s[%zu]: got %.9g, want %.12g (error %.3g > bound %.3g; seed %" PRIu64 ")",
                     what, i, got[i], want[i], err, bound[i], current_seed);
    }
}

void cbt_assert_tier(cbt_tier t, const char *what, const float *got, const double *want,
                     const double *bound, size_t n)
{
    if (t == CBT_TIER_REAL) {
        cbt_assert_within(what, got, want, bound, n);
        return;
    }
    float *wantf = cbt_alloc(n);
    for (size_t i = 0; i < n; i++) {
        wantf[i] = (float)want[i];
        if ((double)wantf[i] != want[i])
            fail_msg("%s[%zu]: test premise broken, reference %.17g is not a float", what, i,
                     want[i]);
    }
    cbt_assert_bits_equal(what, got, wantf, n);
    cbt_free(wantf);
}

void cbt_assert_rel(const char *what, double got, double want, double rel, double floor)
{
    const double scale = fmax(fabs(want), floor);
    if (!(fabs(got - want) <= rel * scale))
        fail_msg("%s: got %.12g, want %.12g (relative error %.3g > %.3g; seed %" PRIu64 ")", what,
                 got, want, fabs(got - want) / scale, rel, current_seed);
}
