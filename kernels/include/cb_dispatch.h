/*
 * cb_dispatch.h - one function table per ISA, and run-time choice of the best one.
 *
 * CPU features are detected once (CPUID + XGETBV, so that an OS which does not save the wide
 * registers is honoured). Each ISA's table is compiled with that ISA's flags only; the rest of the
 * program is baseline x86-64, so the binary runs, scalar, on any x86-64 CPU.
 */
#ifndef CB_DISPATCH_H
#define CB_DISPATCH_H

#include <stdbool.h>

#include "cb_kernels.h"
#include "cb_registry.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cb_isa {
    CB_ISA_SCALAR = 0, /* plain C, one lane: the production fallback */
    CB_ISA_AVX2 = 1,   /* AVX2 + FMA, 8 floats per register */
    CB_ISA_AVX512 = 2, /* AVX-512 F + BW + DQ + VL, 16 floats per register */
    CB_ISA_COUNT = 3
} cb_isa;

/* One function pointer per kernel of the registry (cb_registry.h), named after it. */
#define CB_TABLE_FIELD_(a, name, family) cb_##name##_fn *name;
typedef struct cb_kernel_table {
    const char *isa_name; /* "scalar", "avx2", "avx512" */
    CB_KERNELS(CB_TABLE_FIELD_, ~)
} cb_kernel_table;
#undef CB_TABLE_FIELD_

/* CPU features relevant to dispatch, detected once. */
typedef struct cb_cpu_features {
    bool avx2, fma, avx512f, avx512bw, avx512dq, avx512vl;
    bool os_ymm; /* XCR0 has SSE and AVX state enabled */
    bool os_zmm; /* XCR0 has opmask and ZMM state enabled too */
} cb_cpu_features;

const cb_cpu_features *cb_cpu_features_get(void);

/* The ISA's name ("scalar", "avx2", "avx512"). */
const char *cb_isa_name(cb_isa isa);

/* Parses "scalar", "avx2", "avx512" (and "auto" -> *is_auto = true). Returns false for anything else. */
bool cb_isa_parse(const char *name, cb_isa *isa, bool *is_auto);

/* Whether this build contains the ISA's kernels (the compiler may lack the flags). */
bool cb_isa_compiled(cb_isa isa);

/* Whether this build contains the ISA's kernels and this CPU and OS can run them. */
bool cb_isa_supported(cb_isa isa);

/* The best ISA this CPU supports. */
cb_isa cb_isa_best(void);

/* The ISA's table, or NULL when the build does not contain it. Callers check cb_isa_supported()
 * before calling through it. */
const cb_kernel_table *cb_kernel_table_for(cb_isa isa);

/* The registry's names: kernel k's ("conv2d_fwd", ...) for k < CB_KERNEL_COUNT, and the index of a
 * name (-1 when there is no such kernel). */
const char *cb_kernel_name(int k);
int cb_kernel_index(const char *name);

/* Kernel k's entry in table t, as a generic pointer (callers that know the kernel use t->name);
 * NULL only in a table the registry test would reject. */
typedef void cb_generic_fn(void);
cb_generic_fn *cb_kernel_entry(const cb_kernel_table *t, int k);

/* A copy of t with kernel k's entry taken from `from`. */
void cb_kernel_table_set(cb_kernel_table *t, int k, const cb_kernel_table *from);

#ifdef __cplusplus
}
#endif

#endif /* CB_DISPATCH_H */
