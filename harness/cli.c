/* cli.c - the kernel ISA from --isa and the environment (cli.h). */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

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
