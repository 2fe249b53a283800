/* gbench.c - see gbench.h. */
#include "gbench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load_results.h"

#define CBR_FIELDS_gbench_cache(X, S)                                                              \
    X(S, type, STR, OPT, _) X(S, level, INT, OPT, _) X(S, size, NUM, OPT, _) X(S, num_sharing, INT, OPT, _)
#define CBR_FIELDS_gbench_context(X, S)                                                            \
    X(S, date, STR, OPT, _) X(S, host_name, STR, OPT, _) X(S, executable, STR, OPT, _)             \
    X(S, num_cpus, INT, OPT, _) X(S, mhz_per_cpu, NUM, OPT, _) X(S, cpu_scaling_enabled, BOOL, OPT, _) \
    X(S, caches, LIST, OPT, gbench_cache) X(S, load_avg, NUMS, OPT, _)                              \
    X(S, library_build_type, STR, OPT, _) X(S, library_version, STR, OPT, _)                        \
    X(S, json_schema_version, INT, OPT, _)                                                          \
    X(S, cpu_model, STR, OPT, _) X(S, cpu_vendor, STR, OPT, _) X(S, isa, STR, OPT, _) /* ours */
#define CBR_FIELDS_gbench_run(X, S)                                                                \
    X(S, name, STR, REQ, _) X(S, run_name, STR, OPT, _) X(S, run_type, STR, OPT, _)                 \
    X(S, aggregate_name, STR, OPT, _) X(S, error_occurred, BOOL, OPT, _)                            \
    X(S, error_message, STR, OPT, _) X(S, time_unit, STR, OPT, _) X(S, real_time, NUM, OPT, _)      \
    X(S, cpu_time, NUM, OPT, _) X(S, iterations, NUM, OPT, _) X(S, family_index, INT, OPT, _)       \
    X(S, per_family_instance_index, INT, OPT, _) X(S, repetitions, INT, OPT, _)                     \
    X(S, repetition_index, INT, OPT, _) X(S, threads, INT, OPT, _)
#define CBR_FIELDS_gbench(X, S)                                                                    \
    X(S, context, OBJ, OPT, gbench_context) X(S, benchmarks, LIST, REQ, gbench_run)
#define GBENCH_OBJECTS(Y) Y(gbench_cache) Y(gbench_context) Y(gbench_run) Y(gbench)
GBENCH_OBJECTS(CB_SCHEMA_DEFINE)
GBENCH_OBJECTS(CB_SCHEMA_TABLE)

double cb_rnumber_text(const char *s)
{
    if (!s || !*s)
        return NAN;
    char *end;
    const double x = strtod(s, &end);
    while (*end == ' ')
        end++;
    return *end == '\0' && isfinite(x) ? x : NAN;
}

static void context_lines(const cbr_gbench_context *x, const json_t *json, cb_rgbench *g, cb_rcontext *c)
{
    c->isa = x->isa ? x->isa : "?";
    c->cpu_model = x->cpu_model;
    cb_rcontext_cpu(c, x->cpu_model, x->cpu_vendor);
    if (x->num_cpus > 0 && x->mhz_per_cpu > 0)
        cb_rcontext_add(c, "CPUs (Google Benchmark)", "%lld x %.0f MHz", x->num_cpus, x->mhz_per_cpu);
    char out[512] = "", size[32];
    size_t len = 0;
    for (size_t i = 0; i < x->caches.n; i++) {
        const cbr_gbench_cache *ca = &x->caches.v[i];
        if (ca->level < 0 || isnan(ca->size))
            continue;
        cb_format_bytes(size, sizeof size, ca->size);
        const char *t = ca->type ? ca->type : "";
        const int n = snprintf(out + len, sizeof out - len, "%sL%lld%s %s%s", len ? ", " : "", ca->level,
                               strcmp(t, "Data") == 0 ? "d" : strcmp(t, "Instruction") == 0 ? "i" : "",
                               size, ca->num_sharing > 1 ? " (shared)" : "");
        if (n < 0 || (size_t)n >= sizeof out - len)
            break;
        len += (size_t)n;
    }
    if (len)
        cb_rcontext_add(c, "caches (Google Benchmark)", "%s", out);
    if (x->isa)
        cb_rcontext_add(c, "ISA", "%s", x->isa);
    if (x->cpu_scaling_enabled >= 0)
        cb_rcontext_add(c, "CPU frequency scaling", "%s",
                        x->cpu_scaling_enabled ? "enabled (timings noisier)" : "disabled");
    if (x->library_build_type)
        cb_rcontext_add(c, "benchmark library build", "%s", x->library_build_type);
    if (x->host_name)
        cb_rcontext_add(c, "host", "%s", x->host_name);
    if (x->date)
        cb_rcontext_add(c, "date", "%s", x->date);
    /* the keys Google Benchmark does not define; those cifarbench-kernels shares with train and
     * scale results get their labels */
    static const char *const same[][2] = {{"compiler", "compiler"}, {"build_flags", "build flags"},
                                          {"git_revision", "git revision"}, {"git_commit_time", "git commit time"},
                                          {"isa_supported", "ISAs supported"}};
    g->custom = calloc(json_object_size(json) + 1, sizeof *g->custom);
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)json, key, v) {
        if (!g->custom || cb_schema_field(&cbr_gbench_context_schema, key) || !json_is_string(v))
            continue;
        const char *value = json_string_value(v), *label = key;
        g->custom[g->n_custom++] = (cb_pair){key, value};
        if (strcmp(key, "thread_binding") == 0)
            c->bind = value;
        for (size_t k = 0; k < sizeof same / sizeof same[0]; k++)
            if (strcmp(key, same[k][0]) == 0)
                label = same[k][1];
        if (strcmp(key, "isa_supported") != 0) {
            cb_rcontext_add(c, label, "%s", value);
            continue;
        }
        char b[256]; /* "scalar,avx2" as train writes it, spaced */
        size_t o = 0;
        for (const char *p = value; *p && o + 3 < sizeof b; p++)
            if ((b[o++] = *p) == ',')
                b[o++] = ' ';
        b[o] = '\0';
        cb_rcontext_add(c, label, "%s", b);
    }
}

static double unit_seconds(const char *unit)
{
    static const struct { const char *name; double seconds; } units[] = {
        {"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3}, {"s", 1}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (!unit || strcmp(unit, units[i].name) == 0)
            return units[i].seconds;
    return NAN;
}

/* The run of raw (benchmarks[i], json) as report and compare use it. */
static int run(const cbr_gbench_run *raw, const json_t *json, size_t i, cb_rbench *b, cb_schema_error *e)
{
    b->name = raw->name;
    b->run_name = raw->run_name ? raw->run_name : raw->name;
    b->aggregate = raw->run_type && strcmp(raw->run_type, "aggregate") == 0;
    b->aggregate_name = raw->aggregate_name;
    b->error = raw->error_occurred == 1;
    b->error_message = raw->error_message;
    b->iterations = raw->iterations;
    const double scale = unit_seconds(raw->time_unit);
    snprintf(e->path, sizeof e->path, "benchmarks[%zu]", i);
    if (isnan(scale)) {
        snprintf(e->path, sizeof e->path, "benchmarks[%zu].time_unit", i);
        snprintf(e->message, sizeof e->message, "unknown time_unit \"%s\" (ns, us, ms or s)", raw->time_unit);
        return -1;
    }
    const bool fit = b->aggregate && b->aggregate_name &&
                     (strcmp(b->aggregate_name, "BigO") == 0 || strcmp(b->aggregate_name, "RMS") == 0);
    b->real_time = b->cpu_time = NAN; /* errors and complexity fits carry no times */
    if (!b->error && !fit) {
        if (isnan(raw->real_time) || isnan(raw->cpu_time)) {
            snprintf(e->message, sizeof e->message, "missing \"%s\" (a number)",
                     isnan(raw->real_time) ? "real_time" : "cpu_time");
            return -1;
        }
        b->real_time = raw->real_time * scale;
        b->cpu_time = raw->cpu_time * scale;
    }
    b->counters = calloc(json_object_size(json) + 1, sizeof *b->counters);
    if (!b->counters) {
        snprintf(e->message, sizeof e->message, "out of memory");
        return -1;
    }
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)json, key, v)
        if (json_is_number(v) && !cb_schema_field(&cbr_gbench_run_schema, key))
            b->counters[b->n_counters++] = (cb_rcounter){key, json_number_value(v)};
    return 0;
}

/* Runs may share a name only as the repetitions of one benchmark: iteration runs with their own
 * repetition_index (Google Benchmark 1.6 and later), or, in older files without it, no more of
 * them than their "repetitions". An aggregate's name (run name + "_mean", "_median", ...) is
 * unique. Anything else (two benchmarks registered under one name, files concatenated) would be
 * pooled as if repetitions. */
static int duplicates(const cbr_gbench *raw, cb_schema_error *e)
{
    for (size_t i = 0; i < raw->benchmarks.n; i++) {
        const cbr_gbench_run *a = &raw->benchmarks.v[i];
        const bool agg = a->run_type && strcmp(a->run_type, "aggregate") == 0;
        long long older = 0; /* earlier runs of the name without a repetition_index */
        for (size_t j = 0; j < i; j++) {
            const cbr_gbench_run *b = &raw->benchmarks.v[j];
            if (strcmp(a->name, b->name) != 0 || agg != (b->run_type && strcmp(b->run_type, "aggregate") == 0))
                continue;
            older += b->repetition_index < 0;
            const bool index = a->repetition_index >= 0 && a->repetition_index == b->repetition_index;
            if (!agg && !index && !(a->repetition_index < 0 && a->repetitions > 0 && older >= a->repetitions))
                continue;
            snprintf(e->path, sizeof e->path, "benchmarks[%zu].name", i);
            snprintf(e->message, sizeof e->message, "duplicate benchmark \"%.60s\": benchmarks[%zu] %s (only "
                     "repetitions of one run share a name)", a->name, j,
                     agg ? "is an aggregate of the same name" : index ? "has the same name and repetition_index"
                                                                      : "already makes as many runs of it as its repetitions");
            return -1;
        }
    }
    return 0;
}

int cb_gbench_read(const json_t *root, cb_rgbench *g, cb_rcontext *c, cb_schema_error *e)
{
    memset(g, 0, sizeof *g);
    const json_t *runs = json_object_get(root, "benchmarks");
    if (!runs)
        return 1;
    cbr_gbench raw;
    int rc = cb_schema_read(&cbr_gbench_schema, root, "", &raw, e);
    rc = rc == 0 ? duplicates(&raw, e) : rc;
    if (rc == 0 && !(g->benchmarks = calloc(raw.benchmarks.n, sizeof *g->benchmarks))) {
        snprintf(e->message, sizeof e->message, "out of memory");
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < raw.benchmarks.n; i++, g->n++)
        rc = run(&raw.benchmarks.v[i], json_array_get(runs, i), i, &g->benchmarks[i], e);
    if (rc == 0)
        context_lines(&raw.context, json_object_get(root, "context"), g, c);
    cb_schema_free(&cbr_gbench_schema, &raw);
    return rc;
}

void cb_gbench_free(cb_rgbench *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->benchmarks[i].counters);
    free(g->benchmarks);
    free(g->custom);
    memset(g, 0, sizeof *g);
}
