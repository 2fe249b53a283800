/*
 * family_check.h - the check loop the conv and dense tests share: for every shape of a family's
 * table, run one operation on this test's ISA, compare it with the double reference by tier
 * (cbt_assert_tier), run gradient kernels twice to prove they overwrite, and on SIMD ISAs compare
 * the real tier with the scalar production kernel under the same bound. A family supplies its
 * cases, reference and kernel calls through this table; `op` and the case are its own.
 */
#ifndef CB_FAMILY_CHECK_H
#define CB_FAMILY_CHECK_H

#include <stdbool.h>

#include "kernel_test.h"

enum { CBT_MAX_OUT = 4 };

typedef struct cbt_family {
    int shapes;       /* cases per check, one per shape */
    size_t case_size; /* bytes of one case */
    void (*case_init)(void *c, int shape, cb_rng *r, cbt_tier t);
    void (*case_free)(void *c);
    int (*outputs)(int op, const void *c, size_t len[CBT_MAX_OUT]); /* count; lengths */
    void (*reference)(int op, const void *c, double *want[], double *bound[]);
    void (*run)(const cb_kernel_table *k, int op, const void *c, float *out[]);
    bool (*writes_gradients)(int op); /* run twice into the same buffers */
    void (*describe)(char *buf, size_t size, int op, int out, const void *c);
} cbt_family;

void cbt_check_family(void **state, const cbt_family *f, int op, cbt_tier t);

#endif /* CB_FAMILY_CHECK_H */
