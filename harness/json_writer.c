/* json_writer.c - see json_writer.h. */
#define _POSIX_C_SOURCE 200809L
#include "json_writer.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void cb_json_init(cb_json *j)
{
    memset(j, 0, sizeof *j);
}

void cb_json_free(cb_json *j)
{
    free(j->buf);
    memset(j, 0, sizeof *j);
}

static void append(cb_json *j, const char *s, size_t n)
{
    if (j->failed)
        return;
    if (j->len + n + 1 > j->cap) {
        size_t cap = j->cap ? j->cap : 1024;
        while (j->len + n + 1 > cap)
            cap *= 2;
        char *b = realloc(j->buf, cap);
        if (!b) {
            j->failed = true;
            return;
        }
        j->buf = b;
        j->cap = cap;
    }
    memcpy(j->buf + j->len, s, n);
    j->len += n;
    j->buf[j->len] = '\0';
}

static void appendf(cb_json *j, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    append(j, tmp, n > 0 ? (size_t)n : 0);
}

static void append_quoted(cb_json *j, const char *s)
{
    append(j, "\"", 1);
    for (; *s; s++) {
        const unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            const char esc[2] = {'\\', (char)c};
            append(j, esc, 2);
        } else if (c < 0x20) {
            appendf(j, "\\u%04x", c);
        } else {
            append(j, (const char *)&c, 1);
        }
    }
    append(j, "\"", 1);
}

/* The separator, indentation and key that come before every value. */
static void value_prefix(cb_json *j, const char *key)
{
    if (j->depth > 0) {
        if (j->has_items[j->depth])
            append(j, ",", 1);
        j->has_items[j->depth] = true;
        append(j, "\n", 1);
        for (int i = 0; i < j->depth; i++)
            append(j, "  ", 2);
    }
    if (key) {
        append_quoted(j, key);
        append(j, ": ", 2);
    }
}

static void open_container(cb_json *j, const char *key, const char *bracket)
{
    value_prefix(j, key);
    append(j, bracket, 1);
    if (j->depth + 1 >= CB_JSON_MAX_DEPTH) {
        j->failed = true;
        return;
    }
    j->has_items[++j->depth] = false;
}

static void close_container(cb_json *j, const char *bracket)
{
    if (j->depth <= 0) {
        j->failed = true;
        return;
    }
    const bool had_items = j->has_items[j->depth--];
    if (had_items) {
        append(j, "\n", 1);
        for (int i = 0; i < j->depth; i++)
            append(j, "  ", 2);
    }
    append(j, bracket, 1);
    if (j->depth == 0)
        append(j, "\n", 1);
}

void cb_json_object_begin(cb_json *j, const char *key) { open_container(j, key, "{"); }
void cb_json_object_end(cb_json *j) { close_container(j, "}"); }
void cb_json_array_begin(cb_json *j, const char *key) { open_container(j, key, "["); }
void cb_json_array_end(cb_json *j) { close_container(j, "]"); }

void cb_json_string(cb_json *j, const char *key, const char *value)
{
    value_prefix(j, key);
    if (value)
        append_quoted(j, value);
    else
        append(j, "null", 4);
}

void cb_json_number(cb_json *j, const char *key, double value)
{
    value_prefix(j, key);
    if (isfinite(value))
        appendf(j, "%.17g", value);
    else
        append(j, "null", 4);
}

void cb_json_int(cb_json *j, const char *key, long long value)
{
    value_prefix(j, key);
    appendf(j, "%lld", value);
}

void cb_json_bool(cb_json *j, const char *key, bool value)
{
    value_prefix(j, key);
    append(j, value ? "true" : "false", value ? 4 : 5);
}

/* Creates path's temporary sibling (name in tmp). Returns its descriptor, or -1 with err set. */
static int create_temp(const char *path, char tmp[4096], char *err, size_t errlen)
{
    if (snprintf(tmp, 4096, "%s.tmp.XXXXXX", path) >= 4096) {
        snprintf(err, errlen, "%s: path too long", path);
        return -1;
    }
    const int fd = mkstemp(tmp);
    if (fd < 0)
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
    return fd;
}

int cb_check_file_writable(const char *path, char *err, size_t errlen)
{
    char tmp[4096];
    const int fd = create_temp(path, tmp, err, errlen);
    if (fd < 0)
        return -1;
    close(fd);
    unlink(tmp);
    return 0;
}

int cb_write_file_atomic(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
    char tmp[4096];
    const int fd = create_temp(path, tmp, err, errlen);
    if (fd < 0)
        return -1;
    fchmod(fd, 0644); /* mkstemp's 0600 would hide results from other users */
    size_t done = 0;
    while (done < len) {
        const ssize_t w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    const bool ok = done == len && fsync(fd) == 0;
    const int saved = errno;
    if (close(fd) != 0 || !ok) {
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(ok ? errno : saved));
        unlink(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}
