/* result.c - see cb_result.h. */
#include "cb_result.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_atomic_file.h"

static const cb_schema *const bodies[] = {
    [CBR_TRAIN] = &cbr_train_schema, [CBR_SCALE] = &cbr_scale_schema,
    [CBR_STUDY] = &cbr_study_schema, [CBR_REGRESSION] = &cbr_regression_schema};

const char *cbr_kind_name(cbr_kind k)
{
    static const char *const names[] = {"train", "scale", "study", "regression"};
    return names[k];
}

int cb_result_parse(const json_t *doc, cb_result *r, cb_schema_error *e)
{
    memset(r, 0, sizeof *r);
    if (!json_object_get(doc, cbr_header_schema.fields[0].name)) /* "schema" */
        return 1;
    if (cb_schema_read(&cbr_header_schema, doc, "", &r->header, e) != 0)
        return -1;
    const cbr_header *h = &r->header;
    if (strcmp(h->schema, CBR_SCHEMA_NAME) != 0)
        return cb_schema_fail(e, "schema", "\"%s\" is not \"%s\"", h->schema, CBR_SCHEMA_NAME);
    if (h->schema_version < 1 || h->schema_version > CBR_SCHEMA_VERSION)
        return cb_schema_fail(e, "schema_version", "%lld is not a version this cifarbench reads (%d)%s",
                    h->schema_version, CBR_SCHEMA_VERSION,
                    h->schema_version > CBR_SCHEMA_VERSION ? ": the file is newer, update cifarbench" : "");
    if (strcmp(h->command, "train") == 0)
        r->kind = h->task && strcmp(h->task, "regression") == 0 ? CBR_REGRESSION : CBR_TRAIN;
    else if (strcmp(h->command, "scale") == 0)
        r->kind = CBR_SCALE;
    else if (strcmp(h->command, "study") == 0)
        r->kind = CBR_STUDY;
    else
        return cb_schema_fail(e, "command", "\"%s\" results are not something cifarbench reads (train, scale or study)",
                    h->command);
    if (cb_schema_read(&cbr_common_schema, doc, "", &r->common, e) != 0)
        return -1;
    return cb_schema_read(bodies[r->kind], doc, "", &r->train, e);
}

void cb_result_free(cb_result *r)
{
    cb_schema_free(&cbr_header_schema, &r->header);
    cb_schema_free(&cbr_common_schema, &r->common);
    cb_schema_free(bodies[r->kind], &r->train);
    memset(r, 0, sizeof *r);
}

json_t *cb_result_new(const char *command, const char *task)
{
    json_t *doc = json_object();
    cbr_set_header_schema(doc, CBR_SCHEMA_NAME);
    cbr_set_header_schema_version(doc, CBR_SCHEMA_VERSION);
    cbr_set_header_command(doc, command);
    if (task)
        cbr_set_header_task(doc, task);
    return doc;
}

char *cb_result_text(const json_t *doc, char *err, size_t errlen)
{
    cb_result r;
    cb_schema_error e;
    const int rc = doc ? cb_result_parse(doc, &r, &e) : cb_schema_fail(&e, "", "out of memory");
    if (doc)
        cb_result_free(&r);
    if (rc != 0) {
        snprintf(err, errlen, "not a valid result (a bug in its writer): %s%s%s",
                 rc > 0 ? "" : e.path, rc > 0 || !*e.path ? "" : ": ", rc > 0 ? "no \"schema\"" : e.message);
        return NULL;
    }
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    const size_t n = text ? strlen(text) : 0;
    char *line = text ? realloc(text, n + 2) : NULL;
    if (!line) {
        free(text);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    memcpy(line + n, "\n", 2);
    return line;
}

int cb_result_write(const char *path, const json_t *doc, char *err, size_t errlen)
{
    char why[512];
    char *text = cb_result_text(doc, why, sizeof why);
    const int rc = text ? cb_write_file_atomic(path, text, strlen(text), err, errlen) : -1;
    if (!text)
        snprintf(err, errlen, "%s not written: %s", path, why);
    free(text);
    return rc;
}
