/* topology.h - what hwloc says about the machine. */
#ifndef CB_TOPOLOGY_H
#define CB_TOPOLOGY_H

typedef struct cb_machine {
    char cpu_model[256];  /* e.g. "AMD EPYC 9R14 96-Core Processor"; "unknown" when hwloc has none */
    char cpu_vendor[64];
    int packages, cores, pus, numa_nodes;
} cb_machine;

/* Fills m from hwloc. Returns 0, or -1 (fields set to "unknown"/0) when hwloc cannot load the
 * topology. */
int cb_machine_describe(cb_machine *m);

#endif /* CB_TOPOLOGY_H */
