/*
 * strbuf.h - a growable text buffer with printf and escaping for HTML and Markdown; the report
 * writers build whole files in one before writing them atomically.
 */
#ifndef CB_STRBUF_H
#define CB_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cb_sb {
    char *s;     /* NUL-terminated once anything was added */
    size_t len, cap;
    bool failed; /* out of memory: the text is incomplete */
} cb_sb;

void cb_sb_init(cb_sb *b);
void cb_sb_free(cb_sb *b);
void cb_sb_put(cb_sb *b, const char *s);
void cb_sb_putn(cb_sb *b, const char *s, size_t n);
void cb_sb_printf(cb_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Text for HTML element content and attribute values: & < > " ' escaped. */
void cb_sb_html(cb_sb *b, const char *s);
/* Text for a Markdown table cell: | and \ escaped, newlines turned into spaces, and the
 * characters that start emphasis, links or code (* ` [ ] < >) escaped so file names show as given. */
void cb_sb_md(cb_sb *b, const char *s);
/* The contents as a string ("" when empty). */
const char *cb_sb_str(const cb_sb *b);

#endif /* CB_STRBUF_H */
