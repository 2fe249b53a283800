/*
 * cb_cases.h - the registry's case descriptors (benchdnn's fill / run / compare, per kernel).
 *
 * For every kernel of the registry (cb_registry.h), its cases are the calls one training step makes
 * with it at the reference network's shapes (cb_network.h), plus a few made only to be measured
 * (a case with in_step == false). A case says how to fill the kernel's inputs and what a call
 * costs in FLOPs and bytes. Everything that runs kernels outside the training step runs these:
 *
 *   bench/bench_kernels.c   one Google Benchmark per case, batch and ISA
 *   cifarbench tune         each kernel's in-step cases at the step's batch, per ISA
 *   tests/test_registry.c   every case on every ISA against the scalar kernel, guards checked
 *
 *   cb_case_data d;
 *   if (cb_case_prepare(&d, CB_KERNEL_conv2d_fwd, &cases->cases[i], batch, CB_FILL_REAL, seed) == 0) {
 *       cb_case_run(table, &d);        any number of times
 *       cb_case_free(&d);
 *   }
 *
 * FLOPs count multiplies and adds separately and leave out bias, ReLU and db (see each family's
 * cases file for its count); bytes are the tensors a call reads and writes, each once.
 */
#ifndef CB_CASES_H
#define CB_CASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cb_dispatch.h"
#include "rng.h"

enum {
    CB_CASE_MAX_BUFFERS = 8,
    CB_CASE_GUARD = 16, /* guard floats after every buffer */
};

/* One way a kernel is called, without its batch. */
typedef struct cb_case {
    const char *layer; /* "conv1", "pool2", "dense1", "out10", "all", ... */
    int dims[4];       /* the family's shape without the batch (its cases file says which) */
    int batch;         /* the batch the training step calls it with: CB_UNIT_IMAGES for the
                        * convolutions, pools and loss (called per image), the batch for the dense
                        * layers forward (called over one thread's run of images), a block's rows
                        * for dense1's weight gradient (see cb_network.h) */
    bool in_step;      /* the training step makes this call; otherwise measured for reference */
} cb_case;

/* How inputs are filled. REAL: uniform reals in each input's range, as the benchmarks and tune
 * run. EXACT: small integers (in [-3, 3], [0, 3] for inputs that are never negative) whose sums of
 * products are exact in float in any order, so every ISA must give the scalar kernel's bits for
 * the kernels that only add and multiply. */
typedef enum cb_fill { CB_FILL_REAL, CB_FILL_EXACT } cb_fill;

typedef struct cb_case_buffer {
    const char *name; /* as in cb_kernels.h: "x", "w", "dy", ... */
    float *p;         /* 64-byte aligned; CB_CASE_GUARD guard values follow the n floats */
    size_t n;
    bool output;      /* written by the kernel; starts as NaN */
} cb_case_buffer;

/* A case prepared at one batch: buffers allocated and filled, ready to run any number of times. */
typedef struct cb_case_data {
    int kernel;   /* CB_KERNEL_... */
    const cb_case *c;
    int batch;
    cb_fill fill;
    cb_rng rng;
    double flops, bytes; /* per call */
    int nbuf;
    cb_case_buffer buf[CB_CASE_MAX_BUFFERS];
    int32_t *labels;     /* [batch] class labels (softmax_xent) */
    /* The family's arguments, set by its prepare(). */
    cb_conv_shape conv;
    cb_pool_shape pool;
    cb_adam_hparams adam;
} cb_case_data;

/* How an ISA's outputs may differ from the scalar kernel's on the same inputs:
 * |got - scalar| <= abs + rel * |scalar| per element (0, 0: bit-identical). */
typedef struct cb_tolerance {
    double rel, abs;
} cb_tolerance;

/* A kernel's cases, and what runs them. */
typedef struct cb_kernel_cases {
    const cb_case *cases;
    int count;
    /* Allocates d's buffers with cb_case_buffer_add, fills the inputs (cb_case_fill) and sets
     * flops and bytes. d->kernel, c, batch and fill are set. Returns 0, or -1 when memory is short. */
    int (*prepare)(cb_case_data *d);
    /* One call of the kernel from table t on d's buffers; returns the loss for the loss kernels,
     * else 0. */
    float (*run)(const cb_kernel_table *t, const cb_case_data *d);
    cb_tolerance exact, real; /* per fill */
} cb_kernel_cases;

/* Kernel k's cases (k < CB_KERNEL_COUNT). */
const cb_kernel_cases *cb_kernel_cases_for(int k);

/* Prepares case c of kernel k at `batch` images (cases that do not depend on the batch ignore it),
 * inputs drawn from `seed`. Returns 0, or -1 when memory is short (nothing left allocated). */
int cb_case_prepare(cb_case_data *d, int k, const cb_case *c, int batch, cb_fill fill,
                    uint64_t seed);
void cb_case_free(cb_case_data *d);

/* One call on table t (see cb_kernel_cases.run). */
float cb_case_run(const cb_kernel_table *t, const cb_case_data *d);

/* Whether every buffer's guard values are as prepared (no kernel wrote past its output). */
bool cb_case_guards_intact(const cb_case_data *d);

/* For the families' prepare(): a new buffer of n floats (NaN when output, else 0 until filled);
 * NULL when memory is short or there are too many buffers. */
float *cb_case_buffer_add(cb_case_data *d, const char *name, size_t n, bool output);

/* Fills n floats with uniform reals in [lo, hi) (REAL) or integers in [-3, 3], or [0, 3] when
 * lo >= 0 (EXACT), from d's generator. */
void cb_case_fill(cb_case_data *d, float *p, size_t n, float lo, float hi);

#endif /* CB_CASES_H */
