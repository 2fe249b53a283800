/*
 * test_training.c - whole-network tests of the harness: determinism and learning.
 *
 * - determinism/<isa>: two short runs with the same seed give bit-identical step losses and
 *   parameters; a different seed gives different ones (so the comparison can fail).
 * - learning: a few hundred steps on a small synthetic, learnable set reach a test accuracy far
 *   above chance (10 classes: 0.1).
 * - isa_agreement/<isa>: 20 training steps under each ISA track the scalar run's losses within
 *   1e-4 relative at every step (rounding differs between ISAs; a wrong kernel shows at once).
 * - variants_long_lines: a variant file's 272-byte comment is one comment (its tail past byte 256
 *   is not a line), an error past byte 256 names its own line, a FIFO (without blocking) and
 *   /dev/zero are refused.
 * - progress_rate_limited: 0.35 s of back-to-back updates redraw the bar at most 10 times a
 *   second; progress_in_training: 64 training steps likewise, with the drawing time recorded and
 *   left out of the epoch's seconds.
 * - gradient_check: the whole network's backward pass against central finite differences
 *   (finite_diff.h) of its forward pass, on a small batch (scalar kernels, perturbations of
 *   1e-2 max(|p|, 0.1) in the float parameters p).
 */
#define _DEFAULT_SOURCE /* mkstemp, mkdtemp, mkfifo, write, unlink, dup, fdopen */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cb_clock.h"
#include "cifar10.h"
#include "finite_diff.h"
#include "model.h"
#include "progress.h"
#include "train.h"
#include "variants.h"
#include "test_alarm.h"

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

/* A path in /tmp holding text (free with unlink). */
static void temp_text(char path[64], const char *text)
{
    strcpy(path, "/tmp/cifarbench-variants-XXXXXX");
    const int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

/* Variant-file lines are read whole: a comment longer than 256 bytes is one comment. (Read into
 * a 256-byte buffer, its tail "conv9x9_fwd avx2" became a line of its own: "unknown kernel".)
 * Blank lines of spaces are skipped; a FIFO (without blocking) and /dev/zero are refused. */
static void test_variants_long_lines(void **state)
{
    (void)state;
    cb_variants want, got;
    cb_variants_uniform(&want, CB_ISA_SCALAR);
    char comment[400], text[8192], path[64], err[4400] = "";
    snprintf(comment, sizeof comment, "# %0253d" "conv9x9_fwd avx2\n   \n", 0);
    assert_int_equal(strlen(comment), 2 + 253 + 17 + 4);
    assert_true(cb_variants_format(&want, comment, text, sizeof text) > 0);
    temp_text(path, text);
    const int rc = cb_variants_load(path, &got, err, sizeof err);
    unlink(path);
    if (rc != 0)
        fail_msg("a 272-byte comment was not taken as one comment: %s", err);
    assert_memory_equal(&want, &got, sizeof want);

    /* An error past byte 256 of a line names that line (line 3), not a later one. */
    snprintf(text, sizeof text, "# cifarbench variants 2\n# ok\n%0300d avx2\n", 7);
    temp_text(path, text);
    assert_int_equal(cb_variants_load(path, &got, err, sizeof err), -1);
    unlink(path);
    char where[128];
    snprintf(where, sizeof where, "%s:3: ", path);
    if (!strstr(err, where))
        fail_msg("'%s' does not name line 3", err);

    char fifo[] = "/tmp/cifarbench-variants-fifo-XXXXXX";
    assert_non_null(mkdtemp(fifo));
    char fpath[128];
    snprintf(fpath, sizeof fpath, "%s/v.txt", fifo);
    assert_int_equal(mkfifo(fpath, 0644), 0);
    cbt_arm_alarm(10);
    assert_int_equal(cb_variants_load(fpath, &got, err, sizeof err), -1);
    cbt_arm_alarm(0);
    assert_non_null(strstr(err, "FIFO"));
    unlink(fpath);
    rmdir(fifo);
    assert_int_equal(cb_variants_load("/dev/zero", &got, err, sizeof err), -1);
    assert_non_null(strstr(err, "character device"));
}

/* Runs f(ctx) with stderr going to a file; returns how many '\r' (bar redraws) it wrote. */
static int redraws_of(void (*f)(void *), void *ctx)
{
    char path[] = "/tmp/cifarbench-progress-XXXXXX";
    const int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    const int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_true(dup2(fd, STDERR_FILENO) >= 0);
    f(ctx);
    fflush(stderr);
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
    int redraws = 0;
    FILE *in = fdopen(fd, "r");
    assert_non_null(in);
    rewind(in);
    for (int c; (c = fgetc(in)) != EOF;)
        redraws += c == '\r';
    fclose(in);
    unlink(path);
    return redraws;
}

typedef struct progress_run {
    double seconds, drawing; /* wall time of the loop; what the updates said they spent drawing */
    long updates;
} progress_run;

static void many_updates(void *ctx)
{
    progress_run *r = ctx;
    cb_progress p;
    cb_progress_begin(&p, CB_PROGRESS_BAR, "test", 1000000000L);
    const double t0 = cb_now();
    for (r->updates = 1; cb_now() - t0 < 0.35; r->updates++)
        r->drawing += cb_progress_update(&p, r->updates, 1.0, 0.5);
    r->seconds = cb_now() - t0;
    cb_progress_end(&p);
}

/* The bar is redrawn at most 10 times a second, however often it is updated (it was redrawn on
 * every step, inside the timed loop), and reports the time it spent drawing. */
static void test_progress_rate_limited(void **state)
{
    (void)state;
    progress_run r = {0};
    const int redraws = redraws_of(many_updates, &r);
    print_message("%ld updates in %.2f s: %d redraws, %.6f s drawing\n", r.updates, r.seconds,
                  redraws, r.drawing);
    assert_true(r.updates > 1000);
    assert_true(redraws <= (int)(r.seconds * CB_PROGRESS_HZ) + 1);
    assert_true(r.drawing >= 0.0 && r.drawing < r.seconds);
}

typedef struct bar_training {
    cb_epoch_stats st;
    double wall;
} bar_training;

static void train_with_bar(void *ctx)
{
    bar_training *b = ctx;
    cb_train_config cfg = {.epochs = 1, .batch = 8, .seed = 1, .train_images = 512,
                           .test_images = 32, .kernels = cb_kernel_table_for(cb_isa_best()),
                           .progress = CB_PROGRESS_BAR};
    const cb_model_config mc = {CB_CIFAR_CLASSES, CB_HEAD_SOFTMAX_XENT};
    cb_model m;
    assert_int_equal(cb_model_init(&m, &mc, cb_train_max_batch(&cfg), 1), 0);
    const double t0 = cb_now();
    assert_int_equal(cb_train(&cfg, &data, &m, &b->st), 0);
    b->wall = cb_now() - t0;
    cb_model_free(&m);
}

/* In training: 64 steps draw the bar at most 10 times a second plus once at the end (it was drawn
 * at every step), and the drawing time is recorded and left out of the epoch's seconds. */
static void test_progress_in_training(void **state)
{
    (void)state;
    bar_training b;
    memset(&b, 0, sizeof b);
    const int redraws = redraws_of(train_with_bar, &b);
    print_message("64 steps in %.3f s: %d redraws, %.6f s drawing left out of %.3f s\n", b.wall,
                  redraws, b.st.progress_seconds, b.st.seconds);
    assert_int_equal(b.st.steps, 64);
    assert_true(redraws >= 1);
    assert_true(redraws <= (int)(b.wall * CB_PROGRESS_HZ) + 1);
    assert_true(b.st.progress_seconds > 0.0);
    assert_true(b.st.seconds > 0.0 && b.st.seconds + b.st.progress_seconds <= b.wall);
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

/* A fixed batch of n images x with their labels, for model m under kernels kt. */
typedef struct fixed_batch {
    cb_model *m;
    const cb_kernel_table *kt;
    int n;
    const float *x;
    const int32_t *labels;
} fixed_batch;

/* Mean loss of the batch under the model's current parameters (a cbt_objective_fn). */
static double batch_loss(void *ctx)
{
    const fixed_batch *b = ctx;
    memcpy(b->m->acts.x, b->x, sizeof(float) * (size_t)b->n * CB_IN_H * CB_IN_W * CB_IN_C);
    cb_model_forward(b->m, b->kt, &(cb_batch){.n = b->n});
    return cb_model_loss(b->m, b->kt, b->n, b->labels, NULL);
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
    cb_dataset_gather(&data.train, idx, N, x, labels, kt->pixels_to_float);
    /* Non-zero biases, so that ReLUs sit away from their kink for most units. */
    for (int c = 0; c < CB_CONV_C; c++)
        m.params.conv1_b[c] = m.params.conv2_b[c] = 0.05f;

    fixed_batch b = {&m, kt, N, x, labels};
    batch_loss(&b); /* leaves the batch in acts.x */
    cb_model_gradients(&m, kt, &(cb_batch){.n = N, .labels = labels});

    /* Check a spread of parameters from every tensor of the slab. */
    int checked = 0, close = 0;
    for (size_t i = 0; i < m.param_count; i += 97) {
        const float h = 1e-2f * fmaxf(fabsf(m.param_slab[i]), 0.1f);
        const double fd = cbt_central_diff_f(batch_loss, &b, &m.param_slab[i], h);
        const double an = m.grad_slab[i];
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
    struct CMUnitTest tests[2 * CB_ISA_COUNT - 1 + 6];
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
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_variants_long_lines);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_progress_rate_limited);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_progress_in_training);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_learning);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_gradient_check);
    return cmocka_run_group_tests_name("training", tests, load_data, free_data);
}
