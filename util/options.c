/* options.c - command-line options through getopt_long, with the messages and exit codes every
 * cifarbench command shares (cb_options.h). */
#include "cb_options.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_build_info.h"

enum { FRESH, PARSING, ENDED, EXITED };
enum { VAL_HELP = -100, VAL_VERSION = -101 }; /* never a command's val: those are positive */

/* getopt_long's state is global, so one parse runs at a time and these serve every parse in turn:
 * the arguments with the command name in front (getopt_long skips argv[0], a command's argv starts
 * with its first argument) and the command's options with --help and --version added. */
static char **work_argv;
static size_t work_argv_cap;
static struct option *work_opts;
static size_t work_opts_cap;

static bool reserve(void **p, size_t *cap, size_t n, size_t size)
{
    if (n <= *cap)
        return true;
    void *q = realloc(*p, n * size);
    if (!q)
        return false;
    *p = q;
    *cap = n;
    return true;
}

static void vreport(const cb_options *o, const char *fmt, va_list ap)
{
    if (o->command)
        fprintf(stderr, "cifarbench %s: ", o->command);
    else
        fputs("cifarbench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

static void report(const cb_options *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(const cb_options *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(o, fmt, ap);
    va_end(ap);
}

/* " (see cifarbench train --help)", for messages about what the user typed. */
static const char *see_help(const cb_options *o)
{
    static char hint[96];
    if (o->command)
        snprintf(hint, sizeof hint, " (see cifarbench %s --help)", o->command);
    else
        snprintf(hint, sizeof hint, " (see cifarbench --help)");
    return hint;
}

int cb_options_usage_error(const cb_options *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(o, fmt, ap);
    va_end(ap);
    return CB_EXIT_USAGE;
}

void cb_options_init(cb_options *o, const char *command, const char *usage, int argc, char **argv,
                     const struct option *longopts)
{
    memset(o, 0, sizeof *o);
    o->command = command;
    o->usage = usage;
    o->argc = argc > 0 ? argc : 0;
    o->argv = argv;
    o->longopts = longopts;
    o->first_operand = o->argc;
}

/* Fills the working copies and resets getopt_long. False when memory is short. */
static bool start(const cb_options *o)
{
    size_t n = 0;
    while (o->longopts && o->longopts[n].name)
        n++;
    if (!reserve((void **)&work_opts, &work_opts_cap, n + 3, sizeof *work_opts) ||
        !reserve((void **)&work_argv, &work_argv_cap, (size_t)o->argc + 2, sizeof *work_argv))
        return false;
    if (n)
        memcpy(work_opts, o->longopts, n * sizeof *work_opts);
    work_opts[n] = (struct option){"help", no_argument, NULL, VAL_HELP};
    work_opts[n + 1] = (struct option){"version", no_argument, NULL, VAL_VERSION};
    work_opts[n + 2] = (struct option){0};
    work_argv[0] = (char *)(o->command ? o->command : "cifarbench");
    if (o->argc)
        memcpy(work_argv + 1, o->argv, (size_t)o->argc * sizeof *work_argv);
    work_argv[o->argc + 1] = NULL;
    optind = 0; /* 0, not 1: glibc then also forgets the previous parse's permutation state */
    opterr = 0; /* the messages are ours */
    return true;
}

/* The long option named by "--name[=value]" (exactly, or by a unique prefix); NULL with *count
 * the number of options it is a prefix of otherwise. */
static const struct option *match_long(const char *arg, int *count)
{
    const char *name = arg + 2;
    const size_t len = strcspn(name, "=");
    const struct option *found = NULL;
    *count = 0;
    for (const struct option *p = work_opts; p->name; p++) {
        if (strncmp(p->name, name, len) != 0)
            continue;
        if (p->name[len] == '\0') {
            *count = 1;
            return p;
        }
        found = p;
        ++*count;
    }
    return *count == 1 ? found : NULL;
}

/* Reports what getopt_long refused (c is '?' or ':'). A long option is consumed whole, so it is
 * work_argv[optind - 1]; a short one (only -h exists) is optopt. */
static void report_refused(const cb_options *o, int c)
{
    const char *arg = optind >= 2 ? work_argv[optind - 1] : "";
    const bool is_long = strncmp(arg, "--", 2) == 0 && arg[2] != '\0';
    int count = 0;
    const struct option *opt = is_long ? match_long(arg, &count) : NULL;
    const int len = (int)strcspn(arg, "=");
    if (c == ':' && opt && opt->has_arg == required_argument && !strchr(arg, '=')) {
        report(o, "--%s needs a value", opt->name);
    } else if (c == '?' && opt && opt->has_arg == no_argument && strchr(arg, '=')) {
        report(o, "--%s takes no value (in '%s')", opt->name, arg);
    } else if (c == '?' && is_long && optopt == 0 && count > 1) {
        char names[512] = "";
        size_t used = 0;
        for (const struct option *p = work_opts; p->name && used < sizeof names; p++)
            if (strncmp(p->name, arg + 2, (size_t)len - 2) == 0)
                used += (size_t)snprintf(names + used, sizeof names - used, "%s--%s",
                                         used ? ", " : "", p->name);
        report(o, "ambiguous option '%.*s': %s%s", len, arg, names, see_help(o));
    } else if (c == '?' && is_long && optopt == 0) {
        report(o, "unknown option '%.*s'%s", len, arg, see_help(o));
    } else if (c == ':') {
        report(o, "-%c needs a value", optopt);
    } else {
        report(o, "unknown option '-%c'%s", optopt, see_help(o));
    }
}

static int exit_now(cb_options *o, int code)
{
    o->state = EXITED;
    o->exit_code = code;
    return CB_OPT_EXIT;
}

int cb_options_next(cb_options *o)
{
    if (o->state == ENDED)
        return CB_OPT_END;
    if (o->state == EXITED)
        return CB_OPT_EXIT;
    if (o->state == FRESH) {
        if (!start(o)) {
            report(o, "out of memory");
            return exit_now(o, CB_EXIT_FAILURE);
        }
        o->state = PARSING;
    }
    o->arg = NULL;
    o->name = NULL;
    int index = -1;
    const int c = getopt_long(o->argc + 1, work_argv, o->stop_at_operand ? "+:h" : ":h", work_opts,
                              &index);
    if (c == -1) {
        /* getopt_long has moved the operands behind the options: hand that order back */
        for (int i = 0; i < o->argc; i++)
            o->argv[i] = work_argv[i + 1];
        o->first_operand = optind - 1;
        o->state = ENDED;
        return CB_OPT_END;
    }
    if (c == '?' || c == ':') {
        report_refused(o, c);
        return exit_now(o, CB_EXIT_USAGE);
    }
    if (index < 0 || c == VAL_HELP) { /* -h is the only short option */
        fputs(o->usage, stdout);
        return exit_now(o, CB_EXIT_OK);
    }
    if (c == VAL_VERSION) {
        puts(cb_version_string());
        return exit_now(o, CB_EXIT_OK);
    }
    snprintf(o->name_buf, sizeof o->name_buf, "--%s", work_opts[index].name);
    o->name = o->name_buf;
    o->arg = optarg;
    return c;
}

/* strtoll and strtod skip leading white space; a value given as ' 5' is not a number here. */
static bool starts_number(const char *v)
{
    return (*v >= '0' && *v <= '9') || *v == '-' || *v == '+' || *v == '.';
}

bool cb_options_int(cb_options *o, long long lo, long long hi, long long *out)
{
    const char *v = o->arg;
    char *end = NULL;
    errno = 0;
    const long long x = v ? strtoll(v, &end, 10) : 0;
    if (!v || !starts_number(v) || errno != 0 || end == v || *end != '\0' || x < lo || x > hi) {
        report(o, "%s takes a whole number from %lld to %lld, not '%s'", o->name ? o->name : "it",
               lo, hi, v ? v : "");
        o->exit_code = CB_EXIT_USAGE;
        return false;
    }
    *out = x;
    return true;
}

bool cb_options_double(cb_options *o, double lo, double hi, double *out)
{
    const char *v = o->arg;
    char *end = NULL;
    errno = 0;
    const double x = v ? strtod(v, &end) : NAN;
    if (!v || !starts_number(v) || errno != 0 || end == v || *end != '\0' || !isfinite(x) ||
        x < lo || x > hi) {
        report(o, "%s takes a number from %g to %g, not '%s'", o->name ? o->name : "it", lo, hi,
               v ? v : "");
        o->exit_code = CB_EXIT_USAGE;
        return false;
    }
    *out = x;
    return true;
}

bool cb_options_no_operands(const cb_options *o)
{
    if (o->first_operand >= o->argc)
        return true;
    report(o, "unexpected argument '%s'%s", o->argv[o->first_operand], see_help(o));
    return false;
}

const char *cb_version_string(void)
{
    static char version[256];
    snprintf(version, sizeof version, "cifarbench %s (revision %s)", cb_build_version(),
             cb_build_git_revision());
    return version;
}
