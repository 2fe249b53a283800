/*
 * kernel_test.h - what every kernel test shares: one test per (kernel, ISA), seeded fills,
 * NaN-initialised outputs with guard values past their end, and ULP / relative comparisons.
 *
 *   static void relu_fwd_matches_reference(void **state)
 *   {
 *       const cb_kernel_table *k = cbt_table(state);      skip()s when the CPU lacks the ISA
 *       cb_rng r; cbt_rng(&r, state, 1);                   seed printed on failure
 *       float *y = cbt_alloc(n);                           NaN-filled, guarded
 *       k->relu_fwd(n, x, y);
 *       cbt_assert_ulp("relu y", y, want, n, 0, 0.0);
 *       cbt_free(y);                                       fails when a guard was overwritten
 *   }
 *   const struct CMUnitTest tests[] = { CBT_PER_ISA(relu_fwd_matches_reference) };
 *
 * Each test's name is "<function>/<isa>", so ctest -V and failures say which ISA broke.
 */
#ifndef CB_KERNEL_TEST_H
#define CB_KERNEL_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cb_dispatch.h"
#include "rng.h"

extern const cb_isa cbt_isas[CB_ISA_COUNT];

/* Three cmocka tests of fn, one per ISA; fn gets the ISA through cbt_table(state). */
#define CBT_PER_ISA(fn)                                                                            \
    {#fn "/scalar", fn, NULL, NULL, (void *)&cbt_isas[CB_ISA_SCALAR]},                             \
    {#fn "/avx2", fn, NULL, NULL, (void *)&cbt_isas[CB_ISA_AVX2]},                                 \
    {#fn "/avx512", fn, NULL, NULL, (void *)&cbt_isas[CB_ISA_AVX512]}

/* The ISA of this test, and its table. When the build or the CPU lacks the ISA the test is
 * reported as skipped (with the reason on stdout), never as passed. */
cb_isa cbt_isa(void **state);
const cb_kernel_table *cbt_table(void **state);

/* The scalar production table (itself tested against double references). */
const cb_kernel_table *cbt_scalar(void);

/* Seeds r from the test's ISA and a per-test salt, and remembers the seed so that a failing
 * comparison prints it (rerun with the same seed reproduces the inputs). */
void cbt_rng(cb_rng *r, void **state, uint64_t salt);

/* Fills: uniform floats in [lo, hi); integers in [lo, hi] stored as floats. */
void cbt_fill_uniform(cb_rng *r, float *p, size_t n, float lo, float hi);
void cbt_fill_int(cb_rng *r, float *p, size_t n, int lo, int hi);

/* n floats set to NaN, followed by CBT_GUARD guard values; cbt_free checks the guards, fails the
 * test when one was overwritten, and frees. cbt_copy allocates the same way with a copy of src. */
#define CBT_GUARD 32
float *cbt_alloc(size_t n);
float *cbt_copy(const float *src, size_t n);
void cbt_check_guard(const float *p);
void cbt_free(float *p);

/* Distance in units in the last place between two floats (0 for equal values, including
 * +0/-0; INT64_MAX when either is NaN). */
int64_t cbt_ulp_diff(float a, float b);

/* Each got[i] within max_ulp ULP of want[i] or within abs_floor absolute; both NaN-free.
 * Prints the first failing index, both values, the distance and the seed. */
void cbt_assert_ulp(const char *what, const float *got, const float *want, size_t n,
                    int64_t max_ulp, double abs_floor);

/* Bit-identical (memcmp semantics; prints the first difference). */
void cbt_assert_bits_equal(const char *what, const float *got, const float *want, size_t n);

/* |got[i] - want[i]| <= bound[i] for every i, with a double reference (per-element bounds, as for
 * the real-number tier of conv and dense: bound = 2 K 2^-24 sum |a w|). */
void cbt_assert_within(const char *what, const float *got, const double *want,
                       const double *bound, size_t n);

/* The two tiers of conv and dense tests. Exact: integer-valued inputs whose sums are exact in
 * float, so got must equal the double reference bit for bit (and the reference must be a float,
 * or the test's premise is broken). Real: cbt_assert_within with the per-element bound. */
typedef enum cbt_tier { CBT_TIER_EXACT, CBT_TIER_REAL } cbt_tier;
void cbt_assert_tier(cbt_tier t, const char *what, const float *got, const double *want,
                     const double *bound, size_t n);

/* |got - want| <= rel * max(|want|, floor). */
void cbt_assert_rel(const char *what, double got, double want, double rel, double floor);

#endif /* CB_KERNEL_TEST_H */
