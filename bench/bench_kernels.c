/*
 * bench_kernels.c - one benchmark per registry case (cb_cases.h), batch and ISA:
 *
 *   <kernel>/<isa>/<layer>/N:<batch>        e.g. conv2d_fwd/avx512/conv1/N:1
 *
 * at the batch the training step calls the case with (cb_case.batch: N:1 for the per-image calls,
 * N:32 for the dense layers' runs, N:4 for dense1_dw) and at the benchmark batches 1, 32 and 256,
 * so that '/N:32$' selects every kernel at the training batch and '/N:1$' every one per image. Each (case, batch) is prepared once, with real-valued fills, and
 * shared by the ISAs (benchmarks run one after the other).
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench_common.h"
#include "cb_cases.h"

static const int bench_batches[] = {1, 32, 256};

static cb_case_data *prepared; /* every prepared case, freed by cb_bench_kernels_free */
static int prepared_count, prepared_cap;

static volatile float loss_sink; /* keeps the losses the loss kernels return alive */

static void case_body(void *arg, int64_t iters)
{
    const cb_bench_case *c = arg;
    float s = 0;
    for (int64_t i = 0; i < iters; i++)
        s += cb_case_run(c->t, c->data);
    loss_sink = s;
}

static void add_case(int k, const cb_case *c, int batch)
{
    if (prepared_count == prepared_cap) {
        prepared_cap = prepared_cap ? 2 * prepared_cap : 64;
        cb_case_data *grown = realloc(prepared, (size_t)prepared_cap * sizeof *grown);
        if (!grown)
            goto out_of_memory;
        prepared = grown;
    }
    cb_case_data *d = &prepared[prepared_count];
    if (cb_case_prepare(d, k, c, batch, CB_FILL_REAL, CB_BENCH_SEED) != 0)
        goto out_of_memory;
    prepared_count++;
    return;
out_of_memory:
    fprintf(stderr, "cifarbench-kernels: out of memory preparing %s/%s/N:%d\n", cb_kernel_name(k),
            c->layer, batch);
    exit(1);
}

void cb_bench_kernels(void)
{
    for (int k = 0; k < CB_KERNEL_COUNT; k++) {
        const cb_kernel_cases *kc = cb_kernel_cases_for(k);
        for (int i = 0; i < kc->count; i++) {
            const cb_case *c = &kc->cases[i];
            add_case(k, c, c->batch);
            for (size_t b = 0; b < sizeof bench_batches / sizeof bench_batches[0]; b++)
                if (bench_batches[b] != c->batch)
                    add_case(k, c, bench_batches[b]);
        }
    }
    /* Registered once all are prepared: the array no longer moves. */
    for (int i = 0; i < prepared_count; i++) {
        cb_case_data *d = &prepared[i];
        cb_bench_add(cb_kernel_name(d->kernel), d->c->layer, d->batch, case_body, d, d->flops,
                     d->bytes);
    }
}

void cb_bench_kernels_free(void)
{
    for (int i = 0; i < prepared_count; i++)
        cb_case_free(&prepared[i]);
    free(prepared);
    prepared = NULL;
    prepared_count = prepared_cap = 0;
}
