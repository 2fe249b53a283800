/* json_file.c - see cb_json_file.h. */
#include "cb_json_file.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_atomic_file.h"
#include "cb_buf.h"

enum { CB_JSON_FILE_MAX_BYTES = 256 << 20 };

int cb_json_file_load(const char *path, cb_json_file *f, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    /* A regular file only (a FIFO would block, a device never end), of a sane size. */
    long long size;
    FILE *in = cb_open_input_file(path, &size, err, errlen);
    if (!in)
        return -1;
    if (size > CB_JSON_FILE_MAX_BYTES) {
        snprintf(err, errlen, "%s: %lld bytes, more than any result file (%d MiB at most)", path,
                 size, CB_JSON_FILE_MAX_BYTES >> 20);
        fclose(in);
        return -1;
    }
    cb_buf_init(&f->text);
    char chunk[1 << 16];
    for (size_t n; (n = fread(chunk, 1, sizeof chunk, in)) > 0;)
        cb_buf_append(&f->text, chunk, n);
    const bool unreadable = ferror(in);
    fclose(in);
    if (unreadable || f->text.failed) {
        snprintf(err, errlen, "%s: cannot read%s", path, f->text.failed ? ": out of memory" : "");
        cb_json_file_free(f);
        return -1;
    }
    json_error_t je;
    f->root = json_loadb(cb_buf_str(&f->text), f->text.len, JSON_REJECT_DUPLICATES, &je);
    if (!f->root) {
        snprintf(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, je.text);
        cb_json_file_free(f);
        return -1;
    }
    if (!json_is_object(f->root)) {
        cb_schema_error e = {"", ""};
        snprintf(e.message, sizeof e.message, "expected a JSON object at the top level, found %s",
                 cb_json_kind(f->root));
        cb_json_file_error(f, &e, err, errlen);
        cb_json_file_free(f);
        return -1;
    }
    return 0;
}

void cb_json_file_free(cb_json_file *f)
{
    json_decref(f->root);
    f->root = NULL;
    cb_buf_free(&f->text);
}

/* Parses the value at *p and moves *p past it; NULL (*p unmoved) when there is none. */
static json_t *value_at(const char **p, const char *end)
{
    json_error_t e;
    json_t *v = json_loadb(*p, (size_t)(end - *p), JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    *p += v ? e.position : 0;
    return v;
}

static bool skip_value(const char **p, const char *end)
{
    json_t *v = value_at(p, end);
    json_decref(v);
    return v != NULL;
}

static const char *blanks(const char *p) { return p + strspn(p, " \t\r\n"); }

/* Where the value at path ("a.b[2].c") starts in the (valid, NUL-terminated) text from p; the
 * deepest value on the way when the path does not lead further. */
static const char *locate(const char *p, const char *end, const char *path)
{
    for (p = blanks(p); *path;) {
        const char *at = p;
        path += *path == '.';
        if (*path == '[') {
            char *after;
            size_t index = strtoul(path + 1, &after, 10);
            path = after + (*after == ']');
            if (*p != '[')
                return at;
            for (p = blanks(p + 1); index > 0; index--, p = blanks(p + 1))
                if (!skip_value(&p, end) || *(p = blanks(p)) != ',')
                    return at;
            continue;
        }
        const size_t len = strcspn(path, ".[");
        if (*p != '{')
            return at;
        for (p = blanks(p + 1);; p = blanks(p + 1)) {
            json_t *key = value_at(&p, end);
            const bool found = json_is_string(key) && json_string_length(key) == len &&
                               memcmp(json_string_value(key), path, len) == 0;
            json_decref(key);
            if (!key || *(p = blanks(p)) != ':')
                return at;
            p = blanks(p + 1);
            if (found)
                break;
            if (!skip_value(&p, end) || *(p = blanks(p)) != ',')
                return at;
        }
        path += len;
    }
    return p;
}

void cb_json_file_error(const cb_json_file *f, const cb_schema_error *e, char *err, size_t errlen)
{
    const char *text = cb_buf_str(&f->text), *at = locate(text, text + f->text.len, e->path);
    int line = 1, column = 1;
    for (const char *p = text; p < at; p++) {
        if (*p == '\n') {
            line++;
            column = 1;
        } else if (((unsigned char)*p & 0xC0) != 0x80) {
            column++;
        }
    }
    snprintf(err, errlen, "%s:%d:%d: %s%s%s", f->path, line, column, e->path, *e->path ? ": " : "",
             e->message);
}
