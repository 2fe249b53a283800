/*
 * svg_chart.h - two inline SVG chart kinds for the HTML report: horizontal bars (optionally
 * stacked, with an optional reference line such as a measured peak) and x-y lines (with points,
 * optionally dashed, e.g. an "ideal" line). The SVG scales to its container (viewBox), needs no
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


#endif /* CB_SVG_CHART_H */
