/* cmd_regression.c - `cifarbench train --task regression`: MSE fits the conditional mean, MAE the
 * conditional median (regression.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "regression.h"
#include "run.h"

#ifndef CB_IRIS_CSV
#define CB_IRIS_CSV "data/iris.csv"
#endif

static int compare_floats(const void *a, const void *b)
{
    const float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* Rows, mean and median (the middle two averaged for an even count) of each bin's widths. */
static void bin_stats(const cb_iris *d, int rows[], double mean[], double median[])
{
    for (int b = 0; b < CB_IRIS_BINS; b++) {
        float w[CB_IRIS_ROWS];
        int k = 0;
        double sum = 0.0;
        for (int i = 0; i < CB_IRIS_ROWS; i++)
            if (cb_iris_bin(d->length[i]) == b)
                sum += w[k++] = d->width[i];
        qsort(w, (size_t)k, sizeof w[0], compare_floats);
        rows[b] = k;
        mean[b] = k ? sum / k : NAN;
        median[b] = k ? (k % 2 ? w[k / 2] : 0.5 * ((double)w[k / 2 - 1] + w[k / 2])) : NAN;
    }
}

static int write_json(const char *path, const cb_run_context *c, const char *csv, const int rows[],
                      const double mean[], const double median[], float fit[2][CB_IRIS_BINS],
                      const float loss[2], const bool run[2])
{
    static const char *const names[2] = {"mse", "mae"};
    cb_json j;
    cb_json_init(&j);
    cb_json_object_begin(&j, NULL);
    cb_results_header(&j, "train", c);
    cb_json_object_begin(&j, "config");
    cb_json_string(&j, "network", "onehot8(length bin),dense8-16,relu,dense16-1,linear");
    cb_json_string(&j, "data", csv);
    cb_json_object_end(&j);
    cb_json_array_begin(&j, "bins");
    for (int b = 0; b < CB_IRIS_BINS; b++) {
        cb_json_object_begin(&j, NULL);
        cb_json_number(&j, "length_from", 4.0 + 0.5 * b);
        cb_json_number(&j, "length_to", 4.5 + 0.5 * b);
        cb_json_int(&j, "rows", rows[b]);
        cb_json_number(&j, "mean", mean[b]);
        cb_json_number(&j, "median", median[b]);
        for (int l = 0; l < 2; l++)
            if (run[l])
                cb_json_number(&j, l ? "mae_fit" : "mse_fit", fit[l][b]);
        cb_json_object_end(&j);
    }
    cb_json_array_end(&j);
    cb_json_object_begin(&j, "final_loss");
    for (int l = 0; l < 2; l++)
        if (run[l])
            cb_json_number(&j, names[l], loss[l]);
    cb_json_object_end(&j);
    cb_json_object_end(&j);
    char err[4400];
    int rc = 0;
    if (j.failed || cb_write_file_atomic(path, j.buf, j.len, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench train: %s\n", j.failed ? "out of memory" : err);
        rc = -1;
    }
    cb_json_free(&j);
    return rc;
}

int cb_cmd_regression(cb_run_options *o, const char *loss_name)
{
    bool run[2] = {true, true}; /* mse, mae */
    if (loss_name && strcmp(loss_name, "mse") == 0)
        run[1] = false;
    else if (loss_name && strcmp(loss_name, "mae") == 0)
        run[0] = false;
    else if (loss_name && strcmp(loss_name, "both") != 0) {
        fprintf(stderr, "cifarbench train: --loss '%s' with --task regression: use mse, mae or "
                        "both\n", loss_name);
        return CB_EXIT_USAGE;
    }
    cb_run_context c = {.task = CB_TASK_REGRESSION, .threads = 1, .bind = CB_BIND_NONE};
    if (!cb_cli_select_isa(o->isa, &c.isa, &c.isa_auto))
        return CB_EXIT_USAGE;
    cb_machine machine;
    cb_machine_describe(&machine);
    c.machine = &machine;
    snprintf(c.bindings[0], sizeof c.bindings[0], "any");
    char err[4400];
    if (o->json_path && cb_check_file_writable(o->json_path, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench train: %s\n", err);
        return CB_EXIT_FAILURE;
    }
    const char *csv = o->data_dir ? o->data_dir : CB_IRIS_CSV;
    static cb_iris d;
    if (cb_iris_load(csv, &d, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench train: %s\n", err);
        return CB_EXIT_FAILURE;
    }
    int rows[CB_IRIS_BINS];
    double mean[CB_IRIS_BINS], median[CB_IRIS_BINS];
    bin_stats(&d, rows, mean, median);
    float fit[2][CB_IRIS_BINS], loss[2] = {NAN, NAN};
    for (int l = 0; l < 2; l++)
        if (run[l] && cb_regression_fit(&d, (cb_regression_loss)l, cb_kernel_table_for(c.isa),
                                        o->cfg.seed, fit[l], &loss[l]) != 0) {
            fprintf(stderr, "cifarbench train: out of memory\n");
            return CB_EXIT_FAILURE;
        }

    printf("cifarbench train: task regression, iris sepal width from sepal length (%s, %d rows)\n",
           csv, CB_IRIS_ROWS);
    printf("  kernels  %s%s, seed %llu\n", cb_isa_name(c.isa), c.isa_auto ? " (auto)" : " (forced)",
           (unsigned long long)o->cfg.seed);
    printf("  network  one-hot 0.5-cm length bin (8) -> dense 16 + ReLU -> dense 1, linear; "
           "full-batch Adam, 5000 steps\n\n");
    printf("  length (cm)  rows  data mean  data median   MSE fit   MAE fit\n");
    double worst[2][2] = {{0}}; /* [loss][against mean, median] */
    for (int b = 0; b < CB_IRIS_BINS; b++) {
        printf("  [%.1f,%.1f)   %4d   %8.3f   %10.3f", 4.0 + 0.5 * b, 4.5 + 0.5 * b, rows[b],
               mean[b], median[b]);
        for (int l = 0; l < 2; l++) {
            if (!run[l]) {
                printf("   %7s", "-");
                continue;
            }
            printf("   %7.3f", fit[l][b]);
            if (rows[b] > 0) {
                worst[l][0] = fmax(worst[l][0], fabs(fit[l][b] - mean[b]));
                worst[l][1] = fmax(worst[l][1], fabs(fit[l][b] - median[b]));
            }
        }
        printf("\n");
    }
    printf("\n");
    for (int l = 0; l < 2; l++)
        if (run[l])
            printf("  %s fit: final loss %.4f; largest distance to the bin means %.3f, to the "
                   "medians %.3f\n", l ? "MAE" : "MSE", loss[l], worst[l][0], worst[l][1]);
    printf("  (mean squared error is minimised by the mean, mean absolute error by the median; in a\n"
           "   bin with an even count any value between the middle two is a median, the table\n"
           "   shows their average)\n");
    if (o->json_path) {
        if (write_json(o->json_path, &c, csv, rows, mean, median, fit, loss, run) != 0)
            return CB_EXIT_FAILURE;
        printf("  results  %s\n", o->json_path);
    }
    return CB_EXIT_OK;
}
