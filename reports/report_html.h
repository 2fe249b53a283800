/* report_html.h - the HTML report (report.html): one self-contained page (inline CSS and SVG, no
 * script, no external resource) with the Markdown report's tables and charts of the ISA
 * comparison, the per-layer breakdown, thread scaling, kernel GFLOP/s against the measured
 * peak and learning curves. */
#ifndef CB_REPORT_HTML_H
#define CB_REPORT_HTML_H

#include <stddef.h>

#include "load_results.h"
#include "strbuf.h"

void cb_report_html(cb_sb *out, const cb_rfile *files, size_t n);

#endif /* CB_REPORT_HTML_H */
