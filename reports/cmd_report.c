/* cmd_report.c - `cifarbench report`: result files in, report.md and report.html out. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_options.h"
#include "load_results.h"
#include "page_file.h"
#include "report.h"
#include "report_commands.h"
#include "report_data.h"

static const char help[] =
    "usage: cifarbench report RESULT.json... --out DIR\n"
    "\n"
    "Turns result files into a Markdown summary (DIR/report.md) and one self-contained HTML page\n"
    "with charts (DIR/report.html: inline CSS and SVG, no scripts, nothing fetched).\n"
    "\n"
    "RESULT.json  any mix of, recognised by their content:\n"
    "               cifarbench train --json FILE   epochs, per-layer times, learning curves\n"
    "               cifarbench scale --json FILE   images/s, speed-up and efficiency per threads\n"
    "               cifarbench study: study.json   matched vs mismatched loss, gradients at the logits\n"
    "               train --task regression --json fits per length bin against the means and medians\n"
    "               Google Benchmark JSON          kernel times, GFLOP/s and % of peak counters\n"
    "                 (cifarbench-kernels --benchmark_out=FILE --benchmark_out_format=json)\n"
    "--out DIR    where to write; created when missing (its parent must exist). Both files are\n"
    "             written whole or not at all (a temporary file, then a rename).\n"
    "--help       this text (--version: the version)\n"
    "\n"
    "Sections: context (CPU, ISA, threads, task, images per epoch, batch, compiler, revision; what\n"
    "differs between files), ISA comparison (train results grouped by task, images per epoch,\n"
    "batch and ISA: median s/epoch, images/s, ratio to the slowest and to scalar of the same\n"
    "workload), per-layer breakdown (seconds per thread; the rest of the epoch, waiting at barriers\n"
    "and bookkeeping, is a row of its own, so the shares add to 100%), thread scaling (with the\n"
    "ideal line), kernel GFLOP/s against the measured peak, learning (loss and accuracy per epoch).\n"
    "A section the inputs lack is replaced by a one-line note; study and regression results get a\n"
    "section each when given. Every epoch or scaling point the harness flagged for contention\n"
    "(something else ran) gets a warning with its reasons at the top.\n"
    "\n"
    "Kernel figures: GFLOP/s from a counter named FLOPS (a rate) or containing \"GFLOP\"; the peak\n"
    "of each ISA from the context key peak_gflops_<isa>, else a peak_fma/<isa> benchmark, else\n"
    "the pct_of_peak counter; medians over the iteration runs (repetitions), else the median\n"
    "aggregate. Runs that failed (\"cpu lacks avx512\") are listed as errors.\n"
    "\n"
    "Exit status: 0 written; 1 a file cannot be read, is not valid JSON or not a result file, or\n"
    "holds duplicate entries (an epoch, thread count or benchmark run twice; the message names the\n"
    "file, line and column), or DIR cannot be written; 2 bad usage.\n";

typedef struct report_input {
    const cb_rfile *files;
    size_t n;
} report_input;

static void build(cb_out *o, const void *arg)
{
    const report_input *in = arg;
    cb_report(o, in->files, in->n);
}

int cb_cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {{"out", required_argument, NULL, 'o'}, {0}};
    const char *out = NULL;
    cb_options o;
    cb_options_init(&o, "report", help, argc, argv, longopts);
    for (int c; (c = cb_options_next(&o)) != CB_OPT_END;) {
        if (c == CB_OPT_EXIT)
            return o.exit_code;
        if (c == 'o' && !*(out = o.arg))
            return cb_options_usage_error(&o, "--out needs a directory");
    }
    const size_t n = (size_t)(o.argc - o.first_operand);
    if (n == 0 || !out)
        return cb_options_usage_error(&o, "%s\nusage: cifarbench report RESULT.json... --out DIR "
                                          "(see cifarbench report --help)",
                                      n == 0 ? "no result files given" : "--out DIR is required");
    cb_rfile *files = calloc(n, sizeof *files);
    size_t loaded = 0;
    int rc = CB_EXIT_FAILURE;
    if (!files) {
        fputs("cifarbench report: out of memory\n", stderr);
        return rc;
    }
    for (char err[1024]; loaded < n; loaded++)
        if (cb_rfile_load(o.argv[o.first_operand + (int)loaded], &files[loaded], err, sizeof err) != 0) {
            fprintf(stderr, "cifarbench report: %s\n", err);
            goto done;
        }
    cb_rd_label_files(files, n);
    const report_input in = {files, n};
    if (cb_page_dir("report", out) != 0 || cb_page_write("report", out, "report.md", false, NULL, build, &in) != 0 ||
        cb_page_write("report", out, "report.html", true, NULL, build, &in) != 0)
        goto done;
    size_t kinds[CB_RF_KINDS] = {0};
    for (size_t i = 0; i < n; i++)
        kinds[files[i].kind]++;
    printf("cifarbench report: wrote %s/report.md and %s/report.html from %zu file%s "
           "(%zu train, %zu scale, %zu study, %zu regression, %zu kernel benchmark)\n",
           out, out, n, n == 1 ? "" : "s", kinds[CB_RF_TRAIN], kinds[CB_RF_SCALE], kinds[CB_RF_STUDY],
           kinds[CB_RF_REGRESSION], kinds[CB_RF_GBENCH]);
    rc = CB_EXIT_OK;
done:
    for (size_t i = 0; i < loaded; i++)
        cb_rfile_free(&files[i]);
    free(files);
    return rc;
}
