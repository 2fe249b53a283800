/*
 * test_tasks.c - the binary and multi-label tasks (tasks.h): how their data sets are built, and
 * that short trainings on a learnable synthetic set are finite and clearly better than chance.
 *
 * - binary_set: only classes 2 (target 1) and 0 (target 0) remain, in order, pixels untouched.
 * - multilabel_set: image i is [every second column of image i | of image partner[i]] and its
 *   targets are exactly the two images' classes; partner[i] is never i.
 * - multilabel_pairs_ignore_order: on class-ordered sets (image j of class j mod 10, as the
 *   official test batch) about 1/10 of the pairs are one class twice, not all of them; the
 *   partners form one cycle through all images.
 * - iris_long_lines (the regression task's CSV): a row padded past 256 bytes is one row; an error
 *   past byte 256 of a line, or in a 100,000-byte line, is reported with that line's number.
 * - iris_special_files: a FIFO (without blocking), /dev/zero and a directory are refused.
 * - binary_learns: 4 epochs of ~1000 images; test accuracy > 0.7 (chance 0.5), losses finite.
 * - mismatched_learn: sigmoid+MSE (binary) > 0.7 and softmax+MSE (10 classes) > 0.3 test accuracy
 *   after 4 epochs, losses finite: the mismatched pairs learn, only with smaller gradients.
 * - multilabel_learns: 4 epochs; the mean per-label accuracy beats the best constant predictor
 *   (each label's majority value on the test set) by 3 points, and exact match beats 0.05
 *   (a constant predictor gets 0: every image has at least one positive label).
 */
#define _DEFAULT_SOURCE /* mkstemp, mkdtemp, mkfifo, fdopen */
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "regression.h"
#include "tasks.h"
#include "train.h"
#include "test_alarm.h"

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
    int32_t *order = malloc(sizeof(int32_t) * (size_t)n), *partner = malloc(sizeof(int32_t) * (size_t)n);
    assert_non_null(order);
    assert_non_null(partner);
    cb_task_multilabel_partners(n, CB_MULTILABEL_SEED, order, partner);
    for (int i = 0; i < n; i++) {
        const int j = partner[i];
        assert_true(j >= 0 && j < n && j != i);
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
    free(order);
    free(partner);
    cb_cifar10_free(&full);
    cb_cifar10_free(&ml);
}

/* A set of n images whose image j has class j mod 10, as in the official test batch. */
static void class_ordered(cb_dataset *s, int n)
{
    s->count = n;
    s->pixels = calloc((size_t)n, CB_CIFAR_PIXELS);
    s->labels = malloc(sizeof(int32_t) * (size_t)n);
    assert_non_null(s->pixels);
    assert_non_null(s->labels);
    for (int j = 0; j < n; j++) {
        s->labels[j] = j % CB_CIFAR_CLASSES;
        s->pixels[(size_t)j * CB_CIFAR_PIXELS] = (uint8_t)j;
    }
}

/* The pairs do not follow the data's order: on class-ordered data (image j of class j mod 10)
 * about 1/10 of the pairs are one class twice, as for independent classes. Pairing image i with
 * image (i + n/2) mod n made all of them one class twice (n/2 a multiple of 10), and the test
 * score was inflated. Every image is a left half once and a right half once. */
static void test_multilabel_pairs_ignore_order(void **state)
{
    (void)state;
    enum { N = 1000 };
    cb_cifar10 d;
    memset(&d, 0, sizeof d);
    class_ordered(&d.train, N);
    class_ordered(&d.test, N);
    char err[256];
    assert_int_equal(cb_task_apply(CB_TASK_MULTILABEL, &d, err, sizeof err), 0);
    const cb_dataset *sets[2] = {&d.train, &d.test};
    for (int k = 0; k < 2; k++) {
        int same = 0;
        for (int i = 0; i < N; i++) {
            int positives = 0;
            for (int c = 0; c < CB_CIFAR_CLASSES; c++)
                positives += sets[k]->targets[(size_t)i * CB_CIFAR_CLASSES + c] > 0.5f;
            assert_true(positives == 1 || positives == 2);
            assert_true(sets[k]->targets[(size_t)i * CB_CIFAR_CLASSES + i % 10] > 0.5f);
            same += positives == 1;
        }
        const double fraction = (double)same / N;
        print_message("%s set ordered by class: %.3f of the pairs are one class twice (1/10 "
                      "expected)\n", k ? "test" : "training", fraction);
        assert_true(fraction > 0.05 && fraction < 0.15);
    }
    /* The partners: one cycle, no image with itself, each image once on each side. */
    static int32_t order[N], partner[N], seen[N];
    cb_task_multilabel_partners(N, CB_MULTILABEL_SEED, order, partner);
    for (int i = 0; i < N; i++) {
        assert_true(partner[i] != i);
        seen[partner[i]]++;
    }
    for (int i = 0; i < N; i++)
        assert_int_equal(seen[i], 1);
    int len = 1;
    for (int i = partner[0]; i != 0; i = partner[i])
        len++;
    assert_int_equal(len, N);
    cb_cifar10_free(&d);
}

/* ---- the regression task's iris CSV ---------------------------------------------------------- */

/* Writes an iris CSV (the header, then 150 rows) whose row `long_row` (1-based file line
 * long_row + 1) is followed by `pad` spaces and then `tail` before its newline. Returns the path. */
static const char *write_csv(int long_row, int pad, const char *tail)
{
    static char path[64];
    strcpy(path, "/tmp/test_tasks_iris_XXXXXX");
    const int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fprintf(f, "species,sepal_length,sepal_width,petal_length,petal_width\n");
    for (int r = 1; r <= CB_IRIS_ROWS; r++) {
        fprintf(f, "setosa,%.1f,%.1f,1.4,0.2", 4.3 + 0.02 * r, 2.5 + 0.01 * r);
        if (r == long_row)
            fprintf(f, "%*s%s", pad, "", tail);
        fputc('\n', f);
    }
    assert_int_equal(fclose(f), 0);
    return path;
}

/* Lines of any length are read whole: a long row is one row (it used to be cut at 255 bytes, its
 * tail taken as the next line: "line 7: expected ..."), and an error past byte 256 of a line is
 * reported on that line, not the next. */
static void test_iris_long_lines(void **state)
{
    (void)state;
    cb_iris d;
    char err[4400] = "";
    const char *path = write_csv(5, 300, "");
    const int rc = cb_iris_load(path, &d, err, sizeof err);
    unlink(path);
    if (rc != 0)
        fail_msg("a row with 300 trailing spaces was refused: %s", err);
    assert_true(fabsf(d.length[4] - 4.4f) < 1e-6f);

    path = write_csv(6, 300, "x");
    char want[128];
    snprintf(want, sizeof want, "%s:7: expected", path); /* the header is line 1, row 6 line 7 */
    assert_int_equal(cb_iris_load(path, &d, err, sizeof err), -1);
    unlink(path);
    print_message("    refused: %s\n", err);
    assert_non_null(strstr(err, want));

    /* A line of 100,000 bytes, the rest fine: refused on its line, nothing split. */
    char *huge = malloc(100001);
    assert_non_null(huge);
    memset(huge, 'x', 100000);
    huge[100000] = '\0';
    path = write_csv(150, 0, huge);
    free(huge);
    snprintf(want, sizeof want, "%s:151: expected", path);
    assert_int_equal(cb_iris_load(path, &d, err, sizeof err), -1);
    unlink(path);
    assert_non_null(strstr(err, want));
}

/* Not regular files: a FIFO (without blocking), /dev/zero, a directory. */
static void test_iris_special_files(void **state)
{
    (void)state;
    cb_iris d;
    char err[4400] = "", dir[64] = "/tmp/test_tasks_dir_XXXXXX", fifo[128];
    assert_non_null(mkdtemp(dir));
    snprintf(fifo, sizeof fifo, "%s/iris.csv", dir);
    assert_int_equal(mkfifo(fifo, 0644), 0);
    cbt_arm_alarm(10);
    assert_int_equal(cb_iris_load(fifo, &d, err, sizeof err), -1);
    cbt_arm_alarm(0);
    assert_non_null(strstr(err, "FIFO"));
    assert_int_equal(cb_iris_load("/dev/zero", &d, err, sizeof err), -1);
    assert_non_null(strstr(err, "character device"));
    assert_int_equal(cb_iris_load(dir, &d, err, sizeof err), -1);
    assert_non_null(strstr(err, "directory"));
    assert_int_equal(unlink(fifo), 0);
    assert_int_equal(rmdir(dir), 0);
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
        cmocka_unit_test(test_multilabel_pairs_ignore_order),
        cmocka_unit_test(test_iris_long_lines),
        cmocka_unit_test(test_iris_special_files),
        cmocka_unit_test(test_binary_learns),
        cmocka_unit_test(test_multilabel_learns),
        cmocka_unit_test(test_mismatched_learn),
    };
    return cmocka_run_group_tests_name("tasks", tests, NULL, NULL);
}
