/*
 * cb_options.h - command-line options for every cifarbench command, through getopt_long.
 *
 * A command lists its options once, as a getopt_long table, and loops:
 *
 *   static const struct option longopts[] = {{"out", required_argument, NULL, 'o'}, ..., {0}};
 *   cb_options o;
 *   cb_options_init(&o, "report", usage, argc, argv, longopts);
 *   for (int c; (c = cb_options_next(&o)) != CB_OPT_END;) {
 *       switch (c) {
 *       case CB_OPT_EXIT: return o.exit_code;      -h/--help, --version (0) or a bad option (2)
 *       case 'o': out = o.arg; break;
 *       case 'n': if (!cb_options_int(&o, 1, 1000, &n)) return CB_EXIT_USAGE; break;
 *       }
 *   }
 *   operands: o.argv[o.first_operand .. o.argc)
 *
 * argc/argv are a command's arguments after its name (argv[0] is the first of them, as main
 * passes them and as tests call the commands); options and operands may come in any order ("--"
 * ends the options) and a long option may be abbreviated to a unique prefix. At CB_OPT_END the
 * arguments in argv are reordered, options first, operands last, in their original order.
 *
 * Every command accepts -h/--help (prints its usage to stdout, exit 0) and --version (prints
 * cb_version_string(), exit 0) without listing them in longopts; CB_OPTIONS_HELP documents them
 * for the usage text. Unknown or ambiguous options, missing or unexpected values and bad numbers
 * are reported on stderr as "cifarbench COMMAND: ..." and give exit code 2.
 *
 * getopt_long keeps its state in globals, so one parse runs at a time (not thread-safe); parses
 * one after another in one process are fine (each cb_options_init starts afresh).
 */
#ifndef CB_OPTIONS_H
#define CB_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>

enum { CB_EXIT_OK = 0, CB_EXIT_FAILURE = 1, CB_EXIT_USAGE = 2 };

enum { CB_OPT_END = -1, CB_OPT_EXIT = -2 };

typedef struct cb_options {
    const char *command; /* for messages: "train", "report", ... */
    const char *usage;   /* the full --help text */
    int argc;
    char **argv;
    const struct option *longopts;
    const char *arg;     /* the current option's value (optarg), NULL for a flag */
    const char *name;    /* the current option's long name, for messages ("--batch") */
    int first_operand;   /* after CB_OPT_END: index of the first non-option argument */
    int exit_code;       /* after CB_OPT_EXIT */
    bool stop_at_operand; /* set before the first cb_options_next: options end at the first
                             operand (the top level, where the operand is the command) */
    int state;           /* private to options.c: not started, parsing, done */
    char name_buf[64];   /* private to options.c: what `name` points to */
} cb_options;

/* The usage text's lines for the options every command has, aligned with the others at column 22. */
#define CB_OPTIONS_HELP                                                                         \
    "  -h, --help         this text\n"                                                          \
    "  --version          the version and git revision of this build\n"

/* Starts a parse. command NULL means the top level (messages say "cifarbench: ..."). longopts
 * ends with an all-zero entry; its `val`s are positive and neither '?' nor ':' (an entry with a
 * `flag` is returned as 0, as getopt_long does). Nothing is allocated that the caller must free. */
void cb_options_init(cb_options *o, const char *command, const char *usage, int argc, char **argv,
                     const struct option *longopts);

/* The next option's `val` from longopts, CB_OPT_END after the last one, or CB_OPT_EXIT when the
 * command must return o->exit_code now (help or version printed, or a usage error reported). */
int cb_options_next(cb_options *o);

/* Parses o->arg as an integer / a finite number in [lo, hi]; false (reported, exit 2) otherwise:
 * "cifarbench COMMAND: --batch takes a whole number from 1 to 65536, not '0'". */
bool cb_options_int(cb_options *o, long long lo, long long hi, long long *out);
bool cb_options_double(cb_options *o, double lo, double hi, double *out);

/* Reports a usage error for this command ("cifarbench COMMAND: ...") on stderr; returns
 * CB_EXIT_USAGE so that callers can `return cb_options_usage_error(...)`. */
int cb_options_usage_error(const cb_options *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* After CB_OPT_END, for commands that take no operands: true when there are none, else reports the
 * first ("unexpected argument 'x'") and returns false (exit 2). */
bool cb_options_no_operands(const cb_options *o);

/* "cifarbench 0.1.0 (revision <git describe>)". */
const char *cb_version_string(void);

#endif /* CB_OPTIONS_H */
