/* clock.c - monotonic wall time and CPU time in seconds (cb_clock.h). */
#define _POSIX_C_SOURCE 200809L
#include "cb_clock.h"

#include <time.h>

static double seconds_on(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double cb_now(void)
{
    return seconds_on(CLOCK_MONOTONIC);
}

double cb_thread_cpu_seconds(void)
{
    return seconds_on(CLOCK_THREAD_CPUTIME_ID);
}

double cb_process_cpu_seconds(void)
{
    return seconds_on(CLOCK_PROCESS_CPUTIME_ID);
}
