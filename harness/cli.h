/* cli.h - the kernel ISA as the command line and the environment choose it (--isa, CIFARBENCH_ISA,
 * CIFARBENCH_MAX_ISA). Option parsing itself is cb_options.h's, exit codes included. */
#ifndef CB_CLI_H
#define CB_CLI_H

#include <stdbool.h>

#include "cb_dispatch.h"
#include "cb_options.h"

/* Chooses the kernel ISA: `requested` (from --isa) if non-NULL, else $CIFARBENCH_ISA if set, else
 * "auto". CIFARBENCH_MAX_ISA, when set, caps what counts as supported. Unknown names and ISAs this
 * CPU (or build) lacks are reported and return false: the caller exits with CB_EXIT_USAGE; there
 * is never a silent fallback. */
bool cb_cli_select_isa(const char *requested, cb_isa *isa, bool *is_auto);

/* Checks CIFARBENCH_MAX_ISA: unset, empty or an ISA name is fine; anything else is reported and
 * returns false (exit 2). */
bool cb_cli_check_max_isa(void);

#endif /* CB_CLI_H */
