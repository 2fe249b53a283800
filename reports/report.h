/*
 * report.h - the report: context, ISA comparison, per-layer breakdown, thread scaling, kernel
 * GFLOP/s against the measured peak, learning, and the study and regression results when given.
 * One description of the sections, written as Markdown or as HTML with inline SVG charts
 * (report_format.h); a section the inputs lack is replaced by a one-line note.
 */
#ifndef CB_REPORT_H
#define CB_REPORT_H

#include <stddef.h>

#include "load_results.h"
#include "report_format.h"

/* Appends the whole report to o->b (check o->b->failed for running out of memory). */
void cb_report(cb_out *o, const cb_rfile *files, size_t n);

#endif /* CB_REPORT_H */
