/* cmd_train.c - `cifarbench train`: a timed training run of the reference network. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_atomic_file.h"
#include "cb_stats.h"
#include "commands.h"
#include "model_file.h"
#include "contention.h"
#include "dist.h"
#include "run.h"

static const char train_usage_head[] =
    "usage: cifarbench train [options]\n"
    "\n"
    "Trains the reference CNN (conv 3->8, pool, conv 8->8, pool, dense 32, dense 10, softmax +\n"
    "sparse categorical cross-entropy, Adam) on CIFAR-10 and reports the time per epoch.\n"
    "\n"
    "options:\n"
    "  --epochs N         epochs to train (default 1); they are the repetitions the summary's\n"
    "                     medians are taken over\n"
    "  --variants FILE    kernels per a variant file from 'cifarbench tune' (instead of --isa)\n"
    "  --loss NAME        the output activation's loss: classify softmax-xent (default) or\n"
    "                     softmax-mse; binary, multilabel sigmoid-bce (default) or sigmoid-mse\n"
    "                     (the mismatched pairs are for teaching: see 'cifarbench study');\n"
    "                     regression mse, mae or both (default both)\n"
    "  --load FILE        start from the parameters in a model file (harness/model_file.h);\n"
    "                     a file for another network (task, loss or shapes) is refused\n"
    "  --save FILE        write the trained parameters as a model file (whole or not at all)\n";

/* train's own options besides the shared ones, and the model --load fills before the data is
 * loaded. */
typedef struct train_extra {
    const char *loss, *save, *load;
    const char *json; /* the shared --json, for the same-file check */
    cb_model *model;  /* initialised before cb_run_prepare */
} train_extra;

static const struct option train_longopts[] = {
    {"epochs", required_argument, NULL, 'e'},
    {"variants", required_argument, NULL, 'v'},
    {"loss", required_argument, NULL, 'l'},
    {"load", required_argument, NULL, 'L'},
    {"save", required_argument, NULL, 's'},
    {0},
};

static bool train_option(int c, cb_options *p, cb_run_options *o, void *ctx)
{
    train_extra *x = ctx;
    long long v;
    switch (c) {
    case 'l': x->loss = p->arg; return true;
    case 's':
    case 'L':
    case 'v':
        if (!p->arg[0]) {
            cb_options_usage_error(p, "%s needs a file name, not an empty string", p->name);
            return false;
        }
        *(c == 's' ? &x->save : c == 'L' ? &x->load : &o->variants_path) = p->arg;
        return true;
    case 'e':
        if (!cb_options_int(p, 1, 10000, &v))
            return false;
        o->cfg.epochs = (int)v;
        return true;
    default: return false; /* not one of train_longopts */
    }
}

/* Median epoch time: the epochs are the run's repetitions. */
static double median_seconds(const cb_epoch_stats *st, int n)
{
    double *v = malloc((size_t)n * sizeof *v);
    if (!v)
        return NAN;
    for (int i = 0; i < n; i++)
        v[i] = st[i].seconds;
    const double m = cb_median(v, (size_t)n);
    free(v);
    return m;
}

/* train's checks before the data is loaded (cb_run_check_fn): --save can be written and is not
 * the --json file, and --load's file loads into the network. */
static int train_checks(void *ctx, const char *command)
{
    train_extra *x = ctx;
    char err[4400];
    if (x->save && x->json && cb_same_file(x->save, x->json)) {
        fprintf(stderr, "cifarbench %s: --save and --json name the same file (%s): the results "
                        "would overwrite the model\n", command, x->save);
        return CB_EXIT_USAGE;
    }
    if (x->save && cb_check_file_writable(x->save, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench %s: %s\n", command, err);
        return CB_EXIT_FAILURE;
    }
    if (x->load && cb_model_load(x->model, x->load, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench %s: %s\n", command, err);
        return CB_EXIT_FAILURE;
    }
    return -1;
}

/* Per-layer table of the last epoch: forward and backward seconds and their share of the epoch.
 * With fewer images than one batch no full step ran: the table would show one partial step's
 * microseconds as zeros, so it says why instead. */
static void print_layers(const cb_epoch_stats *st, int images, int batch)
{
    if (images < batch) {
        printf("\n  per layer: no full step ran (%d image%s < batch %d), so there is no per-layer "
               "profile to show\n", images, images == 1 ? "" : "s", batch);
        return;
    }
    static const char *const layers[] = {"input", "conv1", "pool1", "conv2", "pool2", "dense1",
                                         "dense2", "loss", "grad_sum", "adam"};
    printf("\n  per layer (epoch %d, seconds per thread; the profile's clock reads cost %.2f%%)\n",
           st->epoch, 100.0 * st->profile_overhead);
    printf("  layer       forward   backward    share\n");
    double accounted = 0.0;
    for (size_t l = 0; l < sizeof layers / sizeof layers[0]; l++) {
        double fwd = 0.0, bwd = 0.0;
        for (int ph = 0; ph < CB_PHASE_COUNT; ph++) {
            if (strcmp(cb_phase_layer((cb_phase)ph), layers[l]) != 0)
                continue;
            if (strcmp(cb_phase_pass((cb_phase)ph), "backward") == 0)
                bwd += st->phase_seconds[ph];
            else
                fwd += st->phase_seconds[ph];
        }
        accounted += fwd + bwd;
        printf("  %-9s %9.4f  %9.4f  %6.1f%%\n", layers[l], fwd, bwd,
               100.0 * (fwd + bwd) / st->seconds);
    }
    printf("  %-9s %9.4f  %9s  %6.1f%%   (waiting at barriers, bookkeeping, most of the clock "
           "reads)\n", "other", st->seconds - accounted, "",
           100.0 * (st->seconds - accounted) / st->seconds);
}

/* The FMA peak of the run's threads: the loop of the widest ISA the run uses, on every thread of
 * the team at once (contention.h), summed. 0 when this build has no loop for it. */
/* The FMA peak of every thread of every rank, measured at once (each rank its own team). */
static double measured_peak(const cb_run_context *c)
{
    const cb_peak_loop *loop = cb_contention_peak_loop(c->isa, c->variants);
    return cb_dist_sum(loop ? cb_contention_team_peak(loop, c->threads) : 0.0);
}

/* Over several ranks: where they run, what they exchange, and that their weights agree. */
static void print_ranks(const cb_run_options *o, const cb_run_context *c, const cb_epoch_stats *last)
{
    if (c->ranks > 1) {
        printf("  ranks    %d MPI ranks x %d thread(s), data-parallel (rank:thread PUs", c->ranks,
               c->threads);
        for (int r = 0; c->rank_bindings && r < c->ranks; r++)
            printf(" %d:[%s]", r, c->rank_bindings[r]);
        printf(")\n");
        const double per_step = last->steps ? last->comm_seconds / last->steps : 0.0;
        if (c->net_bytes_per_s > 0) {
            /* the scaling model's network term for this traffic (scaling_model.h) */
            const double model = ceil(log2((double)c->ranks)) * c->net_latency_seconds +
                                 last->comm_bytes_per_step / c->net_bytes_per_s;
            printf("  network  ranks 0 <-> 1: latency %.2f us, %.1f Gb/s (ping-pong, measured; "
                   "scale --predict --network %.2f:%.1f models nodes on it); for this step's "
                   "traffic the model's network term is %.1f us\n",
                   1e6 * c->net_latency_seconds, 8e-9 * c->net_bytes_per_s,
                   1e6 * c->net_latency_seconds, 8e-9 * c->net_bytes_per_s, 1e6 * model);
        }
        printf("  exchange %s: %.1f us per step on rank 0 (%.1f%% of the epoch; and %.1f us waiting "
               "for the other ranks first), %.1f KB received by each rank per step (%s)\n",
               cb_exchange_name(cb_dist_exchange()), 1e6 * per_step,
               last->seconds > 0 ? 100.0 * last->comm_seconds / last->seconds : 0.0,
               last->steps ? 1e6 * last->comm_wait_seconds / last->steps : 0.0,
               last->comm_bytes_per_step / 1e3,
               cb_dist_exchange() == CB_EXCHANGE_GATHER
                   ? "every image's gradients and activations; bit-identical for every rank count"
                   : "the ranks' summed gradients; the bits depend on the rank count");
    }
    printf("  weights  checksum %016llx after the last epoch", (unsigned long long)last->checksum);
    if (c->ranks > 1)
        printf(", the same on all %d ranks (compared after every %s)", c->ranks,
               o->cfg.check_replicas ? "step" : "epoch");
    printf("\n");
}

/* Each epoch's verdict (contention.h): its own CPU and steal figures, and the run's peak before the
 * first epoch and after the last, which bracket every epoch. */
static void judge_epochs(cb_epoch_stats *st, int epochs, double peak_before, double peak_after)
{
    for (int e = 0; e < epochs; e++) {
        st[e].contention.peak_before_gflops = peak_before;
        st[e].contention.peak_after_gflops = peak_after;
        cb_contention_judge(&st[e].contention, NULL);
    }
}

/* A WARNING line per flagged epoch, or one line saying what was measured and found quiet. */
static void print_contention(const cb_epoch_stats *st, int epochs)
{
    double cpu_min = NAN, thread_min = NAN, steal_max = NAN;
    bool any = false, passive = false;
    for (int e = 0; e < epochs; e++) {
        const cb_contention *c = &st[e].contention;
        if (c->flagged) {
            char line[CB_CONTENTION_MAX_REASONS * CB_CONTENTION_REASON_LEN + 64];
            cb_contention_reasons_line(c, line, sizeof line);
            printf("  WARNING  epoch %d: timing unreliable: %s\n", st[e].epoch, line);
            any = true;
        }
        if (isfinite(c->cpu_per_wall) && !(c->cpu_per_wall >= cpu_min))
            cpu_min = c->cpu_per_wall;
        if (c->min_thread >= 0 && c->threads > 1 && !(c->min_thread_cpu_per_wall >= thread_min))
            thread_min = c->min_thread_cpu_per_wall;
        if (isfinite(c->steal_share) && !(c->steal_share <= steal_max))
            steal_max = c->steal_share;
        passive |= c->waits_passively && c->threads > 1;
    }
    if (any)
        return;
    const cb_contention *c = &st[0].contention;
    printf("  machine  no contention detected (%s:", epochs > 1 ? "every epoch" : "the epoch");
    const char *sep = "";
    if (isfinite(cpu_min)) {
        printf(" CPU/wall per thread %s%.2f", epochs > 1 ? ">= " : "", cpu_min);
        if (isfinite(thread_min))
            printf(", lowest thread %.2f", thread_min);
        if (passive)
            printf(" (not judged: waiting threads sleep, OMP_WAIT_POLICY=passive)");
        sep = ",";
    }
    if (isfinite(steal_max)) {
        printf("%s %s%.1f%% stolen by the hypervisor", sep, epochs > 1 ? "<= " : "",
               100.0 * steal_max);
        sep = ",";
    }
    if (c->peak_before_gflops > 0 && c->peak_after_gflops > 0)
        printf("%s FMA peak %.1f GFLOP/s before the run, %.1f after", sep, c->peak_before_gflops,
               c->peak_after_gflops);
    printf(")\n");
}

static void print_summary(const cb_run_options *o, const cb_run_context *c,
                          const cb_epoch_stats *st, double flops, double peak)
{
    printf("\ncifarbench train: task %s, %d epoch(s) of %d images, batch %d, seed %llu\n",
           cb_task_name(o->task), o->cfg.epochs, c->train_images, o->cfg.batch,
           (unsigned long long)o->cfg.seed);
    printf("  cpu      %s (%d cores, %d PUs)\n", c->machine->cpu_model, c->machine->cores,
           c->machine->pus);
    if (c->variants) {
        printf("  kernels  %s, from %s:", cb_variants_summary(c->variants), o->variants_path);
        for (int k = 0; k < CB_KERNEL_COUNT; k++)
            printf("%s %s %s", k % 5 ? "," : "\n          ", cb_kernel_name(k),
                   cb_isa_name(c->variants->isa[k]));
        printf("\n");
    } else {
        printf("  kernels  %s%s\n", cb_isa_name(c->isa),
               c->isa_auto ? " (auto: the best this CPU supports)" : " (forced)");
    }
    printf("  threads  %d, bind %s (thread:PUs", c->threads, cb_bind_name(c->bind));
    for (int t = 0; t < c->threads; t++)
        printf(" %d:%s", t, c->bindings[t]);
    printf(")\n");
    if (c->oversubscribed)
        printf("  %s\n", cb_run_oversubscribed_warning(c));
    printf("  data     %s\n", c->data->source);
    printf("  work     %.3f MFLOP per training image, %.1f GFLOP per epoch\n", flops * 1e-6,
           flops * c->train_images * 1e-9);
    printf("  peak     %.1f GFLOP/s (FMA loop measured on this machine, %d thread(s) at once)\n",
           peak, c->threads * c->ranks);
    printf("\n  epoch   seconds    images/s   GFLOP/s  %% peak   train loss  train acc   test loss  test acc\n");
    for (int e = 0; e < o->cfg.epochs; e++)
        printf("  %5d  %8.3f  %10.1f  %8.2f  %5.1f%%  %10.4f  %9.4f  %10.4f  %8.4f\n", st[e].epoch,
               st[e].seconds, st[e].images_per_s, st[e].gflops,
               peak > 0 ? 100.0 * st[e].gflops / peak : 0.0, st[e].train_loss,
               st[e].train_accuracy, st[e].test_loss, st[e].test_accuracy);
    if (o->cfg.epochs > 1) {
        const double med = median_seconds(st, o->cfg.epochs);
        printf("  median %8.3f  %10.1f  %8.2f\n", med, c->train_images / med,
               c->train_images / med * flops * 1e-9);
    }
    print_contention(st, o->cfg.epochs);
    const cb_epoch_stats *last = &st[o->cfg.epochs - 1];
    print_ranks(o, c, last);
    if (last->labels) {
        printf("\n  multi-label test accuracy: exact match %.4f (the acc column), mean per label %.4f\n ",
               last->test_accuracy, last->test_mean_label_accuracy);
        for (int k = 0; k < last->labels; k++)
            printf(" %s %.3f", c->data->class_names[k], last->test_label_accuracy[k]);
        printf("\n");
    }
    print_layers(last, c->train_images, o->cfg.batch);
}

static int write_json(const cb_run_options *o, const cb_run_context *c, const cb_epoch_stats *st,
                      const cb_model_config *mc, double peak)
{
    json_t *doc = cb_results_new("train", c);
    json_t *cfg = cbr_new_train_config(doc);
    cbr_set_train_config_network(cfg, cb_task_network(o->task));
    cbr_set_train_config_loss(cfg, cb_head_name(mc->head));
    cbr_set_train_config_epochs(cfg, o->cfg.epochs);
    cbr_set_train_config_batch(cfg, o->cfg.batch);
    cbr_set_train_config_seed(cfg, (long long)o->cfg.seed);
    cbr_set_train_config_flops_per_image_train(cfg, cb_model_flops_train(mc));
    cbr_set_train_config_flops_per_image_forward(cfg, cb_model_flops_forward(mc));
    for (int e = 0; e < o->cfg.epochs; e++) {
        json_t *x = cbr_add_train_epochs(doc);
        cbr_set_epoch_epoch(x, st[e].epoch);
        cbr_set_epoch_images(x, st[e].images);
        cbr_set_epoch_steps(x, st[e].steps);
        cbr_set_epoch_seconds(x, st[e].seconds);
        cbr_set_epoch_images_per_s(x, st[e].images_per_s);
        cbr_set_epoch_gflops(x, st[e].gflops);
        cbr_set_epoch_train_loss(x, st[e].train_loss);
        cbr_set_epoch_train_accuracy(x, st[e].train_accuracy);
        cbr_set_epoch_test_loss(x, st[e].test_loss);
        cbr_set_epoch_test_accuracy(x, st[e].test_accuracy);
        cbr_set_epoch_eval_seconds(x, st[e].eval_seconds);
        if (st[e].labels) {
            cbr_set_epoch_test_exact_match(x, st[e].test_accuracy);
            cbr_set_epoch_test_mean_label_accuracy(x, st[e].test_mean_label_accuracy);
            cbr_set_epoch_test_label_accuracy(x, st[e].test_label_accuracy, (size_t)st[e].labels);
        }
        cbr_set_epoch_images_per_s_per_core(x, st[e].images_per_s / (c->threads * c->ranks));
        char sum[24];
        snprintf(sum, sizeof sum, "%016llx", (unsigned long long)st[e].checksum);
        cbr_set_epoch_weights_checksum(x, sum);
        if (c->ranks > 1) {
            cbr_set_epoch_comm_seconds(x, st[e].comm_seconds);
            cbr_set_epoch_comm_wait_seconds(x, st[e].comm_wait_seconds);
            cbr_set_epoch_comm_bytes_per_step(x, st[e].comm_bytes_per_step);
        }
        cbr_set_epoch_percent_of_peak(x, peak > 0 ? 100.0 * st[e].gflops / peak : NAN);
        cbr_set_epoch_profile_overhead(x, st[e].profile_overhead);
        cb_contention_to_json(cbr_new_epoch_contention(x), &st[e].contention);
    }
    const double med = median_seconds(st, o->cfg.epochs);
    const double gflops = c->train_images / med * cb_model_flops_train(mc) * 1e-9;
    json_t *s = cbr_new_train_summary(doc); /* medians over the epochs */
    cbr_set_summary_repetitions(s, o->cfg.epochs);
    cbr_set_summary_median_seconds(s, med);
    cbr_set_summary_images_per_s(s, c->train_images / med);
    cbr_set_summary_images_per_s_per_core(s, c->train_images / med / (c->threads * c->ranks));
    if (c->ranks > 1)
        cbr_set_summary_images_per_s_per_rank(s, c->train_images / med / c->ranks);
    cbr_set_summary_gflops(s, gflops);
    cbr_set_summary_peak_gflops(s, peak);
    cbr_set_summary_percent_of_peak(s, peak > 0 ? 100.0 * gflops / peak : NAN);
    /* Per-layer breakdown of the last epoch (seconds per thread; share of the epoch). */
    const cb_epoch_stats *last = &st[o->cfg.epochs - 1];
    for (int ph = 0; ph < CB_PHASE_COUNT; ph++) {
        json_t *l = cbr_add_train_layers(doc);
        cbr_set_layer_layer(l, cb_phase_layer((cb_phase)ph));
        cbr_set_layer_pass(l, cb_phase_pass((cb_phase)ph));
        cbr_set_layer_seconds(l, last->phase_seconds[ph]);
        cbr_set_layer_share(l, last->phase_seconds[ph] / last->seconds);
    }
    char err[4400];
    const int rc = cb_result_write(o->json_path, doc, err, sizeof err);
    json_decref(doc);
    if (rc != 0)
        fprintf(stderr, "cifarbench train: %s\n", err);
    return rc;
}

int cb_cmd_train(int argc, char **argv)
{
    cb_run_options o;
    cb_run_options_init(&o);
    train_extra x = {0};
    int rc = cb_run_parse(argc, argv, "train", train_usage_head, train_longopts, &o, train_option,
                          &x);
    const char *loss = x.loss;
    if (rc >= 0)
        return rc;
    if (cb_dist_rank() > 0)
        x.save = NULL; /* rank 0 writes the model file, the same weights as every rank's */
    if (o.task == CB_TASK_REGRESSION && cb_dist_many()) {
        fprintf(stderr, "cifarbench train: --task regression (iris, 150 rows) runs in one process, "
                        "not over %d MPI ranks\n", cb_dist_ranks());
        return CB_EXIT_USAGE;
    }
    if (o.task == CB_TASK_REGRESSION) {
        /* The iris fit has no model file and a kernel table of one ISA: refuse what it would
         * silently ignore. */
        const char *unused = x.save ? "--save" : x.load ? "--load" : o.variants_path ? "--variants"
                                                                                     : NULL;
        if (unused) {
            fprintf(stderr, "cifarbench train: %s does not apply to --task regression\n", unused);
            return CB_EXIT_USAGE;
        }
        return cb_cmd_regression(&o, loss);
    }
    cb_model_config mc = cb_task_model(o.task);
    if (loss && !cb_task_loss(o.task, loss, &mc.head)) {
        fprintf(stderr, "cifarbench train: --loss '%s' does not fit --task %s: use %s\n", loss,
                cb_task_name(o.task), o.task == CB_TASK_CLASSIFY ? "softmax-xent or softmax-mse"
                                                                 : "sigmoid-bce or sigmoid-mse");
        return CB_EXIT_USAGE;
    }
    /* The model first, so that --load is checked (loaded) before the data, with --save. */
    cb_model model;
    cb_epoch_stats *stats = calloc((size_t)o.cfg.epochs, sizeof *stats);
    if (!stats || cb_model_init(&model, &mc, cb_train_max_batch(&o.cfg), o.cfg.seed) != 0) {
        fprintf(stderr, "cifarbench train: out of memory\n");
        free(stats);
        return CB_EXIT_FAILURE;
    }
    x.json = o.json_path;
    x.model = &model;
    o.check = train_checks;
    o.check_ctx = &x;
    static cb_run run; /* large: the thread bindings */
    if ((rc = cb_run_prepare(&run, &o, "train")) >= 0) {
        cb_model_free(&model);
        free(stats);
        return rc;
    }
    o.cfg.threads = run.ctx.threads;
    o.cfg.profile = CB_PROFILE_LAYERS;
    const cb_run_context *c = &run.ctx;
    if (x.load)
        printf("  loaded   %s\n", x.load);

    cb_dist_measure_network(&run.ctx.net_latency_seconds, &run.ctx.net_bytes_per_s);
    const double peak = measured_peak(c);
    if (cb_train(&o.cfg, &run.data, &model, stats) != 0) {
        fprintf(stderr, "cifarbench train: out of memory\n");
        if (cb_dist_many()) /* the other ranks wait for this one's images */
            cb_dist_abort(CB_EXIT_FAILURE);
        cb_model_free(&model);
        free(stats);
        cb_run_free(&run);
        return CB_EXIT_FAILURE;
    }
    /* Once more after the last epoch, on the same threads: did the machine get slower? */
    judge_epochs(stats, o.cfg.epochs, peak, peak > 0 ? measured_peak(c) : 0.0);
    print_summary(&o, c, stats, cb_model_flops_train(&mc), peak);
    rc = CB_EXIT_OK;
    for (int e = 0; e < o.cfg.epochs; e++)
        if (!isfinite(stats[e].train_loss)) {
            fprintf(stderr, "cifarbench train: the training loss is not finite\n");
            rc = CB_EXIT_FAILURE;
        }
    char err[4400];
    if (rc == CB_EXIT_OK && x.save) {
        if (cb_model_save(&model, x.save, err, sizeof err) == 0) {
            printf("  saved    %s\n", x.save);
        } else {
            fprintf(stderr, "cifarbench train: %s\n", err);
            rc = CB_EXIT_FAILURE;
        }
    }
    if (rc == CB_EXIT_OK && o.json_path) {
        if (write_json(&o, c, stats, &mc, peak) == 0)
            printf("  results  %s\n", o.json_path);
        else
            rc = CB_EXIT_FAILURE;
    }
    cb_model_free(&model);
    free(stats);
    cb_run_free(&run);
    return rc;
}
