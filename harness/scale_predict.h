/*
 * scale_predict.h - `cifarbench scale --predict`: the scaling model's curves (scaling_model.h) at
 * the requested thread counts for both modes, their check against the measured points, printed
 * and written to the result file.
 */
#ifndef CB_SCALE_PREDICT_H
#define CB_SCALE_PREDICT_H

#include <jansson.h>
#include <stdbool.h>

#include "scaling_model.h"

enum { CB_PREDICT_MAX = 64 };  /* thread counts in one prediction */
enum { CB_PREDICT_NETWORKS = 3 }; /* 25 Gb/s, 100 Gb/s, and one given with --network */
enum { CB_PREDICT_NODE_COUNTS = 7 }; /* 1, 2, 4, ... 64 nodes */

typedef struct cb_scale_prediction {
    cb_scaling_inputs in;
    int n, threads[CB_PREDICT_MAX]; /* ascending, unique */
    cb_scaling_point strong[CB_PREDICT_MAX], weak[CB_PREDICT_MAX];
    /* Over nodes of node_threads threads each (the largest team measured), per network */
    int node_threads, n_networks;
    cb_network networks[CB_PREDICT_NETWORKS];
    /* [exchange: gather, allreduce][network][nodes] */
    cb_scaling_point nodes_strong[2][CB_PREDICT_NETWORKS][CB_PREDICT_NODE_COUNTS];
    cb_scaling_point nodes_weak[2][CB_PREDICT_NETWORKS][CB_PREDICT_NODE_COUNTS];
    /* The prediction against the measured median at validation_threads (0: nothing to check) */
    int validation_threads, validation_runs;
    double validation_predicted, validation_measured, validation_error;
} cb_scale_prediction;

enum { CB_PREDICT_TOLERANCE_PCT = 10 }; /* the model is trusted within this of a measured point */

/* Parses "4,8,16" (1 <= each <= limit, at most CB_PREDICT_MAX - 8) into counts; false with the
 * reason in err. */
bool cb_predict_parse(const char *list, int limit, int *counts, int *n, char *err, size_t errlen);

/* Parses --network "US:GBITS" (latency in microseconds, bandwidth in Gbit/s) into net; false
 * with the reason in err. */
bool cb_network_parse(const char *s, cb_network *net, char *err, size_t errlen);

/* Fills p->threads with 1, 2, the largest measured team and the requested counts (sorted,
 * unique), and both curves from p->in; and the curves over 1 .. 64 nodes of `measured` threads
 * on a 25 Gb/s and a 100 Gb/s network, and on `extra` when given. */
void cb_scale_predict(cb_scale_prediction *p, int measured, const int *requested, int n_requested,
                      const cb_network *extra);

/* The check at `threads` (a measured thread count >= 2): predicted images/s in `mode` against
 * the measured median images/s of `runs` repetitions. */
void cb_scale_predict_validate(cb_scale_prediction *p, cb_scaling_mode mode, int threads,
                               double measured_images_per_s, int runs);

void cb_scale_predict_print(const cb_scale_prediction *p, cb_scaling_mode mode);
void cb_scale_predict_to_json(json_t *doc, const cb_scale_prediction *p);

#endif /* CB_SCALE_PREDICT_H */
