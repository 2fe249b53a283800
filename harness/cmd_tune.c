/* cmd_tune.c - `cifarbench tune`: times every ISA's version of every kernel on the calls the
 * training step makes (tune.h) and writes the fastest choice per kernel as a variant file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_atomic_file.h"
#include "cli.h"
#include "commands.h"
#include "topology.h"
#include "tune.h"
#include "variants.h"

static const char tune_usage[] =
    "usage: cifarbench tune [--out FILE]\n"
    "\n"
    "Times the scalar, AVX2 and AVX-512 version (those this CPU runs) of every kernel on the\n"
    "calls one training step makes with it (the registry's cases: one image for the layers and\n"
    "the loss, 4 rows for dense1's weight gradient, a 128-float block for Adam; the same as the\n"
    "step's benchmarks of cifarbench-kernels), one thread, median of 5 samples of at least 2 ms each,\n"
    "and writes the fastest ISA per kernel as a variant file for 'cifarbench train --variants'.\n"
    "\n"
    "options:\n"
    "  --out FILE         the variant file to write (default variants.txt; written whole or not\n"
    "                     at all; a new or regular file, or a symbolic link to one, written\n"
    "                     through; checked before any timing)\n"
    CB_OPTIONS_HELP;

int cb_cmd_tune(int argc, char **argv)
{
    static const struct option longopts[] = {{"out", required_argument, NULL, 'o'}, {0}};
    const char *out = "variants.txt";
    cb_options p;
    cb_options_init(&p, "tune", tune_usage, argc, argv, longopts);
    for (int c; (c = cb_options_next(&p)) != CB_OPT_END;) {
        if (c == CB_OPT_EXIT)
            return p.exit_code;
        out = p.arg; /* --out, tune's only option */
        if (!out[0])
            return cb_options_usage_error(&p, "--out needs a file name, not an empty string");
    }
    if (!cb_options_no_operands(&p) || !cb_cli_check_max_isa())
        return CB_EXIT_USAGE;
    char err[4400];
    if (cb_check_file_writable(out, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench tune: %s\n", err);
        return CB_EXIT_FAILURE;
    }

    cb_machine m;
    cb_machine_describe(&m);
    printf("cifarbench tune: %s, microseconds per training step's calls (median of 5)\n\n",
           m.cpu_model);
    printf("  %-20s", "kernel");
    for (int i = 0; i < CB_ISA_COUNT; i++)
        printf(" %10s", cb_isa_name((cb_isa)i));
    printf("   fastest\n");
    cb_variants v;
    for (int k = 0; k < CB_KERNEL_COUNT; k++) {
        printf("  %-20s", cb_kernel_name(k));
        double best = 0.0;
        v.isa[k] = CB_ISA_SCALAR;
        for (int i = 0; i < CB_ISA_COUNT; i++) {
            if (!cb_isa_supported((cb_isa)i)) {
                printf(" %10s", "n/a");
                continue;
            }
            const double s = cb_tune_kernel_seconds(cb_kernel_table_for((cb_isa)i), k);
            if (s < 0) {
                fprintf(stderr, "\ncifarbench tune: out of memory\n");
                return CB_EXIT_FAILURE;
            }
            printf(" %10.2f", s * 1e6);
            if (i == 0 || s < best) {
                best = s;
                v.isa[k] = (cb_isa)i;
            }
        }
        printf("   %s\n", cb_isa_name(v.isa[k]));
    }

    char comment[512], text[4096];
    snprintf(comment, sizeof comment, "# written by cifarbench tune on %s (%s)\n", m.cpu_model,
             m.cpu_vendor);
    if (cb_variants_format(&v, comment, text, sizeof text) < 0 ||
        cb_write_file_atomic(out, text, strlen(text), err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench tune: %s\n", err);
        return CB_EXIT_FAILURE;
    }
    printf("\n  variants %s (%s)\n", out, cb_variants_summary(&v));
    return CB_EXIT_OK;
}
