/* main.c - the cifarbench command line: picks the sub-command. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "report_commands.h"

static const char usage[] =
    "usage: cifarbench COMMAND [options]\n"
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
    "  cpu      show the CPU, its features, its topology and the kernels 'auto' picks\n"
    "  help     this text\n"
    "\n"
    "'cifarbench COMMAND --help' describes a command's options.\n";

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return CB_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        fputs(usage, stdout);
        return CB_EXIT_OK;
    }
    if (strcmp(cmd, "train") == 0)
        return cb_cmd_train(argc - 2, argv + 2);
    if (strcmp(cmd, "scale") == 0)
        return cb_cmd_scale(argc - 2, argv + 2);
    if (strcmp(cmd, "study") == 0)
        return cb_cmd_study(argc - 2, argv + 2);
    if (strcmp(cmd, "tune") == 0)
        return cb_cmd_tune(argc - 2, argv + 2);
    if (strcmp(cmd, "report") == 0)
        return cb_cmd_report(argc - 2, argv + 2);
    if (strcmp(cmd, "compare") == 0)
        return cb_cmd_compare(argc - 2, argv + 2);
    if (strcmp(cmd, "cpu") == 0)
        return cb_cmd_cpu(argc - 2, argv + 2);
    fprintf(stderr, "cifarbench: unknown command '%s'\n\n%s", cmd, usage);
    return CB_EXIT_USAGE;
}
