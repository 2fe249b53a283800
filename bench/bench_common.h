/*
 * bench_common.h - what the benchmark families share: the ISA list and its state, 64-byte aligned
 * fixed-seed buffers, and registering one benchmark per ISA under the naming scheme
 *
 *   <kernel>/<isa>/<layer>/N:<batch>        e.g. conv2d_fwd/avx512/conv1/N:32
 *
 * A family allocates one data block per (layer, batch), shared by its kernels and by every ISA
 * (benchmarks run one after the other), and registers a body per kernel with cb_bench_add, which
 * iterates over the ISAs. The body receives a cb_bench_case: the ISA's table and the data block.
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

/* The batches every kernel is measured at (the training default and a large one). */
enum { CB_BENCH_BATCHES = 2 };
extern const int cb_bench_batches[CB_BENCH_BATCHES];

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

/* ---- Memory (freed together by cb_bench_free_all; allocation failure exits) ---- */

/* n bytes, 64-byte aligned, zeroed. */
void *cb_bench_alloc(size_t n);

/* n floats, 64-byte aligned, uniform in [lo, hi) from the fixed-seed generator. */
float *cb_bench_floats(size_t n, float lo, float hi);

/* n labels, uniform in 0 .. k-1, from the same generator. */
int32_t *cb_bench_labels(size_t n, int k);

void cb_bench_free_all(void);

/* Bytes of n floats, for the byte counters. */
static inline double cb_bench_fbytes(double n)
{
    return n * (double)sizeof(float);
}

/* ---- The families (one file each); each registers all its kernels for one batch ---- */
void cb_bench_conv(int batch);
void cb_bench_pool_relu(int batch);
void cb_bench_dense(int batch);
void cb_bench_losses(int batch);
void cb_bench_adam(int batch);

/* Adds the run's context (CPU, ISAs, compiler, flags, revision, peaks, ...) to the report. */
void cb_bench_context(const char *binding);

#endif /* CB_BENCH_COMMON_H */
