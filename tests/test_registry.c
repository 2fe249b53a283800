/*
 * test_registry.c - the kernel registry (cb_registry.h) and its cases (cb_cases.h), every kernel
 * on every ISA, all expanded from the one list: a kernel added to the registry is tested here with
 * no line added.
 *
 * - names_round_trip: cb_kernel_index(cb_kernel_name(k)) == k for every kernel, names unique;
 *   unknown names give -1.
 * - table_is_complete/<isa>: every entry of a compiled table is non-NULL and the table names its
 *   ISA; a table the build lacks is reported skipped.
 * - cases_are_described: every kernel has cases with a layer name, unique per kernel, a step batch
 *   >= 1 and, once prepared, FLOP and byte counts > 0 and at least one output buffer.
 * - <kernel>/<isa> (one per kernel and ISA): every case at batches 1, 3 and its step batch, with
 *   both fills, run on the ISA and on the scalar kernel from identical inputs. Every output buffer
 *   must be fully written (outputs start as NaN) and within the kernel's stated tolerance of the
 *   scalar output: bit-identical for the EXACT fill wherever the kernel only adds and multiplies
 *   (integers whose sums are exact in any order), the kernel's real-input bound otherwise; loss
 *   values likewise. No guard after any buffer may change. The scalar kernel itself is pinned to a
 *   double reference in the family tests (test_conv2d.c, ...), so this ties every ISA to it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_cases.h"
#include "kernel_test.h"

typedef struct kernel_isa {
    cb_isa isa; /* first, so that cbt_isa() reads it */
    int kernel;
    char name[64];
} kernel_isa;

static kernel_isa cases[CB_KERNEL_COUNT * CB_ISA_COUNT];

static void names_round_trip(void **state)
{
    (void)state;
    for (int k = 0; k < CB_KERNEL_COUNT; k++) {
        assert_int_equal(cb_kernel_index(cb_kernel_name(k)), k);
        for (int j = 0; j < k; j++)
            assert_string_not_equal(cb_kernel_name(j), cb_kernel_name(k));
    }
    assert_int_equal(cb_kernel_index("conv3x3_fwd"), -1);
    assert_int_equal(cb_kernel_index(""), -1);
    assert_string_equal(cb_kernel_name(CB_KERNEL_COUNT), "unknown");
}

static void table_is_complete(void **state)
{
    const cb_isa isa = cbt_isa(state);
    const cb_kernel_table *t = cb_kernel_table_for(isa);
    if (!cb_isa_compiled(isa)) {
        assert_null(t);
        print_message("this build has no %s kernels\n", cb_isa_name(isa));
        skip();
    }
    assert_non_null(t);
    assert_string_equal(t->isa_name, cb_isa_name(isa));
    for (int k = 0; k < CB_KERNEL_COUNT; k++)
        if (!cb_kernel_entry(t, k))
            fail_msg("%s table: %s is NULL", cb_isa_name(isa), cb_kernel_name(k));
}

static void cases_are_described(void **state)
{
    (void)state;
    for (int k = 0; k < CB_KERNEL_COUNT; k++) {
        const cb_kernel_cases *kc = cb_kernel_cases_for(k);
        assert_non_null(kc);
        assert_true(kc->count >= 1);
        for (int i = 0; i < kc->count; i++) {
            const cb_case *c = &kc->cases[i];
            assert_non_null(c->layer);
            assert_true(c->batch >= 1);
            for (int j = 0; j < i; j++)
                assert_string_not_equal(kc->cases[j].layer, c->layer);
            cb_case_data d;
            assert_int_equal(cb_case_prepare(&d, k, c, c->batch, CB_FILL_REAL, 1), 0);
            int outputs = 0;
            for (int b = 0; b < d.nbuf; b++)
                outputs += d.buf[b].output;
            if (!(d.flops > 0 && d.bytes > 0 && outputs > 0))
                fail_msg("%s/%s: flops %g, bytes %g, %d outputs", cb_kernel_name(k), c->layer,
                         d.flops, d.bytes, outputs);
            cb_case_free(&d);
        }
    }
}

/* got within tol of want (the scalar result), element by element; both NaN-free. */
static void compare(const char *what, const float *got, const float *want, size_t n,
                    cb_tolerance tol)
{
    for (size_t i = 0; i < n; i++) {
        const bool same_bits = memcmp(&got[i], &want[i], sizeof got[i]) == 0;
        const double err = fabs((double)got[i] - (double)want[i]);
        if (isnan(got[i]) || isnan(want[i]) ||
            (tol.rel == 0 && tol.abs == 0 ? !same_bits : err > tol.abs + tol.rel * fabs(want[i])))
            fail_msg("%s[%zu]: %.9g, scalar %.9g (tolerance %g rel + %g abs)", what, i,
                     (double)got[i], (double)want[i], tol.rel, tol.abs);
    }
}

/* Case c of kernel k at one batch and fill: the ISA's table against the scalar table. */
static void check_case(const cb_kernel_table *t, int k, const cb_case *c, int batch, cb_fill fill)
{
    const cb_kernel_cases *kc = cb_kernel_cases_for(k);
    const cb_tolerance tol = fill == CB_FILL_EXACT ? kc->exact : kc->real;
    const uint64_t seed = 1000u * (uint64_t)k + (uint64_t)batch;
    cb_case_data got, want;
    assert_int_equal(cb_case_prepare(&got, k, c, batch, fill, seed), 0);
    assert_int_equal(cb_case_prepare(&want, k, c, batch, fill, seed), 0);
    const float loss = cb_case_run(t, &got), want_loss = cb_case_run(cbt_scalar(), &want);
    char what[128];
    snprintf(what, sizeof what, "%s/%s/N:%d %s fill, loss", cb_kernel_name(k), c->layer, batch,
             fill == CB_FILL_EXACT ? "exact" : "real");
    compare(what, &loss, &want_loss, 1, tol);
    for (int b = 0; b < got.nbuf; b++) {
        if (!got.buf[b].output)
            continue;
        snprintf(what, sizeof what, "%s/%s/N:%d %s fill, %s", cb_kernel_name(k), c->layer, batch,
                 fill == CB_FILL_EXACT ? "exact" : "real", got.buf[b].name);
        compare(what, got.buf[b].p, want.buf[b].p, got.buf[b].n, tol);
    }
    if (!cb_case_guards_intact(&got))
        fail_msg("%s/%s/N:%d: a kernel wrote past a buffer", cb_kernel_name(k), c->layer, batch);
    cb_case_free(&got);
    cb_case_free(&want);
}

static void kernel_matches_scalar(void **state)
{
    const cb_kernel_table *t = cbt_table(state);
    const int k = ((const kernel_isa *)*state)->kernel;
    const cb_kernel_cases *kc = cb_kernel_cases_for(k);
    for (int i = 0; i < kc->count; i++) {
        const cb_case *c = &kc->cases[i];
        const int batches[] = {1, 3, c->batch};
        for (size_t b = 0; b < sizeof batches / sizeof batches[0]; b++) {
            check_case(t, k, &kc->cases[i], batches[b], CB_FILL_EXACT);
            check_case(t, k, &kc->cases[i], batches[b], CB_FILL_REAL);
        }
    }
}

int main(void)
{
    enum { FIXED = 2 + CB_ISA_COUNT };
    struct CMUnitTest tests[FIXED + CB_KERNEL_COUNT * CB_ISA_COUNT] = {
        cmocka_unit_test(names_round_trip),
        cmocka_unit_test(cases_are_described),
        CBT_PER_ISA(table_is_complete),
    };
    for (int k = 0, n = FIXED; k < CB_KERNEL_COUNT; k++)
        for (int i = 0; i < CB_ISA_COUNT; i++, n++) {
            kernel_isa *c = &cases[k * CB_ISA_COUNT + i];
            c->isa = (cb_isa)i;
            c->kernel = k;
            snprintf(c->name, sizeof c->name, "%s/%s", cb_kernel_name(k), cb_isa_name(c->isa));
            tests[n] = (struct CMUnitTest){c->name, kernel_matches_scalar, NULL, NULL, c};
        }
    return cmocka_run_group_tests_name("registry", tests, NULL, NULL);
}
