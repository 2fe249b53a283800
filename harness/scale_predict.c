/* scale_predict.c - the scaling model's curves, their check, the table and the JSON
 * (scale_predict.h). */
#include "scale_predict.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_result.h"
#include "model.h" /* CB_BAND_WAITS */

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

bool cb_network_parse(const char *s, cb_network *net, char *err, size_t errlen)
{
    char *end;
    const double us = strtod(s, &end);
    bool ok = end != s && *end == ':';
    const char *g = end + 1;
    const double gbits = ok ? strtod(g, &end) : NAN;
    ok = ok && end != g && !*end && us >= 0 && us < 1e6 && gbits > 0 && gbits < 1e5;
    if (!ok) {
        snprintf(err, errlen, "--network '%s': LATENCY_US:GBIT_PER_S, e.g. 1.5:100", s);
        return false;
    }
    *net = (cb_network){"given (--network)", us * 1e-6, gbits * 1e9 / 8};
    return true;
}

/* The networks every prediction shows: assumptions, not measurements (README). */
static const cb_network standard_networks[] = {
    {"25 Gb/s Ethernet (TCP, 15 us)", 15e-6, 25e9 / 8},
    {"100 Gb/s InfiniBand (RDMA, 2 us)", 2e-6, 100e9 / 8},
};

static const int node_counts[CB_PREDICT_NODE_COUNTS] = {1, 2, 4, 8, 16, 32, 64};

static int by_value(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

void cb_scale_predict(cb_scale_prediction *p, int measured, const int *requested, int n_requested,
                      const cb_network *extra)
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
    p->node_threads = measured;
    p->n_networks = 0;
    for (size_t k = 0; k < sizeof standard_networks / sizeof standard_networks[0]; k++)
        p->networks[p->n_networks++] = standard_networks[k];
    if (extra)
        p->networks[p->n_networks++] = *extra;
    for (int x = 0; x < 2; x++)
        for (int k = 0; k < p->n_networks; k++)
            for (int i = 0; i < CB_PREDICT_NODE_COUNTS; i++) {
                p->nodes_strong[x][k][i] = cb_scaling_predict_nodes(
                    &p->in, CB_SCALING_STRONG, (cb_exchange)x, node_counts[i], measured, &p->networks[k]);
                p->nodes_weak[x][k][i] = cb_scaling_predict_nodes(
                    &p->in, CB_SCALING_WEAK, (cb_exchange)x, node_counts[i], measured, &p->networks[k]);
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

/* Efficiency over 1 .. 64 nodes, strong and weak, one column pair per network, per exchange. */
static void print_nodes(const cb_scale_prediction *p)
{
    printf("\n  predicted over nodes of %d thread(s) each (data-parallel over MPI, dist.h), "
           "efficiency strong / weak, on:\n", p->node_threads);
    for (int k = 0; k < p->n_networks; k++)
        printf("    %c  %s: latency %.1f us, %.1f Gb/s\n", 'a' + k, p->networks[k].name,
               1e6 * p->networks[k].latency_seconds, 8e-9 * p->networks[k].bytes_per_s);
    static const char *const what[2] = {
        "--exchange gather (bit-identical for every rank count: %.1f KB per image, phase 2 on "
        "every node)",
        "--exchange allreduce (the %.0f KB gradient summed by MPI; bits depend on the rank count)"};
    for (int x = 0; x < 2; x++) {
        printf("  ");
        printf(what[x], x == 0 ? p->in.exchange_bytes_per_image / 1e3 : p->in.gradient_bytes / 1e3);
        printf("\n  nodes");
        for (int k = 0; k < p->n_networks; k++)
            printf("   %c: strong    weak", 'a' + k);
        printf("\n");
        for (int i = 0; i < CB_PREDICT_NODE_COUNTS; i++) {
            printf("  %5d", node_counts[i]);
            for (int k = 0; k < p->n_networks; k++)
                printf("     %6.1f%%  %6.1f%%", 100.0 * p->nodes_strong[x][k][i].efficiency,
                       100.0 * p->nodes_weak[x][k][i].efficiency);
            printf("\n");
        }
    }
}

void cb_scale_predict_print(const cb_scale_prediction *p, cb_scaling_mode mode)
{
    const cb_scaling_inputs *in = &p->in;
    printf("\n  model    inputs measured here (1 thread, batch %d): image %.1f us, %d parameter "
           "blocks of %.2f us + %.3f us per image,\n"
           "           serial %.1f us per step, sync %.1f us (1 thread) and %.1f us (2 threads; "
           "x log2 T beyond), read bandwidth %.1f GB/s per core,\n"
           "           beyond %d threads in bands: an image's bands %.1f us (band 0's dense head "
           "%.2f us), a handoff %.3f us between 2 cores\n"
           "           (%d waits + %d halo lines per band)\n",
           in->batch, 1e6 * in->image_seconds, in->blocks,
           1e6 * in->block_seconds, 1e6 * in->block_image_seconds, 1e6 * in->serial_step_seconds,
           1e6 * in->sync1_seconds, 1e6 * in->sync2_seconds, 1e-9 * in->bandwidth_per_core,
           in->batch, 1e6 * in->band_seconds, 1e6 * in->band_head_seconds,
           1e6 * in->handoff_seconds, CB_BAND_WAITS, CB_BAND_HALO_LINES);
    printf("           modelled, not measured: leaves out shared L3 and DRAM bandwidth, SMT, the "
           "frequency drop of many busy cores, NUMA\n");
    print_curve(p, mode);
    print_curve(p, mode == CB_SCALING_WEAK ? CB_SCALING_STRONG : CB_SCALING_WEAK);
    print_nodes(p);
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
    cbr_set_scale_model_band_seconds(m, in->band_seconds);
    cbr_set_scale_model_band_head_seconds(m, in->band_head_seconds);
    cbr_set_scale_model_handoff_seconds(m, in->handoff_seconds);
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
    cbr_set_scale_model_exchange_bytes_per_image(m, in->exchange_bytes_per_image);
    for (int e = 0; e < 2; e++)
        for (int k = 0; k < p->n_networks; k++)
            for (int i = 0; i < CB_PREDICT_NODE_COUNTS; i++) {
            const cb_scaling_point *s = &p->nodes_strong[e][k][i], *w = &p->nodes_weak[e][k][i];
            json_t *x = cbr_add_scale_predicted_nodes(doc);
            cbr_set_predicted_node_exchange(x, cb_exchange_name((cb_exchange)e));
            cbr_set_predicted_node_network(x, p->networks[k].name);
            cbr_set_predicted_node_latency_seconds(x, p->networks[k].latency_seconds);
            cbr_set_predicted_node_bytes_per_s(x, p->networks[k].bytes_per_s);
            cbr_set_predicted_node_nodes(x, node_counts[i]);
            cbr_set_predicted_node_threads(x, p->node_threads);
            cbr_set_predicted_node_strong_images_per_s(x, s->images_per_s);
            cbr_set_predicted_node_strong_efficiency(x, s->efficiency);
            cbr_set_predicted_node_strong_comm_seconds(x, s->comm_seconds);
            cbr_set_predicted_node_weak_images_per_s(x, w->images_per_s);
            cbr_set_predicted_node_weak_efficiency(x, w->efficiency);
        }
}
