/* cmd_report.c - `cifarbench report`: result files in, report.md and report.html out. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "json_writer.h"
#include "load_results.h"
#include "report_commands.h"
#include "report_html.h"
#include "report_data.h"
#include "report_md.h"
#include "strbuf.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

static const char help[] =
    "usage: cifarbench report RESULT.json... --out DIR\n"
    "\n"
    "Turns result files into a Markdown summary (DIR/report.md) and one self-contained HTML page\n"
    "with charts (DIR/report.html: inline CSS and SVG, no scripts, nothing fetched).\n"
    "\n"
    "RESULT.json  any mix of, recognised by their content:\n"
    "               cifarbench train --json FILE   epochs, per-layer times, learning curves\n"
    "               cifarbench scale --json FILE   images/s, speed-up and efficiency per threads\n"
    "               Google Benchmark JSON          kernel times, GFLOP/s and % of peak counters\n"
    "                 (cifarbench-kernels --benchmark_out=FILE --benchmark_out_format=json)\n"
    "--out DIR    where to write; created when missing (its parent must exist). Both files are\n"
    "             written whole or not at all (a temporary file, then a rename).\n"
    "--help       this text\n"
    "\n"
    "Sections: context (CPU, ISA, threads, compiler, revision; what differs between files), ISA\n"
    "comparison (train results grouped by ISA: median s/epoch, images/s, ratio to the slowest and\n"
    "to scalar), per-layer breakdown, thread scaling (with the ideal line), kernel GFLOP/s against\n"
    "the measured peak, learning (loss and accuracy per epoch). A section the inputs lack is\n"
    "replaced by a one-line note.\n"
    "\n"
    "Kernel figures: GFLOP/s from a counter named FLOPS (a rate) or containing \"GFLOP\"; the peak\n"
    "of each ISA from the context key peak_gflops_<isa>, else a peak_fma/<isa> benchmark, else\n"
    "the pct_of_peak counter; medians over the iteration runs (repetitions), else the median\n"
    "aggregate. Runs that failed (\"cpu lacks avx512\") are listed as errors.\n"
    "\n"
    "Exit status: 0 written; 1 a file cannot be read, is not valid JSON or not a result file\n"
    "(the message names the file, line and column), or DIR cannot be written; 2 bad usage.\n";

static int make_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return 0;
        fprintf(stderr, "cifarbench report: --out %s exists and is not a directory\n", dir);
        return -1;
    }
    if (mkdir(dir, 0777) != 0) {
        fprintf(stderr, "cifarbench report: cannot create directory %s: %s%s\n", dir, strerror(errno),
                errno == ENOENT ? " (only the last level is created)" : "");
        return -1;
    }
    return 0;
}

static int write_out(const char *dir, const char *name, const cb_sb *text)
{
    char path[4096], err[512];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
        fprintf(stderr, "cifarbench report: --out %s: path too long\n", dir);
        return -1;
    }
    if (text->failed) {
        fprintf(stderr, "cifarbench report: out of memory building %s\n", path);
        return -1;
    }
    if (cb_write_file_atomic(path, cb_sb_str(text), text->len, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench report: %s\n", err);
        return -1;
    }
    return 0;
}

int cb_cmd_report(int argc, char **argv)
{
    const char *out = NULL;
    const char **paths = calloc(argc > 0 ? (size_t)argc : 1, sizeof *paths);
    if (!paths) {
        fputs("cifarbench report: out of memory\n", stderr);
        return EXIT_FAIL;
    }
    size_t n = 0;
    bool options_done = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!options_done && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
            fputs(help, stdout);
            free(paths);
            return EXIT_OK;
        }
        if (!options_done && strcmp(a, "--") == 0) {
            options_done = true;
        } else if (!options_done && (strcmp(a, "--out") == 0 || strncmp(a, "--out=", 6) == 0)) {
            const char *v = a[5] == '=' ? a + 6 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v || !*v) {
                fputs("cifarbench report: --out needs a directory\n", stderr);
                free(paths);
                return EXIT_USAGE;
            }
            out = v;
        } else if (!options_done && a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "cifarbench report: unknown option '%s' (see cifarbench report --help)\n", a);
            free(paths);
            return EXIT_USAGE;
        } else {
            paths[n++] = a;
        }
    }
    if (n == 0 || !out) {
        fprintf(stderr, "cifarbench report: %s\nusage: cifarbench report RESULT.json... --out DIR "
                        "(see cifarbench report --help)\n",
                n == 0 ? "no result files given" : "--out DIR is required");
        free(paths);
        return EXIT_USAGE;
    }

    int rc = EXIT_FAIL;
    cb_rfile *files = calloc(n, sizeof *files);
    size_t loaded = 0;
    cb_sb md, html;
    cb_sb_init(&md);
    cb_sb_init(&html);
    if (!files) {
        fputs("cifarbench report: out of memory\n", stderr);
        goto done;
    }
    for (; loaded < n; loaded++) {
        char err[1024];
        if (cb_rfile_load(paths[loaded], &files[loaded], err, sizeof err) != 0) {
            fprintf(stderr, "cifarbench report: %s\n", err);
            goto done;
        }
    }
    cb_rd_label_files(files, n);
    if (make_dir(out) != 0)
        goto done;
    cb_report_md(&md, files, n);
    cb_report_html(&html, files, n);
    if (write_out(out, "report.md", &md) != 0 || write_out(out, "report.html", &html) != 0)
        goto done;
    size_t kinds[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++)
        kinds[files[i].kind]++;
    printf("cifarbench report: wrote %s/report.md and %s/report.html from %zu file%s "
           "(%zu train, %zu scale, %zu kernel benchmark)\n",
           out, out, n, n == 1 ? "" : "s", kinds[CB_RF_TRAIN], kinds[CB_RF_SCALE], kinds[CB_RF_GBENCH]);
    rc = EXIT_OK;
done:
    for (size_t i = 0; i < loaded; i++)
        cb_rfile_free(&files[i]);
    free(files);
    free(paths);
    cb_sb_free(&md);
    cb_sb_free(&html);
    return rc;
}
