/*
 * team.h - the OpenMP thread team: how many threads, where they are pinned, and what a
 * synchronisation costs.
 *
 * cb_team_start() fixes the team for the whole process: exactly `threads` OpenMP threads (no
 * dynamic adjustment), thread t pinned with hwloc to the t-th core of the process's starting
 * cpuset (--bind core, the default; every core unless mpirun or taskset narrowed it) or left to
 * the OS (--bind none). GNU OpenMP keeps the same threads for later parallel regions of
 * the same size, so the pinning holds for every training step; cb_team_readback() checks it.
 *
 * Oversubscription (--oversubscribe, for correctness checks only): more threads than the machine
 * has PUs, up to CB_MAX_THREADS, unbound (--bind none). The threads time-share the PUs, so the
 * results are still those of every other thread count (model.h) but no timing means anything.
 */
#ifndef CB_TEAM_H
#define CB_TEAM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "topology.h"

typedef enum cb_bind {
    CB_BIND_CORE, /* thread t on physical core t (all of the core's PUs) */
    CB_BIND_NONE, /* the OS places the threads */
} cb_bind;

enum { CB_MAX_THREADS = 1024 };

const char *cb_bind_name(cb_bind b);
bool cb_bind_parse(const char *name, cb_bind *b);

/* Checks the request against the machine: 1 <= threads <= PUs, and threads <= cores for core
 * binding; with oversubscribe, any 1 <= threads <= CB_MAX_THREADS but only with bind none (threads
 * beyond the PUs time-share them: for correctness checks, never for timing). Returns 0, or -1
 * with the reason in err (a usage error: exit 2). */
int cb_team_check(int threads, cb_bind bind, bool oversubscribe, const cb_machine *m, char *err,
                  size_t errlen);

/* Whether a team of `threads` has more threads than the machine has PUs. */
bool cb_team_oversubscribed(int threads, const cb_machine *m);

/* Sets OpenMP to `threads` threads and pins them. Returns 0, or -1 with the reason in err (the OS
 * refused a binding). */
int cb_team_start(int threads, cb_bind bind, char *err, size_t errlen);

/* What a parallel region of `threads` threads actually ran with: how many threads, and each
 * thread's binding as a PU list (e.g. "0"; the whole machine, e.g. "0-1", when unbound), written
 * to bindings[t] (each bindings_len bytes) for t < the returned count. */
int cb_team_readback(int threads, char *bindings, size_t bindings_len);

/* Seconds per training step spent synchronising: a parallel region of `threads` threads with
 * `barriers` barriers and no work, timed over many repetitions (the median of 5 runs). */
double cb_team_sync_seconds(int threads, int barriers);

/* Waits until *flag >= value (acquire: what was written before the release store that set it is
 * visible). Spins briefly, then yields: the team's threads may time-share a PU. */
void cb_team_wait_at_least(atomic_long *flag, long value);

/* Seconds for one thread to see what another just wrote (a flag's cache line crossing between
 * two cores): half a round trip between the team's first two threads, the fastest of 5 runs of
 * 20,000 (a latency: interference only adds to it). The cost of one of a band's waits (step.c). Needs the team of at least 2 threads on 2
 * PUs to mean anything (time-shared, one thread spins through the other's time slice). */
double cb_team_handoff_seconds(void);

#endif /* CB_TEAM_H */
