/* family_check.c - see family_check.h. */
#include "family_check.h"

#include <stdlib.h>
#include <string.h>

static double *dalloc(size_t n)
{
    double *p = calloc(n ? n : 1, sizeof *p);
    assert_non_null(p);
    return p;
}

/* Real tier, SIMD ISAs: got within the same bound of the scalar production kernel's result. */
static void check_vs_scalar(const cbt_family *f, int op, const void *c, float *const got[],
                            double *const bound[])
{
    size_t len[CBT_MAX_OUT];
    const int nout = f->outputs(op, c, len);
    float *sc[CBT_MAX_OUT];
    for (int o = 0; o < nout; o++)
        sc[o] = cbt_alloc(len[o]);
    f->run(cbt_scalar(), op, c, sc);
    for (int o = 0; o < nout; o++) {
        double *scd = dalloc(len[o]);
        for (size_t i = 0; i < len[o]; i++)
            scd[i] = sc[o][i];
        char what[200];
        f->describe(what, sizeof what - 20, op, o, c);
        strcat(what, " vs scalar kernel");
        cbt_assert_within(what, got[o], scd, bound[o], len[o]);
        free(scd);
        cbt_free(sc[o]);
    }
}

void cbt_check_family(void **state, const cbt_family *f, int op, cbt_tier t)
{
    const cb_kernel_table *k = cbt_table(state);
    const bool simd = cbt_isa(state) != CB_ISA_SCALAR;
    cb_rng r;
    cbt_rng(&r, state, 10u * (unsigned)op + t);
    void *c = malloc(f->case_size);
    assert_non_null(c);
    for (int si = 0; si < f->shapes; si++) {
        f->case_init(c, si, &r, t);
        size_t len[CBT_MAX_OUT];
        const int nout = f->outputs(op, c, len);
        double *want[CBT_MAX_OUT], *bound[CBT_MAX_OUT];
        float *got[CBT_MAX_OUT];
        for (int o = 0; o < nout; o++) {
            want[o] = dalloc(len[o]);
            bound[o] = dalloc(len[o]);
            got[o] = cbt_alloc(len[o]);
        }
        f->reference(op, c, want, bound);
        f->run(k, op, c, got);
        if (f->writes_gradients(op))
            f->run(k, op, c, got); /* again into the same buffers: must overwrite */
        for (int o = 0; o < nout; o++) {
            char what[200];
            f->describe(what, sizeof what, op, o, c);
            cbt_assert_tier(t, what, got[o], want[o], bound[o], len[o]);
        }
        if (t == CBT_TIER_REAL && simd)
            check_vs_scalar(f, op, c, got, bound);
        for (int o = 0; o < nout; o++) {
            free(want[o]), free(bound[o]);
            cbt_free(got[o]);
        }
        f->case_free(c);
    }
    free(c);
}
