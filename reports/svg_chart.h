/*
 * svg_chart.h - three inline SVG chart kinds for the HTML pages: horizontal bars (optionally
 * stacked, with an optional reference line such as a measured peak), x-y lines (with points,
 * optionally dashed, e.g. an "ideal" line) and a trend (a figure's runs in commit order with their
 * spread, the level of each segment and the change points between segments). The SVG scales to its container (viewBox), needs no
 * script, fonts or network, and carries <title> tooltips with exact values.
 */
#ifndef CB_SVG_CHART_H
#define CB_SVG_CHART_H

#include <stdbool.h>
#include <stddef.h>

#include "cb_buf.h"
#include "cb_buf.h"

enum { CB_SVG_MAX_SEGMENTS = 4 };

typedef struct cb_svg_bar {
    const char *label;                      /* left of the bar (shortened when very long) */
    double values[CB_SVG_MAX_SEGMENTS];     /* one per segment; NAN or <= 0 draws nothing */
    char note[64];                          /* right of the bar, e.g. "27,192 img/s (x3.1)"; "": none */
    int color;                              /* palette index of a single-segment bar; -1 = 0 */
} cb_svg_bar;

typedef struct cb_svg_bars {
    const char *title;                      /* accessible name (<title>) */
    const char *axis_label;                 /* under the x axis, e.g. "images/s" */
    int n_segments;                         /* 1 .. CB_SVG_MAX_SEGMENTS */
    const char *segment_names[CB_SVG_MAX_SEGMENTS]; /* legend when n_segments > 1 */
    const cb_svg_bar *bars;
    size_t n_bars;
    double ref_value;                       /* a dashed vertical line; NAN for none */
    const char *ref_label;                  /* e.g. "measured peak 180 GFLOP/s" */
} cb_svg_bars;

typedef struct cb_svg_series {
    const char *name;
    const double *x, *y;                    /* points with a non-finite y are skipped */
    size_t n;
    bool dashed;                            /* a reference (e.g. "ideal"), drawn without points */
} cb_svg_series;

typedef struct cb_svg_lines {
    const char *title;
    const char *x_label, *y_label;
    const cb_svg_series *series;
    size_t n_series;
    bool x_integer;                         /* ticks only at whole numbers (threads, epochs) */
} cb_svg_lines;

void cb_svg_bar_chart(cb_buf *out, const cb_svg_bars *c);
void cb_svg_line_chart(cb_buf *out, const cb_svg_lines *c);

typedef struct cb_svg_trend {
    const char *title, *y_label;
    const double *median, *lo, *hi;         /* per run, in commit order: a point and its whisker */
    const double *level;                    /* per run: its segment's median (a step line), or NULL */
    const char *const *labels;              /* per run: e.g. the short revision (tooltip, x ticks) */
    size_t n;
    const size_t *breaks;                   /* change points: a marked line before run breaks[i] */
    const char *const *break_labels;        /* e.g. "-6.2%" above each */
    size_t n_breaks;
} cb_svg_trend;

/* The y axis spans the data (not from 0), so that a change of a few percent shows. */
void cb_svg_trend_chart(cb_buf *out, const cb_svg_trend *t);


#endif /* CB_SVG_CHART_H */
