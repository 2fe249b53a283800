/* cmd_tune.c - `cifarbench tune`: times every ISA's version of every kernel, at the shapes the
 * training step calls it with, and writes the fastest choice per kernel as a variant file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "json_writer.h"
#include "model.h"
#include "progress.h"
#include "rng.h"
#include "topology.h"
#include "variants.h"

static const char tune_usage[] =
    "usage: cifarbench tune [--out FILE]\n"
    "\n"
    "Times the scalar, AVX2 and AVX-512 version (those this CPU runs) of every kernel at the\n"
    "shapes one training step uses (4-image chunks for the layers, the whole batch of 32 for the\n"
    "loss, every parameter for Adam), one thread, median of 5 samples of at least 2 ms each, and\n"
    "writes the fastest ISA per kernel as a variant file for 'cifarbench train --variants FILE'.\n"
    "\n"
    "options:\n"
    "  --out FILE    the variant file to write (default variants.txt; written whole or not at all)\n"
    "  --help        this text\n";

enum { BUF = 1 << 16 }; /* floats per buffer: more than any tensor of a 4-image chunk */

typedef struct buffers {
    float *a, *b, *c, *d, *e; /* BUF floats each: inputs a, b, d; outputs c, e */
    int32_t labels[32];
} buffers;

/* One call of kernel k as the training step makes it (all its uses in one step). */
static void run_kernel(const cb_kernel_table *t, int k, buffers *B)
{
    const int n = CB_CHUNK_IMAGES;
    const cb_conv_shape c1 = {n, 32, 32, 3, 8}, c2 = {n, 16, 16, 8, 8};
    const cb_pool_shape q1 = {n, 32, 32, 8}, q2 = {n, 16, 16, 8};
    const cb_adam_hparams h = cb_adam_hparams_at(1e-3f, 0.9f, 0.999f, 1e-7f, 10);
    switch (k) {
    case 0:
        t->conv3x3_fwd(&c1, B->a, B->b, B->d, B->c, 1);
        t->conv3x3_fwd(&c2, B->a, B->b, B->d, B->c, 1);
        break;
    case 1: t->conv3x3_bwd_data(&c2, B->d, B->b, B->e); break;
    case 2:
        t->conv3x3_bwd_weights(&c1, B->a, B->d, B->c, B->e);
        t->conv3x3_bwd_weights(&c2, B->a, B->d, B->c, B->e);
        break;
    case 3: t->relu_fwd((size_t)n * 32 * 32 * 8, B->a, B->c); break; /* fused in conv; for reference */
    case 4:
        t->relu_bwd((size_t)n * 32 * 32 * 8, B->a, B->d, B->e);
        t->relu_bwd((size_t)n * 16 * 16 * 8, B->a, B->d, B->e);
        t->relu_bwd((size_t)n * 32, B->a, B->d, B->e);
        break;
    case 5:
        t->maxpool2_fwd(&q1, B->a, B->c);
        t->maxpool2_fwd(&q2, B->a, B->c);
        break;
    case 6:
        t->maxpool2_fwd(&q1, B->a, B->b); /* bwd needs y = pool(x) to find the maxima */
        t->maxpool2_bwd(&q1, B->a, B->b, B->d, B->e);
        t->maxpool2_fwd(&q2, B->a, B->b);
        t->maxpool2_bwd(&q2, B->a, B->b, B->d, B->e);
        break;
    case 7:
        t->dense_fwd(n, 512, 32, B->a, B->b, B->d, B->c, 1);
        t->dense_fwd(n, 32, 10, B->a, B->b, B->d, B->c, 0);
        break;
    case 8:
        t->dense_bwd(n, 512, 32, B->a, B->b, B->d, B->e, B->c, B->c + 512 * 32);
        t->dense_bwd(n, 32, 10, B->a, B->b, B->d, B->e, B->c, B->c + 512 * 32);
        break;
    case 9: t->softmax_xent(32, 10, B->a, B->labels, B->e); break;
    case 10: t->sigmoid_bce(32, 10, B->a, B->b, B->e); break;
    case 11: t->mse(32, 10, B->a, B->b, B->e); break;
    case 12: t->mae(32, 10, B->a, B->b, B->e); break;
    default: { /* every parameter of the reference network; v in d stays >= 0 */
        const cb_model_config mc = {CB_CIFAR_CLASSES, CB_HEAD_SOFTMAX_XENT};
        t->adam(cb_model_param_count(&mc), B->c, B->b, B->e, B->d, &h);
        break;
    }
    }
}

static int compare_doubles(const void *x, const void *y)
{
    const double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Median seconds per call of kernel k: 5 samples of at least 2 ms each. */
static double time_kernel(const cb_kernel_table *t, int k, buffers *B)
{
    run_kernel(t, k, B); /* warm caches */
    long reps = 1;
    for (;;) {
        const double t0 = cb_now();
        for (long r = 0; r < reps; r++)
            run_kernel(t, k, B);
        if (cb_now() - t0 >= 2e-3)
            break;
        reps *= 2;
    }
    double s[5];
    for (int i = 0; i < 5; i++) {
        const double t0 = cb_now();
        for (long r = 0; r < reps; r++)
            run_kernel(t, k, B);
        s[i] = (cb_now() - t0) / reps;
    }
    qsort(s, 5, sizeof s[0], compare_doubles);
    return s[2];
}

static void fill(float *p, size_t n, cb_rng *r)
{
    for (size_t i = 0; i < n; i++)
        p[i] = cb_rng_uniform(r); /* [0, 1): valid everywhere, Adam's v included */
}

int cb_cmd_tune(int argc, char **argv)
{
    const char *out = "variants.txt";
    cb_args a;
    cb_args_init(&a, "tune", argc, argv);
    bool error;
    while (cb_args_next(&a, &error)) {
        if (cb_args_is(&a, "--help")) {
            fputs(tune_usage, stdout);
            return CB_EXIT_OK;
        } else if (cb_args_is(&a, "--out")) {
            if (!(out = cb_args_value(&a)))
                return CB_EXIT_USAGE;
        } else {
            cb_args_unknown(&a);
            return CB_EXIT_USAGE;
        }
    }
    if (error || !cb_cli_check_max_isa())
        return CB_EXIT_USAGE;
    char err[4400];
    if (cb_check_file_writable(out, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench tune: %s\n", err);
        return CB_EXIT_FAILURE;
    }

    buffers B;
    float *mem = aligned_alloc(64, 5 * BUF * sizeof(float));
    if (!mem) {
        fprintf(stderr, "cifarbench tune: out of memory\n");
        return CB_EXIT_FAILURE;
    }
    B.a = mem, B.b = mem + BUF, B.c = mem + 2 * BUF, B.d = mem + 3 * BUF, B.e = mem + 4 * BUF;
    cb_rng r;
    cb_rng_seed(&r, 1);
    fill(mem, 5 * (size_t)BUF, &r);
    for (int i = 0; i < 32; i++)
        B.labels[i] = (int32_t)cb_rng_below(&r, 10);

    cb_machine m;
    cb_machine_describe(&m);
    printf("cifarbench tune: %s, microseconds per training step's calls (median of 5)\n\n",
           m.cpu_model);
    printf("  %-20s", "kernel");
    for (int i = 0; i < CB_ISA_COUNT; i++)
        printf(" %10s", cb_isa_name((cb_isa)i));
    printf("   fastest\n");
    cb_variants v;
    for (int k = 0; k < CB_KERNEL_COUNT; k++) {
        printf("  %-20s", cb_kernel_name(k));
        double best = 0.0;
        v.isa[k] = CB_ISA_SCALAR;
        for (int i = 0; i < CB_ISA_COUNT; i++) {
            if (!cb_isa_supported((cb_isa)i)) {
                printf(" %10s", "n/a");
                continue;
            }
            const double s = time_kernel(cb_kernel_table_for((cb_isa)i), k, &B);
            printf(" %10.2f", s * 1e6);
            if (i == 0 || s < best) {
                best = s;
                v.isa[k] = (cb_isa)i;
            }
        }
        printf("   %s\n", cb_isa_name(v.isa[k]));
    }
    free(mem);

    char comment[512], text[4096];
    snprintf(comment, sizeof comment, "# written by cifarbench tune on %s (%s)\n", m.cpu_model,
             m.cpu_vendor);
    if (cb_variants_format(&v, comment, text, sizeof text) < 0 ||
        cb_write_file_atomic(out, text, strlen(text), err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench tune: %s\n", err);
        return CB_EXIT_FAILURE;
    }
    printf("\n  variants %s (%s)\n", out, cb_variants_summary(&v));
    return CB_EXIT_OK;
}
