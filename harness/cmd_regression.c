/* cmd_regression.c - `cifarbench train --task regression`: MSE fits the conditional mean, MAE the
 * conditional median (regression.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cb_atomic_file.h"
#include "cb_paths.h"
#include "cb_stats.h"
#include "commands.h"
#include "regression.h"
#include "run.h"

/* Rows, mean and median (the middle two averaged for an even count) of each bin's widths. */
static void bin_stats(const cb_iris *d, int rows[], double mean[], double median[])
{
    for (int b = 0; b < CB_IRIS_BINS; b++) {
        double w[CB_IRIS_ROWS];
        int k = 0;
        double sum = 0.0;
        for (int i = 0; i < CB_IRIS_ROWS; i++)
            if (cb_iris_bin(d->length[i]) == b)
                sum += w[k++] = d->width[i];
        rows[b] = k;
        mean[b] = k ? sum / k : NAN;
        median[b] = cb_median(w, (size_t)k);
    }
}

static int write_json(const char *path, const cb_run_context *c, const char *csv, const int rows[],
                      const double mean[], const double median[], float fit[2][CB_IRIS_BINS],
                      const float loss[2], const bool run[2])
{
    json_t *doc = cb_results_new("train", c); /* task "regression": the regression kind */
    json_t *cfg = cbr_new_regression_config(doc);
    cbr_set_regression_config_network(cfg, "onehot8(length bin),dense8-16,relu,dense16-1,linear");
    cbr_set_regression_config_data(cfg, csv);
    for (int b = 0; b < CB_IRIS_BINS; b++) {
        json_t *x = cbr_add_regression_bins(doc);
        cbr_set_regression_bin_length_from(x, 4.0 + 0.5 * b);
        cbr_set_regression_bin_length_to(x, 4.5 + 0.5 * b);
        cbr_set_regression_bin_rows(x, rows[b]);
        cbr_set_regression_bin_mean(x, mean[b]);
        cbr_set_regression_bin_median(x, median[b]);
        if (run[0])
            cbr_set_regression_bin_mse_fit(x, fit[0][b]);
        if (run[1])
            cbr_set_regression_bin_mae_fit(x, fit[1][b]);
    }
    json_t *l = cbr_new_regression_final_loss(doc);
    if (run[0])
        cbr_set_regression_loss_mse(l, loss[0]);
    if (run[1])
        cbr_set_regression_loss_mae(l, loss[1]);
    char err[4400];
    const int rc = cb_result_write(path, doc, err, sizeof err);
    json_decref(doc);
    if (rc != 0)
        fprintf(stderr, "cifarbench train: %s\n", err);
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
    char shipped[4096];
    const char *csv = o->data_dir;
    if (!csv && cb_data_path("iris.csv", shipped, sizeof shipped) != 0) {
        fprintf(stderr, "cifarbench train: cannot locate iris.csv beside the executable; give "
                        "--data FILE\n");
        return CB_EXIT_FAILURE;
    }
    if (!csv)
        csv = shipped;
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
