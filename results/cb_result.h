/*
 * cb_result.h - whole "cifarbench-result" files (cb_result_schema.h): which kind a document is,
 * the checks of its header, reading it into structs, and writing it.
 *
 * Reading (report, compare):
 *   cb_json_file f;  cb_result r;  cb_schema_error e;
 *   if (cb_json_file_load(path, &f, err, n) == 0 && cb_result_parse(f.root, &r, &e) == 0)
 *       ... r.kind, r.common.context.isa, r.train.epochs.v[i].seconds ...
 *   else cb_json_file_error(&f, &e, err, n);          "t.json:84:18: epochs[1].seconds: ..."
 *   cb_result_free(&r);  cb_json_file_free(&f);       (strings point into f.root)
 *
 * Writing (train, scale, study; harness/results.h adds the context of a run):
 *   json_t *doc = cb_result_new("train", "classify");
 *   json_t *e = cbr_add_train_epochs(doc);  cbr_set_epoch_seconds(e, 1.25);  ...
 *   rc = cb_result_write(path, doc, err, sizeof err);  json_decref(doc);
 * cb_result_write checks the document with the readers' own cb_result_parse first: a missing
 * required field or one of the wrong type is refused with its path, never written.
 */
#ifndef CB_RESULT_H
#define CB_RESULT_H

#include <stddef.h>

#include "cb_result_schema.h"

typedef enum { CBR_TRAIN, CBR_SCALE, CBR_STUDY, CBR_REGRESSION } cbr_kind;

typedef struct cb_result {
    cbr_kind kind;
    cbr_header header; /* schema, schema_version, command, task */
    cbr_common common; /* context */
    union {            /* by kind */
        cbr_train train;
        cbr_scale scale;
        cbr_study study;
        cbr_regression regression;
    };
} cb_result;

/* "train", "scale", "study", "regression". */
const char *cbr_kind_name(cbr_kind k);

/* Checks doc and fills r (strings point into doc). Returns 0; 1 when doc has no "schema" member at
 * all (it does not claim to be a result: another format); -1 with e set when it is not a valid
 * result, or of a schema, version or command this build does not read. Free r either way. */
int cb_result_parse(const json_t *doc, cb_result *r, cb_schema_error *e);
void cb_result_free(cb_result *r);

/* A new document with the header filled in (task may be NULL). */
json_t *cb_result_new(const char *command, const char *task);

/* doc checked as above, then as indented text ending in a newline (free() it); NULL with err set. */
char *cb_result_text(const json_t *doc, char *err, size_t errlen);

/* doc checked, then written to path whole or not at all (cb_atomic_file.h). 0, or -1 with err. */
int cb_result_write(const char *path, const json_t *doc, char *err, size_t errlen);

#endif /* CB_RESULT_H */
