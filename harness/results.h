/*
 * results.h - the parts of a result file every command shares (schema in README "Result files").
 */
#ifndef CB_RESULTS_H
#define CB_RESULTS_H

#include <stdbool.h>

#include "cb_dispatch.h"
#include "cifar10.h"
#include "json_writer.h"
#include "team.h"
#include "topology.h"
#include "variants.h"

#define CB_RESULT_SCHEMA_VERSION 1

typedef struct cb_run_context {
    cb_isa isa;
    bool isa_auto;      /* chosen by "auto" rather than forced */
    const cb_variants *variants; /* non-NULL: kernels from a variant file (isa is then unused) */
    int task;           /* cb_task (tasks.h) */
    int threads;        /* as read back from the running team */
    cb_bind bind;
    char bindings[CB_MAX_THREADS][24]; /* bindings[t]: PUs thread t may run on, e.g. "0" */
    const cb_machine *machine;
    const cb_cifar10 *data;
    int train_images, test_images; /* as used */
} cb_run_context;

/* Writes "schema", "schema_version", "command" and the "context" object into the open top-level
 * object. */
void cb_results_header(cb_json *j, const char *command, const cb_run_context *c);

#endif /* CB_RESULTS_H */
