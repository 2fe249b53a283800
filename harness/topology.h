/*
 * topology.h - what hwloc says about the machine, and pinning threads to its cores.
 *
 * The hwloc topology is loaded once per process (on first use, from the main thread) and then
 * only read, which hwloc allows from several threads at once.
 */
#ifndef CB_TOPOLOGY_H
#define CB_TOPOLOGY_H

#include <stdio.h>


enum { CB_MAX_CACHE_KINDS = 8 };

/* One kind of cache (e.g. "L2 unified"), as many instances as the machine has. */
typedef struct cb_cache_kind {
    int level;                /* 1, 2, 3, ... */
    char type[12];            /* "data", "instruction", "unified" */
    unsigned long long bytes; /* size of one instance */
    int line_bytes;
    int instances;            /* how many on the machine */
    int cores_per_instance;   /* cores that share one instance */
} cb_cache_kind;

typedef struct cb_machine {
    char cpu_model[256];  /* e.g. "AMD EPYC 9R14 96-Core Processor"; "unknown" when hwloc has none */
    char cpu_vendor[64];
    int packages, cores, pus, numa_nodes;
    /* What this process may run on: the cores with a PU in the cpuset it was started in, and
     * those PUs (the whole machine unless mpirun --bind-to / --map-by or taskset narrowed it). */
    int usable_cores, usable_pus;
    unsigned long long memory_bytes; /* total of the NUMA nodes */
    int cache_kinds;
    cb_cache_kind caches[CB_MAX_CACHE_KINDS]; /* L1d, L1i, L2, L3 ... in level order */
} cb_machine;

/* Fills m from hwloc. Returns 0, or -1 (fields set to "unknown"/0) when hwloc cannot load the
 * topology. */
int cb_machine_describe(cb_machine *m);

/* Prints the summary and the topology tree (machine, packages, caches, cores, PUs), in the
 * spirit of `lstopo --of console` and likwid-topology. */
void cb_machine_print(const cb_machine *m, FILE *out);

/* Binds the calling thread to usable core `core` (all its PUs): the core-th of the cores in the
 * process's starting cpuset (cb_machine.usable_cores), so that the ranks mpirun placed on one
 * machine pin their threads each inside its own cores. Returns 0, or -1 when there is no such
 * core or the OS refuses. */
int cb_bind_thread_to_core(int core);

/* The calling thread's CPU binding as a list of PU OS indexes (e.g. "0" or "0-1"). Returns 0, or
 * -1 when it cannot be read. */
int cb_thread_binding(char *buf, size_t len);

/* The PUs of usable core `core` as a list of OS indexes (what a thread pinned there reads back).
 * Returns 0, or -1 when there is no such core. */
int cb_core_pus(int core, char *buf, size_t len);

#endif /* CB_TOPOLOGY_H */
