/*
 * json_writer.h - builds a JSON document in memory; cb_write_file_atomic() then puts it on disk whole
 * or not at all.
 */
#ifndef CB_JSON_WRITER_H
#define CB_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>

enum { CB_JSON_MAX_DEPTH = 32 };

typedef struct cb_json {
    char *buf;
    size_t len, cap;
    int depth;
    bool has_items[CB_JSON_MAX_DEPTH]; /* whether the open container already holds a value */
    bool failed;                       /* out of memory or nesting too deep: the text is invalid */
} cb_json;

void cb_json_init(cb_json *j);
void cb_json_free(cb_json *j);

/* key is NULL inside arrays and for the top-level value. */
void cb_json_object_begin(cb_json *j, const char *key);
void cb_json_object_end(cb_json *j);
void cb_json_array_begin(cb_json *j, const char *key);
void cb_json_array_end(cb_json *j);
void cb_json_string(cb_json *j, const char *key, const char *value);
void cb_json_number(cb_json *j, const char *key, double value); /* non-finite values become null */
void cb_json_int(cb_json *j, const char *key, long long value);
void cb_json_bool(cb_json *j, const char *key, bool value);

/* Writes data to path through a temporary file in the same directory and a rename, so readers see
 * the old file or the new one, never a part. Returns 0, or -1 with a message in err. */
int cb_write_file_atomic(const char *path, const char *data, size_t len, char *err, size_t errlen);

/* Checks, before any long work, that cb_write_file_atomic(path) could create its temporary file
 * (the directory exists and is writable). Returns 0, or -1 with a message in err. */
int cb_check_file_writable(const char *path, char *err, size_t errlen);

#endif /* CB_JSON_WRITER_H */
