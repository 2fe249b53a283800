/* main.c - the cifarbench command line: top-level options, then the sub-command. */
#include <stdio.h>
#include <string.h>

#include "cb_options.h"
#include "commands.h"
#include "dist.h"
#include "report_commands.h"

static const char usage[] =
    "usage: cifarbench COMMAND [options]\n"
    "       cifarbench --help | --version\n"
    "\n"
    "A multithreaded CPU benchmark and kernel suite: trains a small CNN on CIFAR-10 with scalar,\n"
    "AVX2 or AVX-512 kernels chosen at run time, and times it.\n"
    "\n"
    "commands:\n"
    "  train    train the reference network for an epoch (or more) and report its speed\n"
    "  scale    train at 1, 2, ... N threads: images/s, speed-up and parallel efficiency\n"
    "  study    matched vs mismatched activation+loss pairs: learning curves, JSON and SVG\n"
    "  tune     time every ISA's version of every kernel; write the fastest as a variant file\n"
    "  report   turn result files (train, scale, kernel benchmarks) into Markdown and HTML\n"
    "  compare  check two result files for a significant slow-down (exit 1 when there is one)\n"
    "  record   store result files in the history database (SQLite)\n"
    "  history  trend charts and change points of the stored results; --check for CI\n"
    "  bisect   find the first git revision at which a measured figure steps\n"
    "  cpu      show the CPU, its features, its topology and the kernels 'auto' picks\n"
    "  help     this text\n"
    "\n"
    "options:\n" CB_OPTIONS_HELP
    "\n"
    "'cifarbench COMMAND --help' describes a command's options.\n";

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"train", cb_cmd_train}, {"scale", cb_cmd_scale},     {"study", cb_cmd_study},
    {"tune", cb_cmd_tune},   {"report", cb_cmd_report},   {"compare", cb_cmd_compare},
    {"cpu", cb_cmd_cpu},     {"record", cb_cmd_record},   {"history", cb_cmd_history},
    {"bisect", cb_cmd_bisect},
};

/* Over several MPI ranks only train and scale run: the rest would do the same work R times. */
static bool runs_on_ranks(const char *cmd)
{
    return strcmp(cmd, "train") == 0 || strcmp(cmd, "scale") == 0;
}

static int run_command(int argc, char **argv);

int main(int argc, char **argv)
{
    int rc = cb_dist_init(&argc, &argv);
    if (rc < 0) {
        if (cb_dist_rank() > 0) /* rank 0 prints the results */
            rc = freopen("/dev/null", "w", stdout) ? -1 : CB_EXIT_FAILURE;
        if (rc < 0)
            rc = run_command(argc, argv);
    }
    if (!cb_dist_was_ready()) /* the command stopped before its work: stop with the others */
        rc = cb_dist_ready(rc == CB_EXIT_OK ? -1 : rc);
    cb_dist_finalize();
    return rc < 0 ? CB_EXIT_OK : rc;
}

static int run_command(int argc, char **argv)
{
    static const struct option longopts[] = {{0}};
    cb_options o;
    cb_options_init(&o, NULL, usage, argc - 1, argv + 1, longopts);
    o.stop_at_operand = true; /* the first operand is the command; the rest are its arguments */
    for (int c; (c = cb_options_next(&o)) != CB_OPT_END;)
        if (c == CB_OPT_EXIT)
            return o.exit_code;
    if (o.first_operand >= o.argc) {
        fputs(usage, stderr);
        return CB_EXIT_USAGE;
    }
    const char *cmd = o.argv[o.first_operand];
    if (strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return CB_EXIT_OK;
    }
    if (cb_dist_many() && !runs_on_ranks(cmd)) {
        fprintf(stderr, "cifarbench: '%s' runs in one process; under mpirun only train and scale "
                        "run, data-parallel over the %d ranks\n", cmd, cb_dist_ranks());
        return CB_EXIT_USAGE;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].run(o.argc - o.first_operand - 1, o.argv + o.first_operand + 1);
    fprintf(stderr, "cifarbench: unknown command '%s'\n\n%s", cmd, usage);
    return CB_EXIT_USAGE;
}
