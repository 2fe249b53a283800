/* bench_common.c - ISA state, registration under the naming scheme, and buffers. See
 * bench_common.h. */
#include "bench_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

const int cb_bench_batches[CB_BENCH_BATCHES] = {32, 256};

/* ---- ISAs ---- */

static bool isa_masked[CB_ISA_COUNT];
static double isa_peak[CB_ISA_COUNT];
static char isa_reason[CB_ISA_COUNT][96];

void cb_bench_isa_mask(cb_isa isa)
{
    isa_masked[isa] = true;
}

const char *cb_bench_isa_skip_reason(cb_isa isa)
{
    char *r = isa_reason[isa];
    if (!cb_isa_compiled(isa))
        snprintf(r, sizeof isa_reason[isa], "%s not compiled in (the compiler lacks its flags)",
                 cb_isa_name(isa));
    else if (!cb_isa_supported(isa))
        snprintf(r, sizeof isa_reason[isa], "cpu lacks %s", cb_isa_name(isa));
    else if (isa_masked[isa])
        snprintf(r, sizeof isa_reason[isa], "cpu lacks %s (simulated by --cb_skip_isa)",
                 cb_isa_name(isa));
    else
        return NULL;
    return r;
}

void cb_bench_set_peak(cb_isa isa, double gflops)
{
    isa_peak[isa] = gflops;
}

double cb_bench_peak(cb_isa isa)
{
    return isa_peak[isa];
}

/* ---- Registration ---- */

void cb_bench_add(const char *kernel, const char *layer, int batch, cb_gbench_body_fn *body,
                  void *data, double flops, double bytes)
{
    for (int i = 0; i < CB_ISA_COUNT; i++) {
        const cb_isa isa = (cb_isa)i;
        const char *skip = cb_bench_isa_skip_reason(isa);
        cb_bench_case *c = cb_bench_alloc(sizeof *c);
        c->t = skip ? NULL : cb_kernel_table_for(isa);
        c->data = data;
        char name[160];
        snprintf(name, sizeof name, "%s/%s/%s/N:%d", kernel, cb_isa_name(isa), layer, batch);
        const cb_gbench_def def = {.name = name, .body = body, .arg = c, .flops = flops,
                                   .bytes = bytes, .peak_gflops = cb_bench_peak(isa),
                                   .skip = skip};
        if (cb_gbench_register(&def) != 0)
            exit(1);
    }
}

/* ---- Memory ---- */

typedef struct block {
    struct block *next;
} block;

static block *blocks; /* every allocation, for cb_bench_free_all */
static cb_rng rng;
static bool rng_seeded;

enum { ALIGN = 64 };

void *cb_bench_alloc(size_t n)
{
    /* The list link sits in a 64-byte header in front of the aligned payload. */
    const size_t rounded = (n + ALIGN - 1) / ALIGN * ALIGN;
    unsigned char *raw = aligned_alloc(ALIGN, ALIGN + rounded);
    if (!raw) {
        fprintf(stderr, "cifarbench-kernels: out of memory (%zu bytes)\n", n);
        exit(1);
    }
    memset(raw, 0, ALIGN + rounded);
    block *b = (block *)raw;
    b->next = blocks;
    blocks = b;
    return raw + ALIGN;
}

static cb_rng *bench_rng(void)
{
    if (!rng_seeded) {
        cb_rng_seed(&rng, CB_BENCH_SEED);
        rng_seeded = true;
    }
    return &rng;
}

float *cb_bench_floats(size_t n, float lo, float hi)
{
    float *p = cb_bench_alloc(n * sizeof *p);
    cb_rng *r = bench_rng();
    for (size_t i = 0; i < n; i++)
        p[i] = lo + (hi - lo) * cb_rng_uniform(r);
    return p;
}

int32_t *cb_bench_labels(size_t n, int k)
{
    int32_t *p = cb_bench_alloc(n * sizeof *p);
    cb_rng *r = bench_rng();
    for (size_t i = 0; i < n; i++)
        p[i] = (int32_t)cb_rng_below(r, (uint32_t)k);
    return p;
}

void cb_bench_free_all(void)
{
    while (blocks) {
        block *next = blocks->next;
        free(blocks);
        blocks = next;
    }
}
