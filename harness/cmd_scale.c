/* cmd_scale.c - `cifarbench scale`: the same training at 1, 2, ... N threads, and how it scales. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "run.h"

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
    "  --repetitions R    epochs timed per thread count, each from a fresh model (default 3)\n";

typedef struct scale_point {
    int threads;
    char bindings[256];
    int reps;
    double seconds_all[100]; /* every repetition, in run order */
    double median_seconds, images_per_s, per_core, speedup, efficiency;
    double sync_seconds_per_step, sync_share;
    double test_accuracy;
    bool identical; /* final weights bit-identical to the 1-thread run's */
} scale_point;

static int scale_option(cb_args *a, cb_run_options *o, void *ctx)
{
    (void)o;
    long long v;
    if (!cb_args_is(a, "--repetitions"))
        return 0;
    if (!cb_args_int(a, 1, 100, &v))
        return -1;
    *(int *)ctx = (int)v;
    return 1;
}

static int compare_doubles(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Trains `reps` fresh models at the team's current size; the last model's weights stay in
 * `weights` (allocated by the caller, param_count floats). Returns 0, or -1 when memory is short. */
static int measure(const cb_run_options *o, cb_run *run, int reps, scale_point *pt, float *weights)
{
    const cb_model_config mc = cb_task_model(o->task);
    cb_train_config cfg = o->cfg;
    cfg.threads = pt->threads;
    cfg.progress = CB_PROGRESS_NONE;
    double secs[100];
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
        secs[r] = pt->seconds_all[r] = st.seconds;
        pt->reps = r + 1;
        steps = st.steps;
        pt->test_accuracy = st.test_accuracy;
        memcpy(weights, m.param_slab, m.param_count * sizeof *weights);
        cb_model_free(&m);
        fprintf(stderr, "cifarbench scale: %d thread(s), run %d/%d: %.3f s\n", pt->threads, r + 1,
                reps, st.seconds);
    }
    qsort(secs, (size_t)reps, sizeof secs[0], compare_doubles);
    pt->median_seconds = reps % 2 ? secs[reps / 2] : 0.5 * (secs[reps / 2 - 1] + secs[reps / 2]);
    pt->images_per_s = run->ctx.train_images / pt->median_seconds;
    pt->per_core = pt->images_per_s / pt->threads;
    pt->sync_seconds_per_step = cb_team_sync_seconds(pt->threads, CB_STEP_BARRIERS);
    pt->sync_share = pt->sync_seconds_per_step * (double)steps / pt->median_seconds;
    return 0;
}

static void print_table(const scale_point *p, int n, const cb_run *run, const cb_run_options *o,
                        int reps)
{
    printf("\ncifarbench scale: %d images per epoch, batch %d, kernels %s, bind %s, median of %d\n",
           run->ctx.train_images, o->cfg.batch, cb_isa_name(run->ctx.isa),
           cb_bind_name(o->bind), reps);
    printf("  cpu      %s (%d cores, %d PUs)\n\n", run->machine.cpu_model, run->machine.cores,
           run->machine.pus);
    printf("  threads  PUs      seconds    images/s   img/s/core  speed-up  efficiency  "
           "sync/step  sync share  same weights\n");
    for (int i = 0; i < n; i++)
        printf("  %7d  %-7s %8.3f  %10.1f  %11.1f  %8.2f  %9.1f%%  %7.2f us  %9.2f%%  %s\n",
               p[i].threads, p[i].bindings, p[i].median_seconds, p[i].images_per_s, p[i].per_core,
               p[i].speedup, 100.0 * p[i].efficiency, 1e6 * p[i].sync_seconds_per_step,
               100.0 * p[i].sync_share, i == 0 ? "(reference)" : p[i].identical ? "yes" : "NO");
}

static int write_json(const char *path, const scale_point *p, int n, const cb_run *run,
                      const cb_run_options *o, int reps)
{
    cb_json j;
    cb_json_init(&j);
    cb_json_object_begin(&j, NULL);
    cb_results_header(&j, "scale", &run->ctx);
    cb_json_object_begin(&j, "config");
    cb_json_int(&j, "batch", o->cfg.batch);
    cb_json_int(&j, "seed", (long long)o->cfg.seed);
    cb_json_int(&j, "repetitions", reps);
    cb_json_int(&j, "step_barriers", CB_STEP_BARRIERS);
    cb_json_int(&j, "chunk_images", CB_CHUNK_IMAGES);
    cb_json_object_end(&j);
    cb_json_array_begin(&j, "scaling");
    for (int i = 0; i < n; i++) {
        cb_json_object_begin(&j, NULL);
        cb_json_int(&j, "threads", p[i].threads);
        cb_json_string(&j, "thread_pus", p[i].bindings);
        cb_json_number(&j, "seconds", p[i].median_seconds);
        cb_json_array_begin(&j, "seconds_all");
        for (int r = 0; r < p[i].reps; r++)
            cb_json_number(&j, NULL, p[i].seconds_all[r]);
        cb_json_array_end(&j);
        cb_json_number(&j, "images_per_s", p[i].images_per_s);
        cb_json_number(&j, "images_per_s_per_core", p[i].per_core);
        cb_json_number(&j, "speedup", p[i].speedup);
        cb_json_number(&j, "efficiency", p[i].efficiency);
        cb_json_number(&j, "sync_seconds_per_step", p[i].sync_seconds_per_step);
        cb_json_number(&j, "sync_share", p[i].sync_share);
        cb_json_number(&j, "test_accuracy", p[i].test_accuracy);
        cb_json_bool(&j, "weights_identical_to_1_thread", p[i].identical);
        cb_json_object_end(&j);
    }
    cb_json_array_end(&j);
    cb_json_object_end(&j);
    char err[4400];
    int rc = 0;
    if (j.failed || cb_write_file_atomic(path, j.buf, j.len, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench scale: %s\n", j.failed ? "out of memory" : err);
        rc = -1;
    }
    cb_json_free(&j);
    return rc;
}

int cb_cmd_scale(int argc, char **argv)
{
    cb_run_options o;
    int reps = 3;
    cb_run_options_init(&o);
    int rc = cb_run_parse(argc, argv, "scale", scale_usage_head, &o, scale_option, &reps);
    if (rc >= 0)
        return rc;
    static cb_run run;
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
    rc = pts && ref && w ? CB_EXIT_OK : CB_EXIT_FAILURE;
    if (rc != CB_EXIT_OK)
        fprintf(stderr, "cifarbench scale: out of memory\n");
    for (int t = 1; t <= max_threads && rc == CB_EXIT_OK; t++) {
        scale_point *pt = &pts[t - 1];
        pt->threads = t;
        int team = cb_run_start_team(&run, t, o.bind, "scale");
        if (team >= 0) {
            rc = team;
            break;
        }
        for (int i = 0, len = 0; i < t && len < (int)sizeof pt->bindings; i++)
            len += snprintf(pt->bindings + len, sizeof pt->bindings - (size_t)len, "%s%s",
                            i ? "," : "", run.ctx.bindings[i]);
        if (measure(&o, &run, reps, pt, t == 1 ? ref : w) != 0) {
            fprintf(stderr, "cifarbench scale: out of memory\n");
            rc = CB_EXIT_FAILURE;
            break;
        }
        pt->identical = t == 1 || memcmp(ref, w, params * sizeof *w) == 0;
        pt->speedup = pts[0].median_seconds / pt->median_seconds;
        pt->efficiency = pt->speedup / t;
    }
    if (rc == CB_EXIT_OK) {
        print_table(pts, max_threads, &run, &o, reps);
        if (o.json_path) {
            if (write_json(o.json_path, pts, max_threads, &run, &o, reps) == 0)
                printf("  results  %s\n", o.json_path);
            else
                rc = CB_EXIT_FAILURE;
        }
    }
    free(pts);
    free(ref);
    free(w);
    cb_run_free(&run);
    return rc;
}
