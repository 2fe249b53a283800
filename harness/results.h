/*
 * results.h - what every result file records about its run: the header and the context
 * (cb_result_schema.h). A command's result starts as cb_results_new(), gets its own fields through
 * the cbr_* setters and is written by cb_result_write (cb_result.h), which checks it first.
 */
#ifndef CB_RESULTS_H
#define CB_RESULTS_H

#include <jansson.h>
#include <stdbool.h>

#include "cb_dispatch.h"
#include "cb_result.h" /* the cbr_* setters and cb_result_write for the commands' own fields */
#include "cifar10.h"
#include "team.h"
#include "topology.h"
#include "variants.h"

enum { CB_RANK_BINDINGS = 256 };

typedef struct cb_run_context {
    cb_isa isa;
    bool isa_auto;      /* chosen by "auto" rather than forced */
    const cb_variants *variants; /* non-NULL: kernels from a variant file (isa is then unused) */
    int task;           /* cb_task (tasks.h) */
    int threads;        /* as read back from the running team */
    cb_bind bind;
    bool oversubscribed; /* more threads than PUs (--oversubscribe): the timings mean nothing */
    char bindings[CB_MAX_THREADS][24]; /* bindings[t]: PUs thread t may run on, e.g. "0" */
    int ranks;            /* MPI ranks (dist.h); 1 in one process */
    /* rank 0, over several ranks: [ranks][CB_RANK_BINDINGS] each rank's threads' PUs, "0 1" */
    char (*rank_bindings)[CB_RANK_BINDINGS];
    double net_latency_seconds, net_bytes_per_s; /* ranks 0 <-> 1, measured (0: not measured) */
    const cb_machine *machine;
    const cb_cifar10 *data;
    int train_images, test_images; /* as used */
} cb_run_context;

/* A new result document of command ("train", "scale", "study"): schema, schema_version, command,
 * task and the context of c. The caller owns it (json_decref). */
json_t *cb_results_new(const char *command, const cb_run_context *c);

#endif /* CB_RESULTS_H */
