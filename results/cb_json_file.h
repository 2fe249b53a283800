/*
 * cb_json_file.h - a JSON file read strictly with jansson (duplicate keys rejected, nothing after
 * the value, a top-level object), with its text kept so that an error about any field can name the
 * file, line and column: "t.json:84:18: epochs[1].seconds: expected a number, found a string".
 *
 * jansson records positions only for syntax errors; for a field, the path the schema reader reports
 * ("context.machine.caches[1].level") is looked up again in the text, which jansson has already
 * checked. Lines and columns are 1-based; columns count characters, as jansson's do.
 */
#ifndef CB_JSON_FILE_H
#define CB_JSON_FILE_H

#include <jansson.h>
#include <stddef.h>

#include "cb_buf.h"
#include "cb_schema.h"

typedef struct cb_json_file {
    const char *path;
    cb_buf text;  /* the file, NUL-terminated */
    json_t *root; /* an object */
} cb_json_file;

/* Reads and parses path. Returns 0, or -1 with "path:line:column: problem" (or "path: problem")
 * in err. */
int cb_json_file_load(const char *path, cb_json_file *f, char *err, size_t errlen);
void cb_json_file_free(cb_json_file *f);

/* "path:line:column: field.path: message" for an error of the schema reader on f. */
void cb_json_file_error(const cb_json_file *f, const cb_schema_error *e, char *err, size_t errlen);

#endif /* CB_JSON_FILE_H */
