/*
 * gbench.h - Google Benchmark JSON (cifarbench-kernels --benchmark_out=FILE): not our schema, but
 * described and checked the same way (cb_schema.h), then turned into the runs report and compare
 * use: times in seconds, every undescribed numeric field a counter (FLOPS, pct_of_peak, ...), and
 * the context's own keys (peak_gflops_avx2, compiler, ...) as custom pairs.
 */
#ifndef CB_GBENCH_H
#define CB_GBENCH_H

#include <stdbool.h>
#include <stddef.h>

#include "cb_schema.h"

struct cb_rcontext;

typedef struct cb_rcounter {
    const char *name;
    double value;
} cb_rcounter;

typedef struct cb_rbench {
    const char *name, *run_name;   /* run_name = name when the file has none */
    bool aggregate;                /* run_type "aggregate" */
    const char *aggregate_name;    /* "mean", "median", "stddev", "cv", ... or NULL */
    bool error;                    /* error_occurred: no timing */
    const char *error_message;
    double real_time, cpu_time;    /* in seconds (converted from time_unit) */
    double iterations;
    cb_rcounter *counters;         /* every other numeric field (owned array) */
    size_t n_counters;
} cb_rbench;

typedef struct cb_rgbench {
    cb_rbench *benchmarks;
    size_t n;
    cb_pair *custom;               /* context keys Google Benchmark does not define itself */
    size_t n_custom;
} cb_rgbench;

/* Reads root into g, and the context's lines into c. Returns 0; 1 when root has no "benchmarks"
 * (not Google Benchmark JSON); -1 with e set. Strings point into root. Free g either way. */
int cb_gbench_read(const json_t *root, cb_rgbench *g, struct cb_rcontext *c, cb_schema_error *e);
void cb_gbench_free(cb_rgbench *g);

/* The number in a string ("180.5"), as Google Benchmark stores custom context values; NAN when it
 * is not one. */
double cb_rnumber_text(const char *s);

#endif /* CB_GBENCH_H */
