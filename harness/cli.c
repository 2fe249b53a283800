/* cli.c - see cli.h. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cb_args_init(cb_args *a, const char *command, int argc, char **argv)
{
    memset(a, 0, sizeof *a);
    a->command = command;
    a->argc = argc;
    a->argv = argv;
    a->i = 0;
}

bool cb_args_next(cb_args *a, bool *error)
{
    static char name[64];
    *error = false;
    if (a->i >= a->argc)
        return false;
    const char *arg = a->argv[a->i++];
    if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
        fprintf(stderr, "cifarbench %s: unexpected argument '%s' (see cifarbench %s --help)\n",
                a->command, arg, a->command);
        *error = true;
        return false;
    }
    const char *eq = strchr(arg, '=');
    const size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1), arg);
    a->name = name;
    a->inline_value = eq ? eq + 1 : NULL;
    return true;
}

bool cb_args_is(const cb_args *a, const char *name)
{
    return strcmp(a->name, name) == 0;
}

const char *cb_args_value(cb_args *a)
{
    if (a->inline_value)
        return a->inline_value;
    if (a->i < a->argc)
        return a->argv[a->i++];
    fprintf(stderr, "cifarbench %s: %s needs a value\n", a->command, a->name);
    return NULL;
}

bool cb_args_int(cb_args *a, long long lo, long long hi, long long *out)
{
    const char *v = cb_args_value(a);
    if (!v)
        return false;
    char *end;
    errno = 0;
    const long long x = strtoll(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || x < lo || x > hi) {
        fprintf(stderr, "cifarbench %s: %s takes a whole number from %lld to %lld, not '%s'\n",
                a->command, a->name, lo, hi, v);
        return false;
    }
    *out = x;
    return true;
}

void cb_args_unknown(const cb_args *a)
{
    fprintf(stderr, "cifarbench %s: unknown option '%s' (see cifarbench %s --help)\n", a->command,
            a->name, a->command);
}

bool cb_cli_check_max_isa(void)
{
    const char *cap = getenv("CIFARBENCH_MAX_ISA");
    cb_isa isa;
    bool is_auto;
    if (cap && *cap && (!cb_isa_parse(cap, &isa, &is_auto) || is_auto)) {
        fprintf(stderr, "cifarbench: unknown CIFARBENCH_MAX_ISA '%s': use scalar, avx2 or avx512\n",
                cap);
        return false;
    }
    return true;
}

bool cb_cli_select_isa(const char *requested, cb_isa *isa, bool *is_auto)
{
    const char *cap = getenv("CIFARBENCH_MAX_ISA");
    if (!cb_cli_check_max_isa())
        return false;
    const char *from = "--isa";
    if (!requested) {
        requested = getenv("CIFARBENCH_ISA");
        from = "CIFARBENCH_ISA";
        if (!requested || !*requested) {
            requested = "auto";
            from = NULL;
        }
    }
    if (!cb_isa_parse(requested, isa, is_auto)) {
        fprintf(stderr, "cifarbench: unknown ISA '%s' (from %s): use scalar, avx2, avx512 or auto\n",
                requested, from);
        return false;
    }
    if (!cb_isa_supported(*isa)) {
        fprintf(stderr,
                "cifarbench: ISA '%s' (from %s) is not available: %s; "
                "run 'cifarbench cpu' to see what this CPU supports\n",
                requested, from,
                !cb_isa_compiled(*isa) ? "this build has no kernels for it"
                : cap && *cap          ? "this CPU or OS does not support it, or CIFARBENCH_MAX_ISA caps it"
                                       : "this CPU or OS does not support it");
        return false;
    }
    return true;
}
