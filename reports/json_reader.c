/* json_reader.c - see json_reader.h. A recursive-descent parser; recursion is bounded by
 * CB_JMAX_DEPTH, every read is bounds-checked against the input length. */
#include "json_reader.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_FILE_BYTES = 256 << 20 };

typedef struct parser {
    const unsigned char *p, *end;
    int line, column;
    int depth;
    cb_jerror *err;
    bool failed;
} parser;

static void fail_at(parser *ps, int line, int column, const char *fmt, ...)
{
    if (ps->failed)
        return;
    ps->failed = true;
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ps->err->line = line;
    ps->err->column = column;
    snprintf(ps->err->message, sizeof ps->err->message, "%d:%d: %s", line, column, msg);
}

#define FAIL(ps, ...) fail_at((ps), (ps)->line, (ps)->column, __VA_ARGS__)

static bool at_end(const parser *ps) { return ps->p >= ps->end; }

/* Consumes one byte, keeping line and column (columns count characters, not UTF-8 bytes). */
static void advance(parser *ps)
{
    const unsigned char c = *ps->p++;
    if (c == '\n') {
        ps->line++;
        ps->column = 1;
    } else if ((c & 0xC0) != 0x80) {
        ps->column++;
    }
}

/* A printable description of the next character for messages. */
static const char *describe_next(const parser *ps, char buf[16])
{
    if (at_end(ps))
        return "end of input";
    const unsigned char c = *ps->p;
    if (c >= 0x21 && c < 0x7f)
        snprintf(buf, 16, "'%c'", c);
    else
        snprintf(buf, 16, "byte 0x%02x", c);
    return buf;
}

static void skip_ws(parser *ps)
{
    while (!at_end(ps) && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        advance(ps);
}

static void free_value(cb_jvalue *v)
{
    switch (v->type) {
    case CB_JSTRING:
        free(v->u.str.s);
        break;
    case CB_JARRAY:
        for (size_t i = 0; i < v->u.arr.n; i++)
            free_value(&v->u.arr.items[i]);
        free(v->u.arr.items);
        break;
    case CB_JOBJECT:
        for (size_t i = 0; i < v->u.obj.n; i++) {
            free(v->u.obj.members[i].key);
            free_value(&v->u.obj.members[i].value);
        }
        free(v->u.obj.members);
        break;
    default:
        break;
    }
    v->type = CB_JNULL;
}

/* ---- strings ---------------------------------------------------------------------------- */

typedef struct sbuf {
    char *s;
    size_t len, cap;
} sbuf;

static bool sbuf_put(sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 32;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *q = realloc(b->s, cap);
        if (!q)
            return false;
        b->s = q;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
    return true;
}

static size_t utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Length of the valid UTF-8 sequence starting at p (1..4), or 0 when it is invalid (overlong,
 * surrogate, beyond U+10FFFF, truncated). */
static size_t utf8_valid_len(const unsigned char *p, const unsigned char *end)
{
    const unsigned char c = p[0];
    size_t n;
    uint32_t cp, min;
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0) {
        n = 2, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, cp = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

static int hex_digit(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads the 4 hex digits after "\u"; -1 (reported) when they are not there. */
static long read_hex4(parser *ps)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        const int d = at_end(ps) ? -1 : hex_digit(*ps->p);
        if (d < 0) {
            if (at_end(ps))
                FAIL(ps, "unexpected end of input in a \\u escape");
            else
                FAIL(ps, "\\u escape needs 4 hex digits");
            return -1;
        }
        v = v * 16 + d;
        advance(ps);
    }
    return v;
}

/* Parses a string starting at the opening quote. */
static bool parse_string(parser *ps, char **out, size_t *out_len)
{
    const int line = ps->line, column = ps->column;
    advance(ps); /* the quote */
    sbuf b = {0};
    if (!sbuf_put(&b, "", 0))
        goto oom;
    for (;;) {
        if (at_end(ps)) {
            fail_at(ps, line, column, "unterminated string (the input ends inside it)");
            goto fail;
        }
        const unsigned char c = *ps->p;
        if (c == '"') {
            advance(ps);
            break;
        }
        if (c < 0x20) {
            FAIL(ps, "control character 0x%02x in a string (write it as an escape, e.g. \\n)", c);
            goto fail;
        }
        if (c == '\\') {
            advance(ps);
            if (at_end(ps)) {
                FAIL(ps, "unexpected end of input after '\\' in a string");
                goto fail;
            }
            const unsigned char e = *ps->p;
            const char *rep = NULL;
            switch (e) {
            case '"': rep = "\""; break;
            case '\\': rep = "\\"; break;
            case '/': rep = "/"; break;
            case 'b': rep = "\b"; break;
            case 'f': rep = "\f"; break;
            case 'n': rep = "\n"; break;
            case 'r': rep = "\r"; break;
            case 't': rep = "\t"; break;
            case 'u': break;
            default: {
                char d[16];
                FAIL(ps, "invalid escape '\\%s' in a string (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)",
                     e >= 0x21 && e < 0x7f ? (snprintf(d, sizeof d, "%c", e), d) : "?");
                goto fail;
            }
            }
            if (rep) {
                advance(ps);
                if (!sbuf_put(&b, rep, 1))
                    goto oom;
                continue;
            }
            const int ul = ps->line, uc = ps->column - 1;
            advance(ps); /* 'u' */
            long cp = read_hex4(ps);
            if (cp < 0)
                goto fail;
            if (cp >= 0xDC00 && cp <= 0xDFFF) {
                fail_at(ps, ul, uc, "lone low surrogate \\u%04lX in a string", cp);
                goto fail;
            }
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u') {
                    fail_at(ps, ul, uc, "high surrogate \\u%04lX not followed by a low surrogate", cp);
                    goto fail;
                }
                advance(ps);
                advance(ps);
                const long lo = read_hex4(ps);
                if (lo < 0)
                    goto fail;
                if (lo < 0xDC00 || lo > 0xDFFF) {
                    fail_at(ps, ul, uc, "high surrogate \\u%04lX not followed by a low surrogate", cp);
                    goto fail;
                }
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            char u[4];
            if (!sbuf_put(&b, u, utf8_encode((uint32_t)cp, u)))
                goto oom;
            continue;
        }
        const size_t n = utf8_valid_len(ps->p, ps->end);
        if (n == 0) {
            FAIL(ps, "invalid UTF-8 (byte 0x%02x) in a string", c);
            goto fail;
        }
        if (!sbuf_put(&b, (const char *)ps->p, n))
            goto oom;
        for (size_t i = 0; i < n; i++)
            advance(ps);
    }
    *out = b.s;
    *out_len = b.len;
    return true;
oom:
    FAIL(ps, "out of memory");
fail:
    free(b.s);
    return false;
}

/* ---- numbers ---------------------------------------------------------------------------- */

static bool is_digit(const parser *ps, const unsigned char *q) { return q < ps->end && *q >= '0' && *q <= '9'; }

static bool parse_number(parser *ps, double *out)
{
    const unsigned char *q = ps->p;
    const int line = ps->line, column = ps->column;
    if (q < ps->end && *q == '-')
        q++;
    if (!is_digit(ps, q)) {
        fail_at(ps, line, column, "invalid number: '-' must be followed by a digit");
        return false;
    }
    if (*q == '0') {
        q++;
        if (is_digit(ps, q)) {
            fail_at(ps, line, column, "invalid number: leading zeros are not allowed");
            return false;
        }
    } else {
        while (is_digit(ps, q))
            q++;
    }
    if (q < ps->end && *q == '.') {
        q++;
        if (!is_digit(ps, q)) {
            fail_at(ps, line, column, "invalid number: '.' must be followed by a digit");
            return false;
        }
        while (is_digit(ps, q))
            q++;
    }
    if (q < ps->end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < ps->end && (*q == '+' || *q == '-'))
            q++;
        if (!is_digit(ps, q)) {
            fail_at(ps, line, column, "invalid number: the exponent needs digits");
            return false;
        }
        while (is_digit(ps, q))
            q++;
    }
    const size_t n = (size_t)(q - ps->p);
    char small[128];
    char *copy = n < sizeof small ? small : malloc(n + 1);
    if (!copy) {
        FAIL(ps, "out of memory");
        return false;
    }
    memcpy(copy, ps->p, n);
    copy[n] = '\0';
    errno = 0;
    const double v = strtod(copy, NULL);
    if (copy != small)
        free(copy);
    if (isinf(v)) {
        fail_at(ps, line, column, "number out of range (beyond the largest double)");
        return false;
    }
    while (ps->p < q)
        advance(ps);
    *out = v;
    return true;
}

/* ---- values ----------------------------------------------------------------------------- */

static bool parse_value(parser *ps, cb_jvalue *v);

static bool match_word(parser *ps, const char *word)
{
    const size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return false;
    /* "truex" is not "true" followed by garbage at this level: reject it here, clearly. */
    const unsigned char *after = ps->p + n;
    if (after < ps->end && ((*after >= 'a' && *after <= 'z') || (*after >= 'A' && *after <= 'Z') ||
                            (*after >= '0' && *after <= '9') || *after == '_'))
        return false;
    for (size_t i = 0; i < n; i++)
        advance(ps);
    return true;
}

static bool parse_array(parser *ps, cb_jvalue *v)
{
    const int line = ps->line, column = ps->column;
    advance(ps); /* '[' */
    v->type = CB_JARRAY;
    v->u.arr.items = NULL;
    v->u.arr.n = 0;
    size_t cap = 0;
    skip_ws(ps);
    if (!at_end(ps) && *ps->p == ']') {
        advance(ps);
        return true;
    }
    for (;;) {
        cb_jvalue item;
        if (!parse_value(ps, &item))
            return false;
        if (v->u.arr.n == cap) {
            cap = cap ? 2 * cap : 8;
            cb_jvalue *items = realloc(v->u.arr.items, cap * sizeof *items);
            if (!items) {
                free_value(&item);
                FAIL(ps, "out of memory");
                return false;
            }
            v->u.arr.items = items;
        }
        v->u.arr.items[v->u.arr.n++] = item;
        skip_ws(ps);
        char d[16];
        if (at_end(ps)) {
            fail_at(ps, line, column, "unterminated array (the input ends before its ']')");
            return false;
        }
        if (*ps->p == ',') {
            advance(ps);
            skip_ws(ps);
            if (!at_end(ps) && *ps->p == ']') {
                FAIL(ps, "trailing comma before ']'");
                return false;
            }
            continue;
        }
        if (*ps->p == ']') {
            advance(ps);
            return true;
        }
        FAIL(ps, "expected ',' or ']' in an array, found %s", describe_next(ps, d));
        return false;
    }
}

static int compare_members(const void *a, const void *b)
{
    const cb_jmember *x = *(const cb_jmember *const *)a, *y = *(const cb_jmember *const *)b;
    const size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    const int c = memcmp(x->key, y->key, n);
    if (c != 0)
        return c;
    if (x->key_len != y->key_len)
        return x->key_len < y->key_len ? -1 : 1;
    return x < y ? -1 : x > y; /* equal keys: document order */
}

/* Rejects an object with a repeated key (sorting, so a huge object costs n log n, not n^2). */
static bool check_duplicates(parser *ps, const cb_jvalue *v)
{
    const size_t n = v->u.obj.n;
    if (n < 2)
        return true;
    const cb_jmember **sorted = malloc(n * sizeof *sorted);
    if (!sorted) {
        FAIL(ps, "out of memory");
        return false;
    }
    for (size_t i = 0; i < n; i++)
        sorted[i] = &v->u.obj.members[i];
    qsort(sorted, n, sizeof *sorted, compare_members);
    bool ok = true;
    for (size_t i = 1; i < n && ok; i++) {
        const cb_jmember *a = sorted[i - 1], *b = sorted[i];
        if (a->key_len == b->key_len && memcmp(a->key, b->key, a->key_len) == 0) {
            fail_at(ps, b->value.line, b->value.column,
                    "duplicate key \"%.60s\" in an object (first given at %d:%d)", b->key,
                    a->value.line, a->value.column);
            ok = false;
        }
    }
    free(sorted);
    return ok;
}

static bool parse_object(parser *ps, cb_jvalue *v)
{
    const int line = ps->line, column = ps->column;
    advance(ps); /* '{' */
    v->type = CB_JOBJECT;
    v->u.obj.members = NULL;
    v->u.obj.n = 0;
    size_t cap = 0;
    skip_ws(ps);
    if (!at_end(ps) && *ps->p == '}') {
        advance(ps);
        return true;
    }
    for (;;) {
        char d[16];
        if (at_end(ps)) {
            fail_at(ps, line, column, "unterminated object (the input ends before its '}')");
            return false;
        }
        if (*ps->p != '"') {
            FAIL(ps, "expected a string key in an object, found %s", describe_next(ps, d));
            return false;
        }
        cb_jmember m = {0};
        if (!parse_string(ps, &m.key, &m.key_len))
            return false;
        skip_ws(ps);
        if (at_end(ps) || *ps->p != ':') {
            FAIL(ps, "expected ':' after an object key, found %s", describe_next(ps, d));
            free(m.key);
            return false;
        }
        advance(ps);
        if (!parse_value(ps, &m.value)) {
            free(m.key);
            return false;
        }
        if (v->u.obj.n == cap) {
            cap = cap ? 2 * cap : 8;
            cb_jmember *members = realloc(v->u.obj.members, cap * sizeof *members);
            if (!members) {
                free(m.key);
                free_value(&m.value);
                FAIL(ps, "out of memory");
                return false;
            }
            v->u.obj.members = members;
        }
        v->u.obj.members[v->u.obj.n++] = m;
        skip_ws(ps);
        if (at_end(ps)) {
            fail_at(ps, line, column, "unterminated object (the input ends before its '}')");
            return false;
        }
        if (*ps->p == ',') {
            advance(ps);
            skip_ws(ps);
            if (!at_end(ps) && *ps->p == '}') {
                FAIL(ps, "trailing comma before '}'");
                return false;
            }
            continue;
        }
        if (*ps->p == '}') {
            advance(ps);
            return check_duplicates(ps, v);
        }
        FAIL(ps, "expected ',' or '}' in an object, found %s", describe_next(ps, d));
        return false;
    }
}

/* On failure *v holds whatever was built so far (freed by the caller through the tree) or
 * nothing: v->type is always valid to free. */
static bool parse_value(parser *ps, cb_jvalue *v)
{
    v->type = CB_JNULL;
    skip_ws(ps);
    v->line = ps->line;
    v->column = ps->column;
    char d[16];
    if (at_end(ps)) {
        FAIL(ps, "unexpected end of input, expected a value");
        return false;
    }
    const unsigned char c = *ps->p;
    bool ok;
    switch (c) {
    case '{':
    case '[':
        if (ps->depth >= CB_JMAX_DEPTH) {
            FAIL(ps, "nesting deeper than %d levels", CB_JMAX_DEPTH);
            return false;
        }
        ps->depth++;
        ok = c == '{' ? parse_object(ps, v) : parse_array(ps, v);
        ps->depth--;
        if (!ok)
            free_value(v);
        return ok;
    case '"':
        if (!parse_string(ps, &v->u.str.s, &v->u.str.len))
            return false;
        v->type = CB_JSTRING;
        return true;
    case 't':
    case 'f':
    case 'n':
        if (match_word(ps, "true") || match_word(ps, "false")) {
            v->type = CB_JBOOL;
            v->u.boolean = c == 't';
            return true;
        }
        if (match_word(ps, "null"))
            return true;
        break;
    default:
        if (c == '-' || (c >= '0' && c <= '9')) {
            if (!parse_number(ps, &v->u.number))
                return false;
            v->type = CB_JNUMBER;
            return true;
        }
        break;
    }
    if (c == '\'')
        FAIL(ps, "strings must use double quotes, found '''");
    else if (c == '/')
        FAIL(ps, "comments are not allowed in JSON");
    else if (c == ']' || c == '}')
        FAIL(ps, "expected a value, found %s", describe_next(ps, d));
    else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        FAIL(ps, "invalid literal starting with '%c' (expected true, false or null; strings need "
                 "double quotes; NaN and Infinity are not JSON)", c);
    else
        FAIL(ps, "expected a value (object, array, string, number, true, false or null), found %s",
             describe_next(ps, d));
    return false;
}

cb_jvalue *cb_jparse(const char *text, size_t len, cb_jerror *err)
{
    cb_jerror dummy;
    if (!err)
        err = &dummy;
    memset(err, 0, sizeof *err);
    parser ps = {(const unsigned char *)text, (const unsigned char *)text + len, 1, 1, 0, err, false};
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        ps.p += 3;
    skip_ws(&ps);
    if (at_end(&ps)) {
        FAIL(&ps, "empty input: expected a JSON value");
        return NULL;
    }
    cb_jvalue *root = malloc(sizeof *root);
    if (!root) {
        FAIL(&ps, "out of memory");
        return NULL;
    }
    if (!parse_value(&ps, root)) {
        free_value(root);
        free(root);
        return NULL;
    }
    skip_ws(&ps);
    if (!at_end(&ps)) {
        char d[16];
        FAIL(&ps, "unexpected %s after the end of the JSON value", describe_next(&ps, d));
        cb_jfree(root);
        return NULL;
    }
    return root;
}

cb_jvalue *cb_jparse_file(const char *path, cb_jerror *err)
{
    memset(err, 0, sizeof *err);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err->message, sizeof err->message, "cannot open: %s", strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            if (cap >= MAX_FILE_BYTES) {
                snprintf(err->message, sizeof err->message, "larger than %d MiB: not a result file",
                         MAX_FILE_BYTES >> 20);
                goto fail;
            }
            cap = cap ? 2 * cap : 1 << 16;
            char *b = realloc(buf, cap);
            if (!b) {
                snprintf(err->message, sizeof err->message, "out of memory");
                goto fail;
            }
            buf = b;
        }
        const size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) {
                snprintf(err->message, sizeof err->message, "cannot read: %s", strerror(errno));
                goto fail;
            }
            break;
        }
    }
    fclose(f);
    cb_jvalue *root = cb_jparse(buf ? buf : "", len, err);
    free(buf);
    return root;
fail:
    fclose(f);
    free(buf);
    return NULL;
}

void cb_jfree(cb_jvalue *root)
{
    if (!root)
        return;
    free_value(root);
    free(root);
}

const cb_jvalue *cb_jget(const cb_jvalue *v, const char *key)
{
    if (!v || v->type != CB_JOBJECT)
        return NULL;
    const size_t n = strlen(key);
    for (size_t i = 0; i < v->u.obj.n; i++)
        if (v->u.obj.members[i].key_len == n && memcmp(v->u.obj.members[i].key, key, n) == 0)
            return &v->u.obj.members[i].value;
    return NULL;
}

const cb_jvalue *cb_jat(const cb_jvalue *v, size_t i)
{
    if (!v || v->type != CB_JARRAY || i >= v->u.arr.n)
        return NULL;
    return &v->u.arr.items[i];
}

const char *cb_jtype_name(cb_jtype t)
{
    switch (t) {
    case CB_JNULL: return "null";
    case CB_JBOOL: return "boolean";
    case CB_JNUMBER: return "number";
    case CB_JSTRING: return "string";
    case CB_JARRAY: return "array";
    case CB_JOBJECT: return "object";
    }
    return "?";
}
