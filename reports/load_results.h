/*
 * load_results.h - reads result files into structs: cifarbench "train" and "scale" results
 * (schema "cifarbench-result", schema_version 1) and Google Benchmark JSON (the kernel
 * benchmarks). Which kind a file is comes from its content, not its name.
 *
 * Fields the report and compare rely on are required (with their types); the rest are optional
 * and read as NAN / NULL / -1 when absent or null (the writer stores non-finite numbers as null).
 * A present field of the wrong type is an error. Errors name the file, the line:column and the
 * field: "t.json:84:18: epochs[1].seconds: expected a number, found a string".
 *
 * Strings point into the parsed document, which the cb_rfile owns; cb_rfile_free releases both.
 */
#ifndef CB_LOAD_RESULTS_H
#define CB_LOAD_RESULTS_H

#include <stdbool.h>
#include <stddef.h>

#include "json_reader.h"

enum { CB_RESULT_SCHEMA_READ = 1, CB_RCTX_MAX_FIELDS = 24 };

typedef enum { CB_RF_TRAIN, CB_RF_SCALE, CB_RF_GBENCH } cb_rkind;

/* One line of the context table: a label and the value as text (owned). */
typedef struct cb_rfield {
    const char *label;
    char *value;
} cb_rfield;

typedef struct cb_rpair {
    const char *key, *value;
} cb_rpair;

typedef struct cb_rcontext {
    const char *isa;        /* "?" when unknown (Google Benchmark files without an isa key) */
    const char *cpu_model;  /* NULL when unknown */
    int threads;            /* 0 when unknown */
    long train_images;      /* -1 when unknown */
    cb_rfield fields[CB_RCTX_MAX_FIELDS]; /* for the context table, in display order */
    size_t n_fields;
    cb_rpair *variants;     /* context.variants: kernel -> ISA that ran it (optional) */
    size_t n_variants;
} cb_rcontext;

typedef struct cb_repoch {
    int epoch;
    long images;
    double seconds, images_per_s;                       /* required */
    double gflops, train_loss, train_accuracy, test_loss, test_accuracy, eval_seconds;
    double images_per_s_per_core, percent_of_peak;      /* optional (newer files) */
} cb_repoch;

typedef struct cb_rlayer {
    const char *layer, *pass; /* "conv1", "forward"; layer "loss" / "adam" too */
    double seconds, share;    /* share of the step time, 0..1 (NAN when absent) */
} cb_rlayer;

typedef struct cb_rtrain {
    const char *network;
    long epochs_configured, batch, seed;
    double flops_per_image_train;
    cb_repoch *epochs;
    size_t n_epochs;
    bool has_summary;
    double median_seconds, images_per_s, gflops, percent_of_peak, peak_gflops;
    cb_rlayer *layers;
    size_t n_layers;
} cb_rtrain;

typedef struct cb_rscale_row {
    int threads;
    const char *thread_pus;
    double seconds; /* median over repetitions */
    double images_per_s, images_per_s_per_core, speedup, efficiency, sync_seconds_per_step,
        sync_share, test_accuracy;
    int weights_identical; /* 1, 0, -1 unknown */
    double *seconds_all;   /* per repetition (owned); NULL when the file has none */
    size_t n_seconds_all;
} cb_rscale_row;

typedef struct cb_rscale {
    long batch, seed, repetitions;
    cb_rscale_row *rows;
    size_t n_rows;
} cb_rscale;

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
    cb_rpair *custom;              /* context keys Google Benchmark does not define itself */
    size_t n_custom;
} cb_rgbench;

typedef struct cb_rfile {
    const char *path;
    const char *label;             /* the name reports show (see cb_rd_label_files); = path */
    cb_rkind kind;
    const char *command;           /* "train", "scale" or "gbench" */
    cb_jvalue *root;
    cb_rcontext ctx;
    cb_rtrain train;
    cb_rscale scale;
    cb_rgbench gbench;
} cb_rfile;

/* Loads path into *f. Returns 0, or -1 with a message naming the file in err. */
int cb_rfile_load(const char *path, cb_rfile *f, char *err, size_t errlen);
void cb_rfile_free(cb_rfile *f);

/* The text of a numeric string ("180.5") or a number; NAN otherwise. Google Benchmark stores
 * custom context values as strings. */
double cb_rnumber_text(const char *s);

/* A context field's value by label, or NULL. */
const char *cb_rcontext_field(const cb_rcontext *c, const char *label);

#endif /* CB_LOAD_RESULTS_H */
