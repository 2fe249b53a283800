/* cli.h - option parsing shared by the cifarbench commands. Exit code 2 means "bad usage". */
#ifndef CB_CLI_H
#define CB_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "cb_dispatch.h"

enum { CB_EXIT_OK = 0, CB_EXIT_FAILURE = 1, CB_EXIT_USAGE = 2 };

/* Iterates "--name value" and "--name=value" options. */
typedef struct cb_args {
    int argc, i;
    char **argv;
    const char *command;  /* for messages: "train", "cpu", ... */
    const char *name;     /* the current option, e.g. "--batch" */
    const char *inline_value; /* the part after '=' if given that way */
} cb_args;

void cb_args_init(cb_args *a, const char *command, int argc, char **argv);
/* Advances to the next option; false at the end. A non-option argument is a usage error
 * (reported, then *error set). */
bool cb_args_next(cb_args *a, bool *error);
/* Whether the current option is `name`. */
bool cb_args_is(const cb_args *a, const char *name);
/* The current option's value (inline or the next argument); NULL (reported) when missing. */
const char *cb_args_value(cb_args *a);
/* Parses the current option's value as an integer in [lo, hi]; false (reported) otherwise. */
bool cb_args_int(cb_args *a, long long lo, long long hi, long long *out);
/* Reports an unknown option. */
void cb_args_unknown(const cb_args *a);

/* Chooses the kernel ISA: `requested` (from --isa) if non-NULL, else $CIFARBENCH_ISA if set, else
 * "auto". CIFARBENCH_MAX_ISA, when set, caps what counts as supported. Unknown names and ISAs this CPU (or build) lacks are reported and return false: the
 * caller exits with CB_EXIT_USAGE; there is never a silent fallback. */
bool cb_cli_select_isa(const char *requested, cb_isa *isa, bool *is_auto);

/* Checks CIFARBENCH_MAX_ISA: unset, empty or an ISA name is fine; anything else is reported and
 * returns false (exit 2). */
bool cb_cli_check_max_isa(void);

#endif /* CB_CLI_H */
