/*
 * run.h - what `train` and `scale` share: their common options, and preparing a run (kernel ISA,
 * machine, thread team, data set, result file) with every check done before any training starts.
 */
#ifndef CB_RUN_H
#define CB_RUN_H

#include "cli.h"
#include "tasks.h"
#include "results.h"
#include "team.h"
#include "train.h"

typedef struct cb_run_options {
    const char *data_dir, *json_path, *isa;
    const char *variants_path; /* train --variants FILE */
    int threads;    /* 0 = one per physical core */
    cb_bind bind;
    cb_task task;
    cb_train_config cfg;
} cb_run_options;

/* The help text of the shared options, for the commands' usage messages. */
extern const char cb_run_options_help[];

void cb_run_options_init(cb_run_options *o);

/* A command's own options: consumes the current option if it is one. Returns 1 when consumed, 0
 * when not, -1 on a bad value (already reported). */
typedef int cb_own_option_fn(cb_args *a, cb_run_options *o, void *ctx);

/* Parses a command's arguments: the shared options, --help (prints usage_head, the shared
 * options' help and --help's own line) and, through own(), the command's. Returns -1 to go on,
 * else the exit code. */
int cb_run_parse(int argc, char **argv, const char *command, const char *usage_head,
                 cb_run_options *o, cb_own_option_fn *own, void *ctx);

/* Consumes the current option if it is a shared one. Returns 1 when consumed, 0 when not a shared
 * option, -1 on a bad value (already reported: exit 2). */
int cb_run_options_parse(cb_run_options *o, cb_args *a);

/* A prepared run: the context every result carries, and the data. */
typedef struct cb_run {
    cb_run_context ctx;
    cb_variants variants;      /* with --variants */
    cb_kernel_table mixed;     /* the table built from them */
    cb_machine machine;
    cb_cifar10 data;
} cb_run;

/* Chooses the ISA, describes the machine, checks the thread request and that the result file can
 * be written, loads the data and starts the thread team with o->threads (resolved to the core
 * count when 0). Returns -1 when all is ready, else the exit code (error already reported, with
 * `command` in the message). */
int cb_run_prepare(cb_run *r, cb_run_options *o, const char *command);

/* Starts the team with `threads` threads and records what it really runs with in r->ctx. */
int cb_run_start_team(cb_run *r, int threads, cb_bind bind, const char *command);

void cb_run_free(cb_run *r);

#endif /* CB_RUN_H */
