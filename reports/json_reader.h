/*
 * json_reader.h - a small, strict JSON (RFC 8259) reader that builds a tree in memory.
 *
 *   cb_jerror e;
 *   cb_jvalue *root = cb_jparse_file("t.json", &e);      NULL on error: e.message says where/why
 *   const cb_jvalue *isa = cb_jget(cb_jget(root, "context"), "isa");
 *   if (isa && isa->type == CB_JSTRING) puts(isa->u.str.s);
 *   cb_jfree(root);
 *
 * Strict means: one value and nothing but whitespace after it; no comments, no trailing commas,
 * no single quotes, no NaN/Infinity, no leading zeros or '+' in numbers, no control characters
 * in strings, only the standard escapes, surrogate pairs matched, the input valid UTF-8,
 * numbers within double range, no duplicate keys in an object, nesting at most CB_JMAX_DEPTH.
 * A UTF-8 byte order mark at the very start is skipped. Errors carry the 1-based line and
 * column (in characters) where the problem was found; the reader never reads past the input.
 */
#ifndef CB_JSON_READER_H
#define CB_JSON_READER_H

#include <stdbool.h>
#include <stddef.h>

enum { CB_JMAX_DEPTH = 64 };

typedef enum { CB_JNULL, CB_JBOOL, CB_JNUMBER, CB_JSTRING, CB_JARRAY, CB_JOBJECT } cb_jtype;

typedef struct cb_jvalue cb_jvalue;
typedef struct cb_jmember cb_jmember;

struct cb_jvalue {
    cb_jtype type;
    int line, column; /* where the value starts in the text */
    union {
        bool boolean;
        double number;
        struct { char *s; size_t len; } str;          /* NUL-terminated; may contain \u0000 */
        struct { cb_jvalue *items; size_t n; } arr;
        struct { cb_jmember *members; size_t n; } obj; /* in document order */
    } u;
};

struct cb_jmember {
    char *key;
    size_t key_len;
    cb_jvalue value;
};

typedef struct cb_jerror {
    int line, column;   /* 0 when the error is not about a position (e.g. the file cannot be read) */
    char message[256];  /* "3:14: expected ':' after an object key" */
} cb_jerror;

/* Parses len bytes of text. Returns the root (free with cb_jfree) or NULL with err filled. */
cb_jvalue *cb_jparse(const char *text, size_t len, cb_jerror *err);

/* Reads and parses a whole file (at most 256 MiB). err->message names the problem but not the
 * file: callers prefix the path. */
cb_jvalue *cb_jparse_file(const char *path, cb_jerror *err);

void cb_jfree(cb_jvalue *root);

/* Member `key` of an object; NULL when v is NULL, not an object or has no such key. */
const cb_jvalue *cb_jget(const cb_jvalue *v, const char *key);

/* Item i of an array; NULL when v is NULL, not an array or i is out of range. */
const cb_jvalue *cb_jat(const cb_jvalue *v, size_t i);

/* "null", "boolean", "number", "string", "array", "object". */
const char *cb_jtype_name(cb_jtype t);

#endif /* CB_JSON_READER_H */
