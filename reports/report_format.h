/*
 * report_format.h - the two formats of a report behind one set of calls, so that each section is
 * written once (report.c) and comes out as GitHub Markdown (report.md) or as HTML (report.html, the
 * page's frame and style included). Every text from a file is escaped for its format; a table
 * starts its rows by itself and ends each after its last column.
 */
#ifndef CB_REPORT_FORMAT_H
#define CB_REPORT_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "cb_buf.h"

typedef struct cb_out {
    cb_buf *b;
    bool html;
    const char *kinds; /* the open table's column kinds (see cb_out_table) */
    size_t col;        /* the next cell's column */
    const char *title; /* the page's title and heading; NULL: "cifarbench report" */
} cb_out;

/* Text for HTML content and attribute values: & < > " ' escaped. */
void cb_html_text(cb_buf *b, const char *s);
/* Text for Markdown: | and \ escaped, newlines turned into spaces, and the characters that start
 * emphasis, links or code (* ` [ ] < >) escaped so that file names show as given. */
void cb_md_text(cb_buf *b, const char *s);
/* Either, by format. */
void cb_out_text(cb_out *o, const char *s);

/* The page around the sections: title, the files read (path and kind), the sections' links
 * (sections: id, title pairs). */
void cb_out_begin(cb_out *o, const char *const *paths, const char *const *kinds, size_t n,
                  const char *const *sections, size_t n_sections);
void cb_out_end(cb_out *o);

/* A section (id: its anchor) and its end. */
void cb_out_section(cb_out *o, const char *id, const char *title);
void cb_out_section_end(cb_out *o);
/* A heading within a section, with an optional "(sub)" after it. */
void cb_out_heading(cb_out *o, const char *text, const char *sub);
/* A paragraph: class "note" (a section the inputs lack), "warn", "alert" (a result not to be
 * trusted: red in HTML, a "WARNING" quote in Markdown), "explain" or NULL. */
void cb_out_para(cb_out *o, const char *cls, const char *text);

/* A table of strlen(kinds) columns; kinds[i]: 'k' a row's key, 't' text, 'w' long text (wraps),
 * 'n' a number (right-aligned). */
void cb_out_table(cb_out *o, const char *const *cols, const char *kinds);
void cb_out_cell(cb_out *o, const char *text); /* NULL or "" show as "-" */
void cb_out_cellf(cb_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A cell that flags a problem ("no", an error message), spanning span columns in HTML. */
void cb_out_bad(cb_out *o, const char *text, size_t span);
void cb_out_table_end(cb_out *o);

#endif /* CB_REPORT_FORMAT_H */
