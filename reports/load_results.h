/*
 * load_results.h - the files report and compare read, recognised by their content: cifarbench
 * results (cb_result.h: train, scale, study, regression) and Google Benchmark JSON (the kernel
 * benchmarks, gbench.h). Each comes with its context as labelled text for the context tables.
 * Errors name the file, line and column: "t.json:84:18: epochs[1].seconds: expected a number".
 */
#ifndef CB_LOAD_RESULTS_H
#define CB_LOAD_RESULTS_H

#include <stdbool.h>
#include <stddef.h>

#include "cb_json_file.h"
#include "cb_result.h"
#include "gbench.h"

enum { CB_RCTX_MAX_FIELDS = 24 };

typedef enum {
    CB_RF_TRAIN = CBR_TRAIN,
    CB_RF_SCALE = CBR_SCALE,
    CB_RF_STUDY = CBR_STUDY,
    CB_RF_REGRESSION = CBR_REGRESSION,
    CB_RF_GBENCH,
    CB_RF_KINDS
} cb_rkind;

/* One line of the context table: a label and the value as text (owned). */
typedef struct cb_rfield {
    const char *label;
    char *value;
} cb_rfield;

typedef struct cb_rcontext {
    const char *isa;       /* "?" when unknown (Google Benchmark files without an isa key) */
    const char *cpu_model; /* NULL when unknown */
    int threads;           /* 0 when unknown */
    const char *bind;      /* the thread binding ("core", "none", ...); NULL when unknown */
    bool weak;             /* a scale result of --mode weak: batch per thread */
    bool oversubscribed;   /* more threads than PUs (--oversubscribe): the timings mean nothing */
    /* the workload, for grouping (report) and refusing (compare) */
    const char *task;       /* NULL when unknown (Google Benchmark); "classify" for results before --task */
    long long train_images; /* images per epoch (dataset.train_images, else the epochs'); -1 when unknown */
    long long batch;        /* config.batch; -1 when unknown */
    cb_rfield fields[CB_RCTX_MAX_FIELDS]; /* for the context table, in display order */
    size_t n_fields;
} cb_rcontext;

typedef struct cb_rfile {
    const char *path;
    const char *label;   /* the name reports show (see cb_rd_label_files); = path */
    cb_rkind kind;
    const char *command; /* the kind's name: "train", "scale", "study", "regression", "gbench" */
    cb_json_file json;   /* the document: every string below points into it */
    cb_result res;       /* cifarbench results */
    cb_rgbench gbench;   /* Google Benchmark */
    cb_rcontext ctx;
} cb_rfile;

/* Loads path into *f. Returns 0, or -1 with a message naming the file in err. */
int cb_rfile_load(const char *path, cb_rfile *f, char *err, size_t errlen);
void cb_rfile_free(cb_rfile *f);

/* A context field's value by label, or NULL. */
const char *cb_rcontext_field(const cb_rcontext *c, const char *label);

/* Adds a line to the context table (ignored when full). */
void cb_rcontext_add(cb_rcontext *c, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The "CPU" line: "model (vendor)", or the model alone; nothing when the model is unknown. */
void cb_rcontext_cpu(cb_rcontext *c, const char *model, const char *vendor);

/* "1.5 GiB", "512 KiB", "64 B". */
void cb_format_bytes(char *buf, size_t n, double bytes);

#endif /* CB_LOAD_RESULTS_H */
