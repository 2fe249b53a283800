/*
 * train.h - the epoch loop: shuffling, batching, timing, evaluation and progress.
 */
#ifndef CB_TRAIN_H
#define CB_TRAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "cifar10.h"
#include "contention.h"
#include "model.h"

typedef enum cb_progress_mode {
    CB_PROGRESS_NONE,  /* silent */
    CB_PROGRESS_BAR,   /* a bar on stderr (stderr is a terminal), redrawn at most 10 times a
                          second (progress.h) */
    CB_PROGRESS_LINES, /* a plain line on stderr every tenth of an epoch (logs, CI) */
} cb_progress_mode;

typedef enum cb_profile_mode {
    CB_PROFILE_OFF,
    CB_PROFILE_UNITS,  /* the step's units of work only: the scaling model's inputs */
    CB_PROFILE_LAYERS, /* and every layer's forward and backward */
} cb_profile_mode;

typedef struct cb_train_config {
    int epochs;              /* >= 1 */
    int batch;               /* images per step, >= 1; the last batch of an epoch may be smaller */
    uint64_t seed;           /* initialisation and shuffling */
    int train_images;        /* train on the first N training images; 0 = all */
    int test_images;         /* evaluate on the first N test images; 0 = all */
    const cb_kernel_table *kernels;
    int threads;             /* OpenMP threads (see model.h); 0 = 1. Pinning: team.h */
    cb_profile_mode profile; /* what to time in the step (see cb_epoch_stats) */
    cb_progress_mode progress;
    float *step_losses;      /* optional: receives each step's mean loss, in order */
    float *step_accuracy;    /* optional: each step's fraction of correct predictions */
    float *step_grad;        /* optional: each step's sum |dz|, i.e. the mean size of one
                                example's loss gradient at the logits (cifarbench study) */
    long step_losses_cap;    /* capacity of each of those three */
    bool check_replicas;     /* over MPI ranks: compare the weights' checksum after every step,
                                not only after every epoch (dist.h) */
} cb_train_config;

enum { CB_MAX_LABELS = 16 }; /* outputs a multi-label task may have */

typedef struct cb_epoch_stats {
    int epoch;              /* 1-based */
    long images, steps;
    double seconds;         /* wall time of the training pass (batch assembly + steps), without
                               evaluation and without drawing the progress output */
    double progress_seconds; /* the time spent drawing progress output, left out of `seconds` */
    double images_per_s;
    double gflops;          /* achieved, from cb_model_flops_train() */
    double train_loss;      /* mean over the epoch's images, as Keras reports it */
    double train_accuracy;  /* from the logits seen during training */
    double test_loss, test_accuracy; /* accuracy: exact match for a multi-label task */
    int labels;                      /* multi-label: K, with each label's test accuracy; else 0 */
    double test_label_accuracy[CB_MAX_LABELS];
    double test_mean_label_accuracy; /* mean of those (= test_accuracy when not multi-label) */
    double eval_seconds;    /* wall time of the evaluation pass */
    /* With cfg->profile, in the last epoch only (left 0 in the others, whose seconds thus carry no
     * clock reads): time in each phase of the step (model.h), summed over the threads and divided
     * by their number, so the phases and the time spent waiting at barriers add up to `seconds`;
     * and the estimated cost of the profile's own clock reads, as a share of `seconds`. */
    double phase_seconds[CB_PHASE_COUNT];
    double profile_overhead;
    /* With any profile, in the last epoch: the time in the step's units of work (model.h),
     * summed over the threads and divided by their number: phase 1's images, phase 2's block
     * gradients, and Adam; and the time the master spent in the step's parallel regions. And,
     * inside phase 1's, the dense layers up to dh1 (CB_COL_HEADS). */
    double images_seconds, blocks_seconds, adam_seconds, region_seconds, heads_seconds;
    /* What the training pass really got (contention.h): process and per-thread CPU time against
     * the wall time (less progress drawing), and the hypervisor's steal, read at the pass's two
     * ends, outside its seconds. Measured, not judged: no peaks, flagged false until the caller
     * adds the peaks it measured and calls cb_contention_judge. */
    cb_contention contention;
    /* Over MPI ranks (dist.h): the seconds are the slowest rank's; this rank's time in the
     * exchanges and the bytes it received, per step; and the weights' checksum after the epoch,
     * the same on every rank (checked). */
    double comm_seconds, comm_bytes_per_step;
    double comm_wait_seconds; /* at the barrier before each exchange, waiting for other ranks */
    uint64_t checksum;
} cb_epoch_stats;

/* The model's batch capacity that cb_train needs for a configuration. */
int cb_train_max_batch(const cb_train_config *cfg);

/* Trains model (initialised with at least cb_train_max_batch() capacity) for cfg->epochs epochs on
 * data, filling stats[0 .. epochs-1]. Returns 0, or -1 when memory is short. */
int cb_train(const cb_train_config *cfg, const cb_cifar10 *data, cb_model *model,
             cb_epoch_stats *stats);

#endif /* CB_TRAIN_H */
