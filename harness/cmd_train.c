/* cmd_train.c - `cifarbench train`: a timed training run of the reference network. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "model_file.h"
#include "peak.h"
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

/* train's own options besides the shared ones. */
typedef struct train_extra {
    const char *loss, *save, *load;
} train_extra;

static int train_option(cb_args *a, cb_run_options *o, void *ctx)
{
    train_extra *x = ctx;
    long long v;
    if (cb_args_is(a, "--loss"))
        return (x->loss = cb_args_value(a)) ? 1 : -1;
    if (cb_args_is(a, "--save"))
        return (x->save = cb_args_value(a)) ? 1 : -1;
    if (cb_args_is(a, "--load"))
        return (x->load = cb_args_value(a)) ? 1 : -1;
    if (cb_args_is(a, "--variants"))
        return (o->variants_path = cb_args_value(a)) ? 1 : -1;
    if (!cb_args_is(a, "--epochs"))
        return 0;
    if (!cb_args_int(a, 1, 10000, &v))
        return -1;
    o->cfg.epochs = (int)v;
    return 1;
}

/* Median epoch time: the epochs are the run's repetitions. */
static double median_seconds(const cb_epoch_stats *st, int n)
{
    double v[10000];
    for (int i = 0; i < n; i++) { /* insertion sort: n is the number of epochs */
        int k = i;
        for (; k > 0 && v[k - 1] > st[i].seconds; k--)
            v[k] = v[k - 1];
        v[k] = st[i].seconds;
    }
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Per-layer table of the last epoch: forward and backward seconds and their share of the epoch. */
static void print_layers(const cb_epoch_stats *st)
{
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
    printf("  %-9s %9.4f  %9s  %6.1f%%   (waiting at barriers, bookkeeping)\n", "other",
           st->seconds - accounted, "", 100.0 * (st->seconds - accounted) / st->seconds);
}

/* The FMA peak of all the run's threads: one core's peak, measured now for the widest ISA the run
 * uses, times the threads. 0 when this build has no loop for it. */
static double measured_peak(const cb_run_context *c)
{
    cb_isa widest = c->isa;
    if (c->variants)
        for (int k = 0; k < CB_KERNEL_COUNT; k++)
            widest = k == 0 || c->variants->isa[k] > widest ? c->variants->isa[k] : widest;
    const cb_peak_loop *loop = cb_peak_loop_for(widest);
    return loop ? cb_peak_measure(loop) * c->threads : 0.0;
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
    printf("  data     %s\n", c->data->source);
    printf("  work     %.3f MFLOP per training image, %.1f GFLOP per epoch\n", flops * 1e-6,
           flops * c->train_images * 1e-9);
    printf("  peak     %.1f GFLOP/s (FMA loop measured on this machine, %d thread(s))\n", peak,
           c->threads);
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
    const cb_epoch_stats *last = &st[o->cfg.epochs - 1];
    if (last->labels) {
        printf("\n  multi-label test accuracy: exact match %.4f (the acc column), mean per label %.4f\n ",
               last->test_accuracy, last->test_mean_label_accuracy);
        for (int k = 0; k < last->labels; k++)
            printf(" %s %.3f", c->data->class_names[k], last->test_label_accuracy[k]);
        printf("\n");
    }
    print_layers(last);
}

static int write_json(const cb_run_options *o, const cb_run_context *c, const cb_epoch_stats *st,
                      const cb_model_config *mc, double peak)
{
    cb_json j;
    cb_json_init(&j);
    cb_json_object_begin(&j, NULL);
    cb_results_header(&j, "train", c);
    cb_json_object_begin(&j, "config");
    cb_json_string(&j, "network", cb_task_network(o->task));
    cb_json_string(&j, "loss", cb_head_name(mc->head));
    cb_json_int(&j, "epochs", o->cfg.epochs);
    cb_json_int(&j, "batch", o->cfg.batch);
    cb_json_int(&j, "seed", (long long)o->cfg.seed);
    cb_json_number(&j, "flops_per_image_train", cb_model_flops_train(mc));
    cb_json_number(&j, "flops_per_image_forward", cb_model_flops_forward(mc));
    cb_json_object_end(&j);
    cb_json_array_begin(&j, "epochs");
    for (int e = 0; e < o->cfg.epochs; e++) {
        cb_json_object_begin(&j, NULL);
        cb_json_int(&j, "epoch", st[e].epoch);
        cb_json_int(&j, "images", st[e].images);
        cb_json_int(&j, "steps", st[e].steps);
        cb_json_number(&j, "seconds", st[e].seconds);
        cb_json_number(&j, "images_per_s", st[e].images_per_s);
        cb_json_number(&j, "gflops", st[e].gflops);
        cb_json_number(&j, "train_loss", st[e].train_loss);
        cb_json_number(&j, "train_accuracy", st[e].train_accuracy);
        cb_json_number(&j, "test_loss", st[e].test_loss);
        cb_json_number(&j, "test_accuracy", st[e].test_accuracy);
        cb_json_number(&j, "eval_seconds", st[e].eval_seconds);
        if (st[e].labels) {
            cb_json_number(&j, "test_exact_match", st[e].test_accuracy);
            cb_json_number(&j, "test_mean_label_accuracy", st[e].test_mean_label_accuracy);
            cb_json_array_begin(&j, "test_label_accuracy");
            for (int k = 0; k < st[e].labels; k++)
                cb_json_number(&j, NULL, st[e].test_label_accuracy[k]);
            cb_json_array_end(&j);
        }
        cb_json_number(&j, "images_per_s_per_core", st[e].images_per_s / c->threads);
        cb_json_number(&j, "percent_of_peak", peak > 0 ? 100.0 * st[e].gflops / peak : NAN);
        cb_json_number(&j, "profile_overhead", st[e].profile_overhead);
        cb_json_object_end(&j);
    }
    cb_json_array_end(&j);
    const double med = median_seconds(st, o->cfg.epochs);
    cb_json_object_begin(&j, "summary"); /* medians over the epochs */
    cb_json_int(&j, "repetitions", o->cfg.epochs);
    cb_json_number(&j, "median_seconds", med);
    cb_json_number(&j, "images_per_s", c->train_images / med);
    cb_json_number(&j, "images_per_s_per_core", c->train_images / med / c->threads);
    const double gflops = c->train_images / med * cb_model_flops_train(mc) * 1e-9;
    cb_json_number(&j, "gflops", gflops);
    cb_json_number(&j, "peak_gflops", peak);
    cb_json_number(&j, "percent_of_peak", peak > 0 ? 100.0 * gflops / peak : NAN);
    cb_json_object_end(&j);
    /* Per-layer breakdown of the last epoch (seconds per thread; share of the epoch). */
    const cb_epoch_stats *last = &st[o->cfg.epochs - 1];
    cb_json_array_begin(&j, "layers");
    for (int ph = 0; ph < CB_PHASE_COUNT; ph++) {
        cb_json_object_begin(&j, NULL);
        cb_json_string(&j, "layer", cb_phase_layer((cb_phase)ph));
        cb_json_string(&j, "pass", cb_phase_pass((cb_phase)ph));
        cb_json_number(&j, "seconds", last->phase_seconds[ph]);
        cb_json_number(&j, "share", last->phase_seconds[ph] / last->seconds);
        cb_json_object_end(&j);
    }
    cb_json_array_end(&j);
    cb_json_object_end(&j);
    char err[4400];
    int rc = 0;
    if (j.failed) {
        fprintf(stderr, "cifarbench train: out of memory building %s\n", o->json_path);
        rc = -1;
    } else if (cb_write_file_atomic(o->json_path, j.buf, j.len, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench train: %s\n", err);
        rc = -1;
    }
    cb_json_free(&j);
    return rc;
}

int cb_cmd_train(int argc, char **argv)
{
    cb_run_options o;
    cb_run_options_init(&o);
    train_extra x = {0};
    int rc = cb_run_parse(argc, argv, "train", train_usage_head, &o, train_option, &x);
    const char *loss = x.loss;
    if (rc >= 0)
        return rc;
    if (o.task == CB_TASK_REGRESSION)
        return cb_cmd_regression(&o, loss);
    cb_model_config mc = cb_task_model(o.task);
    if (loss && !cb_task_loss(o.task, loss, &mc.head)) {
        fprintf(stderr, "cifarbench train: --loss '%s' does not fit --task %s: use %s\n", loss,
                cb_task_name(o.task), o.task == CB_TASK_CLASSIFY ? "softmax-xent or softmax-mse"
                                                                 : "sigmoid-bce or sigmoid-mse");
        return CB_EXIT_USAGE;
    }
    static cb_run run; /* large: the thread bindings */
    if ((rc = cb_run_prepare(&run, &o, "train")) >= 0)
        return rc;
    o.cfg.threads = run.ctx.threads;
    o.cfg.profile = true;
    const cb_run_context *c = &run.ctx;

    const double peak = measured_peak(c);
    cb_model model;
    cb_epoch_stats *stats = calloc((size_t)o.cfg.epochs, sizeof *stats);
    const bool model_ok =
        stats && cb_model_init(&model, &mc, cb_train_max_batch(&o.cfg), o.cfg.seed) == 0;
    char err[4400];
    const char *failure = !model_ok ? "out of memory" : NULL;
    if (!failure && x.save && cb_check_file_writable(x.save, err, sizeof err) != 0)
        failure = err;
    if (!failure && x.load && cb_model_load(&model, x.load, err, sizeof err) != 0)
        failure = err;
    if (!failure && x.load)
        printf("  loaded   %s\n", x.load);
    if (!failure && cb_train(&o.cfg, &run.data, &model, stats) != 0)
        failure = "out of memory";
    if (failure) {
        fprintf(stderr, "cifarbench train: %s\n", failure);
        if (model_ok)
            cb_model_free(&model);
        free(stats);
        cb_run_free(&run);
        return CB_EXIT_FAILURE;
    }
    print_summary(&o, c, stats, cb_model_flops_train(&mc), peak);
    rc = CB_EXIT_OK;
    for (int e = 0; e < o.cfg.epochs; e++)
        if (!isfinite(stats[e].train_loss)) {
            fprintf(stderr, "cifarbench train: the training loss is not finite\n");
            rc = CB_EXIT_FAILURE;
        }
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
