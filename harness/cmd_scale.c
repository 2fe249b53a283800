/* cmd_scale.c - `cifarbench scale`: the same training at 1, 2, ... N threads, and how it scales. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_atomic_file.h"
#include "cb_stats.h"
#include "commands.h"
#include "bandwidth.h"
#include "contention.h"
#include "dist.h"
#include "run.h"
#include "scale_predict.h"

static const char scale_usage_head[] =
    "usage: cifarbench scale [options]\n"
    "\n"
    "Trains the reference network for one epoch at 1, 2, ... N threads (N = --threads, default one\n"
    "per physical core), each from the same seed, and prints per thread count: images/s, images/s\n"
    "per core, speed-up and parallel efficiency against one thread (medians over --repetitions),\n"
    "the time the step's synchronisation costs, and whether the trained weights are bit-identical\n"
    "to the one-thread run's.\n"
    "\n"
    "options:\n"
    "  --repetitions R    epochs timed per thread count, each from a fresh model (default 3)\n"
    "  --mode MODE        strong: the same batch at every thread count (default); weak: --batch\n"
    "                     per thread, a global batch of batch x threads (the data-parallel view;\n"
    "                     different batches train different weights, so nothing is compared)\n"
    "  --predict LIST     also predict images/s, speed-up and efficiency at these thread counts\n"
    "                     (e.g. 4,8,16,32,64,128) for both modes, from a model fed with what this\n"
    "                     machine measures (one profiled epoch at 1 thread, the step's sync, one\n"
    "                     core's read bandwidth), checked against the measured 2-thread median;\n"
    "                     and over 1 to 64 nodes of N threads on 25 and 100 Gb/s networks\n"
    "  --network US:GBITS with --predict, one more network for the nodes' curves: its latency in\n"
    "                     microseconds and bandwidth in Gbit/s (train under mpirun measures\n"
    "                     the one between its ranks)\n";

typedef struct scale_options {
    int reps;
    cb_scaling_mode mode;
    int n_predict, predict[CB_PREDICT_MAX];
    bool has_network;
    cb_network network;
} scale_options;

typedef struct scale_point {
    int threads, batch;
    char bindings[256];
    int reps;
    double seconds_all[100]; /* every repetition, in run order */
    double median_seconds, images_per_s, per_core, speedup, efficiency;
    double sync_seconds_per_step, sync_share;
    double test_accuracy;
    bool identical; /* final weights bit-identical to the 1-thread run's */
    cb_contention contention; /* the worst repetition, and the peak before and after them all */
} scale_point;

static const struct option scale_longopts[] = {
    {"repetitions", required_argument, NULL, 'r'},
    {"mode", required_argument, NULL, 'm'},
    {"predict", required_argument, NULL, 'p'},
    {"network", required_argument, NULL, 'n'},
    {0},
};

static bool scale_option(int c, cb_options *p, cb_run_options *o, void *ctx)
{
    (void)o;
    scale_options *so = ctx;
    long long v;
    char err[160];
    switch (c) {
    case 'r':
        if (!cb_options_int(p, 1, 100, &v))
            return false;
        so->reps = (int)v;
        return true;
    case 'm':
        if (strcmp(p->arg, "strong") == 0 || strcmp(p->arg, "weak") == 0) {
            so->mode = strcmp(p->arg, "weak") == 0 ? CB_SCALING_WEAK : CB_SCALING_STRONG;
            return true;
        }
        cb_options_usage_error(p, "--mode '%s': use strong or weak", p->arg);
        return false;
    case 'n':
        so->has_network = cb_network_parse(p->arg, &so->network, err, sizeof err);
        if (so->has_network)
            return true;
        cb_options_usage_error(p, "%s", err);
        return false;
    default:
        if (cb_predict_parse(p->arg, CB_MAX_THREADS, so->predict, &so->n_predict, err, sizeof err))
            return true;
        cb_options_usage_error(p, "%s", err);
        return false;
    }
}

/* The global batch at `threads` threads. */
static int batch_at(const cb_run_options *o, const scale_options *so, int threads)
{
    return so->mode == CB_SCALING_WEAK ? o->cfg.batch * threads : o->cfg.batch;
}

/* Trains `reps` fresh models at the team's current size; the last model's weights stay in
 * `weights` (allocated by the caller, param_count floats). Returns 0, or -1 when memory is short. */
static int measure(const cb_run_options *o, cb_run *run, int reps, scale_point *pt, float *weights)
{
    const cb_model_config mc = cb_task_model(o->task);
    cb_train_config cfg = o->cfg;
    cfg.threads = pt->threads;
    cfg.batch = pt->batch;
    cfg.progress = CB_PROGRESS_NONE;
    long steps = 0;
    for (int r = 0; r < reps; r++) {
        cb_model m;
        cb_epoch_stats st;
        if (cb_model_init(&m, &mc, cb_train_max_batch(&cfg), cfg.seed) != 0)
            return -1;
        if (cb_train(&cfg, &run->data, &m, &st) != 0) {
            cb_model_free(&m);
            return -1;
        }
        /* Each repetition judged on its own figures; the point keeps the worst (contention.h). */
        char prefix[64] = "";
        if (reps > 1)
            snprintf(prefix, sizeof prefix, "repetition %d of %d: ", r + 1, reps);
        cb_contention_judge(&st.contention, prefix);
        cb_contention_merge(&pt->contention, &st.contention);
        pt->seconds_all[r] = st.seconds;
        pt->reps = r + 1;
        steps = st.steps;
        pt->test_accuracy = st.test_accuracy;
        memcpy(weights, m.param_slab, m.param_count * sizeof *weights);
        cb_model_free(&m);
        fprintf(stderr, "cifarbench scale: %d thread(s), run %d/%d: %.3f s\n", pt->threads, r + 1,
                reps, st.seconds);
    }
    pt->median_seconds = cb_median_of(pt->seconds_all, (size_t)reps);
    pt->images_per_s = run->ctx.train_images / pt->median_seconds;
    pt->per_core = pt->images_per_s / pt->threads;
    pt->sync_seconds_per_step = cb_team_sync_seconds(pt->threads, CB_STEP_BARRIERS);
    pt->sync_share = pt->sync_seconds_per_step * (double)steps / pt->median_seconds;
    return 0;
}

enum { BAND_EPOCH_IMAGES = 5000 }; /* the band epoch's images: about 0.1 s */

/* One profiled epoch at one thread (CB_PROFILE_UNITS) of batch `batch`, in bands if bands, on
 * the first `images` training images (0: all), as the scaling model reads it (`seconds`: the
 * unprofiled median it is scaled to). Returns 0, or -1 when memory is short. */
static int profiled_epoch(const cb_run_options *o, cb_run *run, int batch, int images, bool bands,
                          double seconds, cb_scaling_epoch *e, cb_scaling_inputs *in)
{
    const cb_model_config mc = cb_task_model(o->task);
    cb_train_config cfg = o->cfg;
    cfg.threads = 1;
    cfg.batch = batch;
    cfg.train_images = images;
    cfg.progress = CB_PROGRESS_NONE;
    cfg.profile = CB_PROFILE_UNITS;
    cb_model m;
    cb_epoch_stats st;
    if (cb_model_init(&m, &mc, cb_train_max_batch(&cfg), cfg.seed) != 0)
        return -1;
    m.bands_always = bands;
    const int rc = cb_train(&cfg, &run->data, &m, &st);
    if (!bands) {
        in->blocks = cb_model_param_blocks(&m);
        in->block_bytes_per_image = cb_model_block_bytes_per_image(&m);
        in->exchange_bytes_per_image = cb_model_exchange_bytes_per_image(&m, false);
        in->result_bytes_per_image = cb_model_exchange_bytes_per_image(&m, true);
        in->gradient_bytes = (double)m.param_count * sizeof(float);
    }
    cb_model_free(&m);
    if (rc != 0)
        return -1;
    *e = (cb_scaling_epoch){seconds, st.seconds, st.profile_overhead * st.seconds,
                            st.images_seconds, st.heads_seconds, st.blocks_seconds,
                            st.adam_seconds, st.region_seconds, st.steps, st.images};
    fprintf(stderr, "cifarbench scale: 1 thread, profiled epoch for the model%s: %.3f s\n",
            bands ? " (in bands, batch 1)" : "", st.seconds);
    return 0;
}

/* Two more epochs at one thread, profiled in units: the 1-thread point's, and one in bands at
 * batch 1 on BAND_EPOCH_IMAGES images (what a band costs when it runs, its dense layers per
 * image); the unit costs they give the scaling model, scaled to the 1-thread point's median.
 * Returns 0, or -1 when memory is short. */
static int model_epoch(const cb_run_options *o, cb_run *run, const scale_point *one,
                       cb_scaling_inputs *in)
{
    cb_scaling_epoch e, bands;
    if (profiled_epoch(o, run, one->batch, o->cfg.train_images, false, one->median_seconds, &e,
                       in) != 0 ||
        profiled_epoch(o, run, 1, BAND_EPOCH_IMAGES, true, 0.0, &bands, in) != 0)
        return -1;
    in->sync1_seconds = one->sync_seconds_per_step;
    cb_scaling_inputs_from(&e, &bands, one->batch, in->blocks, in);
    return 0;
}

/* A WARNING line per flagged thread count, or one line saying what was measured and found quiet. */
static void print_contention(const scale_point *p, int n)
{
    double cpu_min = NAN, steal_max = NAN, peak_ratio_min = NAN;
    bool any = false;
    for (int i = 0; i < n; i++) {
        const cb_contention *c = &p[i].contention;
        if (c->flagged) {
            char line[CB_CONTENTION_MAX_REASONS * CB_CONTENTION_REASON_LEN + 64];
            cb_contention_reasons_line(c, line, sizeof line);
            printf("  WARNING  %d thread%s: timing unreliable: %s\n", p[i].threads,
                   p[i].threads == 1 ? "" : "s", line);
            any = true;
        }
        if (isfinite(c->cpu_per_wall) && !(c->cpu_per_wall >= cpu_min))
            cpu_min = c->cpu_per_wall;
        if (isfinite(c->steal_share) && !(c->steal_share <= steal_max))
            steal_max = c->steal_share;
        if (c->peak_before_gflops > 0 && c->peak_after_gflops > 0) {
            const double ratio = c->peak_after_gflops / c->peak_before_gflops;
            if (!(ratio >= peak_ratio_min))
                peak_ratio_min = ratio;
        }
    }
    if (any)
        return;
    printf("  machine  no contention detected (every repetition:");
    const char *sep = "";
    if (isfinite(cpu_min)) {
        printf(" CPU/wall per thread >= %.2f", cpu_min);
        sep = ",";
    }
    if (isfinite(steal_max)) {
        printf("%s <= %.1f%% stolen by the hypervisor", sep, 100.0 * steal_max);
        sep = ",";
    }
    if (isfinite(peak_ratio_min))
        printf("%s FMA peak after >= %.0f%% of before", sep, 100.0 * peak_ratio_min);
    printf(")\n");
}

static void print_table(const scale_point *p, int n, const cb_run *run, const cb_run_options *o,
                        const scale_options *so)
{
    printf("\ncifarbench scale: %s scaling, %d images per epoch, batch %d%s, kernels %s, bind %s, "
           "median of %d\n",
           cb_scaling_mode_name(so->mode), run->ctx.train_images, o->cfg.batch,
           so->mode == CB_SCALING_WEAK ? " per thread" : "", cb_isa_name(run->ctx.isa),
           cb_bind_name(o->bind), so->reps);
    printf("  cpu      %s (%d cores, %d PUs)\n", run->machine.cpu_model, run->machine.cores,
           run->machine.pus);
    if (run->ctx.oversubscribed) /* the largest team, the last one started */
        printf("  %s\n", cb_run_oversubscribed_warning(&run->ctx));
    printf("\n");
    printf("  threads  PUs      batch   seconds    images/s   img/s/core  speed-up  efficiency  "
           "sync/step  sync share  same weights\n");
    for (int i = 0; i < n; i++)
        printf("  %7d  %-7s %5d  %8.3f  %10.1f  %11.1f  %8.2f  %9.1f%%  %7.2f us  %9.2f%%  %s\n",
               p[i].threads, p[i].bindings, p[i].batch, p[i].median_seconds, p[i].images_per_s,
               p[i].per_core, p[i].speedup, 100.0 * p[i].efficiency,
               1e6 * p[i].sync_seconds_per_step, 100.0 * p[i].sync_share,
               so->mode == CB_SCALING_WEAK ? "n/a (batch differs)"
               : i == 0                    ? "(reference)"
               : p[i].identical            ? "yes"
                                           : "NO");
    print_contention(p, n);
}

static int write_json(const char *path, const scale_point *p, int n, const cb_run *run,
                      const cb_run_options *o, const scale_options *so,
                      const cb_scale_prediction *pred)
{
    json_t *doc = cb_results_new("scale", &run->ctx);
    json_t *cfg = cbr_new_scale_config(doc);
    cbr_set_scale_config_mode(cfg, cb_scaling_mode_name(so->mode));
    cbr_set_scale_config_batch(cfg, o->cfg.batch);
    cbr_set_scale_config_seed(cfg, (long long)o->cfg.seed);
    cbr_set_scale_config_repetitions(cfg, so->reps);
    cbr_set_scale_config_step_barriers(cfg, CB_STEP_BARRIERS);
    cbr_set_scale_config_chunk_images(cfg, CB_UNIT_IMAGES); /* images per unit of work */
    for (int i = 0; i < n; i++) {
        json_t *x = cbr_add_scale_scaling(doc);
        cbr_set_scale_point_threads(x, p[i].threads);
        cbr_set_scale_point_thread_pus(x, p[i].bindings);
        cbr_set_scale_point_batch(x, p[i].batch);
        cbr_set_scale_point_seconds(x, p[i].median_seconds);
        cbr_set_scale_point_seconds_all(x, p[i].seconds_all, (size_t)p[i].reps);
        cbr_set_scale_point_images_per_s(x, p[i].images_per_s);
        cbr_set_scale_point_images_per_s_per_core(x, p[i].per_core);
        cbr_set_scale_point_speedup(x, p[i].speedup);
        cbr_set_scale_point_efficiency(x, p[i].efficiency);
        cbr_set_scale_point_sync_seconds_per_step(x, p[i].sync_seconds_per_step);
        cbr_set_scale_point_sync_share(x, p[i].sync_share);
        cbr_set_scale_point_test_accuracy(x, p[i].test_accuracy);
        if (so->mode == CB_SCALING_STRONG)
            cbr_set_scale_point_weights_identical_to_1_thread(x, p[i].identical);
        cb_contention_to_json(cbr_new_scale_point_contention(x), &p[i].contention);
    }
    if (pred)
        cb_scale_predict_to_json(doc, pred);
    char err[4400];
    const int rc = cb_result_write(path, doc, err, sizeof err);
    json_decref(doc);
    if (rc != 0)
        fprintf(stderr, "cifarbench scale: %s\n", err);
    return rc;
}

/* The model's remaining inputs (the sync on 1 and 2 threads, one core's bandwidth), both curves,
 * and their check against the measured 2-thread median. */
static void predict(cb_scale_prediction *pred, const scale_options *so, const cb_run *run,
                    const scale_point *pts, int measured)
{
    cb_scaling_inputs *in = &pred->in;
    /* one thread alone: the sync of 2 threads is then measured on a time-shared PU */
    in->sync2_seconds = measured >= 2 ? pts[1].sync_seconds_per_step
                                      : cb_team_sync_seconds(2, CB_STEP_BARRIERS);
    in->bandwidth_per_core = cb_read_bandwidth_per_core(&run->machine);
    in->handoff_seconds = cb_team_handoff_seconds();
    cb_scale_predict(pred, measured, so->predict, so->n_predict,
                     so->has_network ? &so->network : NULL);
    if (measured >= 2)
        cb_scale_predict_validate(pred, so->mode, 2, pts[1].images_per_s, pts[1].reps);
}

/* Every check before the work (cb_run_prepare calls it once the data is loaded): weak scaling
 * needs the largest global batch within an epoch; the model is of one process's threads. */
typedef struct scale_checks {
    const cb_run_options *o;
    const scale_options *so;
} scale_checks;

static int check_scale(void *ctx, const cb_run_context *c, const char *command)
{
    const scale_checks *k = ctx;
    const cb_run_options *o = k->o;
    const scale_options *so = k->so;
    if (so->has_network && !so->n_predict) {
        fprintf(stderr, "cifarbench %s: --network is a network for --predict's curves; give "
                        "--predict too\n", command);
        return CB_EXIT_USAGE;
    }
    if (so->n_predict && cb_dist_many()) {
        fprintf(stderr, "cifarbench %s: --predict models the threads of one process: run it "
                        "without mpirun\n", command);
        return CB_EXIT_USAGE;
    }
    const long long largest = (long long)batch_at(o, so, o->threads);
    if (so->mode != CB_SCALING_WEAK || largest <= c->train_images)
        return -1;
    fprintf(stderr,
            "cifarbench scale: --mode weak at %d threads trains a global batch of %d x %d = %lld "
            "images, more than the epoch's %d: use fewer threads, a smaller --batch or more "
            "--images\n",
            o->threads, o->cfg.batch, o->threads, largest, c->train_images);
    return CB_EXIT_USAGE;
}

int cb_cmd_scale(int argc, char **argv)
{
    cb_run_options o;
    scale_options so = {.reps = 3, .mode = CB_SCALING_STRONG};
    cb_run_options_init(&o);
    /* The CIFAR-10 tasks; regression (iris, one thread) has nothing to scale. */
    o.tasks = CB_RUN_TASK(CB_TASK_CLASSIFY) | CB_RUN_TASK(CB_TASK_BINARY) |
              CB_RUN_TASK(CB_TASK_MULTILABEL);
    int rc = cb_run_parse(argc, argv, "scale", scale_usage_head, scale_longopts, &o, scale_option,
                          &so);
    if (rc >= 0)
        return rc;
    static cb_run run;
    scale_checks checks = {&o, &so};
    o.check_data = check_scale;
    o.check_ctx = &checks;
    if ((rc = cb_run_prepare(&run, &o, "scale")) >= 0)
        return rc;
    const int max_threads = o.threads;
    const cb_model_config mc = cb_task_model(o.task);
    cb_model probe;
    if (cb_model_init(&probe, &mc, 1, 0) != 0)
        return CB_EXIT_FAILURE;
    const size_t params = probe.param_count;
    cb_model_free(&probe);

    scale_point *pts = calloc((size_t)max_threads, sizeof *pts);
    float *ref = malloc(params * sizeof *ref), *w = malloc(params * sizeof *w);
    cb_scale_prediction *pred = so.n_predict ? calloc(1, sizeof *pred) : NULL;
    rc = pts && ref && w && (pred || !so.n_predict) ? CB_EXIT_OK : CB_EXIT_FAILURE;
    if (rc != CB_EXIT_OK)
        fprintf(stderr, "cifarbench scale: out of memory\n");
    for (int t = 1; t <= max_threads && rc == CB_EXIT_OK; t++) {
        scale_point *pt = &pts[t - 1];
        pt->threads = t;
        pt->batch = batch_at(&o, &so, t);
        int team = cb_run_start_team(&run, t, o.bind, "scale");
        if (team >= 0 && cb_dist_many())
            cb_dist_abort(team); /* the other ranks have started theirs */
        if (team >= 0) {
            rc = team;
            break;
        }
        for (int i = 0, len = 0; i < t && len < (int)sizeof pt->bindings; i++)
            len += snprintf(pt->bindings + len, sizeof pt->bindings - (size_t)len, "%s%s",
                            i ? "," : "", run.ctx.bindings[i]);
        /* The FMA peak on this team before and after its repetitions (contention.h). */
        cb_contention_clear(&pt->contention);
        cb_contention peaks;
        cb_contention_clear(&peaks);
        peaks.threads = t;
        const cb_peak_loop *loop = cb_contention_peak_loop(run.ctx.isa, run.ctx.variants);
        peaks.peak_before_gflops = loop ? cb_contention_team_peak(loop, t) : 0.0;
        if (measure(&o, &run, so.reps, pt, t == 1 ? ref : w) != 0 ||
            (pred && t == 1 && model_epoch(&o, &run, pt, &pred->in) != 0)) {
            fprintf(stderr, "cifarbench scale: out of memory\n");
            if (cb_dist_many()) /* the other ranks wait for this one's images */
                cb_dist_abort(CB_EXIT_FAILURE);
            rc = CB_EXIT_FAILURE;
            break;
        }
        peaks.peak_after_gflops = loop ? cb_contention_team_peak(loop, t) : 0.0;
        cb_contention_judge(&peaks, NULL);
        cb_contention_merge(&pt->contention, &peaks);
        pt->identical = t == 1 || memcmp(ref, w, params * sizeof *w) == 0;
        pt->speedup = pts[0].median_seconds / pt->median_seconds; /* an epoch's images are fixed */
        pt->efficiency = pt->speedup / t;
    }
    if (rc == CB_EXIT_OK && pred)
        predict(pred, &so, &run, pts, max_threads);
    if (rc == CB_EXIT_OK) {
        print_table(pts, max_threads, &run, &o, &so);
        if (pred)
            cb_scale_predict_print(pred, so.mode);
        if (o.json_path) {
            if (write_json(o.json_path, pts, max_threads, &run, &o, &so, pred) == 0)
                printf("  results  %s\n", o.json_path);
            else
                rc = CB_EXIT_FAILURE;
        }
    }
    free(pred);
    free(pts);
    free(ref);
    free(w);
    cb_run_free(&run);
    return rc;
}
