/*
 * test_regression.c - the iris regression task (regression.h): MSE fits each length bin's mean,
 * MAE its median, with every ISA's kernels; and the CSV reader refuses bad files.
 *
 * - mse_fits_mean/<isa>: every bin's fit within 0.005 cm of the bin's mean width;
 * - mae_fits_median/<isa>: every bin's fit inside [lower middle, upper middle] of the bin's sorted
 *   widths (the set of medians) widened by 0.005 cm; and the two fits differ by more than 0.05 cm
 *   somewhere (otherwise the test could not tell a mean from a median);
 * - iris_load_errors: a missing file, a bad header, a malformed row and a short file each fail
 *   with the file named.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel_test.h"
#include "regression.h"

static cb_iris iris;

static int load(void **state)
{
    (void)state;
    char err[512];
    if (cb_iris_load(CB_SOURCE_DIR "/data/iris.csv", &iris, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    return 0;
}

static int cmp(const void *a, const void *b)
{
    const float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* The bin's widths, sorted; returns how many. */
static int bin_widths(int b, float *w)
{
    int k = 0;
    for (int i = 0; i < CB_IRIS_ROWS; i++)
        if (cb_iris_bin(iris.length[i]) == b)
            w[k++] = iris.width[i];
    qsort(w, (size_t)k, sizeof *w, cmp);
    return k;
}

static void test_mse_fits_mean(void **state)
{
    const cb_kernel_table *kt = cbt_table(state);
    float fit[CB_IRIS_BINS], loss;
    assert_int_equal(cb_regression_fit(&iris, CB_REG_MSE, kt, 1, fit, &loss), 0);
    assert_true(isfinite(loss));
    for (int b = 0; b < CB_IRIS_BINS; b++) {
        float w[CB_IRIS_ROWS];
        const int k = bin_widths(b, w);
        double mean = 0.0;
        for (int i = 0; i < k; i++)
            mean += w[i] / k;
        if (k && !(fabs(fit[b] - mean) <= 0.005))
            fail_msg("bin %d: MSE fit %.4f, mean %.4f", b, fit[b], mean);
    }
}

static void test_mae_fits_median(void **state)
{
    const cb_kernel_table *kt = cbt_table(state);
    float fit[CB_IRIS_BINS], mse[CB_IRIS_BINS], loss;
    assert_int_equal(cb_regression_fit(&iris, CB_REG_MAE, kt, 1, fit, &loss), 0);
    assert_int_equal(cb_regression_fit(&iris, CB_REG_MSE, kt, 1, mse, &loss), 0);
    double apart = 0.0;
    for (int b = 0; b < CB_IRIS_BINS; b++) {
        float w[CB_IRIS_ROWS];
        const int k = bin_widths(b, w);
        if (!k)
            continue;
        const float lo = w[(k - 1) / 2], hi = w[k / 2];
        if (!(fit[b] >= lo - 0.005 && fit[b] <= hi + 0.005))
            fail_msg("bin %d: MAE fit %.4f, medians [%.2f, %.2f]", b, fit[b], lo, hi);
        apart = fmax(apart, fabs(fit[b] - mse[b]));
    }
    assert_true(apart > 0.05);
}

static void expect_load_error(const char *text, const char *words)
{
    char path[] = "/tmp/cifarbench-iris-XXXXXX", err[512] = "";
    const int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    cb_iris d;
    const int rc = cb_iris_load(path, &d, err, sizeof err);
    unlink(path);
    assert_int_equal(rc, -1);
    if (!strstr(err, words) || !strstr(err, path))
        fail_msg("error '%s' lacks '%s' or the path", err, words);
}

static void test_iris_load_errors(void **state)
{
    (void)state;
    char err[512];
    cb_iris d;
    assert_int_equal(cb_iris_load("/nonexistent/iris.csv", &d, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/iris.csv"));
    expect_load_error("a,b,c\n", "header");
    expect_load_error("species,sepal_length,sepal_width,petal_length,petal_width\nx,5.1,oops,1,1\n",
                      ":2:");
    expect_load_error("species,sepal_length,sepal_width,petal_length,petal_width\nx,5.1,3.5,1.4,0.2\n",
                      "1 rows, expected 150");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CBT_PER_ISA(test_mse_fits_mean),
        CBT_PER_ISA(test_mae_fits_median),
        cmocka_unit_test(test_iris_load_errors),
    };
    return cmocka_run_group_tests_name("regression", tests, load, NULL);
}
