/* cmd_history.c - `cifarbench history`: list, chart and check the stored runs (history_db.h,
 * changepoint.h, history_page.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_options.h"
#include "changepoint.h"
#include "history_db.h"
#include "history_page.h"
#include "page_file.h"
#include "report_commands.h"

static const char help[] =
    "usage: cifarbench history [--db FILE] [--machine M] [--figure NAME] --list\n"
    "       cifarbench history [--db FILE] [--machine M] [--figure NAME] --out DIR\n"
    "       cifarbench history [--db FILE] [--machine M] [--figure NAME] --check [--threshold PCT]\n"
    "\n"
    "Reads the runs `cifarbench record` stored. A series is one figure (\"train images/s\", \"scale\n"
    "2 threads images/s\", a kernel benchmark's time) of one configuration (task, ISA or kernel\n"
    "variants, threads, bind, batch, images) on one machine, its runs in commit order; series are\n"
    "never mixed. Each run counts once, by the median of its repetitions.\n"
    "\n"
    "--list           the machines, configurations and figures stored, with their run counts\n"
    "--out DIR        DIR/history.html (a trend chart per series: median and spread per run, the\n"
    "                 change points marked with their commits and size) and DIR/history.md\n"
    "--check          for CI: exit 1 when a series' newest runs form a significant slow-down of\n"
    "                 more than PCT percent against the segment before them\n"
    "--threshold PCT  the smallest slow-down --check reports (default 5)\n"
    "--db FILE        the database (default: $CIFARBENCH_DB, else ./cifarbench.db)\n"
    "--machine M      only this machine's series;  --figure NAME  only this figure's\n"
    "--alpha A        significance of a change point (default 0.01)\n"
    "--permutations N permutations per significance test (default 499)\n"
    "--min-size N     the fewest runs in a segment (default 3): a change shows once N runs follow it\n"
    "--help           this text (--version: the version)\n"
    "\n"
    "Change points: E-divisive means (Matteson and James 2014) with a permutation test, as\n"
    "MongoDB's CI and Hunter use it: the split of a series that best separates the distributions\n"
    "of its two sides is kept when fewer than alpha of the permutations of the series separate as\n"
    "well; then each side is searched again. Seeded: the same history gives the same answer.\n"
    "\n"
    "Exit status: --list and --out: 0 done, 1 the database cannot be read or DIR written, 2 bad\n"
    "usage. --check: 0 no slow-down, 1 a slow-down (figure, change and commits printed), 2 bad usage\n"
    "or no history to check.\n";

typedef enum { MODE_NONE, MODE_LIST, MODE_OUT, MODE_CHECK } mode;

/* The change points of every series, by the runs' medians. */
static int find_changes(const cb_hseries *s, size_t n, const cb_cp_options *opt, cb_cp_result *out)
{
    for (size_t i = 0; i < n; i++) {
        double *x = malloc((s[i].n ? s[i].n : 1) * sizeof *x);
        if (!x)
            return -1;
        for (size_t k = 0; k < s[i].n; k++)
            x[k] = s[i].points[k].median;
        const int rc = cb_changepoints(x, s[i].n, opt, &out[i]);
        free(x);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static void list(const cb_hseries *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || strcmp(s[i].machine, s[i - 1].machine) != 0)
            printf("%smachine \"%s\"\n", i ? "\n" : "", s[i].machine);
        if (i == 0 || strcmp(s[i].machine, s[i - 1].machine) != 0 || strcmp(s[i].config, s[i - 1].config) != 0)
            printf("  %s\n", s[i].config);
        const cb_hpoint *first = &s[i].points[0], *last = &s[i].points[s[i].n - 1];
        printf("    %-40s %4zu run%s  %s .. %s\n", s[i].figure, s[i].n, s[i].n == 1 ? " " : "s",
               first->revision[0] ? first->revision : "?", last->revision[0] ? last->revision : "?");
    }
    if (!n)
        printf("no runs stored (cifarbench record RESULT.json adds them)\n");
}

/* Whether series s's last change point is a slow-down of more than threshold percent; prints it. */
static bool slowed_down(const cb_hseries *s, const cb_cp_result *cp, double threshold_pct)
{
    if (!cp->n)
        return false;
    const cb_cp *c = &cp->points[cp->n - 1];
    const double worse_pct = (s->higher_better ? -c->change : c->change) * 100;
    if (!(worse_pct > threshold_pct))
        return false;
    char change[16], commits[160];
    printf("SLOW-DOWN %s on %s (%s): %.6g -> %.6g %s (%s, %.1f%% slower), p = %.3f; between %s; %zu run%s since\n",
           s->figure, s->machine, s->config, c->before, c->after, s->unit, cb_history_change_text(change, sizeof change, c),
           worse_pct, c->p, cb_history_commits(commits, sizeof commits, s, c), s->n - c->index,
           s->n - c->index == 1 ? "" : "s");
    return true;
}

static int check(const cb_hseries *s, const cb_cp_result *cp, size_t n, double threshold_pct)
{
    size_t slow = 0, tested = 0;
    for (size_t i = 0; i < n; i++) {
        slow += slowed_down(&s[i], &cp[i], threshold_pct);
        tested += s[i].n >= 2;
    }
    printf("history --check: %zu series (%zu with 2 or more runs), %zu with a slow-down of more than %g%% in "
           "their newest runs\n", n, tested, slow, threshold_pct);
    return slow ? CB_EXIT_FAILURE : CB_EXIT_OK;
}

static int write_pages(const char *dir, const cb_history *h)
{
    if (cb_page_dir("history", dir) != 0 ||
        cb_page_write("history", dir, "history.md", false, "cifarbench history", cb_history_page, h) != 0 ||
        cb_page_write("history", dir, "history.html", true, "cifarbench history", cb_history_page, h) != 0)
        return CB_EXIT_FAILURE;
    printf("cifarbench history: wrote %s/history.md and %s/history.html (%zu series)\n", dir, dir, h->n);
    return CB_EXIT_OK;
}

int cb_cmd_history(int argc, char **argv)
{
    enum { OPT_DB = 256, OPT_MACHINE, OPT_FIGURE, OPT_LIST, OPT_OUT, OPT_CHECK, OPT_THRESHOLD, OPT_ALPHA,
           OPT_PERMUTATIONS, OPT_MIN_SIZE };
    static const struct option longopts[] = {
        {"db", required_argument, NULL, OPT_DB},         {"machine", required_argument, NULL, OPT_MACHINE},
        {"figure", required_argument, NULL, OPT_FIGURE}, {"list", no_argument, NULL, OPT_LIST},
        {"out", required_argument, NULL, OPT_OUT},       {"check", no_argument, NULL, OPT_CHECK},
        {"threshold", required_argument, NULL, OPT_THRESHOLD}, {"alpha", required_argument, NULL, OPT_ALPHA},
        {"permutations", required_argument, NULL, OPT_PERMUTATIONS},
        {"min-size", required_argument, NULL, OPT_MIN_SIZE}, {0}};
    cb_options o;
    cb_options_init(&o, "history", help, argc, argv, longopts);
    const char *db_path = NULL, *machine = NULL, *figure = NULL, *out = NULL;
    mode m = MODE_NONE;
    double threshold = 5;
    cb_cp_options cpo = cb_cp_defaults();
    long long v;
    for (int c; (c = cb_options_next(&o)) != CB_OPT_END;) {
        if (c == CB_OPT_EXIT)
            return o.exit_code;
        const mode want = c == OPT_LIST ? MODE_LIST : c == OPT_OUT ? MODE_OUT : c == OPT_CHECK ? MODE_CHECK : MODE_NONE;
        if (want != MODE_NONE && m != MODE_NONE && m != want)
            return cb_options_usage_error(&o, "--list, --out and --check are exclusive: choose one");
        if (want != MODE_NONE)
            m = want;
        switch (c) {
        case OPT_DB:
            if (!*(db_path = o.arg))
                return cb_options_usage_error(&o, "--db needs a file");
            break;
        case OPT_MACHINE: machine = o.arg; break;
        case OPT_FIGURE: figure = o.arg; break;
        case OPT_OUT:
            if (!*(out = o.arg))
                return cb_options_usage_error(&o, "--out needs a directory");
            break;
        case OPT_THRESHOLD:
            if (!cb_options_double(&o, 0, 1000, &threshold))
                return CB_EXIT_USAGE;
            break;
        case OPT_ALPHA:
            if (!cb_options_double(&o, 1e-6, 0.5, &cpo.alpha))
                return CB_EXIT_USAGE;
            break;
        case OPT_PERMUTATIONS:
            if (!cb_options_int(&o, 19, 100000, &v))
                return CB_EXIT_USAGE;
            cpo.permutations = (int)v;
            break;
        case OPT_MIN_SIZE:
            if (!cb_options_int(&o, 2, 1000, &v))
                return CB_EXIT_USAGE;
            cpo.min_size = (size_t)v;
            break;
        default: break;
        }
    }
    if (!cb_options_no_operands(&o))
        return CB_EXIT_USAGE;
    if (m == MODE_NONE)
        return cb_options_usage_error(&o, "say what to do: --list, --out DIR or --check (see --help)");
    const int fail = m == MODE_CHECK ? CB_EXIT_USAGE : CB_EXIT_FAILURE; /* 1 means "slow-down" to --check */
    db_path = cb_hdb_default_path(db_path);

    char err[1024];
    cb_hdb h;
    cb_hseries *s = NULL;
    size_t n = 0;
    if (cb_hdb_open(&h, db_path, false, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench history: %s\n", err);
        return fail;
    }
    const int got = cb_hdb_series(&h, machine, figure, &s, &n, err, sizeof err);
    cb_hdb_close(&h);
    if (got != 0) {
        fprintf(stderr, "cifarbench history: %s\n", err);
        return fail;
    }
    int rc = CB_EXIT_OK;
    cb_cp_result *cp = calloc(n ? n : 1, sizeof *cp);
    if (m == MODE_LIST) {
        list(s, n);
    } else if (!cp || find_changes(s, n, &cpo, cp) != 0) {
        fprintf(stderr, "cifarbench history: out of memory\n");
        rc = fail;
    } else if (m == MODE_CHECK && n == 0) {
        fprintf(stderr, "cifarbench history: %s holds no runs%s%s to check\n", db_path, machine || figure ? " matching " : "",
                machine ? "--machine" : figure ? "--figure" : "");
        rc = CB_EXIT_USAGE;
    } else if (m == MODE_CHECK) {
        rc = check(s, cp, n, threshold);
    } else {
        const cb_history page = {db_path, s, cp, n, cpo.alpha};
        rc = write_pages(out, &page);
    }
    free(cp);
    cb_hdb_series_free(s, n);
    return rc;
}
