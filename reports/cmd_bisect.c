/* cmd_bisect.c - `cifarbench bisect`: the first revision at which a measured figure steps, found
 * with `git bisect run`, which calls a copy of this program back (--step) at each revision. Here:
 * the command line and the checks before the work; the work is bisect_drive.h's, the step
 * bisect_step.h's, what a revision's figure is and how it is judged against good and bad bisect.h's. */
#define _POSIX_C_SOURCE 200809L /* stat */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "bisect.h"
#include "bisect_drive.h"
#include "bisect_git.h"
#include "bisect_step.h"
#include "cb_buf.h"
#include "cb_options.h"
#include "child_process.h"
#include "mann_whitney.h"
#include "report_commands.h"

static const char help[] =
    "usage: cifarbench bisect --good REV --bad REV --run COMMAND [--repetitions N]\n"
    "                         [--max-repetitions M] [--alpha A] [--result FILE --figure NAME]\n"
    "                         [-C DIR]\n"
    "\n"
    "Finds the first revision after REV good, up to REV bad, at which a measured figure steps,\n"
    "with git bisect run. The figure is the wall time of `sh -c COMMAND` in the repository's top\n"
    "directory or, with --result and --figure, a figure of the result file COMMAND writes: a\n"
    "cifarbench result or Google Benchmark JSON, with the figures cifarbench compare tests (\"train\n"
    "images/s\": the epochs' images/s; a benchmark's run name: its repetitions' real time), every\n"
    "value of every run pooled. COMMAND's standard output is discarded, its standard error passed\n"
    "through. At a revision where COMMAND fails, or FILE or the figure is missing or invalid, the\n"
    "figure cannot be measured: git bisect skips it.\n"
    "\n"
    "First the good and the bad revision are measured, N runs each; unless they differ by the\n"
    "two-sided Mann-Whitney U test at level A, there is nothing to bisect. Then git bisect checks\n"
    "out revision after revision, and each is measured (N runs) and judged: different from good\n"
    "but not from bad is bad (the figure has stepped); different from bad but not from good is\n"
    "good; different from both (the machine's speed has drifted since the ends were measured),\n"
    "the nearer median decides; different from neither, N more runs, up to M in all, and a\n"
    "revision still undecided then is skipped. Every revision's runs follow one warm-up run of\n"
    "COMMAND, not counted: it pays for cold caches (and for the build, when COMMAND builds).\n"
    "\n"
    "One line per revision: revision, median, p against good and against bad, verdict. At the end:\n"
    "the first bad revision (or, when skipped revisions leave several, all of them) and the medians\n"
    "of good, bad, the first bad revision and its parent. The repository is always put back on the\n"
    "branch or commit it was on (git bisect reset), also after an error or an interrupt.\n"
    "\n"
    "The directory must be in a git work tree with no changes to tracked files (untracked files\n"
    "stay; COMMAND may write some) and no bisect under way, and REV good must be an ancestor of\n"
    "REV bad.\n"
    "\n"
    "options:\n"
    "  --good REV         a revision before the step (anything git rev-parse takes)\n"
    "  --bad REV          a later revision, after the step\n"
    "  --run COMMAND      the shell command measured, run in the repository's top directory\n"
    "  --repetitions N    runs of COMMAND per revision, and per retry (default 5; at alpha 0.05, 4\n"
    "                     runs a side are the fewest with which the test can find a difference)\n"
    "  --max-repetitions M\n"
    "                     runs at most per revision (default 20)\n"
    "  --alpha A          significance level of the test (default 0.05)\n"
    "  --result FILE      the result file COMMAND writes, relative to the top directory; removed\n"
    "                     before every run\n"
    "  --figure NAME      the figure of FILE measured\n"
    "  -C DIR             the repository (default: the current directory's)\n" CB_OPTIONS_HELP
    "\n"
    "Internal: at each revision git bisect run calls `RUNNER bisect --step STATE`, where RUNNER is\n"
    "a copy of this program in a temporary directory (COMMAND may rebuild the original) and STATE a\n"
    "file beside it with the options and the good and bad values; the step exits 0 good, 1 bad,\n"
    "125 skip. It is not for direct use.\n"
    "\n"
    "Exit status: 0 the first bad revision was found; 1 it was not: good and bad do not differ,\n"
    "COMMAND cannot be measured at good or bad, skipped revisions leave several candidates, or git\n"
    "failed; 2 bad usage: options, too few repetitions for the test, not a git work tree, changes\n"
    "to tracked files, a bisect under way, unknown revisions, good not an ancestor of bad, or good\n"
    "and bad the same commit; 128 + the signal's number when interrupted.\n";

typedef struct bisect_args {
    const char *good, *bad, *run, *result, *figure, *dir, *step;
    long long repetitions, max_repetitions;
    double alpha;
} bisect_args;

/* ---- options and checks --------------------------------------------------------------------- */

/* cb_options knows one short option, -h; -C DIR (git's spelling) is rewritten to --directory DIR
 * before the parse. Every other option here takes a value, so the argument after an option given
 * without '=' is its value and left alone. */
static void spell_out_dash_c(int argc, char **argv)
{
    for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "-C") == 0)
            argv[i] = "--directory";
        else if (strncmp(argv[i], "--", 2) == 0 && !strchr(argv[i], '='))
            i++;
    }
}

/* Parses the options into *a: -1 to go on, else the exit code. */
static int parse_args(cb_options *o, int argc, char **argv, bisect_args *a)
{
    static const struct option longopts[] = {
        {"good", required_argument, NULL, 'g'},   {"bad", required_argument, NULL, 'b'},
        {"run", required_argument, NULL, 'r'},    {"repetitions", required_argument, NULL, 'n'},
        {"max-repetitions", required_argument, NULL, 'm'},
        {"alpha", required_argument, NULL, 'a'},  {"result", required_argument, NULL, 'f'},
        {"figure", required_argument, NULL, 'F'}, {"directory", required_argument, NULL, 'C'},
        {"step", required_argument, NULL, 's'},   {0}};
    *a = (bisect_args){.repetitions = 5, .max_repetitions = 20, .alpha = 0.05, .dir = "."};
    int given = 0;
    cb_options_init(o, "bisect", help, argc, argv, longopts);
    for (int c; (c = cb_options_next(o)) != CB_OPT_END; given++) {
        if (c == CB_OPT_EXIT)
            return o->exit_code;
        const char **s = c == 'g' ? &a->good : c == 'b' ? &a->bad : c == 'r' ? &a->run
                       : c == 'f' ? &a->result : c == 'F' ? &a->figure : c == 'C' ? &a->dir
                       : c == 's' ? &a->step : NULL;
        if (s)
            *s = o->arg;
        if ((c == 'n' && !cb_options_int(o, 1, 1000, &a->repetitions)) ||
            (c == 'm' && !cb_options_int(o, 1, 10000, &a->max_repetitions)) ||
            (c == 'a' && !cb_options_double(o, 0, 1, &a->alpha)))
            return CB_EXIT_USAGE;
        if (c == 'a' && a->alpha == 0)
            return cb_options_usage_error(o, "--alpha takes a number above 0 and at most 1, not '%s'",
                                          o->arg);
    }
    if (!cb_options_no_operands(o))
        return CB_EXIT_USAGE;
    if (a->step && given > 1)
        return cb_options_usage_error(o, "--step is internal (git bisect run's call back) and takes no "
                                         "other option");
    return -1;
}

/* The checks of the options among themselves: -1 when they pass, else the exit code (reported). */
static int check_usage(const cb_options *o, const bisect_args *a)
{
    if (!a->good || !a->bad || !a->run)
        return cb_options_usage_error(o, "needs --good REV, --bad REV and --run COMMAND%s%s%s (see "
                                      "cifarbench bisect --help)", a->good ? "" : "; --good is missing",
                                      a->bad ? "" : "; --bad is missing", a->run ? "" : "; --run is missing");
    const char *empty = !a->good[0] ? "--good" : !a->bad[0] ? "--bad" : !a->run[0] ? "--run"
                      : a->result && !a->result[0] ? "--result"
                      : a->figure && !a->figure[0] ? "--figure" : !a->dir[0] ? "-C" : NULL;
    if (empty)
        return cb_options_usage_error(o, "%s needs a value, not an empty string", empty);
    const bool good_dash = a->good[0] == '-';
    if (good_dash || a->bad[0] == '-')
        return cb_options_usage_error(o, "--%s takes a revision, not '%s'", good_dash ? "good" : "bad",
                                      good_dash ? a->good : a->bad);
    if (!a->result != !a->figure)
        return cb_options_usage_error(o, "--result FILE and --figure NAME go together: %s is missing",
                                      a->result ? "--figure" : "--result");
    if (a->max_repetitions < a->repetitions)
        return cb_options_usage_error(o, "--max-repetitions %lld is below --repetitions %lld",
                                      a->max_repetitions, a->repetitions);
    const int least = cb_bisect_min_repetitions(a->alpha, 1000);
    if (!least)
        return cb_options_usage_error(o, "at --alpha %g the U test finds no difference with up to 1000 "
                                      "repetitions a side: raise --alpha", a->alpha);
    if (a->repetitions < least)
        return cb_options_usage_error(o, "with %lld repetitions a side the U test cannot reach p < %g (the "
                                      "smallest p it can give is %.3g): raise --repetitions to %d or more",
                                      a->repetitions, a->alpha,
                                      cb_mwu_min_p((size_t)a->repetitions, (size_t)a->repetitions), least);
    return -1;
}

/* REV as the full name of a commit into hash; false when it is none (reported). */
static bool resolve(const cb_options *o, const char *top, const char *option, const char *rev,
                    char *hash)
{
    char spec[1024];
    snprintf(spec, sizeof spec, "%s^{commit}", rev);
    if (cb_git_rev(top, spec, hash) == 0)
        return true;
    cb_options_usage_error(o, "%s '%s' is not a commit in %s", option, rev, top);
    return false;
}

/* The repository's checks; fills r->top, r->good and r->bad. -1 when they pass, else the exit code
 * (reported). */
static int check_repo(const cb_options *o, const bisect_args *a, cb_bisect_job *r)
{
    struct stat st;
    const int found = stat(a->dir, &st);
    if (found != 0 || !S_ISDIR(st.st_mode))
        return cb_options_usage_error(o, "-C %s: %s", a->dir,
                                      found != 0 ? strerror(errno) : "not a directory");
    const bool here = strcmp(a->dir, ".") == 0;
    if (cb_git_line(a->dir, r->top, sizeof r->top, "rev-parse", "--show-toplevel", NULL) != 0 || !r->top[0])
        return cb_options_usage_error(o, "%s is not in a git work tree%s",
                                      here ? "the current directory" : a->dir,
                                      here ? " (-C DIR names the repository)" : "");
    if (cb_git(r->top, CB_FD_NULL, "bisect", "log", NULL) == 0)
        return cb_options_usage_error(o, "a bisect is under way in %s: finish it first (git bisect reset)",
                                      r->top);
    cb_buf changes;
    cb_buf_init(&changes);
    const int status = cb_git_out(r->top, &changes, "status", "--porcelain", "--untracked-files=no", NULL);
    const size_t changed = changes.len;
    cb_buf_free(&changes);
    if (status != 0)
        return cb_bisect_fail("git status failed in %s", r->top);
    if (changed)
        return cb_options_usage_error(o, "%s has changes to tracked files (git status shows them): commit or "
                                      "stash them first, other revisions are checked out", r->top);
    if (!resolve(o, r->top, "--good", a->good, r->good) || !resolve(o, r->top, "--bad", a->bad, r->bad))
        return CB_EXIT_USAGE;
    if (strcmp(r->good, r->bad) == 0)
        return cb_options_usage_error(o, "--good and --bad are the same commit (%.12s): nothing to bisect",
                                      r->good);
    const int ancestor = cb_git(r->top, CB_FD_NULL, "merge-base", "--is-ancestor", r->good, r->bad, NULL);
    if (ancestor == 1)
        return cb_options_usage_error(o, "--good %s is not an ancestor of --bad %s", a->good, a->bad);
    if (ancestor != 0)
        return cb_bisect_fail("git merge-base failed in %s", r->top);
    return -1;
}

int cb_cmd_bisect(int argc, char **argv)
{
    spell_out_dash_c(argc, argv);
    bisect_args a;
    cb_options o;
    int rc = parse_args(&o, argc, argv, &a);
    if (rc >= 0)
        return rc;
    if (a.step)
        return cb_bisect_step(a.step);
    if ((rc = check_usage(&o, &a)) >= 0)
        return rc;
    cb_bisect_job job = {.fig = {a.run, NULL, a.result, a.figure},
                         .plan = {(int)a.repetitions, (int)a.max_repetitions, a.alpha}};
    if ((rc = check_repo(&o, &a, &job)) >= 0)
        return rc;
    job.fig.dir = job.top;
    return cb_bisect_drive(&job);
}
