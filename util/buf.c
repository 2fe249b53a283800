/* buf.c - the growable, NUL-terminated byte buffer (cb_buf.h). */
#include "cb_buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cb_buf_init(cb_buf *b)
{
    memset(b, 0, sizeof *b);
}

void cb_buf_free(cb_buf *b)
{
    free(b->data);
    cb_buf_init(b);
}

bool cb_buf_reserve(cb_buf *b, size_t n)
{
    if (b->failed)
        return false;
    if (n >= SIZE_MAX - b->len) {
        b->failed = true;
        return false;
    }
    const size_t need = b->len + n + 1; /* and the NUL */
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : 2 * cap;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void cb_buf_append(cb_buf *b, const void *p, size_t n)
{
    if (!cb_buf_reserve(b, n))
        return;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void cb_buf_puts(cb_buf *b, const char *s)
{
    cb_buf_append(b, s, strlen(s));
}

void cb_buf_printf(cb_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if (!cb_buf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

const char *cb_buf_str(const cb_buf *b)
{
    return b->data ? b->data : "";
}
