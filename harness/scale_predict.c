/* scale_predict.c - the scaling model's curves, their check, the table and the JSON
 * (scale_predict.h). */
#include "scale_predict.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_result.h"

bool cb_predict_parse(const char *list, int limit, int *counts, int *n, char *err, size_t errlen)
{
    *n = 0;
    for (const char *s = list;;) {
        char *end;
        const long v = strtol(s, &end, 10);
        if (end == s || v < 1 || v > limit || (*end && *end != ',')) {
            snprintf(err, errlen, "--predict '%s': a comma-separated list of thread counts from 1 to %d",
                     list, limit);
            return false;
        }
        if (*n == CB_PREDICT_MAX - 8) {
            snprintf(err, errlen, "--predict '%s': at most %d thread counts", list, CB_PREDICT_MAX - 8);
            return false;
        }
        counts[(*n)++] = (int)v;
        if (!*end)
            return true;
        s = end + 1;
    }
}

static int by_value(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

void cb_scale_predict(cb_scale_prediction *p, int measured, const int *requested, int n_requested)
{
    int all[CB_PREDICT_MAX], n = 0; /* 1, 2 and the largest team measured: the points checked */
    all[n++] = 1;
    if (measured >= 2)
        all[n++] = 2;
    all[n++] = measured;
    for (int i = 0; i < n_requested; i++)
        all[n++] = requested[i];
    qsort(all, (size_t)n, sizeof *all, by_value);
    p->n = 0;
    for (int i = 0; i < n && p->n < CB_PREDICT_MAX; i++)
        if (p->n == 0 || all[i] != p->threads[p->n - 1])
            p->threads[p->n++] = all[i];
    for (int i = 0; i < p->n; i++) {
        p->strong[i] = cb_scaling_predict(&p->in, CB_SCALING_STRONG, p->threads[i]);
        p->weak[i] = cb_scaling_predict(&p->in, CB_SCALING_WEAK, p->threads[i]);
    }
}

static const cb_scaling_point *curve(const cb_scale_prediction *p, cb_scaling_mode mode)
{
    return mode == CB_SCALING_WEAK ? p->weak : p->strong;
}

void cb_scale_predict_validate(cb_scale_prediction *p, cb_scaling_mode mode, int threads,
                               double measured_images_per_s, int runs)
{
    for (int i = 0; i < p->n; i++)
        if (p->threads[i] == threads) {
            p->validation_threads = threads;
            p->validation_runs = runs;
            p->validation_predicted = curve(p, mode)[i].images_per_s;
            p->validation_measured = measured_images_per_s;
            p->validation_error = p->validation_predicted / measured_images_per_s - 1.0;
        }
}

static void print_curve(const cb_scale_prediction *p, cb_scaling_mode mode)
{
    const cb_scaling_point *c = curve(p, mode);
    printf("\n  predicted, %s scaling (%s)\n", cb_scaling_mode_name(mode),
           mode == CB_SCALING_WEAK ? "batch per thread fixed" : "global batch fixed");
    printf("  threads   batch    images/s  speed-up  efficiency   phase 1   phase 2      sync"
           "    serial  busy in phase 1\n");
    for (int i = 0; i < p->n; i++)
        printf("  %7d  %6d  %10.1f  %8.2f  %9.1f%%  %6.1f us %6.1f us %6.1f us %6.1f us  %d of %d\n",
               c[i].threads, c[i].batch, c[i].images_per_s, c[i].speedup, 100.0 * c[i].efficiency,
               1e6 * c[i].images_seconds, 1e6 * c[i].blocks_seconds, 1e6 * c[i].sync_seconds,
               1e6 * c[i].serial_seconds, c[i].busy_threads, c[i].threads);
}

void cb_scale_predict_print(const cb_scale_prediction *p, cb_scaling_mode mode)
{
    const cb_scaling_inputs *in = &p->in;
    printf("\n  model    inputs measured here (1 thread, batch %d): image %.1f us, %d parameter "
           "blocks of %.2f us + %.3f us per image,\n"
           "           serial %.1f us per step, sync %.1f us (1 thread) and %.1f us (2 threads; "
           "x log2 T beyond), read bandwidth %.1f GB/s per core\n",
           in->batch, 1e6 * in->image_seconds, in->blocks, 1e6 * in->block_seconds,
           1e6 * in->block_image_seconds, 1e6 * in->serial_step_seconds, 1e6 * in->sync1_seconds,
           1e6 * in->sync2_seconds, 1e-9 * in->bandwidth_per_core);
    printf("           modelled, not measured: leaves out shared L3 and DRAM bandwidth, SMT, the "
           "frequency drop of many busy cores, NUMA\n");
    print_curve(p, mode);
    print_curve(p, mode == CB_SCALING_WEAK ? CB_SCALING_STRONG : CB_SCALING_WEAK);
    if (p->validation_threads)
        printf("\n  check    %d threads, %s: predicted %.1f images/s from the 1-thread inputs, "
               "measured %.1f (median of %d): %+.1f%%, %s the %d%% the model is held to\n",
               p->validation_threads, cb_scaling_mode_name(mode), p->validation_predicted,
               p->validation_measured, p->validation_runs, 100.0 * p->validation_error,
               fabs(100.0 * p->validation_error) <= CB_PREDICT_TOLERANCE_PCT ? "within" : "OUTSIDE",
               CB_PREDICT_TOLERANCE_PCT);
    else
        printf("\n  check    none: this run measured no team of 2 or more threads\n");
}

static void curve_to_json(json_t *doc, const cb_scale_prediction *p, cb_scaling_mode mode)
{
    const cb_scaling_point *c = curve(p, mode);
    for (int i = 0; i < p->n; i++) {
        json_t *x = mode == CB_SCALING_WEAK ? cbr_add_scale_predicted_weak(doc)
                                            : cbr_add_scale_predicted_strong(doc);
        cbr_set_predicted_point_threads(x, c[i].threads);
        cbr_set_predicted_point_batch(x, c[i].batch);
        cbr_set_predicted_point_images_per_s(x, c[i].images_per_s);
        cbr_set_predicted_point_speedup(x, c[i].speedup);
        cbr_set_predicted_point_efficiency(x, c[i].efficiency);
        cbr_set_predicted_point_step_seconds(x, c[i].step_seconds);
        cbr_set_predicted_point_images_seconds(x, c[i].images_seconds);
        cbr_set_predicted_point_blocks_seconds(x, c[i].blocks_seconds);
        cbr_set_predicted_point_sync_seconds(x, c[i].sync_seconds);
        cbr_set_predicted_point_serial_seconds(x, c[i].serial_seconds);
        cbr_set_predicted_point_busy_threads(x, c[i].busy_threads);
    }
}

void cb_scale_predict_to_json(json_t *doc, const cb_scale_prediction *p)
{
    const cb_scaling_inputs *in = &p->in;
    json_t *m = cbr_new_scale_model(doc);
    cbr_set_scale_model_image_seconds(m, in->image_seconds);
    cbr_set_scale_model_block_seconds(m, in->block_seconds);
    cbr_set_scale_model_block_image_seconds(m, in->block_image_seconds);
    cbr_set_scale_model_blocks(m, in->blocks);
    cbr_set_scale_model_serial_step_seconds(m, in->serial_step_seconds);
    cbr_set_scale_model_barrier_seconds(m, in->sync2_seconds);
    cbr_set_scale_model_bandwidth_per_core(m, in->bandwidth_per_core);
    cbr_set_scale_model_block_bytes_per_image(m, in->block_bytes_per_image);
    if (p->validation_threads) {
        cbr_set_scale_model_validation_threads(m, p->validation_threads);
        cbr_set_scale_model_validation_predicted(m, p->validation_predicted);
        cbr_set_scale_model_validation_measured(m, p->validation_measured);
        cbr_set_scale_model_validation_error(m, p->validation_error);
    }
    curve_to_json(doc, p, CB_SCALING_STRONG);
    curve_to_json(doc, p, CB_SCALING_WEAK);
}
