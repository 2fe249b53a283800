/* report_data.c - see report_data.h. */
#include "report_data.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_stats.h"
#include "mann_whitney.h"

/* ---- context ---------------------------------------------------------------------------------- */

bool cb_rd_in_group(const cb_rfile *f, const cb_rd_context *c)
{
    return (f->kind == CB_RF_GBENCH) == c->gbench;
}

void cb_rd_context_build(const cb_rfile *files, size_t n, bool gbench, cb_rd_context *out)
{
    memset(out, 0, sizeof *out);
    out->gbench = gbench;
    const cb_rfile *first = NULL;
    for (size_t f = 0; f < n; f++) {
        if (!cb_rd_in_group(&files[f], out))
            continue;
        out->n_files++;
        if (!first)
            first = &files[f];
        for (size_t i = 0; i < files[f].ctx.n_fields; i++) {
            const char *label = files[f].ctx.fields[i].label;
            bool seen = false;
            for (size_t k = 0; k < out->n && !seen; k++)
                seen = strcmp(out->labels[k], label) == 0;
            if (!seen && out->n < CB_RD_MAX_LABELS)
                out->labels[out->n++] = label;
        }
    }
    for (size_t k = 0; k < out->n; k++) {
        const char *v0 = cb_rcontext_field(&first->ctx, out->labels[k]);
        bool same = v0 != NULL;
        for (size_t f = 0; f < n && same; f++) {
            if (!cb_rd_in_group(&files[f], out))
                continue;
            const char *v = cb_rcontext_field(&files[f].ctx, out->labels[k]);
            same = v && strcmp(v, v0) == 0;
        }
        out->common[k] = same ? v0 : NULL;
    }
}

/* ---- ISA comparison --------------------------------------------------------------------------- */

static int isa_rank(const char *isa)
{
    if (strcmp(isa, "scalar") == 0)
        return 0;
    if (strcmp(isa, "avx2") == 0)
        return 1;
    if (strcmp(isa, "avx512") == 0)
        return 2;
    return 3;
}

static bool same_workload(const cb_rcontext *c, const cb_rd_isa *g)
{
    return strcmp(c->task, g->task) == 0 && c->train_images == g->images && c->batch == g->batch;
}

static bool in_isa_group(const cb_rfile *f, const cb_rd_isa *g)
{
    return f->kind == CB_RF_TRAIN && strcmp(f->ctx.isa, g->isa) == 0 && same_workload(&f->ctx, g);
}

/* Median of one epoch field (a double at offset) over the train files of group g; NAN when no
 * epoch has it. */
static double group_median(const cb_rfile *files, size_t n, const cb_rd_isa *g, size_t offset)
{
    double *v = malloc((g->epochs ? g->epochs : 1) * sizeof *v);
    size_t k = 0;
    for (size_t f = 0; v && f < n; f++)
        for (size_t e = 0; in_isa_group(&files[f], g) && e < files[f].res.train.epochs.n; e++) {
            double x;
            memcpy(&x, (const char *)&files[f].res.train.epochs.v[e] + offset, sizeof x);
            if (isfinite(x))
                v[k++] = x;
        }
    const double m = v ? cb_median(v, k) : NAN;
    free(v);
    return m;
}

cb_rd_isa *cb_rd_isa_compare(const cb_rfile *files, size_t n, size_t *count, char *note, size_t notelen)
{
    *count = 0;
    if (notelen)
        note[0] = '\0';
    cb_rd_isa *g = calloc(n ? n : 1, sizeof *g);
    if (!g)
        return NULL;
    size_t ng = 0, workloads = 0;
    for (size_t f = 0; f < n; f++) {
        if (files[f].kind != CB_RF_TRAIN)
            continue;
        const cb_rcontext *c = &files[f].ctx;
        size_t k = 0;
        while (k < ng && !in_isa_group(&files[f], &g[k]))
            k++;
        if (k == ng) {
            g[ng] = (cb_rd_isa){.isa = c->isa, .task = c->task, .images = c->train_images, .batch = c->batch,
                                .threads = c->threads, .workload = workloads};
            for (size_t j = 0; j < ng; j++)
                if (same_workload(c, &g[j]))
                    g[ng].workload = g[j].workload;
            workloads += g[ng++].workload == workloads;
        } else if (g[k].threads != c->threads) {
            g[k].threads = 0;
        }
        g[k].files++;
        g[k].epochs += files[f].res.train.epochs.n;
    }
    /* stable order: by workload, then scalar, avx2, avx512, the rest as seen */
    for (size_t i = 1; i < ng; i++)
        for (size_t j = i; j > 0 && (g[j].workload < g[j - 1].workload ||
                                     (g[j].workload == g[j - 1].workload && isa_rank(g[j].isa) < isa_rank(g[j - 1].isa)));
             j--) {
            const cb_rd_isa t = g[j];
            g[j] = g[j - 1];
            g[j - 1] = t;
        }
    for (size_t k = 0; k < ng; k++) {
        cb_rd_isa *r = &g[k];
#define MEDIAN(field) group_median(files, n, r, offsetof(cbr_epoch, field))
        r->median_seconds = MEDIAN(seconds);
        r->images_per_s = MEDIAN(images_per_s);
        r->images_per_s_per_core = MEDIAN(images_per_s_per_core);
        r->gflops = MEDIAN(gflops);
        r->percent_of_peak = MEDIAN(percent_of_peak);
#undef MEDIAN
        if (!isfinite(r->percent_of_peak)) { /* older epochs lack it: the files' summaries */
            double pct[64];
            size_t np = 0;
            for (size_t f = 0; f < n && np < 64; f++)
                if (in_isa_group(&files[f], r) && isfinite(files[f].res.train.summary.percent_of_peak))
                    pct[np++] = files[f].res.train.summary.percent_of_peak;
            r->percent_of_peak = cb_median(pct, np);
        }
        if (workloads > 1)
            snprintf(r->label, sizeof r->label, "%s (%s, %lld images, batch %lld)", r->isa, r->task, r->images, r->batch);
        else
            snprintf(r->label, sizeof r->label, "%s", r->isa);
    }
    bool threads_differ = false;
    for (size_t k = 0; k < ng; k++) {
        double slowest = 0, scalar = NAN; /* images/s in the workload */
        for (size_t j = 0; j < ng; j++) {
            if (g[j].workload != g[k].workload)
                continue;
            if (slowest == 0 || g[j].images_per_s < slowest)
                slowest = g[j].images_per_s;
            if (strcmp(g[j].isa, "scalar") == 0)
                scalar = g[j].images_per_s;
            threads_differ |= j != k && (g[j].threads != g[k].threads || g[k].threads == 0);
        }
        g[k].vs_slowest = g[k].images_per_s / slowest;
        g[k].vs_scalar = g[k].images_per_s / scalar;
    }
    if (threads_differ && notelen)
        snprintf(note, notelen, "ISA groups of one workload differ in thread count, so their ratios measure "
                                "more than the kernels.");
    *count = ng;
    return g;
}

/* ---- layers ----------------------------------------------------------------------------------- */

cb_rd_layer *cb_rd_layers(const cbr_train *t, size_t *count)
{
    *count = 0;
    if (t->layers.n == 0)
        return NULL;
    cb_rd_layer *r = calloc(t->layers.n + 1, sizeof *r);
    if (!r)
        return NULL;
    size_t n = 0;
    bool has_rest = false;
    double epoch = t->epochs.v[t->epochs.n - 1].seconds, phases = 0; /* the profiled epoch */
    for (size_t i = 0; i < t->layers.n; i++) {
        const cbr_layer *l = &t->layers.v[i];
        size_t k = 0;
        while (k < n && strcmp(r[k].layer, l->layer) != 0)
            k++;
        if (k == n)
            r[n++].layer = l->layer;
        const double s = isfinite(l->seconds) ? l->seconds : 0;
        const char *pass = l->pass ? l->pass : "";
        *(strcmp(pass, "forward") == 0 ? &r[k].forward : strcmp(pass, "backward") == 0 ? &r[k].backward
                                                                                       : &r[k].step) += s;
        r[k].total += s;
        phases += s;
        has_rest |= strcmp(l->layer, "other") == 0;
    }
    if (!has_rest) {
        r[n] = (cb_rd_layer){.layer = CB_RD_LAYER_REST, .rest = epoch - phases, .total = epoch - phases};
        n++;
    } else {
        epoch = phases;
    }
    for (size_t k = 0; k < n; k++)
        r[k].share = r[k].total / epoch;
    *count = n;
    return r;
}

/* ---- kernels ---------------------------------------------------------------------------------- */

/* Whether needle occurs in name, ignoring case. */
static bool name_has(const char *name, const char *needle)
{
    const size_t n = strlen(needle);
    for (const char *p = name; *p; p++) {
        size_t i = 0;
        while (i < n && p[i] && tolower((unsigned char)p[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return true;
    }
    return n == 0;
}

/* The ISA named by one of the '/'-separated segments of a benchmark name, or "". */
static void name_isa(const char *name, char isa[16])
{
    static const char *const known[] = {"scalar", "avx2", "avx512"};
    isa[0] = '\0';
    const char *seg = name;
    while (seg && *seg) {
        const char *end = strchr(seg, '/');
        const size_t len = end ? (size_t)(end - seg) : strlen(seg);
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
            const char *colon = memchr(seg, ':', len); /* "isa:avx2" */
            const char *s = colon ? colon + 1 : seg;
            const size_t l = colon ? len - (size_t)(colon + 1 - seg) : len;
            if (l == strlen(known[k]) && strncmp(s, known[k], l) == 0) {
                snprintf(isa, 16, "%s", known[k]);
                return;
            }
        }
        seg = end ? end + 1 : NULL;
    }
}

/* What a counter's name says it is: "GFLOP/s" (or "FLOPS", a rate in FLOP/s, *scale 1e-9),
 * "peak_GFLOP/s", or a percentage of the peak ("pct_of_peak", "% of peak"). */
typedef enum { C_OTHER, C_GFLOPS, C_PEAK_GFLOPS, C_PCT_PEAK } counter_kind;

static counter_kind classify(const char *name, double *scale)
{
    *scale = 1;
    const bool gflop = name_has(name, "gflop");
    const bool flop = name_has(name, "flop");
    if (flop && !gflop)
        *scale = 1e-9;
    if (name_has(name, "peak"))
        return flop ? C_PEAK_GFLOPS : C_PCT_PEAK;
    return flop ? C_GFLOPS : C_OTHER;
}

/* b's real time (C_OTHER) or its first counter of kind k, in GFLOP/s for rates; false when it has
 * none. */
static bool value_of(const cb_rbench *b, counter_kind k, double *out)
{
    *out = b->real_time;
    for (size_t c = 0; c < b->n_counters && k != C_OTHER; c++) {
        double scale;
        if (classify(b->counters[c].name, &scale) == k) {
            *out = b->counters[c].value * scale;
            return true;
        }
    }
    return k == C_OTHER && isfinite(*out);
}

/* The values of kind k of the runs named run_name (v has room for all runs): the iteration runs'
 * (*reps of them), else the one of the "median" aggregate, else of the "mean" aggregate. */
static size_t bench_values(const cb_rgbench *g, const char *run_name, counter_kind k, double *v, size_t *reps)
{
    size_t n = 0;
    for (size_t i = 0; i < g->n; i++) {
        const cb_rbench *b = &g->benchmarks[i];
        n += !b->aggregate && !b->error && strcmp(b->run_name, run_name) == 0 && value_of(b, k, &v[n]);
    }
    *reps = n;
    static const char *const aggs[] = {"median", "mean"};
    for (size_t a = 0; a < 2 && n == 0; a++)
        for (size_t i = 0; i < g->n && n == 0; i++) {
            const cb_rbench *b = &g->benchmarks[i];
            n = b->aggregate && !b->error && b->aggregate_name && strcmp(b->aggregate_name, aggs[a]) == 0 &&
                strcmp(b->run_name, run_name) == 0 && value_of(b, k, &v[0]);
        }
    return n;
}

size_t cb_rd_bench_times(const cb_rgbench *g, const char *run_name, double *v)
{
    size_t reps;
    return bench_values(g, run_name, C_OTHER, v, &reps);
}

/* The median of bench_values; NAN when there are none. */
static double bench_value(const cb_rgbench *g, const char *run_name, counter_kind k, size_t *reps)
{
    double *v = malloc((g->n ? g->n : 1) * sizeof *v);
    size_t r;
    const double m = v ? cb_median(v, bench_values(g, run_name, k, v, reps ? reps : &r)) : NAN;
    free(v);
    return m;
}

/* The file's context key for the peak of isa: contains "peak" and ends in the ISA's name as a
 * token (peak_gflops_avx512, "peak GFLOP/s avx2"). */
static double context_peak(const cb_rgbench *g, const char *isa, const char **source)
{
    const size_t il = strlen(isa);
    for (size_t i = 0; i < g->n_custom; i++) {
        const char *key = g->custom[i].key;
        const size_t kl = strlen(key);
        if (!il || !name_has(key, "peak") || kl <= il || strcmp(key + kl - il, isa) != 0 ||
            isalnum((unsigned char)key[kl - il - 1]))
            continue;
        const double x = cb_rnumber_text(g->custom[i].value);
        if (x > 0) {
            *source = key;
            return x;
        }
    }
    return NAN;
}

cb_rd_kernel *cb_rd_kernels(const cb_rfile *file, const cb_rfile *all, size_t n_all, size_t *count)
{
    *count = 0;
    const cb_rgbench *g = &file->gbench;
    cb_rd_kernel *r = calloc(g->n ? g->n : 1, sizeof *r);
    if (!r)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < g->n; i++) {
        const cb_rbench *b = &g->benchmarks[i];
        if (b->aggregate && b->aggregate_name && (strcmp(b->aggregate_name, "BigO") == 0 ||
                                                  strcmp(b->aggregate_name, "RMS") == 0))
            continue;
        size_t k = 0;
        while (k < n && strcmp(r[k].name, b->run_name) != 0)
            k++;
        if (k < n) {
            if (b->error && !r[k].error) {
                r[k].error = true;
                r[k].error_message = b->error_message;
            }
            continue;
        }
        cb_rd_kernel *x = &r[n++];
        x->name = b->run_name;
        x->error = b->error;
        x->error_message = b->error_message;
        name_isa(b->run_name, x->isa);
        if (!x->isa[0] && strcmp(file->ctx.isa, "?") != 0)
            snprintf(x->isa, sizeof x->isa, "%s", file->ctx.isa);
        x->is_peak = name_has(b->run_name, "peak");
    }
    for (size_t k = 0; k < n; k++) {
        cb_rd_kernel *x = &r[k];
        x->real_time = bench_value(g, x->name, C_OTHER, &x->repetitions);
        x->gflops = bench_value(g, x->name, C_GFLOPS, NULL);
        x->percent_of_peak = bench_value(g, x->name, C_PCT_PEAK, NULL);
        x->peak_gflops = bench_value(g, x->name, C_PEAK_GFLOPS, NULL);
        if (x->is_peak && !isfinite(x->gflops))
            x->gflops = x->peak_gflops;
    }
    /* peaks: own counter, context key, peak benchmark, % counter, a train result's summary */
    for (size_t k = 0; k < n; k++) {
        cb_rd_kernel *x = &r[k];
        if (isfinite(x->peak_gflops)) {
            x->peak_source = "the benchmark's counter";
        } else if (isfinite(x->peak_gflops = context_peak(g, x->isa, &x->peak_source))) {
            /* source set */
        } else {
            for (size_t j = 0; j < n && !isfinite(x->peak_gflops); j++)
                if (r[j].is_peak && x->isa[0] && strcmp(r[j].isa, x->isa) == 0 && r[j].gflops > 0 &&
                    j != k) {
                    x->peak_gflops = r[j].gflops;
                    x->peak_source = r[j].name;
                }
        }
        if (!isfinite(x->peak_gflops) && x->gflops > 0 && x->percent_of_peak > 0) {
            x->peak_gflops = x->gflops * 100 / x->percent_of_peak;
            x->peak_source = "GFLOP/s and % of peak counters";
        }
        for (size_t f = 0; f < n_all && !isfinite(x->peak_gflops); f++)
            if (all[f].kind == CB_RF_TRAIN && x->isa[0] && strcmp(all[f].ctx.isa, x->isa) == 0 &&
                all[f].res.train.summary.peak_gflops > 0) {
                x->peak_gflops = all[f].res.train.summary.peak_gflops;
                x->peak_source = all[f].path;
            }
        if (!isfinite(x->peak_gflops) && x->is_peak && x->gflops > 0) {
            x->peak_gflops = x->gflops;
            x->peak_source = "this benchmark";
        }
        if (!isfinite(x->percent_of_peak) && x->gflops > 0 && x->peak_gflops > 0)
            x->percent_of_peak = 100 * x->gflops / x->peak_gflops;
    }
    *count = n;
    return r;
}

/* ---- formatting ------------------------------------------------------------------------------- */

const char *cb_fmt_seconds(char *buf, size_t n, double s)
{
    if (!isfinite(s)) {
        snprintf(buf, n, "-");
        return buf;
    }
    static const struct { double scale; const char *unit; } units[] = {
        {1, "s"}, {1e-3, "ms"}, {1e-6, "us"}, {1e-9, "ns"}};
    size_t u = 0;
    while (u + 1 < sizeof units / sizeof units[0] && fabs(s) < units[u].scale * 0.9995)
        u++;
    const double v = s / units[u].scale;
    const int decimals = fabs(v) >= 99.95 ? 0 : fabs(v) >= 9.995 ? 1 : 2;
    snprintf(buf, n, "%.*f %s", decimals, v, units[u].unit);
    return buf;
}

const char *cb_fmt_count(char *buf, size_t n, double x)
{
    if (!isfinite(x)) {
        snprintf(buf, n, "-");
        return buf;
    }
    char digits[64];
    snprintf(digits, sizeof digits, "%.0f", fabs(x));
    const size_t len = strlen(digits);
    char out[96];
    size_t o = 0;
    if (x < 0 && strcmp(digits, "0") != 0)
        out[o++] = '-';
    for (size_t i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    snprintf(buf, n, "%s", out);
    return buf;
}

const char *cb_fmt_percent(char *buf, size_t n, double fraction, int decimals)
{
    if (!isfinite(fraction))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.*f%%", decimals, 100 * fraction);
    return buf;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

void cb_rd_label_files(cb_rfile *files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *b = base_name(files[i].path);
        bool unique = true;
        for (size_t j = 0; j < n && unique; j++)
            unique = j == i || strcmp(base_name(files[j].path), b) != 0;
        files[i].label = unique ? b : files[i].path;
    }
}

const char *cb_rd_file_label(const cb_rfile *f)
{
    return f->label ? f->label : f->path;
}
