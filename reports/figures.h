/*
 * figures.h - the timed figures of a loaded result file, each a set of repetitions: what compare
 * tests, record stores and bisect measures.
 *
 *   train   "train images/s": the images/s of every epoch (epochs are the repetitions)
 *   scale   "scale N threads images/s": per repetition (seconds_all), else the median point
 *   gbench  the benchmark's run name: real_time in seconds of its iteration runs (repetitions),
 *           else its median (or mean) aggregate as a single value
 *   study, regression: none (they hold no timings)
 * images/s: higher is better; real time: lower is better.
 */
#ifndef CB_FIGURES_H
#define CB_FIGURES_H

#include <stdbool.h>
#include <stddef.h>

#include "load_results.h"

typedef struct cb_figure {
    char name[160];
    double *v;           /* the repetitions (owned) */
    size_t n;
    size_t flagged;      /* repetitions the harness flagged for contention */
    const char *reason;  /* the first flagged one's first reason (points into the file), or NULL */
} cb_figure;

/* Whether a kind's figures are better higher (images/s) or lower (times), and their unit. */
bool cb_figures_higher_better(cb_rkind kind);
const char *cb_figures_unit(cb_rkind kind);

/* The figures of f into *out (count in *n; 0 for kinds without timings or an all-error benchmark
 * file). Returns 0, or -1 when memory runs out. Free with cb_figures_free. */
int cb_figures_of(const cb_rfile *f, cb_figure **out, size_t *n);
void cb_figures_free(cb_figure *f, size_t n);

/* The figure called name in fig[0..n-1], or NULL. */
const cb_figure *cb_figure_find(const cb_figure *fig, size_t n, const char *name);

#endif /* CB_FIGURES_H */
