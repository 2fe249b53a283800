/* cmd_compare.c - `cifarbench compare`: the command line and the table around compare.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_options.h"
#include "compare.h"
#include "load_results.h"
#include "mann_whitney.h"
#include "report_commands.h"
#include "report_data.h"

static const char help[] =
    "usage: cifarbench compare BASE.json NEW.json [--threshold PCT] [--alpha A]\n"
    "\n"
    "Checks NEW against BASE for a significant slow-down, like Google Benchmark's compare.py.\n"
    "Both files are of the same kind: two train results, two scale results or two Google\n"
    "Benchmark JSON files. Every figure both have is compared over its repetitions:\n"
    "  train   \"train images/s\": the images/s of every epoch are the repetitions\n"
    "  scale   \"scale N threads images/s\": per repetition (seconds_all), else the median\n"
    "  gbench  each benchmark: real_time of its repetitions (--benchmark_repetitions=N)\n"
    "images/s: higher is better; real time: lower is better (the table's header says which).\n"
    "\n"
    "Only one configuration is compared with itself: files that differ in CPU, ISA, kernel\n"
    "variants, threads (train and gbench; scale figures are per thread count), task, images per\n"
    "epoch or batch are refused as not comparable (every difference named; cifarbench report\n"
    "shows such files side by side), and so are study and regression results, which hold no\n"
    "timings. A different git revision, compiler, build flags or thread binding is printed as a\n"
    "note: that is what the check is for.\n"
    "\n"
    "For each figure: the medians, the change in percent, and the two-sided Mann-Whitney U test's\n"
    "p-value (exact when a side has at most 8 values and there are no ties, else the normal\n"
    "approximation with tie and continuity correction).\n"
    "\n"
    "--threshold PCT  a slow-down smaller than this is never a regression (default 5)\n"
    "--alpha A        significance level of the test (default 0.05)\n"
    "--help           this text (--version: the version)\n"
    "\n"
    "A figure is a REGRESSION when p < A and its median is more than PCT percent slower (images/s\n"
    "lower, times higher). With fewer than 3 repetitions on a side, or so few that no result could\n"
    "reach p < A (3 against 3 cannot go below p = 0.1), the test is not run and the median change\n"
    "alone decides; the verdict says \"median only\". Use 5 or more epochs / repetitions per side\n"
    "for a real test (9+ recommended). Epochs and scaling points the harness flagged for contention\n"
    "(something else ran) are counted, and their figures called unreliable.\n"
    "\n"
    "Exit status: 0 no regression; 1 at least one regression, or a file cannot be read, is not a\n"
    "result file, holds duplicate entries or no timings, the two files are not comparable or have\n"
    "nothing in common; 2 bad usage.\n";

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

static const char *value(char *buf, size_t n, const cb_cmp *c, double x)
{
    if (!c->higher_better)
        return cb_fmt_seconds(buf, n, x);
    if (x >= 100)
        return cb_fmt_count(buf, n, x);
    snprintf(buf, n, "%.3g", x);
    return buf;
}

static void print_table(const cb_cmp *c)
{
    char head[96];
    snprintf(head, sizeof head, "figure (%s)", c->what);
    int wname = (int)strlen(head);
    for (size_t i = 0; i < c->n; i++) {
        const int l = (int)strlen(c->rows[i].name);
        if (l > wname)
            wname = l;
    }
    if (wname > 70)
        wname = 70;
    printf("\n%-*s  %11s  %11s  %8s  %8s  %9s  %s\n", wname, head, "base median", "new median",
           "change", "p-value", "reps b/n", "verdict");
    for (size_t i = 0; i < c->n; i++) {
        const cb_cmp_row *r = &c->rows[i];
        char b[32], n[32], p[32], reps[32], v[96];
        if (r->tested)
            snprintf(p, sizeof p, r->p < 0.0001 ? "%.1e" : "%.4f", r->p);
        else
            snprintf(p, sizeof p, "n/a");
        snprintf(reps, sizeof reps, "%zu/%zu", r->n_base, r->n_new);
        printf("%-*.*s  %11s  %11s  %+7.1f%%  %8s  %9s  %s%s\n", wname, wname, r->name,
               value(b, sizeof b, c, r->base_median), value(n, sizeof n, c, r->new_median), r->change_pct, p,
               reps, cb_verdict_text(r, v, sizeof v), r->flagged_base || r->flagged_new ? "; unreliable" : "");
    }
    printf("\n");
}

int cb_cmd_compare(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"threshold", required_argument, NULL, 't'}, {"alpha", required_argument, NULL, 'a'}, {0}};
    double threshold = 5, alpha = 0.05;
    cb_options o;
    cb_options_init(&o, "compare", help, argc, argv, longopts);
    for (int c; (c = cb_options_next(&o)) != CB_OPT_END;) {
        if (c == CB_OPT_EXIT)
            return o.exit_code;
        if (c == 't' && !cb_options_double(&o, 0, 1000, &threshold))
            return CB_EXIT_USAGE;
        if (c == 'a' && !cb_options_double(&o, 0, 1, &alpha))
            return CB_EXIT_USAGE;
        if (c == 'a' && alpha == 0)
            return cb_options_usage_error(&o, "--alpha takes a number above 0 and at most 1, not '%s'", o.arg);
    }
    const int n = o.argc - o.first_operand;
    if (n > 2)
        return cb_options_usage_error(&o, "takes two files, BASE and NEW; '%s' is a third",
                                      o.argv[o.first_operand + 2]);
    if (n < 2)
        return cb_options_usage_error(&o, "needs two files, BASE and NEW\nusage: cifarbench compare "
                                          "BASE.json NEW.json [--threshold PCT] [--alpha A]");
    const char *paths[2] = {o.argv[o.first_operand], o.argv[o.first_operand + 1]};
    cb_rfile base, new_;
    char err[1024];
    if (cb_rfile_load(paths[0], &base, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench compare: %s\n", err);
        return CB_EXIT_FAILURE;
    }
    if (cb_rfile_load(paths[1], &new_, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench compare: %s\n", err);
        cb_rfile_free(&base);
        return CB_EXIT_FAILURE;
    }
    cb_cmp c;
    int rc = CB_EXIT_FAILURE;
    if (cb_compare(&base, &new_, threshold, alpha, &c, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench compare: %s\n", err);
        goto done;
    }
    printf("cifarbench compare: %s; regression = p < %g and more than %g%% slower\n", c.what, alpha,
           threshold);
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
    if (c.flagged)
        printf("note: %zu of %zu figure%s %s unreliable: repetitions timed while something else ran "
               "(flagged for contention by the harness); rerun on an idle machine\n",
               c.flagged, c.n, c.n == 1 ? "" : "s", c.flagged == 1 ? "is" : "are");
    for (size_t i = 0; i < c.n; i++)
        if (c.rows[i].flagged_base || c.rows[i].flagged_new)
            printf("note:   %s: %zu of %zu in BASE, %zu of %zu in NEW flagged: %s\n", c.rows[i].name,
                   c.rows[i].flagged_base, c.rows[i].n_base, c.rows[i].flagged_new, c.rows[i].n_new,
                   c.rows[i].reason);
    if (c.regressions) {
        printf("result: REGRESSION: %zu of %zu figure%s slower by more than %g%%\n", c.regressions, c.n,
               c.n == 1 ? "" : "s", threshold);
        rc = CB_EXIT_FAILURE;
    } else {
        printf("result: no regression in %zu figure%s\n", c.n, c.n == 1 ? "" : "s");
        rc = CB_EXIT_OK;
    }
    cb_compare_free(&c);
done:
    cb_rfile_free(&base);
    cb_rfile_free(&new_);
    return rc;
}
