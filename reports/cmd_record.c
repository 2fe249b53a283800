/* cmd_record.c - `cifarbench record`: result files into the history database (history_db.h). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cb_options.h"
#include "history_db.h"
#include "load_results.h"
#include "report_commands.h"

static const char help[] =
    "usage: cifarbench record RESULT.json... [--db FILE] [--machine NAME]\n"
    "\n"
    "Stores result files in the history database, one run per file, for `cifarbench history`\n"
    "(trend charts, change points, --check) to read. RESULT.json: train and scale results\n"
    "(cifarbench train/scale --json FILE) and the kernel benchmarks' Google Benchmark JSON\n"
    "(cifarbench-kernels --benchmark_out=FILE). Each run keeps the whole file, its machine\n"
    "fingerprint (CPU model, ISA or kernel variants, threads, bind, compiler, build flags), git\n"
    "revision and commit time, its configuration (task, batch, images per epoch) and every\n"
    "repetition of every figure.\n"
    "\n"
    "--db FILE       the database (default: $CIFARBENCH_DB, else ./cifarbench.db); created when\n"
    "                missing, upgraded in place when an older cifarbench made it\n"
    "--machine NAME  the machine the runs are filed under (default: $CIFARBENCH_MACHINE, else the\n"
    "                CPU model); a series never mixes machines\n"
    "--help          this text (--version: the version)\n"
    "\n"
    "All files are read and checked first; then they are stored in one transaction, so either\n"
    "all land or none does. A file already recorded (the same bytes) is stored once. Two records\n"
    "at once both land (the second waits up to 30 s for the first).\n"
    "\n"
    "Exit status: 0 stored (or already there); 1 a file cannot be read, is malformed, of another\n"
    "schema version or holds no timings (study, regression), or the database cannot be written:\n"
    "nothing is stored; 2 bad usage.\n";

int cb_cmd_record(int argc, char **argv)
{
    enum { OPT_DB = 256, OPT_MACHINE };
    static const struct option longopts[] = {
        {"db", required_argument, NULL, OPT_DB}, {"machine", required_argument, NULL, OPT_MACHINE}, {0}};
    cb_options o;
    cb_options_init(&o, "record", help, argc, argv, longopts);
    const char *db_path = NULL, *machine = NULL;
    for (int c; (c = cb_options_next(&o)) != CB_OPT_END;) {
        if (c == CB_OPT_EXIT)
            return o.exit_code;
        if (c == OPT_DB && !*(db_path = o.arg))
            return cb_options_usage_error(&o, "--db needs a file");
        else if (c == OPT_MACHINE && !*(machine = o.arg))
            return cb_options_usage_error(&o, "--machine takes a non-empty name");
    }
    const int nfiles = o.argc - o.first_operand;
    if (nfiles < 1)
        return cb_options_usage_error(&o, "no result files given");
    db_path = cb_hdb_default_path(db_path);

    cb_rfile *files = calloc((size_t)nfiles, sizeof *files);
    cb_hrun *runs = calloc((size_t)nfiles, sizeof *runs);
    char err[1024];
    int rc = files && runs ? CB_EXIT_OK : CB_EXIT_FAILURE;
    if (rc != CB_EXIT_OK)
        fprintf(stderr, "cifarbench record: out of memory\n");
    for (int i = 0; rc == CB_EXIT_OK && i < nfiles; i++) /* every check before the work */
        if (cb_rfile_load(o.argv[o.first_operand + i], &files[i], err, sizeof err) != 0 ||
            cb_hdb_describe(&files[i], machine, &runs[i], err, sizeof err) != 0) {
            fprintf(stderr, "cifarbench record: %s\nnothing recorded\n", err);
            rc = CB_EXIT_FAILURE;
        }

    cb_hdb h;
    if (rc == CB_EXIT_OK && (cb_hdb_open(&h, db_path, true, err, sizeof err) != 0 || cb_hdb_begin(&h, err, sizeof err) != 0)) {
        fprintf(stderr, "cifarbench record: %s\nnothing recorded\n", err);
        if (h.db)
            cb_hdb_close(&h);
        rc = CB_EXIT_FAILURE;
    }
    if (rc == CB_EXIT_OK) {
        const long long now = (long long)time(NULL);
        long long *ids = calloc((size_t)nfiles, sizeof *ids);
        bool *stored = calloc((size_t)nfiles, sizeof *stored);
        for (int i = 0; rc == CB_EXIT_OK && i < nfiles; i++)
            if (!ids || !stored || cb_hdb_record(&h, &files[i], &runs[i], now, &ids[i], &stored[i], err, sizeof err) != 0)
                rc = CB_EXIT_FAILURE;
        if (rc == CB_EXIT_OK && cb_hdb_commit(&h, err, sizeof err) != 0)
            rc = CB_EXIT_FAILURE;
        if (rc != CB_EXIT_OK) {
            cb_hdb_rollback(&h);
            fprintf(stderr, "cifarbench record: %s\nnothing recorded\n", ids && stored ? err : "out of memory");
        }
        for (int i = 0; rc == CB_EXIT_OK && i < nfiles; i++)
            printf("%s: %s run %lld (machine \"%s\", %s; revision %s)\n", files[i].path,
                   stored[i] ? "recorded as" : "already recorded as", ids[i], runs[i].machine, runs[i].config,
                   runs[i].revision ? runs[i].revision : "unknown");
        if (rc == CB_EXIT_OK)
            printf("history: %s\n", db_path);
        free(ids);
        free(stored);
        cb_hdb_close(&h);
    }
    for (int i = 0; files && i < nfiles; i++) /* a file never loaded is all zero: nothing to free */
        cb_rfile_free(&files[i]);
    free(files);
    free(runs);
    return rc;
}
