/* cmd_study.c - `cifarbench study`: the matched activation+loss pair against the mismatched one,
 * from the same seed, with learning curves that show the saturation argument in numbers. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, lstat */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cb_atomic_file.h"
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
    "gives a confidently wrong prediction; writes DIR/study.json and DIR/study.svg, and with\n"
    "--json FILE the same result JSON to FILE too.\n"
    "\n"
    "options:\n"
    "  --epochs N         epochs per run (default 1)\n"
    "  --every N          steps per point of the curves (default 20)\n"
    "  --out DIR          where study.json and study.svg go (default out/study): an existing\n"
    "                     directory, or one that is created (with its missing parents); an\n"
    "                     existing file that is not a directory is refused\n";

typedef struct study_options {
    int epochs, every;
    const char *out;
    char out_buf[4096];
} study_options;

static const struct option study_longopts[] = {
    {"epochs", required_argument, NULL, 'e'},
    {"every", required_argument, NULL, 'n'},
    {"out", required_argument, NULL, 'o'},
    {0},
};

static bool study_option(int c, cb_options *p, cb_run_options *o, void *ctx)
{
    (void)o;
    study_options *s = ctx;
    long long v;
    switch (c) {
    case 'o':
        if (!p->arg[0]) {
            cb_options_usage_error(p, "--out needs a directory name, not an empty string");
            return false;
        }
        /* without trailing slashes, so that DIR/study.json reads well */
        snprintf(s->out_buf, sizeof s->out_buf, "%s", p->arg);
        for (size_t n = strlen(s->out_buf); n > 1 && s->out_buf[n - 1] == '/';)
            s->out_buf[--n] = '\0';
        s->out = s->out_buf;
        return true;
    case 'e':
    case 'n':
        if (!cb_options_int(p, 1, c == 'e' ? 100 : 100000, &v))
            return false;
        *(c == 'e' ? &s->epochs : &s->every) = (int)v;
        return true;
    default: return false; /* not one of study_longopts */
    }
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

/* DIR/name into buf; false when it does not fit. */
static bool out_path(char *buf, size_t len, const char *dir, const char *name)
{
    const int n = snprintf(buf, len, "%s/%s", dir, name);
    return n > 0 && (size_t)n < len;
}

/* Checks, before any work, that --out DIR can take study.json and study.svg: an existing
 * directory (symbolic links followed) whose two files can be written (cb_check_file_writable),
 * or a path that does not exist yet under an existing directory in which a directory can be
 * created (checked by creating and removing one). An existing file of any other kind is refused.
 * Nothing is left behind. Returns 0, or -1 with the reason in err. */
static int check_out_dir(const char *dir, char *err, size_t errlen)
{
    char path[4096];
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "--out %s: it exists and is %s, not a directory (--out names the "
                     "directory for study.json and study.svg)", dir,
                     S_ISREG(st.st_mode)    ? "a regular file"
                     : S_ISFIFO(st.st_mode) ? "a FIFO (named pipe)"
                     : S_ISCHR(st.st_mode)  ? "a character device"
                                            : "a special file");
            return -1;
        }
        const char *files[2] = {"study.json", "study.svg"};
        for (int i = 0; i < 2; i++) {
            if (!out_path(path, sizeof path, dir, files[i])) {
                snprintf(err, errlen, "--out %.200s...: path too long", dir);
                return -1;
            }
            if (cb_check_file_writable(path, err, errlen) != 0)
                return -1;
        }
        return 0;
    }
    if (errno != ENOENT) { /* ENOTDIR: under a regular file; ELOOP; EACCES */
        snprintf(err, errlen, "--out %s: %s", dir, strerror(errno));
        return -1;
    }
    struct stat lst;
    if (lstat(dir, &lst) == 0) {
        snprintf(err, errlen, "--out %s: it is a dangling symbolic link (its target does not "
                 "exist)", dir);
        return -1;
    }
    /* The nearest ancestor that exists must be a directory we can create a directory in. */
    snprintf(path, sizeof path, "%s", dir);
    for (;;) {
        size_t n = strlen(path);
        while (n > 1 && path[n - 1] == '/')
            path[--n] = '\0';
        char *slash = strrchr(path, '/');
        if (!slash)
            snprintf(path, sizeof path, ".");
        else
            slash[slash == path ? 1 : 0] = '\0';
        if (stat(path, &st) == 0)
            break;
        if (errno != ENOENT || strcmp(path, ".") == 0 || strcmp(path, "/") == 0) {
            snprintf(err, errlen, "--out %s: cannot create it under %s: %s", dir, path,
                     strerror(errno));
            return -1;
        }
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "--out %s: cannot create it: %s is not a directory", dir, path);
        return -1;
    }
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/.cifarbench-check-XXXXXX", path);
    if (!mkdtemp(probe)) {
        snprintf(err, errlen, "--out %s: cannot create a directory in %s: %s", dir, path,
                 strerror(errno));
        return -1;
    }
    rmdir(probe);
    return 0;
}

/* Creates dir and its missing parents (mkdir -p). Returns 0, or -1 with the reason in err. */
static int make_dirs(const char *dir, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1;; p++) {
        const bool end = *p == '\0';
        if (!end && *p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
            return -1;
        }
        if (end)
            break;
        *p = '/';
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "cannot create %s: it is not a directory", dir);
        return -1;
    }
    return 0;
}

/* study's checks before the data is loaded (cb_run_check_fn). */
static int study_checks(void *ctx, const char *command)
{
    const study_options *so = ctx;
    char err[4400];
    if (check_out_dir(so->out, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench %s: %s\n", command, err);
        return CB_EXIT_FAILURE;
    }
    return -1;
}

static int write_outputs(const study_options *so, const cb_run *run, const cb_run_options *o,
                         curve cv[2])
{
    char path[4096], err[4400];
    json_t *doc = cb_results_new("study", &run->ctx);
    json_t *cfg = cbr_new_study_config(doc);
    cbr_set_study_config_epochs(cfg, so->epochs);
    cbr_set_study_config_every(cfg, so->every);
    cbr_set_study_config_batch(cfg, o->cfg.batch);
    cbr_set_study_config_seed(cfg, (long long)o->cfg.seed);
    enum { NZ = sizeof probe_z / sizeof probe_z[0] };
    double z[NZ], g[NZ];
    for (size_t i = 0; i < NZ; i++)
        z[i] = probe_z[i];
    for (int r = 0; r < 2; r++) {
        json_t *x = cbr_add_study_runs(doc);
        cbr_set_study_run_loss(x, cb_head_name(cv[r].head));
        cbr_set_study_run_matched(x, r == 0);
        cbr_set_study_run_test_accuracy(x, cv[r].test_accuracy);
        cbr_set_study_run_step(x, cv[r].step, (size_t)cv[r].points);
        cbr_set_study_run_train_loss(x, cv[r].loss, (size_t)cv[r].points);
        cbr_set_study_run_train_accuracy(x, cv[r].accuracy, (size_t)cv[r].points);
        cbr_set_study_run_gradient(x, cv[r].grad, (size_t)cv[r].points);
        for (size_t i = 0; i < NZ; i++) /* at probe_logits, true class */
            g[i] = probe(cv[r].head, probe_z[i]);
        cbr_set_study_run_probe_gradient(x, g, NZ);
    }
    cbr_set_study_probe_logits(doc, z, NZ);
    /* --json FILE first (the same result, through the same writer), then DIR: a --json that
     * cannot be written leaves no DIR behind. */
    int rc = 0;
    if (!out_path(path, sizeof path, so->out, "study.json")) {
        fprintf(stderr, "cifarbench study: cannot build %s/study.json\n", so->out);
        rc = -1;
    } else if ((o->json_path && cb_result_write(o->json_path, doc, err, sizeof err) != 0) ||
               make_dirs(so->out, err, sizeof err) != 0 ||
               cb_result_write(path, doc, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench study: %s\n", err);
        rc = -1;
    }
    json_decref(doc);
    if (rc != 0)
        return rc;

    /* Two line charts (loss, gradient size) stacked in one SVG file. */
    cb_buf charts[2], svg;
    const char *titles[2] = {"training loss", "mean |gradient| of one example at the logits"};
    for (int c = 0; c < 2; c++) {
        cb_svg_series series[2];
        for (int r = 0; r < 2; r++)
            series[r] = (cb_svg_series){cb_head_name(cv[r].head), cv[r].step,
                                        c ? cv[r].grad : cv[r].loss, (size_t)cv[r].points, false};
        cb_buf_init(&charts[c]);
        cb_svg_line_chart(&charts[c], &(cb_svg_lines){titles[c], "step", titles[c], series, 2, true});
    }
    double h[2] = {300, 300};
    for (int c = 0; c < 2; c++)
        sscanf(strstr(cb_buf_str(&charts[c]), "viewBox=\"0 0 ") + 13, "%*d %lf", &h[c]);
    cb_buf_init(&svg);
    cb_buf_printf(&svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 760 %.0f\" "
                 "width=\"760\" height=\"%.0f\">\n", h[0] + h[1], h[0] + h[1]);
    for (int c = 0; c < 2; c++) {
        const char *body = strstr(cb_buf_str(&charts[c]), "<svg ") + 5; /* re-open with a position */
        cb_buf_printf(&svg, "<svg x=\"0\" y=\"%.0f\" width=\"760\" height=\"%.0f\" ", c ? h[0] : 0.0,
                     h[c]);
        cb_buf_puts(&svg, body);
        cb_buf_free(&charts[c]);
    }
    cb_buf_puts(&svg, "</svg>\n");
    const char *text = cb_buf_str(&svg);
    if (!out_path(path, sizeof path, so->out, "study.svg") ||
        cb_write_file_atomic(path, text, strlen(text), err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench study: %s\n", err);
        rc = -1;
    }
    cb_buf_free(&svg);
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
    o.tasks = CB_RUN_TASK(CB_TASK_BINARY) | CB_RUN_TASK(CB_TASK_CLASSIFY); /* a mismatched pair each */
    study_options so = {.epochs = 1, .every = 20, .out = "out/study"};
    int rc = cb_run_parse(argc, argv, "study", study_usage_head, study_longopts, &o, study_option,
                          &so);
    if (rc >= 0)
        return rc;
    o.check = study_checks;
    o.check_ctx = &so;
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
            printf("  results  %s/study.json, %s/study.svg%s%s\n", so.out, so.out,
                   o.json_path ? ", " : "", o.json_path ? o.json_path : "");
    }
    for (int r = 0; r < 2; r++)
        free(cv[r].step);
    cb_run_free(&run);
    return rc;
}
