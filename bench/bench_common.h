/*
 * bench_common.h - what the benchmarks share: the ISAs and their state, and registering one
 * benchmark per ISA under the naming scheme
 *
 *   <kernel>/<isa>/<layer>/N:<batch>        e.g. conv2d_fwd/avx512/conv1/N:32
 *
 * The kernels' benchmarks come from the registry's cases (bench_kernels.c); peak.c adds the FMA
 * loops. A body receives a cb_bench_case: the ISA's table and the prepared data.
 */
#ifndef CB_BENCH_COMMON_H
#define CB_BENCH_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cb_dispatch.h"
#include "gbench_shim.h"

/* The argument of every kernel body. t is NULL only for an ISA that is skipped. */
typedef struct cb_bench_case {
    const cb_kernel_table *t;
    void *data;
} cb_bench_case;

/* Seed of every buffer's random fill. */
#define CB_BENCH_SEED 20240601u

/* ---- ISAs ---- */

/* Treats an ISA as missing from the CPU (--cb_skip_isa: exercises the skip path anywhere). */
void cb_bench_isa_mask(cb_isa isa);

/* NULL when the ISA can run here; otherwise why not, e.g. "cpu lacks avx512". */
const char *cb_bench_isa_skip_reason(cb_isa isa);

/* The ISA's measured FMA peak in GFLOP/s (0 until set). */
void cb_bench_set_peak(cb_isa isa, double gflops);
double cb_bench_peak(cb_isa isa);

/* ---- Registration ---- */

/* Registers <kernel>/<isa>/<layer>/N:<batch> for every ISA (skipped ones included), each with its
 * own ISA's peak for pct_of_peak. flops and bytes are per call of the kernel. */
void cb_bench_add(const char *kernel, const char *layer, int batch, cb_gbench_body_fn *body,
                  void *data, double flops, double bytes);

/* ---- Memory ---- */

/* n bytes, zeroed, freed by cb_bench_free_all (allocation failure exits). */
void *cb_bench_alloc(size_t n);
void cb_bench_free_all(void);

/* ---- What is benchmarked ---- */

/* Measures every usable ISA's FMA peak (cb_bench_set_peak) and registers peak_fma/<isa> for every
 * ISA, usable or not (peak.c). First: every kernel benchmark's pct_of_peak needs its ISA's peak. */
void cb_peak_setup(void);

/* Registers every registry case at its step batch and at 32 and 256, on every ISA
 * (bench_kernels.c); cb_bench_kernels_free frees their data after the run. */
void cb_bench_kernels(void);
void cb_bench_kernels_free(void);

/* Adds the run's context (CPU, ISAs, compiler, flags, revision, peaks, ...) to the report. */
void cb_bench_context(const char *binding);

#endif /* CB_BENCH_COMMON_H */
