/* run.c - what train, scale and study share: options, and every check before training (run.h). */
#define _XOPEN_SOURCE 700 /* stat, isatty, realpath */
#include "run.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cb_atomic_file.h"
#include "cb_buf.h"
#include "dist.h"

/* The shared help in three parts: before --task, the tasks (one entry per task), after. */
#define HELP_BEFORE_TASK                                                                           \
    "  --data DIR         CIFAR-10 binary files (data_batch_1..5.bin, test_batch.bin). Default:\n"   \
    "                     $CIFARBENCH_DATA, else PREFIX/share/cifarbench/cifar-10-batches-bin when\n" \
    "                     it is a directory (PREFIX: the directory above cifarbench's own; in the\n"  \
    "                     build tree a link to ../shared/cifar10), else a generated CIFAR-shaped\n"   \
    "                     synthetic set (the output says which)\n"                                   \
    "  --batch B          images per step (default 32)\n"                                            \
    "  --seed S           seed of initialisation and shuffling (default 1)\n"                         \
    "  --isa NAME         kernels: scalar, avx2, avx512 or auto (default: $CIFARBENCH_ISA, else auto,\n" \
    "                     the best this CPU supports); an ISA the CPU lacks is an error\n"
#define HELP_AFTER_TASK                                                                            \
    "  --threads N        OpenMP threads (default: one per physical core)\n"                          \
    "  --bind MODE        core: pin thread t to physical core t with hwloc (default); none: let\n"    \
    "                     the OS place them\n"                                                         \
    "  --oversubscribe    allow more threads than processing units (with --bind none), for\n"        \
    "                     correctness checks only: the timings are not meaningful, and the output\n" \
    "                     and the JSON say so\n"                                                      \
    "  --check-replicas   over MPI ranks (mpirun): compare the weights' checksum across the ranks\n"  \
    "                     after every step, not only after every epoch\n"                            \
    "  --exchange MODE    over MPI ranks: gather (default: every rank gets every image's results\n"  \
    "                     and sums them in image order: bit-identical for every rank count) or\n"   \
    "                     allreduce (each rank sums its images, MPI adds the sums: less traffic,\n" \
    "                     bits that depend on the rank count)\n"                                     \
    "  --images N         train on the first N training images only (default: all 50000)\n"          \
    "  --test-images N    evaluate on the first N test images only (default: all 10000)\n"           \
    "  --json FILE        also write the results as JSON (written whole or not at all; a new or\n"  \
    "                     regular file, or a symbolic link to one, which is written through)\n"

/* Per task: its entry in the --task help ("%s" takes " (default)" or ""), in cb_task order. */
static const char *const task_help[] = {
    "classify: 10 classes, softmax + cross-entropy%s",
    "binary: bird vs airplane, 1 sigmoid output + binary cross-entropy%s",
    "multilabel: two half-width images side by side, 10 sigmoid outputs (see README)%s",
    "regression%s: iris sepal width from length, linear output with --loss mse|mae|both; --data "
    "names the CSV (default PREFIX/share/cifarbench/iris.csv)",
};
enum { TASKS = sizeof task_help / sizeof task_help[0] };

/* Appends text to b as help lines: the first after `first` (the option column), the rest indented
 * to column 22, words wrapped before column 100. */
static void help_wrapped(cb_buf *b, const char *first, const char *text)
{
    enum { INDENT = 21, WIDTH = 99 };
    cb_buf_puts(b, first);
    int col = INDENT;
    for (const char *w = text; *w;) {
        const size_t len = strcspn(w, " ");
        if (col > INDENT && col + 1 + (int)len > WIDTH) {
            cb_buf_printf(b, "\n%*s", INDENT, "");
            col = INDENT;
        }
        cb_buf_printf(b, "%s%.*s", col > INDENT ? " " : "", (int)len, w);
        col += (col > INDENT) + (int)len;
        w += len;
        w += strspn(w, " ");
    }
    cb_buf_puts(b, "\n");
}

/* The --task help for the accepted tasks, marking the default. */
static void task_help_text(cb_buf *b, unsigned tasks, cb_task def)
{
    cb_buf text;
    cb_buf_init(&text);
    for (int t = 0, n = 0; t < TASKS; t++) {
        if (!(tasks & CB_RUN_TASK(t)))
            continue;
        cb_buf_puts(&text, n++ ? "; " : "");
        cb_buf_printf(&text, task_help[t], (cb_task)t == def ? " (default)" : "");
    }
    help_wrapped(b, "  --task NAME        ", cb_buf_str(&text));
    if (text.failed)
        b->failed = true;
    cb_buf_free(&text);
}

/* "classify, binary or multilabel": the accepted tasks' names, for messages. */
static void task_list(unsigned tasks, char *buf, size_t len)
{
    int count = 0, done = 0;
    for (int t = 0; t < TASKS; t++)
        count += (tasks & CB_RUN_TASK(t)) != 0;
    size_t used = 0;
    buf[0] = '\0';
    for (int t = 0; t < TASKS && used < len; t++)
        if (tasks & CB_RUN_TASK(t)) {
            done++;
            used += (size_t)snprintf(buf + used, len - used, "%s%s",
                                     done == 1 ? "" : done == count ? " or " : ", ",
                                     cb_task_name((cb_task)t));
        }
}

/* The absolute, link-free name path has or would have once created: realpath of the file, or of
 * its directory joined with its last component. False when neither resolves. */
static bool canonical(const char *path, char *buf, size_t len)
{
    char *real = realpath(path, NULL);
    if (!real) {
        const char *slash = strrchr(path, '/');
        char dir[4096];
        snprintf(dir, sizeof dir, "%.*s", slash ? (slash == path ? 1 : (int)(slash - path)) : 1,
                 slash ? path : ".");
        char *rdir = realpath(dir, NULL);
        if (!rdir)
            return false;
        const int n = snprintf(buf, len, "%s/%s", rdir, slash ? slash + 1 : path);
        free(rdir);
        return n > 0 && (size_t)n < len;
    }
    const int n = snprintf(buf, len, "%s", real);
    free(real);
    return n > 0 && (size_t)n < len;
}

bool cb_same_file(const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return true;
    struct stat sa, sb;
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    char ca[4200], cbuf[4200];
    return canonical(a, ca, sizeof ca) && canonical(b, cbuf, sizeof cbuf) &&
           strcmp(ca, cbuf) == 0;
}

enum {
    OPT_DATA = CB_RUN_OPTION_FIRST, OPT_JSON, OPT_ISA, OPT_TASK, OPT_BIND, OPT_OVERSUBSCRIBE,
    OPT_BATCH, OPT_SEED, OPT_CHECK_REPLICAS, OPT_EXCHANGE,
    OPT_THREADS, OPT_IMAGES, OPT_TEST_IMAGES,
};

static const struct option shared_longopts[] = {
    {"data", required_argument, NULL, OPT_DATA},
    {"json", required_argument, NULL, OPT_JSON},
    {"isa", required_argument, NULL, OPT_ISA},
    {"task", required_argument, NULL, OPT_TASK},
    {"bind", required_argument, NULL, OPT_BIND},
    {"oversubscribe", no_argument, NULL, OPT_OVERSUBSCRIBE},
    {"check-replicas", no_argument, NULL, OPT_CHECK_REPLICAS},
    {"exchange", required_argument, NULL, OPT_EXCHANGE},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"seed", required_argument, NULL, OPT_SEED},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"images", required_argument, NULL, OPT_IMAGES},
    {"test-images", required_argument, NULL, OPT_TEST_IMAGES},
};

enum { SHARED = sizeof shared_longopts / sizeof shared_longopts[0], MAX_OWN = 16 };

void cb_run_options_init(cb_run_options *o)
{
    memset(o, 0, sizeof *o);
    o->bind = CB_BIND_CORE;
    o->cfg.epochs = 1;
    o->cfg.batch = 32;
    o->cfg.seed = 1;
}

/* A whole-number option in [lo, hi] into *out. */
static bool int_option(cb_options *p, long long lo, long long hi, int *out)
{
    long long v;
    if (!cb_options_int(p, lo, hi, &v))
        return false;
    *out = (int)v;
    return true;
}

/* One shared option (c: its val). False on a bad value, reported. */
static bool shared_option(int c, cb_options *p, cb_run_options *o)
{
    long long v;
    char names[128];
    cb_task task;
    switch (c) {
    case OPT_DATA:
    case OPT_JSON:
        if (!p->arg[0]) {
            cb_options_usage_error(p, "%s needs a %s name, not an empty string", p->name,
                                   c == OPT_DATA ? "directory (or CSV file)" : "file");
            return false;
        }
        *(c == OPT_DATA ? &o->data_dir : &o->json_path) = p->arg;
        return true;
    case OPT_ISA: o->isa = p->arg; return true;
    case OPT_TASK:
        task_list(o->tasks, names, sizeof names);
        if (!cb_task_parse(p->arg, &task)) {
            cb_options_usage_error(p, "--task '%s': use %s", p->arg, names);
            return false;
        }
        if (!(o->tasks & CB_RUN_TASK(task))) {
            cb_options_usage_error(p, "--task '%s' is not one this command runs: use %s", p->arg,
                                   names);
            return false;
        }
        o->task = task;
        return true;
    case OPT_BIND:
        if (cb_bind_parse(p->arg, &o->bind))
            return true;
        cb_options_usage_error(p, "--bind '%s': use core or none", p->arg);
        return false;
    case OPT_OVERSUBSCRIBE: o->oversubscribe = true; return true;
    case OPT_CHECK_REPLICAS: o->cfg.check_replicas = true; return true;
    case OPT_EXCHANGE:
        if (strcmp(p->arg, "gather") == 0 || strcmp(p->arg, "allreduce") == 0) {
            cb_dist_set_exchange(strcmp(p->arg, "gather") == 0 ? CB_EXCHANGE_GATHER
                                                               : CB_EXCHANGE_ALLREDUCE);
            return true;
        }
        cb_options_usage_error(p, "--exchange '%s': use gather or allreduce", p->arg);
        return false;
    case OPT_BATCH: return int_option(p, 1, 65536, &o->cfg.batch);
    case OPT_SEED:
        if (!cb_options_int(p, 0, INT64_MAX, &v))
            return false;
        o->cfg.seed = (uint64_t)v;
        return true;
    case OPT_THREADS: return int_option(p, 1, CB_MAX_THREADS, &o->threads);
    case OPT_IMAGES: return int_option(p, 1, 1000000000, &o->cfg.train_images);
    case OPT_TEST_IMAGES: return int_option(p, 1, 1000000000, &o->cfg.test_images);
    default: return false; /* not one of shared_longopts */
    }
}

int cb_run_parse(int argc, char **argv, const char *command, const char *usage_head,
                 const struct option *own_longopts, cb_run_options *o, cb_own_option_fn *own,
                 void *ctx)
{
    struct option all[SHARED + MAX_OWN + 1];
    size_t own_count = 0;
    while (own_longopts && own_longopts[own_count].name)
        own_count++;
    if (own_count > MAX_OWN) {
        fprintf(stderr, "cifarbench %s: more options than cb_run_parse holds (%d)\n", command,
                MAX_OWN);
        return CB_EXIT_FAILURE;
    }
    memcpy(all, shared_longopts, sizeof shared_longopts);
    if (own_count)
        memcpy(all + SHARED, own_longopts, own_count * sizeof *all);
    all[SHARED + own_count] = (struct option){0};

    if (o->tasks == 0)
        o->tasks = CB_RUN_TASK(TASKS) - 1;
    cb_buf usage;
    cb_buf_init(&usage);
    cb_buf_puts(&usage, usage_head);
    cb_buf_puts(&usage, HELP_BEFORE_TASK);
    task_help_text(&usage, o->tasks, o->task);
    cb_buf_puts(&usage, HELP_AFTER_TASK);
    cb_buf_puts(&usage, CB_OPTIONS_HELP);
    if (usage.failed) {
        cb_buf_free(&usage);
        fprintf(stderr, "cifarbench %s: out of memory\n", command);
        return CB_EXIT_FAILURE;
    }
    cb_options p;
    cb_options_init(&p, command, cb_buf_str(&usage), argc, argv, all);
    int rc = -1;
    for (int c; rc < 0 && (c = cb_options_next(&p)) != CB_OPT_END;) {
        if (c == CB_OPT_EXIT)
            rc = p.exit_code;
        else if (!(c >= CB_RUN_OPTION_FIRST ? shared_option(c, &p, o) : own(c, &p, o, ctx)))
            rc = CB_EXIT_USAGE;
    }
    if (rc < 0 && !cb_options_no_operands(&p))
        rc = CB_EXIT_USAGE;
    cb_buf_free(&usage);
    return rc;
}

const char *cb_run_oversubscribed_warning(const cb_run_context *c)
{
    static _Thread_local char line[200];
    const int here = cb_dist_local_ranks();
    char ranks[48] = "";
    if (here > 1)
        snprintf(ranks, sizeof ranks, " x %d ranks on this machine", here);
    snprintf(line, sizeof line,
             "WARNING  oversubscribed: %d threads%s on %d PUs; timings are not meaningful "
             "(--oversubscribe is for correctness checks)",
             c->threads, ranks, c->machine->pus);
    return line;
}

/* Over several ranks, rank 0 learns where every rank's threads run (a collective: only after
 * cb_dist_ready). */
static void gather_rank_bindings(cb_run *r)
{
    r->ctx.ranks = cb_dist_ranks();
    if (r->ctx.ranks == 1)
        return;
    char mine[CB_RANK_BINDINGS] = "";
    for (int t = 0, len = 0; t < r->ctx.threads && len < (int)sizeof mine; t++)
        len += snprintf(mine + len, sizeof mine - (size_t)len, "%s%s", t ? " " : "",
                        r->ctx.bindings[t]);
    if (cb_dist_rank() == 0 && !r->ctx.rank_bindings)
        r->ctx.rank_bindings = calloc((size_t)r->ctx.ranks, sizeof *r->ctx.rank_bindings);
    if (cb_dist_rank() == 0 && !r->ctx.rank_bindings)
        cb_dist_abort(CB_EXIT_FAILURE);
    cb_dist_gather_strings(mine, (char *)r->ctx.rank_bindings, CB_RANK_BINDINGS);
}

int cb_run_start_team(cb_run *r, int threads, cb_bind bind, const char *command)
{
    char err[512];
    if (cb_team_start(threads, bind, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench %s: %s\n", command, err);
        return CB_EXIT_FAILURE;
    }
    r->ctx.threads = cb_team_readback(threads, r->ctx.bindings[0], sizeof r->ctx.bindings[0]);
    r->ctx.bind = bind;
    /* more threads than PUs in this process, or with the other ranks on this machine */
    r->ctx.oversubscribed = cb_team_oversubscribed(threads, &r->machine) ||
                            (r->machine.pus > 0 && cb_dist_local_ranks() * threads > r->machine.pus);
    if (r->ctx.oversubscribed)
        fprintf(stderr, "cifarbench %s: %s\n", command, cb_run_oversubscribed_warning(&r->ctx));
    if (r->ctx.threads != threads) {
        fprintf(stderr, "cifarbench %s: asked for %d threads, OpenMP gives %d\n", command, threads,
                r->ctx.threads);
        return CB_EXIT_FAILURE;
    }
    if (cb_dist_was_ready()) /* a later team (scale): every rank starts it */
        gather_rank_bindings(r);
    return -1;
}

/* Over several ranks: each needs an image of every full batch. */
static int check_ranks(const cb_run_options *o, const char *command)
{
    if (cb_dist_ranks() <= o->cfg.batch)
        return -1;
    fprintf(stderr, "cifarbench %s: --batch %d over %d MPI ranks: every rank trains a share of each "
                    "batch, so the batch needs at least one image per rank\n",
            command, o->cfg.batch, cb_dist_ranks());
    return CB_EXIT_USAGE;
}

/* Everything before the team: ISA, machine, threads, paths, the command's checks, the data. */
static int prepare(cb_run *r, cb_run_options *o, const char *command)
{
    char err[4400], note[4400];
    if (o->variants_path) {
        if (o->isa) {
            fprintf(stderr, "cifarbench %s: --isa and --variants both choose the kernels; give one\n",
                    command);
            return CB_EXIT_USAGE;
        }
        if (!cb_cli_check_max_isa())
            return CB_EXIT_USAGE;
        if (cb_variants_load(o->variants_path, &r->variants, err, sizeof err) != 0) {
            fprintf(stderr, "cifarbench %s: %s\n", command, err);
            return CB_EXIT_USAGE;
        }
        r->mixed = cb_variants_table(&r->variants);
        r->ctx.variants = &r->variants;
        o->cfg.kernels = &r->mixed;
    } else {
        if (!cb_cli_select_isa(o->isa, &r->ctx.isa, &r->ctx.isa_auto))
            return CB_EXIT_USAGE;
        o->cfg.kernels = cb_kernel_table_for(r->ctx.isa);
    }
    o->cfg.progress = cb_dist_rank() > 0          ? CB_PROGRESS_NONE /* rank 0 reports */
                      : isatty(STDERR_FILENO) ? CB_PROGRESS_BAR
                                              : CB_PROGRESS_LINES;
    int rc = check_ranks(o, command);
    if (rc >= 0)
        return rc;

    cb_machine_describe(&r->machine);
    r->ctx.machine = &r->machine;
    if (o->threads == 0)
        o->threads = r->machine.usable_cores > 0 ? r->machine.usable_cores : 1;
    if (cb_team_check(o->threads, o->bind, o->oversubscribe, &r->machine, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench %s: %s\n", command, err);
        return CB_EXIT_USAGE;
    }
    const int here = cb_dist_local_ranks();
    if (!o->oversubscribe && r->machine.pus > 0 && here * o->threads > r->machine.pus) {
        fprintf(stderr, "cifarbench %s: %d MPI ranks on this machine x --threads %d = %d threads on "
                        "its %d processing units; use fewer ranks or threads (--oversubscribe "
                        "--bind none allows it, for correctness checks only)\n",
                command, here, o->threads, here * o->threads, r->machine.pus);
        return CB_EXIT_USAGE;
    }
    if (o->json_path && cb_check_file_writable(o->json_path, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench %s: %s\n", command, err);
        return CB_EXIT_FAILURE;
    }
    rc = o->check ? o->check(o->check_ctx, command) : -1;
    if (rc >= 0)
        return rc;
    if (cb_cifar10_open(o->data_dir, &r->data, note, sizeof note, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench %s: %s\n", command, err);
        return CB_EXIT_FAILURE;
    }
    fprintf(stderr, "cifarbench %s: %s\n", command, note);
    if (cb_task_apply(o->task, &r->data, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench %s: %s\n", command, err);
        return CB_EXIT_FAILURE; /* the caller frees the data */
    }
    r->ctx.task = o->task;
    r->ctx.data = &r->data;
    r->ctx.train_images = o->cfg.train_images > 0 && o->cfg.train_images < r->data.train.count
                              ? o->cfg.train_images : r->data.train.count;
    r->ctx.test_images = o->cfg.test_images > 0 && o->cfg.test_images < r->data.test.count
                             ? o->cfg.test_images : r->data.test.count;
    rc = o->check_data ? o->check_data(o->check_ctx, &r->ctx, command) : -1;
    return rc >= 0 ? rc : cb_run_start_team(r, o->threads, o->bind, command);
}

int cb_run_prepare(cb_run *r, cb_run_options *o, const char *command)
{
    memset(r, 0, sizeof *r);
    if (cb_dist_rank() > 0)
        o->json_path = NULL; /* rank 0 writes the results (and checks that it can) */
    /* Every rank's verdict, before the work: all go on, or all stop (dist.h). */
    r->ctx.ranks = 1;
    const int rc = cb_dist_ready(prepare(r, o, command));
    if (rc >= 0)
        cb_cifar10_free(&r->data);
    else
        gather_rank_bindings(r);
    return rc;
}

void cb_run_free(cb_run *r)
{
    cb_cifar10_free(&r->data);
    free(r->ctx.rank_bindings);
    r->ctx.rank_bindings = NULL;
}
