/* report_md.h - the Markdown report (report.md): context, ISA comparison, per-layer breakdown,
 * thread scaling, kernel GFLOP/s against the measured peak, learning. Sections the inputs lack
 * are replaced by a one-line note. */
#ifndef CB_REPORT_MD_H
#define CB_REPORT_MD_H

#include <stddef.h>

#include "load_results.h"
#include "strbuf.h"

/* Appends the report to out (check out->failed for running out of memory). */
void cb_report_md(cb_sb *out, const cb_rfile *files, size_t n);

#endif /* CB_REPORT_MD_H */
