/* strbuf.c - see strbuf.h. */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cb_sb_init(cb_sb *b)
{
    memset(b, 0, sizeof *b);
}

void cb_sb_free(cb_sb *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}

static bool reserve(cb_sb *b, size_t extra)
{
    if (b->failed)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 4096;
    while (b->len + extra + 1 > cap)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->failed = true;
        return false;
    }
    b->s = s;
    b->cap = cap;
    return true;
}

void cb_sb_putn(cb_sb *b, const char *s, size_t n)
{
    if (!reserve(b, n))
        return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void cb_sb_put(cb_sb *b, const char *s)
{
    cb_sb_putn(b, s, strlen(s));
}

void cb_sb_printf(cb_sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if (!reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void cb_sb_html(cb_sb *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': cb_sb_put(b, "&amp;"); break;
        case '<': cb_sb_put(b, "&lt;"); break;
        case '>': cb_sb_put(b, "&gt;"); break;
        case '"': cb_sb_put(b, "&quot;"); break;
        case '\'': cb_sb_put(b, "&#39;"); break;
        default: cb_sb_putn(b, s, 1); break;
        }
    }
}

void cb_sb_md(cb_sb *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\n' || *s == '\r' || *s == '\t')
            cb_sb_putn(b, " ", 1);
        else if (strchr("|\\*`[]<>", *s))
            cb_sb_printf(b, "\\%c", *s);
        else
            cb_sb_putn(b, s, 1);
    }
}

const char *cb_sb_str(const cb_sb *b)
{
    return b->s ? b->s : "";
}
