/* cmd_study.c - `cifarbench study`: the matched activation+loss pair against the mismatched one,
 * from the same seed, with learning curves that show the saturation argument in numbers. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "mismatched.h"
#include "run.h"
#include "svg_chart.h"

static const char study_usage_head[] =
    "usage: cifarbench study [options]\n"
    "\n"
    "Trains the task twice from the same seed and data order: with the matched pair (binary:\n"
    "sigmoid + binary cross-entropy; classify: softmax + cross-entropy) and with the mismatched\n"
    "one (sigmoid + MSE; softmax + MSE). Prints, every --every steps, each run's loss, accuracy\n"
    "and the mean size of one example's loss gradient at the logits, and the gradient each pair\n"
    "gives a confidently wrong prediction; writes DIR/study.json and DIR/study.svg.\n"
    "\n"
    "options:\n"
    "  --epochs N         epochs per run (default 1)\n"
    "  --every N          steps per point of the curves (default 20)\n"
    "  --out DIR          where study.json and study.svg go (default out/study)\n";

typedef struct study_options {
    int epochs, every;
    const char *out;
} study_options;

static int study_option(cb_args *a, cb_run_options *o, void *ctx)
{
    (void)o;
    study_options *s = ctx;
    long long v;
    if (cb_args_is(a, "--out"))
        return (s->out = cb_args_value(a)) ? 1 : -1;
    if (cb_args_is(a, "--epochs") || cb_args_is(a, "--every")) {
        const bool epochs = cb_args_is(a, "--epochs");
        if (!cb_args_int(a, 1, epochs ? 100 : 100000, &v))
            return -1;
        *(epochs ? &s->epochs : &s->every) = (int)v;
        return 1;
    }
    return 0;
}

typedef struct curve {
    cb_head head;
    long points;
    double *step, *loss, *accuracy, *grad; /* one per point: means over `every` steps */
    double test_accuracy;
} curve;

/* Trains one run and averages its per-step records over blocks of `every` steps. */
static int run_curve(const cb_run_options *o, cb_run *run, const study_options *so, curve *cv)
{
    cb_model_config mc = cb_task_model(o->task);
    mc.head = cv->head;
    cb_train_config cfg = o->cfg;
    cfg.epochs = so->epochs;
    cfg.threads = run->ctx.threads;
    cfg.progress = CB_PROGRESS_NONE;
    const long steps = (long)so->epochs * ((run->ctx.train_images + cfg.batch - 1) / cfg.batch);
    float *rec = malloc(3 * sizeof(float) * (size_t)steps);
    cb_epoch_stats *st = calloc((size_t)so->epochs, sizeof *st);
    cv->points = (steps + so->every - 1) / so->every;
    double *pts = calloc(4 * (size_t)cv->points, sizeof(double));
    cb_model m;
    if (!rec || !st || !pts || cb_model_init(&m, &mc, cb_train_max_batch(&cfg), cfg.seed) != 0) {
        free(rec), free(st), free(pts);
        return -1;
    }
    cfg.step_losses = rec, cfg.step_accuracy = rec + steps, cfg.step_grad = rec + 2 * steps;
    cfg.step_losses_cap = steps;
    const int rc = cb_train(&cfg, &run->data, &m, st);
    cb_model_free(&m);
    cv->step = pts, cv->loss = pts + cv->points, cv->accuracy = pts + 2 * cv->points;
    cv->grad = pts + 3 * cv->points;
    for (long p = 0; rc == 0 && p < cv->points; p++) {
        const long from = p * so->every, to = from + so->every < steps ? from + so->every : steps;
        for (long s = from; s < to; s++) {
            cv->loss[p] += cfg.step_losses[s] / (double)(to - from);
            cv->accuracy[p] += cfg.step_accuracy[s] / (double)(to - from);
            cv->grad[p] += cfg.step_grad[s] / (double)(to - from);
        }
        cv->step[p] = (double)to;
    }
    cv->test_accuracy = st[so->epochs - 1].test_accuracy;
    free(rec);
    free(st);
    return rc;
}

/* The gradient each head gives one example whose true class gets logit z (the others 0, K = 10
 * for softmax; target 1 for sigmoid): the saturation argument, from the loss functions used. */
static double probe(cb_head head, float z)
{
    float logits[10] = {0}, dz[10], t = 1.0f;
    const int32_t label = 0;
    logits[0] = z;
    const cb_kernel_table *kt = cb_kernel_table_for(CB_ISA_SCALAR);
    switch (head) {
    case CB_HEAD_SOFTMAX_XENT: kt->softmax_xent(1, 10, logits, &label, dz); break;
    case CB_HEAD_SOFTMAX_MSE: cb_softmax_mse(1, 10, logits, &label, dz); break;
    case CB_HEAD_SIGMOID_BCE: kt->sigmoid_bce(1, 1, logits, &t, dz); break;
    default: cb_sigmoid_mse(1, 1, logits, &t, dz); break;
    }
    return dz[0];
}

static const float probe_z[] = {-8.0f, -4.0f, 0.0f, 4.0f};

static int write_outputs(const study_options *so, const cb_run *run, const cb_run_options *o,
                         curve cv[2])
{
    char path[4096], err[4400];
    if (mkdir(so->out, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "cifarbench study: cannot create %s: %s\n", so->out, strerror(errno));
        return -1;
    }
    cb_json j;
    cb_json_init(&j);
    cb_json_object_begin(&j, NULL);
    cb_results_header(&j, "study", &run->ctx);
    cb_json_object_begin(&j, "config");
    cb_json_int(&j, "epochs", so->epochs);
    cb_json_int(&j, "every", so->every);
    cb_json_int(&j, "batch", o->cfg.batch);
    cb_json_int(&j, "seed", (long long)o->cfg.seed);
    cb_json_object_end(&j);
    cb_json_array_begin(&j, "runs");
    for (int r = 0; r < 2; r++) {
        cb_json_object_begin(&j, NULL);
        cb_json_string(&j, "loss", cb_head_name(cv[r].head));
        cb_json_bool(&j, "matched", r == 0);
        cb_json_number(&j, "test_accuracy", cv[r].test_accuracy);
        const char *keys[4] = {"step", "train_loss", "train_accuracy", "gradient"};
        const double *cols[4] = {cv[r].step, cv[r].loss, cv[r].accuracy, cv[r].grad};
        for (int k = 0; k < 4; k++) {
            cb_json_array_begin(&j, keys[k]);
            for (long p = 0; p < cv[r].points; p++)
                cb_json_number(&j, NULL, cols[k][p]);
            cb_json_array_end(&j);
        }
        cb_json_array_begin(&j, "probe_gradient"); /* at probe_logits, true class */
        for (size_t i = 0; i < sizeof probe_z / sizeof probe_z[0]; i++)
            cb_json_number(&j, NULL, probe(cv[r].head, probe_z[i]));
        cb_json_array_end(&j);
        cb_json_object_end(&j);
    }
    cb_json_array_end(&j);
    cb_json_array_begin(&j, "probe_logits");
    for (size_t i = 0; i < sizeof probe_z / sizeof probe_z[0]; i++)
        cb_json_number(&j, NULL, probe_z[i]);
    cb_json_array_end(&j);
    cb_json_object_end(&j);
    snprintf(path, sizeof path, "%s/study.json", so->out);
    int rc = j.failed || cb_write_file_atomic(path, j.buf, j.len, err, sizeof err) != 0 ? -1 : 0;
    cb_json_free(&j);

    /* Two line charts (loss, gradient size) stacked in one SVG file. */
    cb_sb charts[2], svg;
    const char *titles[2] = {"training loss", "mean |gradient| of one example at the logits"};
    for (int c = 0; c < 2; c++) {
        cb_svg_series series[2];
        for (int r = 0; r < 2; r++)
            series[r] = (cb_svg_series){cb_head_name(cv[r].head), cv[r].step,
                                        c ? cv[r].grad : cv[r].loss, (size_t)cv[r].points, false};
        cb_sb_init(&charts[c]);
        cb_svg_line_chart(&charts[c], &(cb_svg_lines){titles[c], "step", titles[c], series, 2, true});
    }
    double h[2] = {300, 300};
    for (int c = 0; c < 2; c++)
        sscanf(strstr(cb_sb_str(&charts[c]), "viewBox=\"0 0 ") + 13, "%*d %lf", &h[c]);
    cb_sb_init(&svg);
    cb_sb_printf(&svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 760 %.0f\" "
                 "width=\"760\" height=\"%.0f\">\n", h[0] + h[1], h[0] + h[1]);
    for (int c = 0; c < 2; c++) {
        const char *body = strstr(cb_sb_str(&charts[c]), "<svg ") + 5; /* re-open with a position */
        cb_sb_printf(&svg, "<svg x=\"0\" y=\"%.0f\" width=\"760\" height=\"%.0f\" ", c ? h[0] : 0.0,
                     h[c]);
        cb_sb_put(&svg, body);
        cb_sb_free(&charts[c]);
    }
    cb_sb_put(&svg, "</svg>\n");
    snprintf(path, sizeof path, "%s/study.svg", so->out);
    const char *text = cb_sb_str(&svg);
    if (rc != 0 || cb_write_file_atomic(path, text, strlen(text), err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench study: %s\n", rc ? "cannot write study.json" : err);
        rc = -1;
    }
    cb_sb_free(&svg);
    return rc;
}

static void print_curves(const study_options *so, curve cv[2])
{
    printf("\n  %7s", "step");
    for (int r = 0; r < 2; r++)
        printf("   %-12s loss    acc   |grad|", cb_head_name(cv[r].head));
    printf("\n");
    const long rows = cv[0].points < 12 ? cv[0].points : 12;
    for (long i = 0; i < rows; i++) {
        const long p = rows > 1 ? i * (cv[0].points - 1) / (rows - 1) : 0;
        printf("  %7.0f", cv[0].step[p]);
        for (int r = 0; r < 2; r++)
            printf("   %17.4f %6.3f %8.5f", cv[r].loss[p], cv[r].accuracy[p], cv[r].grad[p]);
        printf("\n");
    }
    printf("\n  test accuracy after %d epoch(s): %s %.4f, %s %.4f\n", so->epochs,
           cb_head_name(cv[0].head), cv[0].test_accuracy, cb_head_name(cv[1].head),
           cv[1].test_accuracy);
    printf("\n  gradient for one example whose true class has logit z (saturation):\n  %-14s",
           "z");
    for (size_t i = 0; i < sizeof probe_z / sizeof probe_z[0]; i++)
        printf(" %10.0f", probe_z[i]);
    for (int r = 0; r < 2; r++) {
        printf("\n  %-14s", cb_head_name(cv[r].head));
        for (size_t i = 0; i < sizeof probe_z / sizeof probe_z[0]; i++)
            printf(" %10.6f", probe(cv[r].head, probe_z[i]));
    }
    printf("\n");
}

int cb_cmd_study(int argc, char **argv)
{
    cb_run_options o;
    cb_run_options_init(&o);
    o.task = CB_TASK_BINARY;
    study_options so = {.epochs = 1, .every = 20, .out = "out/study"};
    int rc = cb_run_parse(argc, argv, "study", study_usage_head, &o, study_option, &so);
    if (rc >= 0)
        return rc;
    if (o.task != CB_TASK_BINARY && o.task != CB_TASK_CLASSIFY) {
        fprintf(stderr, "cifarbench study: --task binary or classify\n");
        return CB_EXIT_USAGE;
    }
    static cb_run run;
    if ((rc = cb_run_prepare(&run, &o, "study")) >= 0)
        return rc;
    const bool binary = o.task == CB_TASK_BINARY;
    curve cv[2] = {{.head = binary ? CB_HEAD_SIGMOID_BCE : CB_HEAD_SOFTMAX_XENT},
                   {.head = binary ? CB_HEAD_SIGMOID_MSE : CB_HEAD_SOFTMAX_MSE}};
    for (int r = 0; r < 2 && rc < 0; r++)
        if (run_curve(&o, &run, &so, &cv[r]) != 0) {
            fprintf(stderr, "cifarbench study: out of memory\n");
            rc = CB_EXIT_FAILURE;
        }
    if (rc < 0) {
        printf("cifarbench study: task %s, %d images, batch %d, seed %llu, kernels %s\n",
               cb_task_name(o.task), run.ctx.train_images, o.cfg.batch,
               (unsigned long long)o.cfg.seed, cb_isa_name(run.ctx.isa));
        print_curves(&so, cv);
        rc = write_outputs(&so, &run, &o, cv) == 0 ? CB_EXIT_OK : CB_EXIT_FAILURE;
        if (rc == CB_EXIT_OK)
            printf("  results  %s/study.json, %s/study.svg\n", so.out, so.out);
    }
    for (int r = 0; r < 2; r++)
        free(cv[r].step);
    cb_run_free(&run);
    return rc;
}
