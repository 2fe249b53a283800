/* bench_common.c - ISA state, registration under the naming scheme, and buffers. See
 * bench_common.h. */
#include "bench_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


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
    _Alignas(16) unsigned char payload[];
} block;

static block *blocks; /* every allocation, for cb_bench_free_all */

void *cb_bench_alloc(size_t n)
{
    block *b = calloc(1, sizeof *b + n);
    if (!b) {
        fprintf(stderr, "cifarbench-kernels: out of memory (%zu bytes)\n", n);
        exit(1);
    }
    b->next = blocks;
    blocks = b;
    return b->payload;
}

void cb_bench_free_all(void)
{
    while (blocks) {
        block *next = blocks->next;
        free(blocks);
        blocks = next;
    }
}
