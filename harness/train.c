/* train.c - see train.h. */
#include "train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cb_clock.h"
#include "cb_options.h"
#include "cb_timing.h"
#include "dist.h"
#include "progress.h"
#include "rng.h"

enum { EVAL_BATCH = 256 }; /* evaluation needs no gradients, so it runs in larger batches */

int cb_train_max_batch(const cb_train_config *cfg)
{
    return cfg->batch > EVAL_BATCH ? cfg->batch : EVAL_BATCH;
}

static int clamp_count(int asked, int available)
{
    return asked > 0 && asked < available ? asked : available;
}

/* Correct predictions among the batch's logits [n,K]: the arg-max for several classes, the sign
 * of the single logit for one sigmoid output. With K > 1 targets (multi-label), a row is correct
 * when every label's sign matches (exact match), and label_correct[k] counts label k's matches. */
static long count_correct(const float *z, int n, int K, const int32_t *labels,
                          const float *targets, long *label_correct)
{
    long correct = 0;
    for (int r = 0; r < n; r++) {
        const float *zr = z + (size_t)r * K;
        if (targets && K > 1) {
            int all = 1;
            for (int c = 0; c < K; c++) {
                const int ok = (zr[c] > 0.0f) == (targets[(size_t)r * K + c] > 0.5f);
                label_correct[c] += ok;
                all &= ok;
            }
            correct += all;
            continue;
        }
        int best = 0;
        if (K == 1)
            best = zr[0] > 0.0f;
        else
            for (int c = 1; c < K; c++)
                if (zr[c] > zr[best])
                    best = c;
        correct += best == labels[r];
    }
    return correct;
}

/* Loss and accuracy of the model over the first `count` images of set (per-label accuracies too
 * for a multi-label set). */
static void evaluate(cb_model *m, const cb_kernel_table *kt, const cb_dataset *set, int count,
                     int32_t *idx, int32_t *labels, float *targets, cb_epoch_stats *st)
{
    double loss_sum = 0.0;
    long correct = 0, label_correct[CB_MAX_LABELS] = {0};
    for (int start = 0; start < count; start += m->max_batch) {
        const int n = count - start < m->max_batch ? count - start : m->max_batch;
        for (int i = 0; i < n; i++)
            idx[i] = start + i;
        const cb_batch b = {.n = n, .set = set, .idx = idx, .labels = labels, .targets = targets};
        cb_model_forward(m, kt, &b);
        loss_sum += (double)cb_model_loss(m, kt, n, labels, targets) * n;
        correct += count_correct(m->acts.z, n, m->cfg.outputs, labels, targets, label_correct);
    }
    st->test_loss = count > 0 ? loss_sum / count : 0.0;
    st->test_accuracy = count > 0 ? (double)correct / count : 0.0;
    st->labels = set->targets && m->cfg.outputs > 1 ? m->cfg.outputs : 0;
    double mean = 0.0;
    for (int c = 0; c < st->labels; c++)
        mean += st->test_label_accuracy[c] = (double)label_correct[c] / count;
    st->test_mean_label_accuracy = st->labels ? mean / st->labels : st->test_accuracy;
}

/* The step's accuracy and gradient size, for the learning curves of cifarbench study. */
static void record_step(const cb_train_config *cfg, const cb_model *m, int n, long step,
                        float accuracy)
{
    if (cfg->step_accuracy)
        cfg->step_accuracy[step] = accuracy;
    if (cfg->step_grad) {
        double sum = 0.0;
        for (size_t i = 0; i < (size_t)n * m->cfg.outputs; i++)
            sum += fabs(m->acts.dz[i]);
        cfg->step_grad[step] = (float)sum;
    }
}

/* The weights' checksum, compared across the MPI ranks: a difference stops every rank (a bug, or
 * a rank whose hardware computes differently: nothing after it would mean anything). */
static uint64_t check_replicas(const cb_model *m, const char *when, long which)
{
    const uint64_t sum = cb_model_checksum(m);
    if (!cb_dist_same(sum)) {
        fprintf(stderr, "cifarbench: the %d ranks' weights differ after %s %ld (this rank's "
                        "checksum %016llx): the replicas diverged\n",
                cb_dist_ranks(), when, which, (unsigned long long)sum);
        cb_dist_abort(CB_EXIT_FAILURE);
    }
    return sum;
}

static void read_clock(void *arg, long reps)
{
    (void)arg;
    volatile double sink = 0.0;
    for (long i = 0; i < reps; i++)
        sink += cb_now();
    (void)sink;
}

/* Seconds per cb_now() call: the median of 5 runs of 20,000 calls. */
static double clock_read_cost(void)
{
    const cb_timing t = {.samples = 5, .reps = 20000, .clock = CB_CLOCK_WALL};
    return cb_time_median(&t, read_clock, NULL);
}

static void record_profile(const cb_profile *prof, double clock_cost, cb_epoch_stats *st)
{
    for (int ph = 0; ph < CB_PHASE_COUNT; ph++)
        st->phase_seconds[ph] = cb_profile_phase(prof, (cb_phase)ph) / prof->threads;
    st->images_seconds = cb_profile_units(prof, CB_COL_IMAGES) / prof->threads;
    st->heads_seconds = cb_profile_units(prof, CB_COL_HEADS) / prof->threads;
    st->blocks_seconds = cb_profile_units(prof, CB_COL_BLOCKS) / prof->threads;
    st->adam_seconds = st->phase_seconds[CB_PHASE_ADAM];
    st->region_seconds = cb_profile_units(prof, CB_COL_REGION); /* the master's, not averaged */
    st->profile_overhead = st->seconds > 0 ? cb_profile_timer_reads(prof) * clock_cost /
                                                 prof->threads / st->seconds
                                           : 0.0;
}

int cb_train(const cb_train_config *cfg, const cb_cifar10 *data, cb_model *model,
             cb_epoch_stats *stats)
{
    const cb_kernel_table *kt = cfg->kernels;
    const int n_train = clamp_count(cfg->train_images, data->train.count);
    const int n_test = clamp_count(cfg->test_images, data->test.count);
    const double flops_per_image = cb_model_flops_train(&model->cfg);
    int32_t *order = malloc(sizeof(int32_t) * (size_t)n_train);
    int32_t *labels = malloc(sizeof(int32_t) * (size_t)model->max_batch);
    int32_t *idx = malloc(sizeof(int32_t) * (size_t)model->max_batch);
    float *targets = data->train.targets
                         ? malloc(sizeof(float) * (size_t)model->max_batch * model->cfg.outputs)
                         : NULL;
    long label_correct[CB_MAX_LABELS];
    cb_profile prof = {0};
    cb_contention_probe *probe = malloc(sizeof *probe); /* 16 KB: the team's thread clocks */
    if (cb_model_set_threads(model, cfg->threads > 0 ? cfg->threads : 1) != 0 || !order ||
        !labels || !idx || !probe || (data->train.targets && !targets) ||
        model->cfg.outputs > CB_MAX_LABELS || (cfg->profile && cb_profile_init(&prof, model->threads, cfg->profile == CB_PROFILE_LAYERS) != 0)) {
        free(order);
        free(labels);
        free(idx);
        free(targets);
        free(probe);
        return -1;
    }
    const double clock_cost = cfg->profile ? clock_read_cost() : 0.0;

    cb_rng shuffle_rng;
    cb_rng_seed(&shuffle_rng, cfg->seed ^ 0x5eed5eed5eed5eedULL);
    long global_step = 0;
    for (int e = 0; e < cfg->epochs; e++) {
        cb_epoch_stats *st = &stats[e];
        for (int i = 0; i < n_train; i++)
            order[i] = i;
        cb_rng_shuffle_i32(&shuffle_rng, order, n_train); /* a new order every epoch, as Keras */

        cb_progress bar;
        cb_progress_begin(&bar, cfg->progress, "train", n_train);
        double loss_sum = 0.0, progress_seconds = 0.0;
        long correct = 0, steps = 0;
        /* Only the last epoch is profiled: the clock reads of a per-layer profile cost about 6%
           of an epoch, which the other epochs' seconds (the medians) should not carry. */
        const bool profiled = cfg->profile && e == cfg->epochs - 1;
        if (profiled) {
            cb_profile_reset(&prof);
            model->profile = &prof;
        }
        /* Contention readings at the pass's two ends, outside its seconds (contention.h). */
        cb_contention_begin(probe, model->threads);
        cb_dist_traffic_reset();
        const double t0 = cb_now();
        for (int start = 0; start < n_train; start += cfg->batch) {
            const int n = n_train - start < cfg->batch ? n_train - start : cfg->batch;
            const cb_batch b = {.n = n, .set = &data->train, .idx = order + start,
                                .labels = labels, .targets = targets};
            const float loss = cb_model_train_step(model, kt, &b);
            if (cfg->check_replicas)
                check_replicas(model, "step", global_step + 1);
            /* The logits of this step's forward pass are still in acts.z. */
            const long step_correct = count_correct(model->acts.z, n, model->cfg.outputs, labels,
                                                    targets, label_correct);
            correct += step_correct;
            if (global_step < cfg->step_losses_cap)
                record_step(cfg, model, n, global_step, (float)step_correct / n);
            loss_sum += (double)loss * n;
            if (cfg->step_losses && global_step < cfg->step_losses_cap)
                cfg->step_losses[global_step] = loss;
            global_step++;
            steps++;
            /* At most CB_PROGRESS_HZ redraws a second; the time they take is kept out of the
               epoch's seconds (what remains is one clock read per step). */
            if (cfg->progress != CB_PROGRESS_NONE)
                progress_seconds += cb_progress_update(&bar, start + n, loss_sum / (start + n),
                                                       (double)correct / (start + n));
        }
        st->seconds = cb_dist_max(cb_now() - t0 - progress_seconds);
        const cb_dist_traffic traffic = cb_dist_traffic_now();
        st->comm_seconds = traffic.seconds;
        st->comm_wait_seconds = traffic.wait_seconds;
        st->comm_bytes_per_step = traffic.exchanges ? traffic.bytes_received / traffic.exchanges : 0.0;
        st->checksum = check_replicas(model, "epoch", e + 1);
        cb_contention_end(probe, progress_seconds, &st->contention);
        st->progress_seconds = progress_seconds;
        model->profile = NULL; /* evaluation is not part of the profile */
        cb_progress_end(&bar);
        if (profiled)
            record_profile(&prof, clock_cost, st);

        st->epoch = e + 1;
        st->images = n_train;
        st->steps = steps;
        st->images_per_s = st->seconds > 0 ? n_train / st->seconds : 0.0;
        st->gflops = st->images_per_s * flops_per_image * 1e-9;
        st->train_loss = n_train > 0 ? loss_sum / n_train : 0.0;
        st->train_accuracy = n_train > 0 ? (double)correct / n_train : 0.0;
        const double t1 = cb_now();
        evaluate(model, kt, &data->test, n_test, idx, labels, targets, st);
        st->eval_seconds = cb_now() - t1;
    }
    free(probe);
    free(order);
    free(labels);
    free(idx);
    free(targets);
    cb_profile_free(&prof);
    return 0;
}
