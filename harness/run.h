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

/* A command's own checks of its output paths (and inputs such as train --load), run by
 * cb_run_prepare after the options and the --json path are checked and before the data is loaded
 * (the first work), so that a bad path is refused before anything long runs. Returns -1 when all
 * is well, else the exit code, the problem already reported. */
typedef int cb_run_check_fn(void *ctx, const char *command);

typedef struct cb_run_options {
    const char *data_dir, *json_path, *isa;
    const char *variants_path; /* train --variants FILE */
    int threads;    /* 0 = one per physical core */
    cb_bind bind;
    bool oversubscribe; /* --oversubscribe: threads may exceed the PUs (bind none only) */
    cb_task task;   /* set before cb_run_parse: the command's default task */
    unsigned tasks; /* set before cb_run_parse: the tasks the command accepts, a bit per cb_task
                       (CB_RUN_TASK(t)); any other --task is refused while parsing (exit 2) and
                       the help lists only these. 0 means all. */
    cb_train_config cfg;
    cb_run_check_fn *check; /* optional: the command's own checks (above) */
    void *check_ctx;
    /* optional: the command's checks that need the data set (its size), run after it is loaded;
     * given the run's context */
    int (*check_data)(void *ctx, const cb_run_context *c, const char *command);
} cb_run_options;

#define CB_RUN_TASK(t) (1u << (t))

void cb_run_options_init(cb_run_options *o);

/* Whether two paths name the same file: the same string, or the same existing file (device and
 * inode, through symbolic links). */
bool cb_same_file(const char *a, const char *b);

/* The shared options' getopt_long vals start here; a command's own use positive vals below. */
enum { CB_RUN_OPTION_FIRST = 0x100 };

/* Handles one of a command's own options: c is its val, p->arg its value. False on a bad value,
 * already reported (exit 2). */
typedef bool cb_own_option_fn(int c, cb_options *p, cb_run_options *o, void *ctx);

/* Parses a command's arguments (cb_options.h): the shared options, the command's own (own_longopts,
 * handled by own()), -h/--help (prints usage_head, then the shared options' help, its --task
 * part listing only o->tasks, and CB_OPTIONS_HELP) and --version. The command takes no operands.
 * An empty --data or --json value and a task outside o->tasks are usage errors. Returns -1 to go
 * on, else the exit code. */
int cb_run_parse(int argc, char **argv, const char *command, const char *usage_head,
                 const struct option *own_longopts, cb_run_options *o, cb_own_option_fn *own,
                 void *ctx);

/* A prepared run: the context every result carries, and the data. */
typedef struct cb_run {
    cb_run_context ctx;
    cb_variants variants;      /* with --variants */
    cb_kernel_table mixed;     /* the table built from them */
    cb_machine machine;
    cb_cifar10 data;
} cb_run;

/* Chooses the ISA, describes the machine, checks the thread request, that the result file can
 * be written (cb_check_file_writable: a regular file or a new one, never a directory, a device or
 * a FIFO) and the command's own checks (o->check), then loads the data and starts the thread team
 * with o->threads (resolved to the core count when 0). Returns -1 when all is ready, else the
 * exit code (error already reported, with `command` in the message). */
int cb_run_prepare(cb_run *r, cb_run_options *o, const char *command);

/* The one-line warning of an oversubscribed run (c->oversubscribed), printed by every command
 * beside its timings. */
const char *cb_run_oversubscribed_warning(const cb_run_context *c);

/* Starts the team with `threads` threads and records what it really runs with in r->ctx; warns on
 * stderr when it is oversubscribed. */
int cb_run_start_team(cb_run *r, int threads, cb_bind bind, const char *command);

void cb_run_free(cb_run *r);

#endif /* CB_RUN_H */
