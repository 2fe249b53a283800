/*
 * test_tasks.c - the binary and multi-label tasks (tasks.h): how their data sets are built, and
 * that short trainings on a learnable synthetic set are finite and clearly better than chance.
 *
 * - binary_set: only classes 2 (target 1) and 0 (target 0) remain, in order, pixels untouched.
 * - multilabel_set: image i is [every second column of image i | of image (i + n/2) mod n] and its
 *   targets are exactly the two images' classes.
 * - binary_learns: 4 epochs of ~1000 images; test accuracy > 0.7 (chance 0.5), losses finite.
 * - mismatched_learn: sigmoid+MSE (binary) > 0.7 and softmax+MSE (10 classes) > 0.3 test accuracy
 *   after 4 epochs, losses finite: the mismatched pairs learn, only with smaller gradients.
 * - multilabel_learns: 4 epochs; the mean per-label accuracy beats the best constant predictor
 *   (each label's majority value on the test set) by 3 points, and exact match beats 0.05
 *   (a constant predictor gets 0: every image has at least one positive label).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tasks.h"
#include "train.h"

static void load(cb_cifar10 *full, cb_cifar10 *task, cb_task t, int train, int test)
{
    cb_cifar10_synthetic(train, test, 11, full);
    cb_cifar10_synthetic(train, test, 11, task);
    char err[256];
    if (cb_task_apply(t, task, err, sizeof err) != 0)
        fail_msg("%s", err);
}

static void test_binary_set(void **state)
{
    (void)state;
    cb_cifar10 full, bin;
    load(&full, &bin, CB_TASK_BINARY, 600, 100);
    int k = 0;
    for (int i = 0; i < full.train.count; i++) {
        const int l = full.train.labels[i];
        if (l != 2 && l != 0)
            continue;
        assert_true(k < bin.train.count);
        assert_int_equal(bin.train.labels[k], l == 2);
        assert_true(bin.train.targets[k] == (float)(l == 2));
        assert_memory_equal(bin.train.pixels + (size_t)k * CB_CIFAR_PIXELS,
                            full.train.pixels + (size_t)i * CB_CIFAR_PIXELS, CB_CIFAR_PIXELS);
        k++;
    }
    assert_int_equal(k, bin.train.count);
    assert_true(k > 0);
    assert_int_equal(bin.train.target_width, 1);
    cb_cifar10_free(&full);
    cb_cifar10_free(&bin);
}

static void test_multilabel_set(void **state)
{
    (void)state;
    cb_cifar10 full, ml;
    load(&full, &ml, CB_TASK_MULTILABEL, 300, 50);
    const int n = full.train.count;
    assert_int_equal(ml.train.count, n);
    assert_int_equal(ml.train.target_width, CB_CIFAR_CLASSES);
    for (int i = 0; i < n; i++) {
        const int j = (i + n / 2) % n;
        const float *t = ml.train.targets + (size_t)i * CB_CIFAR_CLASSES;
        for (int c = 0; c < CB_CIFAR_CLASSES; c++)
            assert_true(t[c] == (float)(c == full.train.labels[i] || c == full.train.labels[j]));
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++) {
                const uint8_t *src = full.train.pixels + (size_t)(x < 16 ? i : j) * CB_CIFAR_PIXELS;
                const uint8_t *got = ml.train.pixels + (size_t)i * CB_CIFAR_PIXELS;
                assert_memory_equal(got + (y * 32 + x) * 3, src + (y * 32 + 2 * (x % 16)) * 3, 3);
            }
    }
    cb_cifar10_free(&full);
    cb_cifar10_free(&ml);
}

static cb_epoch_stats train_head(cb_cifar10 *d, cb_task t, cb_head head, int epochs)
{
    cb_train_config cfg = {.epochs = epochs, .batch = 32, .seed = 3,
                           .kernels = cb_kernel_table_for(cb_isa_best()),
                           .progress = CB_PROGRESS_NONE};
    cb_model_config mc = cb_task_model(t);
    mc.head = head;
    cb_model m;
    cb_epoch_stats *st = calloc((size_t)epochs, sizeof *st);
    assert_non_null(st);
    assert_int_equal(cb_model_init(&m, &mc, cb_train_max_batch(&cfg), cfg.seed), 0);
    assert_int_equal(cb_train(&cfg, d, &m, st), 0);
    for (int e = 0; e < epochs; e++)
        assert_true(isfinite(st[e].train_loss) && isfinite(st[e].test_loss));
    const cb_epoch_stats last = st[epochs - 1];
    cb_model_free(&m);
    free(st);
    return last;
}

static cb_epoch_stats train(cb_cifar10 *d, cb_task t, int epochs)
{
    return train_head(d, t, cb_task_model(t).head, epochs);
}

static void test_binary_learns(void **state)
{
    (void)state;
    cb_cifar10 full, bin;
    load(&full, &bin, CB_TASK_BINARY, 5000, 1000);
    const cb_epoch_stats st = train(&bin, CB_TASK_BINARY, 4);
    print_message("binary: %d training images, test accuracy %.3f (chance 0.5)\n", bin.train.count,
                  st.test_accuracy);
    assert_true(st.test_accuracy > 0.7);
    cb_cifar10_free(&full);
    cb_cifar10_free(&bin);
}

static void test_multilabel_learns(void **state)
{
    (void)state;
    cb_cifar10 full, ml;
    load(&full, &ml, CB_TASK_MULTILABEL, 4096, 512);
    double constant = 0.0; /* best constant predictor's mean per-label accuracy */
    for (int c = 0; c < CB_CIFAR_CLASSES; c++) {
        int pos = 0;
        for (int i = 0; i < ml.test.count; i++)
            pos += ml.test.targets[(size_t)i * CB_CIFAR_CLASSES + c] > 0.5f;
        constant += fmax(pos, ml.test.count - pos) / ml.test.count / CB_CIFAR_CLASSES;
    }
    const cb_epoch_stats st = train(&ml, CB_TASK_MULTILABEL, 4);
    print_message("multilabel: mean per-label accuracy %.3f (constant predictor %.3f), exact "
                  "match %.3f\n", st.test_mean_label_accuracy, constant, st.test_accuracy);
    assert_int_equal(st.labels, CB_CIFAR_CLASSES);
    assert_true(st.test_mean_label_accuracy > constant + 0.03);
    assert_true(st.test_accuracy > 0.05);
    cb_cifar10_free(&full);
    cb_cifar10_free(&ml);
}

/* The mismatched pairs (for teaching) still learn: worse gradients, not none. */
static void test_mismatched_learn(void **state)
{
    (void)state;
    cb_cifar10 full, bin, cls;
    load(&full, &bin, CB_TASK_BINARY, 5000, 1000);
    cb_cifar10_free(&full);
    load(&full, &cls, CB_TASK_CLASSIFY, 2048, 512);
    const cb_epoch_stats b = train_head(&bin, CB_TASK_BINARY, CB_HEAD_SIGMOID_MSE, 4);
    const cb_epoch_stats c = train_head(&cls, CB_TASK_CLASSIFY, CB_HEAD_SOFTMAX_MSE, 4);
    print_message("sigmoid+MSE binary test accuracy %.3f (chance 0.5); softmax+MSE 10-class %.3f "
                  "(chance 0.1)\n", b.test_accuracy, c.test_accuracy);
    assert_true(b.test_accuracy > 0.7);
    assert_true(c.test_accuracy > 0.3);
    cb_cifar10_free(&full);
    cb_cifar10_free(&bin);
    cb_cifar10_free(&cls);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_binary_set),
        cmocka_unit_test(test_multilabel_set),
        cmocka_unit_test(test_binary_learns),
        cmocka_unit_test(test_multilabel_learns),
        cmocka_unit_test(test_mismatched_learn),
    };
    return cmocka_run_group_tests_name("tasks", tests, NULL, NULL);
}
