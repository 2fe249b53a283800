/* run.c - see run.h. */
#include "run.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char cb_run_options_help[] =
    "  --data DIR         CIFAR-10 binary files (data_batch_1..5.bin, test_batch.bin). Default:\n"
    "                     $CIFARBENCH_DATA, else ../shared/cifar10/cifar-10-batches-bin when it\n"
    "                     exists, else a generated CIFAR-shaped synthetic set (the output says which)\n"
    "  --batch B          images per step (default 32)\n"
    "  --seed S           seed of initialisation and shuffling (default 1)\n"
    "  --isa NAME         kernels: scalar, avx2, avx512 or auto (default: $CIFARBENCH_ISA, else auto,\n"
    "                     the best this CPU supports); an ISA the CPU lacks is an error\n"
    "  --task NAME        classify: 10 classes, softmax + cross-entropy (default); binary: bird vs\n"
    "                     airplane, 1 sigmoid output + binary cross-entropy; multilabel: two\n"
    "                     half-width images side by side, 10 sigmoid outputs (see README);\n"
    "                     regression (train only): iris sepal width from length, linear output\n"
    "                     with --loss mse|mae|both; --data names the CSV (default data/iris.csv)\n"
    "  --threads N        OpenMP threads (default: one per physical core)\n"
    "  --bind MODE        core: pin thread t to physical core t with hwloc (default); none: let\n"
    "                     the OS place them\n"
    "  --images N         train on the first N training images only (default: all 50000)\n"
    "  --test-images N    evaluate on the first N test images only (default: all 10000)\n"
    "  --json FILE        also write the results as JSON (written whole or not at all)\n";

void cb_run_options_init(cb_run_options *o)
{
    memset(o, 0, sizeof *o);
    o->bind = CB_BIND_CORE;
    o->cfg.epochs = 1;
    o->cfg.batch = 32;
    o->cfg.seed = 1;
}

int cb_run_options_parse(cb_run_options *o, cb_args *a)
{
    long long v;
    const char *s;
    if (cb_args_is(a, "--data"))
        return (o->data_dir = cb_args_value(a)) ? 1 : -1;
    if (cb_args_is(a, "--json"))
        return (o->json_path = cb_args_value(a)) ? 1 : -1;
    if (cb_args_is(a, "--isa"))
        return (o->isa = cb_args_value(a)) ? 1 : -1;
    if (cb_args_is(a, "--task")) {
        if (!(s = cb_args_value(a)))
            return -1;
        if (!cb_task_parse(s, &o->task)) {
            fprintf(stderr, "cifarbench %s: --task '%s': use classify, binary, multilabel or "
                            "regression\n",
                    a->command, s);
            return -1;
        }
        return 1;
    }
    if (cb_args_is(a, "--bind")) {
        if (!(s = cb_args_value(a)))
            return -1;
        if (!cb_bind_parse(s, &o->bind)) {
            fprintf(stderr, "cifarbench %s: --bind '%s': use core or none\n", a->command, s);
            return -1;
        }
        return 1;
    }
    struct {
        const char *name;
        long long lo, hi;
    } ints[] = {{"--batch", 1, 65536}, {"--seed", 0, INT64_MAX}, {"--threads", 1, CB_MAX_THREADS},
                {"--images", 1, 1000000000}, {"--test-images", 1, 1000000000}};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        if (!cb_args_is(a, ints[i].name))
            continue;
        if (!cb_args_int(a, ints[i].lo, ints[i].hi, &v))
            return -1;
        switch (i) {
        case 0: o->cfg.batch = (int)v; break;
        case 1: o->cfg.seed = (uint64_t)v; break;
        case 2: o->threads = (int)v; break;
        case 3: o->cfg.train_images = (int)v; break;
        default: o->cfg.test_images = (int)v; break;
        }
        return 1;
    }
    return 0;
}

int cb_run_parse(int argc, char **argv, const char *command, const char *usage_head,
                 cb_run_options *o, cb_own_option_fn *own, void *ctx)
{
    cb_args a;
    cb_args_init(&a, command, argc, argv);
    bool error;
    while (cb_args_next(&a, &error)) {
        if (cb_args_is(&a, "--help")) {
            printf("%s%s  --help             this text\n", usage_head, cb_run_options_help);
            return CB_EXIT_OK;
        }
        int used = cb_run_options_parse(o, &a);
        if (used == 0)
            used = own(&a, o, ctx);
        if (used < 0)
            return CB_EXIT_USAGE;
        if (used == 0) {
            cb_args_unknown(&a);
            return CB_EXIT_USAGE;
        }
    }
    return error ? CB_EXIT_USAGE : -1;
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
    if (r->ctx.threads != threads) {
        fprintf(stderr, "cifarbench %s: asked for %d threads, OpenMP gives %d\n", command, threads,
                r->ctx.threads);
        return CB_EXIT_FAILURE;
    }
    return -1;
}

int cb_run_prepare(cb_run *r, cb_run_options *o, const char *command)
{
    memset(r, 0, sizeof *r);
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
    o->cfg.progress = isatty(STDERR_FILENO) ? CB_PROGRESS_BAR : CB_PROGRESS_LINES;

    cb_machine_describe(&r->machine);
    r->ctx.machine = &r->machine;
    if (o->threads == 0)
        o->threads = r->machine.cores > 0 ? r->machine.cores : 1;
    if (cb_team_check(o->threads, o->bind, &r->machine, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench %s: %s\n", command, err);
        return CB_EXIT_USAGE;
    }
    if (o->json_path && cb_check_file_writable(o->json_path, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench %s: %s\n", command, err);
        return CB_EXIT_FAILURE;
    }
    if (cb_cifar10_open(o->data_dir, &r->data, note, sizeof note, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench %s: %s\n", command, err);
        return CB_EXIT_FAILURE;
    }
    fprintf(stderr, "cifarbench %s: %s\n", command, note);
    if (cb_task_apply(o->task, &r->data, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench %s: %s\n", command, err);
        cb_cifar10_free(&r->data);
        return CB_EXIT_FAILURE;
    }
    r->ctx.task = o->task;
    r->ctx.data = &r->data;
    r->ctx.train_images = o->cfg.train_images > 0 && o->cfg.train_images < r->data.train.count
                              ? o->cfg.train_images : r->data.train.count;
    r->ctx.test_images = o->cfg.test_images > 0 && o->cfg.test_images < r->data.test.count
                             ? o->cfg.test_images : r->data.test.count;
    const int rc = cb_run_start_team(r, o->threads, o->bind, command);
    if (rc >= 0)
        cb_cifar10_free(&r->data);
    return rc;
}

void cb_run_free(cb_run *r)
{
    cb_cifar10_free(&r->data);
}
