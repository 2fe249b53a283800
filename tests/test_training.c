/*
 * test_training.c - whole-network tests of the harness: determinism and learning.
 *
 * - determinism/<isa>: two short runs with the same seed give bit-identical step losses and
 *   parameters; a different seed gives different ones (so the comparison can fail).
 * - learning: a few hundred steps on a small synthetic, learnable set reach a test accuracy far
 *   above chance (10 classes: 0.1).
 * - isa_agreement/<isa>: 20 training steps under each ISA track the scalar run's losses within
 *   1e-4 relative at every step (rounding differs between ISAs; a wrong kernel shows at once).
 * - gradient_check: the whole network's backward pass against central finite differences of its
 *   forward pass, on a small batch (scalar kernels, perturbations in the float parameters).
 */
#define _POSIX_C_SOURCE 200809L /* mkstemp, write, unlink */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cifar10.h"
#include "model.h"
#include "train.h"
#include "variants.h"

static cb_cifar10 data; /* one synthetic set for the whole file */

static int load_data(void **state)
{
    (void)state;
    cb_cifar10_synthetic(2048, 512, 7, &data);
    return 0;
}

static int free_data(void **state)
{
    (void)state;
    cb_cifar10_free(&data);
    return 0;
}

enum { SHORT_IMAGES = 640, SHORT_STEPS = SHORT_IMAGES / 32 }; /* 20 steps of 32 */

typedef struct short_run {
    float losses[SHORT_STEPS];
    float *params; /* copy of the parameter slab after the run */
    size_t param_count;
    double test_accuracy;
} short_run;

static void run_table(const cb_kernel_table *kernels, uint64_t seed, int images, int epochs,
                      short_run *out, float *losses, long losses_cap)
{
    cb_train_config cfg = {
        .epochs = epochs, .batch = 32, .seed = seed, .train_images = images,
        .kernels = kernels, .progress = CB_PROGRESS_NONE,
        .step_losses = losses, .step_losses_cap = losses_cap,
    };
    const cb_model_config mc = {CB_CIFAR_CLASSES, CB_HEAD_SOFTMAX_XENT};
    cb_model m;
    assert_int_equal(cb_model_init(&m, &mc, cb_train_max_batch(&cfg), seed), 0);
    cb_epoch_stats *st = calloc((size_t)epochs, sizeof *st);
    assert_non_null(st);
    assert_int_equal(cb_train(&cfg, &data, &m, st), 0);
    out->param_count = m.param_count;
    out->params = malloc(sizeof(float) * m.param_count);
    assert_non_null(out->params);
    memcpy(out->params, m.param_slab, sizeof(float) * m.param_count);
    out->test_accuracy = st[epochs - 1].test_accuracy;
    free(st);
    cb_model_free(&m);
}

static void run(cb_isa isa, uint64_t seed, int images, int epochs, short_run *out,
                float *losses, long losses_cap)
{
    run_table(cb_kernel_table_for(isa), seed, images, epochs, out, losses, losses_cap);
}

static void test_determinism(void **state)
{
    const cb_isa isa = (cb_isa)(intptr_t)*state;
    if (!cb_isa_supported(isa)) {
        print_message("%s is not supported by this CPU or build\n", cb_isa_name(isa));
        skip();
    }
    short_run a, b, c;
    run(isa, 42, SHORT_IMAGES, 1, &a, a.losses, SHORT_STEPS);
    run(isa, 42, SHORT_IMAGES, 1, &b, b.losses, SHORT_STEPS);
    run(isa, 43, SHORT_IMAGES, 1, &c, c.losses, SHORT_STEPS);
    for (int s = 0; s < SHORT_STEPS; s++)
        assert_true(isfinite(a.losses[s]));
    assert_memory_equal(a.losses, b.losses, sizeof a.losses);
    assert_memory_equal(a.params, b.params, sizeof(float) * a.param_count);
    assert_memory_not_equal(a.losses, c.losses, sizeof a.losses);
    free(a.params);
    free(b.params);
    free(c.params);
}

/* 20 steps with `kernels` track the scalar run's losses within 1e-4 relative at every step. */
static void assert_tracks_scalar(const cb_kernel_table *kernels, const char *name)
{
    short_run ref, r;
    run(CB_ISA_SCALAR, 11, SHORT_IMAGES, 1, &ref, ref.losses, SHORT_STEPS);
    run_table(kernels, 11, SHORT_IMAGES, 1, &r, r.losses, SHORT_STEPS);
    double worst = 0.0;
    for (int s = 0; s < SHORT_STEPS; s++) {
        const double rel = fabs((double)r.losses[s] - ref.losses[s]) / fabs((double)ref.losses[s]);
        if (!(rel <= 1e-4))
            fail_msg("step %d: %s loss %.9g, scalar %.9g (rel. difference %.3g > 1e-4)", s + 1,
                     name, r.losses[s], ref.losses[s], rel);
        worst = rel > worst ? rel : worst;
    }
    print_message("%s vs scalar over %d steps: largest relative loss difference %.3g\n", name,
                  SHORT_STEPS, worst);
    free(ref.params);
    free(r.params);
}

static void test_isa_agreement(void **state)
{
    const cb_isa isa = (cb_isa)(intptr_t)*state;
    if (!cb_isa_supported(isa)) {
        print_message("%s is not supported by this CPU or build\n", cb_isa_name(isa));
        skip();
    }
    assert_tracks_scalar(cb_kernel_table_for(isa), cb_isa_name(isa));
}

/* A variant table that takes kernel k from the (k mod count)-th supported ISA, written to a file
 * and read back as `train --variants` does, must track scalar like each ISA alone. */
static void test_variants_agreement(void **state)
{
    (void)state;
    cb_isa supported[CB_ISA_COUNT];
    int count = 0;
    for (int i = 0; i < CB_ISA_COUNT; i++)
        if (cb_isa_supported((cb_isa)i))
            supported[count++] = (cb_isa)i;
    if (count < 2) {
        print_message("only %d ISA on this CPU: nothing to mix\n", count);
        skip();
    }
    cb_variants want, got;
    for (int k = 0; k < CB_KERNEL_COUNT; k++)
        want.isa[k] = supported[(k + 1) % count];
    char text[4096], path[] = "/tmp/cifarbench-variants-XXXXXX", err[512];
    assert_true(cb_variants_format(&want, "# test\n", text, sizeof text) > 0);
    const int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    const int rc = cb_variants_load(path, &got, err, sizeof err);
    unlink(path);
    if (rc != 0)
        fail_msg("%s", err);
    assert_memory_equal(&want, &got, sizeof want);
    assert_string_equal(cb_variants_summary(&got), "mixed");
    const cb_kernel_table mixed = cb_variants_table(&got);
    assert_tracks_scalar(&mixed, "mixed variants");
}

static void test_learning(void **state)
{
    (void)state;
    /* 2048 images x 4 epochs / 32 = 256 steps with the best kernels this CPU has. */
    short_run r;
    run(cb_isa_best(), 5, 2048, 4, &r, NULL, 0);
    print_message("test accuracy after 256 steps: %.3f (chance 0.1)\n", r.test_accuracy);
    assert_true(r.test_accuracy > 0.5);
    free(r.params);
}

/* Mean loss of a fixed batch under the model's current parameters. */
static double batch_loss(cb_model *m, const cb_kernel_table *kt, int n, const float *x,
                         const int32_t *labels)
{
    memcpy(m->acts.x, x, sizeof(float) * (size_t)n * CB_IN_H * CB_IN_W * CB_IN_C);
    cb_model_forward(m, kt, &(cb_batch){.n = n});
    return cb_model_loss(m, kt, n, labels, NULL);
}

static void test_gradient_check(void **state)
{
    (void)state;
    enum { N = 4 };
    const cb_kernel_table *kt = cb_kernel_table_for(CB_ISA_SCALAR);
    const cb_model_config mc = {CB_CIFAR_CLASSES, CB_HEAD_SOFTMAX_XENT};
    cb_model m;
    assert_int_equal(cb_model_init(&m, &mc, N, 3), 0);
    const int32_t idx[N] = {0, 1, 2, 3};
    int32_t labels[N];
    float *x = malloc(sizeof(float) * N * CB_IN_H * CB_IN_W * CB_IN_C);
    assert_non_null(x);
    cb_dataset_gather(&data.train, idx, N, x, labels);
    /* Non-zero biases, so that ReLUs sit away from their kink for most units. */
    for (int c = 0; c < CB_CONV_C; c++)
        m.params.conv1_b[c] = m.params.conv2_b[c] = 0.05f;

    batch_loss(&m, kt, N, x, labels);
    cb_model_backward(&m, kt, N);

    /* Check a spread of parameters from every tensor of the slab. */
    int checked = 0, close = 0;
    for (size_t i = 0; i < m.param_count; i += 97) {
        const float saved = m.param_slab[i];
        const float h = 1e-2f * fmaxf(fabsf(saved), 0.1f);
        m.param_slab[i] = saved + h;
        const double up = batch_loss(&m, kt, N, x, labels);
        m.param_slab[i] = saved - h;
        const double down = batch_loss(&m, kt, N, x, labels);
        m.param_slab[i] = saved;
        const double fd = (up - down) / (2.0 * h), an = m.grad_slab[i];
        checked++;
        close += fabs(fd - an) <= 2e-2 * fabs(fd) + 2e-4;
    }
    print_message("%d of %d parameters agree with finite differences\n", close, checked);
    /* A ReLU or max-pool switching inside +-h can spoil an odd difference; a wrong gradient
     * spoils most of them. */
    assert_true(close >= checked * 9 / 10);
    free(x);
    cb_model_free(&m);
}

int main(void)
{
    /* determinism per ISA, agreement with scalar per non-scalar ISA, learning, gradient check */
    struct CMUnitTest tests[2 * CB_ISA_COUNT - 1 + 3];
    char names[2 * CB_ISA_COUNT - 1][64];
    int n = 0;
    for (int i = 0; i < CB_ISA_COUNT; i++) {
        void *isa = (void *)(intptr_t)i;
        snprintf(names[n], sizeof names[n], "determinism/%s", cb_isa_name((cb_isa)i));
        tests[n] = (struct CMUnitTest){names[n], test_determinism, NULL, NULL, isa};
        n++;
        if (i == CB_ISA_SCALAR)
            continue;
        snprintf(names[n], sizeof names[n], "isa_agreement/%s", cb_isa_name((cb_isa)i));
        tests[n] = (struct CMUnitTest){names[n], test_isa_agreement, NULL, NULL, isa};
        n++;
    }
    tests[n++] = (struct CMUnitTest){"isa_agreement/mixed_variants", test_variants_agreement,
                                     NULL, NULL, NULL};
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_learning);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_gradient_check);
    return cmocka_run_group_tests_name("training", tests, load_data, free_data);
}
