/*
 * cb_result_schema.h - THE description of the "cifarbench-result" files (schema_version 1), the one
 * place a field is named. Every list below gives an object's fields as
 *
 *   X(S, name, TYPE, PRESENCE, SUB)    TYPE: INT NUM STR BOOL NUMS STRS MAP OBJ LIST (cb_schema.h)
 *                                      PRESENCE: OPT REQ POS OPTPOS KEY POSKEY (cb_schema.h)
 *                                      SUB: the object of OBJ / LIST
 *
 * and expands (cb_schema.h) into the C struct the readers fill (cbr_<object>, members named as the
 * fields), the table the reader and the writers' check use (cbr_<object>_schema) and the writers'
 * setters, one per field:
 *
 *   cbr_set_<object>_<field>(json_t *o, value)   INT long long, NUM double (null when not finite),
 *                                                STR const char *, BOOL bool,
 *                                                NUMS (const double *, size_t), STRS (const char *const *, size_t)
 *   cbr_put_<object>_<field>(json_t *o, key, value)   MAP: one key = value
 *   json_t *cbr_new_<object>_<field>(json_t *o)       OBJ: creates the member object, returns it
 *   json_t *cbr_add_<object>_<field>(json_t *o)       LIST: appends an object, returns it
 *
 * A file is one object: the header (schema, schema_version, command, task), the common part
 * (context) and the fields of its kind, which command and task select (cb_result.h):
 *   train       command "train" (any task but regression)   epochs are the repetitions
 *   scale       command "scale"                              one point per thread count
 *   study       command "study"                              matched vs mismatched loss curves
 *   regression  command "train", task "regression"           fits per bin, no timings
 * A field is added without a version change; renaming or removing one bumps schema_version.
 */
#ifndef CB_RESULT_SCHEMA_H
#define CB_RESULT_SCHEMA_H

#include <stdbool.h>

#include "cb_schema.h"

#define CBR_SCHEMA_NAME "cifarbench-result"
#define CBR_SCHEMA_VERSION 1

#define CBR_FIELDS_header(X, S)                                                                    \
    X(S, schema, STR, REQ, _) X(S, schema_version, INT, REQ, _) X(S, command, STR, REQ, _)           \
    X(S, task, STR, OPT, _)
#define CBR_FIELDS_common(X, S) X(S, context, OBJ, REQ, context)

/* ---- the context: where and how the run happened -------------------------------------------- */
#define CBR_FIELDS_cache(X, S)                                                                     \
    X(S, level, INT, OPT, _) X(S, type, STR, OPT, _) X(S, bytes, NUM, OPT, _)                       \
    X(S, line_bytes, INT, OPT, _) X(S, instances, INT, OPT, _) X(S, cores_per_instance, INT, OPT, _)
#define CBR_FIELDS_machine(X, S)                                                                   \
    X(S, cpu_model, STR, OPT, _) X(S, cpu_vendor, STR, OPT, _) X(S, packages, INT, OPT, _)          \
    X(S, cores, INT, OPT, _) X(S, pus, INT, OPT, _) X(S, numa_nodes, INT, OPT, _)                   \
    X(S, memory_bytes, NUM, OPT, _) X(S, caches, LIST, OPT, cache)
#define CBR_FIELDS_dataset(X, S)                                                                   \
    X(S, kind, STR, OPT, _) X(S, source, STR, OPT, _) X(S, train_images, INT, OPT, _)               \
    X(S, test_images, INT, OPT, _)
#define CBR_FIELDS_context(X, S)                                                                   \
    X(S, machine, OBJ, OPT, machine)                                                               \
    X(S, isa, STR, REQ, _)              /* the ISA that ran, or the variant table's summary */      \
    X(S, isa_auto, BOOL, OPT, _)        /* chosen by "auto" */                                      \
    X(S, variants, MAP, OPT, _)         /* kernel -> ISA, with --variants */                        \
    X(S, isas_supported, STRS, OPT, _)                                                             \
    X(S, threads, INT, OPT, _)                                                                     \
    X(S, bind, STR, OPT, _)                                                                        \
    X(S, ranks, INT, OPT, _)            /* MPI ranks, data-parallel (missing: one process) */       \
    X(S, rank_thread_pus, STRS, OPT, _) /* per rank: its threads' PUs, "0 1" */                     \
    X(S, exchange, STR, OPT, _)         /* MPI: "gather" or "allreduce" (dist.h) */                 \
    X(S, network_latency_seconds, NUM, OPT, _) /* MPI: ranks 0 <-> 1, ping-pong */                  \
    X(S, network_bytes_per_s, NUM, OPT, _)                                                          \
    X(S, oversubscribed, BOOL, OPT, _)  /* more threads than PUs: timings not meaningful */         \
    X(S, thread_pus, STRS, OPT, _)      /* per thread, as read back */                              \
    X(S, compiler, STR, OPT, _) X(S, build_flags, STR, OPT, _) X(S, git_revision, STR, OPT, _)      \
    X(S, git_commit_time, STR, OPT, _)  /* UTC, ISO 8601: the order of a history */                 \
    X(S, dataset, OBJ, OPT, dataset)

/* ---- contention: whether something else ran while a figure was timed (optional, in each epoch
 * of a train result and each point of a scale result; written by the harness when it measured) */
#define CBR_FIELDS_contention(X, S)                                                                \
    X(S, flagged, BOOL, REQ, _)         /* true: the timing is unreliable, see reasons */           \
    X(S, cpu_per_wall, NUM, OPT, _)     /* process CPU s / (wall s x threads); ~1 when alone */      \
    X(S, steal_share, NUM, OPT, _)      /* share of the wall time stolen by the hypervisor, 0..1 */ \
    X(S, peak_before_gflops, NUM, OPTPOS, _) X(S, peak_after_gflops, NUM, OPTPOS, _) /* FMA loop */ \
    X(S, reasons, STRS, OPT, _)         /* why flagged, one sentence each */

/* ---- train: the epochs are the repetitions -------------------------------------------------- */
#define CBR_FIELDS_train_config(X, S)                                                              \
    X(S, network, STR, OPT, _) X(S, loss, STR, OPT, _) X(S, epochs, INT, OPT, _)                    \
    X(S, batch, INT, OPT, _) X(S, seed, INT, OPT, _) X(S, flops_per_image_train, NUM, OPT, _)       \
    X(S, flops_per_image_forward, NUM, OPT, _)
#define CBR_FIELDS_epoch(X, S)                                                                     \
    X(S, epoch, INT, KEY, _) X(S, images, INT, REQ, _) X(S, steps, INT, OPT, _)                     \
    X(S, seconds, NUM, POS, _) X(S, images_per_s, NUM, POS, _) X(S, gflops, NUM, OPT, _)            \
    X(S, train_loss, NUM, OPT, _) X(S, train_accuracy, NUM, OPT, _) X(S, test_loss, NUM, OPT, _)    \
    X(S, test_accuracy, NUM, OPT, _) X(S, eval_seconds, NUM, OPT, _)                               \
    X(S, test_exact_match, NUM, OPT, _)          /* multilabel: = test_accuracy */                  \
    X(S, test_mean_label_accuracy, NUM, OPT, _) X(S, test_label_accuracy, NUMS, OPT, _)            \
    X(S, images_per_s_per_core, NUM, OPT, _) X(S, percent_of_peak, NUM, OPT, _)                    \
    X(S, profile_overhead, NUM, OPT, _) X(S, contention, OBJ, OPT, contention)                     \
    X(S, comm_seconds, NUM, OPT, _)     /* MPI: rank 0's time in the exchanges */                   \
    X(S, comm_wait_seconds, NUM, OPT, _) /* MPI: rank 0's wait for the other ranks before them */    \
    X(S, comm_bytes_per_step, NUM, OPT, _) /* MPI: what each rank receives per step */              \
    X(S, weights_checksum, STR, OPT, _) /* FNV-1a of the weights and moments, hex */
#define CBR_FIELDS_summary(X, S)                                                                   \
    X(S, repetitions, INT, OPT, _) X(S, median_seconds, NUM, OPT, _) X(S, images_per_s, NUM, OPT, _) \
    X(S, images_per_s_per_core, NUM, OPT, _) X(S, gflops, NUM, OPT, _)                             \
    X(S, peak_gflops, NUM, OPT, _) X(S, percent_of_peak, NUM, OPT, _)                              \
    X(S, images_per_s_per_rank, NUM, OPT, _)
#define CBR_FIELDS_layer(X, S)                                                                     \
    X(S, layer, STR, REQ, _) X(S, pass, STR, OPT, _) X(S, seconds, NUM, REQ, _)                     \
    X(S, share, NUM, OPT, _)            /* of the epoch, 0..1 */
#define CBR_FIELDS_train(X, S)                                                                     \
    X(S, config, OBJ, OPT, train_config) X(S, epochs, LIST, REQ, epoch)                            \
    X(S, summary, OBJ, OPT, summary)    /* medians over the epochs */                               \
    X(S, layers, LIST, OPT, layer)      /* per-layer profile of the last epoch */

/* ---- scale: images/s at 1, 2, ... N threads ------------------------------------------------- */
#define CBR_FIELDS_scale_config(X, S)                                                              \
    X(S, mode, STR, OPT, _)             /* "strong" (missing: strong) or "weak" */                  \
    X(S, batch, INT, OPT, _)            /* strong: the batch; weak: the batch per thread */         \
    X(S, seed, INT, OPT, _) X(S, repetitions, INT, OPT, _)                                          \
    X(S, step_barriers, INT, OPT, _) X(S, chunk_images, INT, OPT, _)
#define CBR_FIELDS_scale_point(X, S)                                                               \
    X(S, threads, INT, POSKEY, _) X(S, thread_pus, STR, OPT, _)                                        \
    X(S, batch, INT, OPT, _)            /* the global batch at this thread count */                 \
    X(S, seconds, NUM, POS, _)          /* median over the repetitions */                           \
    X(S, seconds_all, NUMS, OPTPOS, _)  /* every repetition */                                      \
    X(S, images_per_s, NUM, POS, _) X(S, images_per_s_per_core, NUM, OPT, _)                        \
    X(S, speedup, NUM, OPT, _) X(S, efficiency, NUM, OPT, _)                                        \
    X(S, sync_seconds_per_step, NUM, OPT, _) X(S, sync_share, NUM, OPT, _)                          \
    X(S, test_accuracy, NUM, OPT, _) X(S, weights_identical_to_1_thread, BOOL, OPT, _)             \
    X(S, contention, OBJ, OPT, contention)
/* The scaling model (scale --predict, harness/scaling_model.h): its inputs, measured at one thread
 * and on the team, its check against the measured points, and its curves. */
#define CBR_FIELDS_scale_model(X, S)                                                               \
    X(S, image_seconds, NUM, POS, _)    /* phase 1: one image's unit */                             \
    X(S, band_seconds, NUM, OPT, _)     /* phase 1 in bands: one image's bands, 1 thread, batch 1 */ \
    X(S, band_head_seconds, NUM, OPT, _) /* inside it, band 0's dense layers up to dh1 */          \
    X(S, handoff_seconds, NUM, OPT, _)  /* one band's wait for another, 2 cores, measured */        \
    X(S, block_seconds, NUM, OPT, _)    /* phase 2: a parameter block's fixed cost (Adam) */        \
    X(S, block_image_seconds, NUM, OPT, _) /* phase 2: a block's cost per image of the batch */     \
    X(S, blocks, INT, OPT, _)           /* parameter blocks per step */                             \
    X(S, serial_step_seconds, NUM, OPT, _) /* per step, outside the parallel region */              \
    X(S, barrier_seconds, NUM, OPT, _)  /* the step's synchronisation, 2 threads, measured */       \
    X(S, bandwidth_per_core, NUM, OPT, _) /* bytes/s one core reads from memory, measured */        \
    X(S, block_bytes_per_image, NUM, OPT, _) /* phase 2's memory traffic per block and image */     \
    X(S, validation_threads, INT, OPT, _) X(S, validation_predicted, NUM, OPT, _)                   \
    X(S, validation_measured, NUM, OPT, _) /* images/s, the measured median */                       \
    X(S, validation_error, NUM, OPT, _) /* predicted / measured - 1 */                                \
    X(S, exchange_bytes_per_image, NUM, OPT, _) /* over MPI ranks, per image and step */
#define CBR_FIELDS_predicted_point(X, S)                                                           \
    X(S, threads, INT, POSKEY, _) X(S, batch, INT, OPT, _)                                          \
    X(S, images_per_s, NUM, POS, _) X(S, speedup, NUM, OPT, _) X(S, efficiency, NUM, OPT, _)        \
    X(S, step_seconds, NUM, OPT, _) X(S, images_seconds, NUM, OPT, _) /* phase 1, slowest thread */ \
    X(S, blocks_seconds, NUM, OPT, _) /* phase 2, slowest thread */                                 \
    X(S, sync_seconds, NUM, OPT, _) X(S, serial_seconds, NUM, OPT, _)                               \
    X(S, busy_threads, INT, OPT, _)     /* threads with an image in phase 1 */
#define CBR_FIELDS_predicted_node(X, S)                                                            \
    X(S, exchange, STR, OPT, _)         /* "gather" or "allreduce" (dist.h) */                      \
    X(S, network, STR, REQ, _) X(S, latency_seconds, NUM, OPT, _) X(S, bytes_per_s, NUM, OPT, _)   \
    X(S, nodes, INT, REQ, _) X(S, threads, INT, OPT, _)                                             \
    X(S, strong_images_per_s, NUM, OPT, _) X(S, strong_efficiency, NUM, OPT, _)                    \
    X(S, strong_comm_seconds, NUM, OPT, _)                                                         \
    X(S, weak_images_per_s, NUM, OPT, _) X(S, weak_efficiency, NUM, OPT, _)
#define CBR_FIELDS_scale(X, S)                                                                     \
    X(S, config, OBJ, OPT, scale_config) X(S, scaling, LIST, REQ, scale_point)                     \
    X(S, model, OBJ, OPT, scale_model)                                                             \
    X(S, predicted_strong, LIST, OPT, predicted_point)                                             \
    X(S, predicted_weak, LIST, OPT, predicted_point)                                               \
    X(S, predicted_nodes, LIST, OPT, predicted_node) /* over MPI nodes, per network */

/* ---- study: the matched activation+loss pair against the mismatched one --------------------- */
#define CBR_FIELDS_study_config(X, S)                                                              \
    X(S, epochs, INT, OPT, _) X(S, every, INT, OPT, _) X(S, batch, INT, OPT, _) X(S, seed, INT, OPT, _)
#define CBR_FIELDS_study_run(X, S)                                                                 \
    X(S, loss, STR, REQ, _) X(S, matched, BOOL, REQ, _) X(S, test_accuracy, NUM, OPT, _)            \
    X(S, step, NUMS, REQ, _) X(S, train_loss, NUMS, OPT, _) X(S, train_accuracy, NUMS, OPT, _)      \
    X(S, gradient, NUMS, OPT, _)        /* mean |gradient| of one example at the logits */          \
    X(S, probe_gradient, NUMS, OPT, _)  /* at the study's probe_logits */
#define CBR_FIELDS_study(X, S)                                                                     \
    X(S, config, OBJ, OPT, study_config) X(S, runs, LIST, REQ, study_run)                          \
    X(S, probe_logits, NUMS, OPT, _)

/* ---- regression: iris, MSE fits the bin means and MAE the medians ---------------------------- */
#define CBR_FIELDS_regression_config(X, S) X(S, network, STR, OPT, _) X(S, data, STR, OPT, _)
#define CBR_FIELDS_regression_bin(X, S)                                                            \
    X(S, length_from, NUM, REQ, _) X(S, length_to, NUM, REQ, _) X(S, rows, INT, REQ, _)             \
    X(S, mean, NUM, OPT, _) X(S, median, NUM, OPT, _) X(S, mse_fit, NUM, OPT, _)                    \
    X(S, mae_fit, NUM, OPT, _)
#define CBR_FIELDS_regression_loss(X, S) X(S, mse, NUM, OPT, _) X(S, mae, NUM, OPT, _)
#define CBR_FIELDS_regression(X, S)                                                                \
    X(S, config, OBJ, OPT, regression_config) X(S, bins, LIST, REQ, regression_bin)                \
    X(S, final_loss, OBJ, OPT, regression_loss)

/* Every object, leaves first (the order the structs are defined in). */
#define CBR_OBJECTS(Y)                                                                             \
    Y(header) Y(cache) Y(machine) Y(dataset) Y(context) Y(common) Y(contention) Y(train_config)   \
    Y(epoch)                                                                                       \
    Y(summary) Y(layer) Y(train) Y(scale_config) Y(scale_point) Y(scale_model) Y(predicted_point) \
    Y(predicted_node)                                                                              \
    Y(scale) Y(study_config) Y(study_run) Y(study) Y(regression_config) Y(regression_bin) Y(regression_loss) Y(regression)

CBR_OBJECTS(CB_SCHEMA_DEFINE)

#endif /* CB_RESULT_SCHEMA_H */
