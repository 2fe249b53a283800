/*
 * report_data.h - the figures the Markdown and HTML reports show, derived once from the loaded
 * result files so that both formats print the same numbers: the context fields, the ISA
 * comparison, per-layer times, kernel GFLOP/s against the measured peak; and number formatting.
 */
#ifndef CB_REPORT_DATA_H
#define CB_REPORT_DATA_H

#include <stdbool.h>
#include <stddef.h>

#include "load_results.h"

/* ---- context ---------------------------------------------------------------------------------- */

enum { CB_RD_MAX_LABELS = 64 };

/* The context of one group of files: cifarbench results (train, scale) or kernel benchmark files
 * (Google Benchmark), which describe themselves with other fields. */
typedef struct cb_rd_context {
    bool gbench;                          /* which group */
    size_t n_files;                       /* files in the group */
    const char *labels[CB_RD_MAX_LABELS]; /* every label a file of the group has, first seen first */
    const char *common[CB_RD_MAX_LABELS]; /* the value when every file has the same, else NULL */
    size_t n;
} cb_rd_context;

void cb_rd_context_build(const cb_rfile *files, size_t n, bool gbench, cb_rd_context *out);
bool cb_rd_in_group(const cb_rfile *f, const cb_rd_context *c);

/* ---- ISA comparison (train results grouped by workload and ISA) ------------------------------ */

typedef struct cb_rd_isa {
    const char *isa;
    const char *task;           /* the workload: task, images per epoch, batch (cb_rcontext) */
    long long images, batch;
    size_t workload;            /* groups of one workload share it: 0, 1, ... as first seen */
    char label[96];             /* the ISA, with the workload when there are several */
    size_t files, epochs;
    int threads;                /* the same in every file of the group, else 0 */
    double median_seconds;      /* over every epoch of the group */
    double images_per_s, images_per_s_per_core, gflops, percent_of_peak; /* medians; NAN = absent */
    double vs_slowest;          /* this group's images/s / the slowest group's of its workload */
    double vs_scalar;           /* this group's images/s / its workload's scalar group's; NAN = none */
} cb_rd_isa;

/* Train results grouped by (task, images per epoch, batch, ISA): by workload as first seen, within
 * one in the order scalar, avx2, avx512, then others as first seen; ratios only within a workload.
 * *count is their number (0 when there are no train results). note gets a warning when groups of
 * one workload differ in thread count, else "". Returns NULL only when out of memory; free() it. */
cb_rd_isa *cb_rd_isa_compare(const cb_rfile *files, size_t n, size_t *count, char *note, size_t notelen);

/* ---- per-layer breakdown ---------------------------------------------------------------------- */

#define CB_RD_LAYER_REST "other: waiting at barriers, bookkeeping"

typedef struct cb_rd_layer {
    const char *layer;               /* CB_RD_LAYER_REST: the epoch's time no phase accounts for */
    double forward, backward, step;  /* seconds per thread and pass ("step": input, loss, sum, Adam) */
    double rest;                     /* the CB_RD_LAYER_REST row's seconds */
    double total, share;             /* share: of the epoch, 0..1; all rows add to 1 */
} cb_rd_layer;

/* One row per layer in first-seen order, then the rest of the profiled (last) epoch: its seconds
 * minus every phase's (unless the file has an "other" layer itself). NULL with *count 0 when the
 * result has no layers. */
cb_rd_layer *cb_rd_layers(const cbr_train *t, size_t *count);

/* ---- kernel benchmarks ------------------------------------------------------------------------ */

typedef struct cb_rd_kernel {
    const char *name;          /* the run name */
    char isa[16];              /* from a name segment "scalar"/"avx2"/"avx512", else "" */
    size_t repetitions;        /* iteration runs (0 when only aggregates were written) */
    bool is_peak;              /* a peak-FLOP loop (name contains "peak"): the yardstick */
    bool error;
    const char *error_message;
    double real_time;          /* seconds, median over repetitions */
    double gflops;             /* from a counter whose name contains "GFLOP"; NAN = none */
    double percent_of_peak;    /* from a counter, else gflops / peak */
    double peak_gflops;        /* the measured peak of its ISA; NAN = unknown */
    const char *peak_source;
} cb_rd_kernel;

/* The kernels of one Google Benchmark file (by run name, first-seen order). Peaks come from, in
 * order: the run's own "peak ... GFLOP" counter, the file's context key with "peak" and the ISA
 * in its name (peak_gflops_avx512), a peak benchmark of the same ISA in the file, the "% of peak"
 * counter with GFLOP/s, or a train result's summary.peak_gflops for the ISA. */
cb_rd_kernel *cb_rd_kernels(const cb_rfile *g, const cb_rfile *all, size_t n_all, size_t *count);

/* The real times (seconds) of the runs named run_name, into v (room for g->n): one per repetition
 * (iteration run), else the one of its median aggregate, else of its mean aggregate. Returns how
 * many (0: none usable, e.g. only errors). Compare's figures and the report's times. */
size_t cb_rd_bench_times(const cb_rgbench *g, const char *run_name, double *v);

/* ---- the one-line notes for sections the inputs do not have -------------------------------- */

#define CB_RD_NOTE_NO_TRAIN                                                                        \
    "No train results in the inputs (cifarbench train --json FILE writes one)."
#define CB_RD_NOTE_NO_LAYERS                                                                       \
    "No per-layer times in the train results (files written before \"layers\" was added)."
#define CB_RD_NOTE_NO_SCALE                                                                        \
    "No scale results in the inputs (cifarbench scale --json FILE writes one)."
#define CB_RD_NOTE_NO_RANKS                                                                        \
    "No train runs over several MPI ranks in the inputs (mpirun -np R cifarbench train "           \
    "--json FILE writes one)."
#define CB_RD_NOTE_NO_KERNELS                                                                      \
    "No kernel benchmarks in the inputs (cifarbench-kernels --benchmark_out=FILE "                 \
    "--benchmark_out_format=json writes one)."

/* ---- formatting ------------------------------------------------------------------------------- */

/* "81.3 ms", "12.4 us", "1.23 s" (3 significant digits); "-" for NAN. */
const char *cb_fmt_seconds(char *buf, size_t n, double s);
/* "27,192" (a whole number with thousands separators); "-" for NAN. */
const char *cb_fmt_count(char *buf, size_t n, double x);
/* 0.2978 -> "29.8%" (with decimals); "-" for NAN. */
const char *cb_fmt_percent(char *buf, size_t n, double fraction, int decimals);

/* Sets each file's label to the last component of its path, or to the whole path when another
 * file has the same last component. */
void cb_rd_label_files(cb_rfile *files, size_t n);

/* The file's name for headings and table columns (its label). */
const char *cb_rd_file_label(const cb_rfile *f);

#endif /* CB_REPORT_DATA_H */
