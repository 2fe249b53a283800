/*
 * cb_buf.h - a growable byte buffer, kept NUL-terminated so it doubles as a string builder.
 * Whole files are built in one and then written with cb_write_file_atomic (cb_atomic_file.h).
 * Out of memory sets `failed` and drops further appends: check it once at the end.
 */
#ifndef CB_BUF_H
#define CB_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cb_buf {
    char *data;  /* NUL-terminated once anything was added; NULL while empty */
    size_t len;  /* bytes, without the terminating NUL */
    size_t cap;
    bool failed; /* an allocation failed: the contents are incomplete */
} cb_buf;

void cb_buf_init(cb_buf *b);
void cb_buf_free(cb_buf *b);
/* Makes room for n more bytes (and the NUL). False (and failed set) when out of memory. */
bool cb_buf_reserve(cb_buf *b, size_t n);
void cb_buf_append(cb_buf *b, const void *p, size_t n);
void cb_buf_puts(cb_buf *b, const char *s);
void cb_buf_printf(cb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The contents as a string ("" when empty). */
const char *cb_buf_str(const cb_buf *b);

#endif /* CB_BUF_H */
