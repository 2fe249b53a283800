/* cmd_compare.c - `cifarbench compare`: the command line and the table around compare.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "load_results.h"
#include "mann_whitney.h"
#include "report_commands.h"
#include "report_data.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

static const char help[] =
    "usage: cifarbench compare BASE.json NEW.json [--threshold PCT] [--alpha A]\n"
    "\n"
    "Checks NEW against BASE for a significant slow-down, like Google Benchmark's compare.py.\n"
    "Both files are of the same kind: two train results, two scale results or two Google\n"
    "Benchmark JSON files. Every figure both have is compared over its repetitions:\n"
    "  train   \"train s/epoch\": the seconds of every epoch are the repetitions\n"
    "  scale   \"scale N threads s/epoch\": seconds of every repetition (seconds_all), else the median\n"
    "  gbench  each benchmark: real_time of its repetitions (--benchmark_repetitions=N)\n"
    "\n"
    "For each: the medians, the change in percent, and the two-sided Mann-Whitney U test's p-value\n"
    "(exact when a side has at most 8 values and there are no ties, else the normal approximation\n"
    "with tie and continuity correction).\n"
    "\n"
    "--threshold PCT  a slow-down smaller than this is never a regression (default 5)\n"
    "--alpha A        significance level of the test (default 0.05)\n"
    "--help           this text\n"
    "\n"
    "A figure is a REGRESSION when p < A and its median is more than PCT percent slower. With fewer\n"
    "than 3 repetitions on a side, or so few that no result could reach p < A (3 against 3 cannot go\n"
    "below p = 0.1), the test is not run and the median change alone decides; the verdict says\n"
    "\"median only\". Use 5 or more epochs / repetitions per side for a real test (9+ recommended).\n"
    "Differences in CPU, ISA, threads, images per epoch or batch are printed as notes.\n"
    "\n"
    "Exit status: 0 no regression; 1 at least one regression, or a file cannot be read, is not a\n"
    "result file, or the two files have nothing in common; 2 bad usage.\n";

static bool parse_double(const char *opt, const char *v, double lo, double hi, bool lo_open, double *out)
{
    char *end;
    errno = 0;
    const double x = v ? strtod(v, &end) : NAN;
    if (!v || errno != 0 || end == v || *end != '\0' || !isfinite(x) || x > hi || x < lo ||
        (lo_open && x == lo)) {
        fprintf(stderr, "cifarbench compare: %s takes a number %s %g to %g, not '%s'\n", opt,
                lo_open ? "above" : "from", lo, hi, v ? v : "(nothing)");
        return false;
    }
    *out = x;
    return true;
}

static void describe(const cb_rfile *f, const char *role)
{
    printf("%-4s %s: %s", role, f->path, f->command);
    if (strcmp(f->ctx.isa, "?") != 0)
        printf(", %s", f->ctx.isa);
    if (f->ctx.threads)
        printf(", %d thread%s", f->ctx.threads, f->ctx.threads == 1 ? "" : "s");
    if (f->ctx.cpu_model)
        printf(", %s", f->ctx.cpu_model);
    const char *rev = cb_rcontext_field(&f->ctx, "git revision");
    if (rev)
        printf(", revision %s", rev);
    printf("\n");
}

static void print_table(const cb_cmp *c)
{
    int wname = 6;
    for (size_t i = 0; i < c->n; i++) {
        const int l = (int)strlen(c->rows[i].name);
        if (l > wname)
            wname = l;
    }
    if (wname > 70)
        wname = 70;
    printf("\n%-*s  %11s  %11s  %8s  %8s  %9s  %s\n", wname, "figure", "base median", "new median",
           "change", "p-value", "reps b/n", "verdict");
    for (size_t i = 0; i < c->n; i++) {
        const cb_cmp_row *r = &c->rows[i];
        char b[32], n[32], p[32], reps[32], v[96];
        cb_fmt_seconds(b, sizeof b, r->base_median);
        cb_fmt_seconds(n, sizeof n, r->new_median);
        if (r->tested)
            snprintf(p, sizeof p, r->p < 0.0001 ? "%.1e" : "%.4f", r->p);
        else
            snprintf(p, sizeof p, "n/a");
        snprintf(reps, sizeof reps, "%zu/%zu", r->n_base, r->n_new);
        printf("%-*.*s  %11s  %11s  %+7.1f%%  %8s  %9s  %s\n", wname, wname, r->name, b, n,
               r->change_pct, p, reps, cb_verdict_text(r, v, sizeof v));
    }
    printf("\n");
}

int cb_cmd_compare(int argc, char **argv)
{
    double threshold = 5, alpha = 0.05;
    const char *paths[2];
    int n = 0;
    bool options_done = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!options_done && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
            fputs(help, stdout);
            return EXIT_OK;
        }
        if (!options_done && strcmp(a, "--") == 0) {
            options_done = true;
            continue;
        }
        const bool is_thr = strcmp(a, "--threshold") == 0 || strncmp(a, "--threshold=", 12) == 0;
        const bool is_alpha = strcmp(a, "--alpha") == 0 || strncmp(a, "--alpha=", 8) == 0;
        if (!options_done && (is_thr || is_alpha)) {
            const char *eq = strchr(a, '=');
            const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
            const bool ok = is_thr ? parse_double("--threshold", v, 0, 1000, false, &threshold)
                                   : parse_double("--alpha", v, 0, 1, true, &alpha);
            if (!ok)
                return EXIT_USAGE;
            continue;
        }
        if (!options_done && a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "cifarbench compare: unknown option '%s' (see cifarbench compare --help)\n", a);
            return EXIT_USAGE;
        }
        if (n == 2) {
            fprintf(stderr, "cifarbench compare: takes two files, BASE and NEW; '%s' is a third\n", a);
            return EXIT_USAGE;
        }
        paths[n++] = a;
    }
    if (n != 2) {
        fprintf(stderr, "cifarbench compare: needs two files, BASE and NEW\n"
                        "usage: cifarbench compare BASE.json NEW.json [--threshold PCT] [--alpha A]\n");
        return EXIT_USAGE;
    }

    cb_rfile base, new_;
    char err[1024];
    if (cb_rfile_load(paths[0], &base, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench compare: %s\n", err);
        return EXIT_FAIL;
    }
    if (cb_rfile_load(paths[1], &new_, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench compare: %s\n", err);
        cb_rfile_free(&base);
        return EXIT_FAIL;
    }
    cb_cmp c;
    int rc = EXIT_FAIL;
    if (cb_compare(&base, &new_, threshold, alpha, &c, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench compare: %s\n", err);
        goto done;
    }
    printf("cifarbench compare: lower times are better; regression = p < %g and more than %g%% slower\n",
           alpha, threshold);
    describe(&base, "BASE");
    describe(&new_, "NEW");
    print_table(&c);
    if (c.warnings[0]) {
        for (char *line = c.warnings; *line;) {
            char *nl = strchr(line, '\n');
            printf("note: %.*s\n", (int)(nl ? nl - line : (long)strlen(line)), line);
            line = nl ? nl + 1 : line + strlen(line);
        }
    }
    if (c.only_base || c.only_new)
        printf("note: %zu figure%s only in BASE and %zu only in NEW (not compared)\n", c.only_base,
               c.only_base == 1 ? "" : "s", c.only_new);
    if (c.untested)
        printf("note: %zu figure%s had too few repetitions for the U test at alpha %g (at least %d a "
               "side, and enough that p < alpha is possible): judged by the median change alone\n",
               c.untested, c.untested == 1 ? "" : "s", alpha, CB_CMP_MIN_REPS);
    if (c.regressions) {
        printf("result: REGRESSION: %zu of %zu figure%s slower by more than %g%%\n", c.regressions, c.n,
               c.n == 1 ? "" : "s", threshold);
        rc = EXIT_FAIL;
    } else {
        printf("result: no regression in %zu figure%s\n", c.n, c.n == 1 ? "" : "s");
        rc = EXIT_OK;
    }
    cb_compare_free(&c);
done:
    cb_rfile_free(&base);
    cb_rfile_free(&new_);
    return rc;
}
