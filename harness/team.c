/* team.c - see team.h. */
#include "team.h"

#include <omp.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "cb_timing.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SPIN_PAUSE() _mm_pause()
#else
#define SPIN_PAUSE() ((void)0)
#endif

const char *cb_bind_name(cb_bind b)
{
    return b == CB_BIND_CORE ? "core" : "none";
}

bool cb_bind_parse(const char *name, cb_bind *b)
{
    if (strcmp(name, "core") == 0)
        *b = CB_BIND_CORE;
    else if (strcmp(name, "none") == 0)
        *b = CB_BIND_NONE;
    else
        return false;
    return true;
}

bool cb_team_oversubscribed(int threads, const cb_machine *m)
{
    return m->usable_pus > 0 && threads > m->usable_pus;
}

int cb_team_check(int threads, cb_bind bind, bool oversubscribe, const cb_machine *m, char *err,
                  size_t errlen)
{
    if (threads < 1 || threads > CB_MAX_THREADS) {
        snprintf(err, errlen, "--threads %d: use 1 to %d", threads,
                 oversubscribe ? CB_MAX_THREADS : m->usable_pus > 0 ? m->usable_pus : 1);
        return -1;
    }
    if (oversubscribe) {
        if (bind == CB_BIND_NONE)
            return 0;
        snprintf(err, errlen,
                 "--oversubscribe needs --bind none: --bind core (the default) pins each thread to "
                 "a physical core of its own, so it allows no more threads than cores");
        return -1;
    }
    char where[96] = "this machine has";
    if (m->usable_pus < m->pus)
        snprintf(where, sizeof where, "this process's cpuset (mpirun's or taskset's) holds");
    if (m->usable_pus > 0 && threads > m->usable_pus) {
        snprintf(err, errlen,
                 "--threads %d: %s %d processing units (%d cores); more threads than PUs would "
                 "only time-share them (--oversubscribe --bind none allows it, for correctness "
                 "checks only)",
                 threads, where, m->usable_pus, m->usable_cores);
        return -1;
    }
    if (bind == CB_BIND_CORE && m->usable_cores > 0 && threads > m->usable_cores) {
        snprintf(err, errlen,
                 "--threads %d with --bind core: %s %d physical cores, one thread each; use "
                 "--threads %d or --bind none",
                 threads, where, m->usable_cores, m->usable_cores);
        return -1;
    }
    return 0;
}

int cb_team_start(int threads, cb_bind bind, char *err, size_t errlen)
{
    omp_set_dynamic(0);
    omp_set_num_threads(threads);
    int failed_core = -1;
    if (bind == CB_BIND_CORE) {
#pragma omp parallel num_threads(threads)
        {
            const int t = omp_get_thread_num();
            if (cb_bind_thread_to_core(t) != 0) {
#pragma omp critical
                failed_core = t;
            }
        }
    }
    if (failed_core >= 0) {
        snprintf(err, errlen, "cannot pin thread %d to core %d (hwloc_set_cpubind failed)",
                 failed_core, failed_core);
        return -1;
    }
    return 0;
}

int cb_team_readback(int threads, char *bindings, size_t bindings_len)
{
    int seen = 0;
#pragma omp parallel num_threads(threads)
    {
        const int t = omp_get_thread_num();
        char *b = bindings + (size_t)t * bindings_len;
        if (cb_thread_binding(b, bindings_len) != 0)
            snprintf(b, bindings_len, "unknown");
#pragma omp single
        seen = omp_get_num_threads();
    }
    return seen;
}

typedef struct sync_region {
    int threads, barriers;
} sync_region;

/* reps empty parallel regions with the step's barriers (the region's end is the last one). */
static void sync_run(void *arg, long reps)
{
    const sync_region *s = arg;
    for (long r = 0; r < reps; r++) {
#pragma omp parallel num_threads(s->threads)
        for (int b = 0; b < s->barriers - 1; b++) {
#pragma omp barrier
        }
    }
}

double cb_team_sync_seconds(int threads, int barriers)
{
    const cb_timing t = {.samples = 5, .reps = 2000, .clock = CB_CLOCK_WALL};
    return cb_time_median(&t, sync_run, &(sync_region){threads, barriers});
}

void cb_team_wait_at_least(atomic_long *flag, long value)
{
    for (int spins = 0; atomic_load_explicit(flag, memory_order_acquire) < value; spins++) {
        if (spins < 1000)
            SPIN_PAUSE();
        else
            sched_yield();
    }
}

/* reps round trips of a counter between two threads: each waits for its turn (the counter's
 * parity), then passes it on, as a band passes a stage to its neighbour (step.c). */
static void handoff_run(void *arg, long reps)
{
    atomic_long *turn = arg;
    atomic_store(turn, 0);
#pragma omp parallel num_threads(2)
    {
        const long me = omp_get_thread_num();
        for (long k = me; k < 2 * reps; k += 2) {
            cb_team_wait_at_least(turn, k);
            atomic_store_explicit(turn, k + 1, memory_order_release);
        }
    }
}

double cb_team_handoff_seconds(void)
{
    _Alignas(64) atomic_long turn;
    atomic_init(&turn, 0);
    const cb_timing t = {.samples = 5, .reps = 20000, .clock = CB_CLOCK_WALL, .warm_up = true};
    return cb_time_best(&t, handoff_run, &turn) / 2.0;
}
