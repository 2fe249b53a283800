/* cmd_cpu.c - `cifarbench cpu`: the CPU, its features and the kernels auto picks. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "commands.h"
#include "topology.h"

static const char cpu_usage[] =
    "usage: cifarbench cpu\n"
    "\n"
    "Prints the instruction-set features the kernels depend on, which kernel ISAs this build\n"
    "contains and this CPU supports, the one 'auto' picks, and what hwloc sees: CPU model,\n"
    "packages, cores, PUs, NUMA nodes, every cache level with its size, and the topology tree.\n"
    "\n"
    "options:\n" CB_OPTIONS_HELP;

static const char *yes_no(bool b)
{
    return b ? "yes" : "no";
}

int cb_cmd_cpu(int argc, char **argv)
{
    static const struct option longopts[] = {{0}};
    cb_options p;
    cb_options_init(&p, "cpu", cpu_usage, argc, argv, longopts);
    for (int c; (c = cb_options_next(&p)) != CB_OPT_END;)
        if (c == CB_OPT_EXIT)
            return p.exit_code;
    if (!cb_options_no_operands(&p) || !cb_cli_check_max_isa())
        return CB_EXIT_USAGE;

    cb_machine m;
    cb_machine_describe(&m);
    const cb_cpu_features *f = cb_cpu_features_get();
    printf("features   avx2 %s, fma %s, avx512f %s, avx512bw %s, avx512dq %s, avx512vl %s\n",
           yes_no(f->avx2), yes_no(f->fma), yes_no(f->avx512f), yes_no(f->avx512bw),
           yes_no(f->avx512dq), yes_no(f->avx512vl));
    printf("os state   ymm %s, zmm+opmask %s (XCR0)\n", yes_no(f->os_ymm), yes_no(f->os_zmm));
    printf("kernels   ");
    for (int i = 0; i < CB_ISA_COUNT; i++) {
        const cb_isa isa = (cb_isa)i;
        printf(" %s (%s)", cb_isa_name(isa),
               !cb_isa_compiled(isa) ? "not built" : cb_isa_supported(isa) ? "supported"
                                                                            : "unsupported");
    }
    printf("\nauto       %s", cb_isa_name(cb_isa_best()));
    const char *cap = getenv("CIFARBENCH_MAX_ISA");
    if (cap && *cap)
        printf(" (capped by CIFARBENCH_MAX_ISA=%s)", cap);
    printf("\n");
    cb_machine_print(&m, stdout);
    return CB_EXIT_OK;
}
