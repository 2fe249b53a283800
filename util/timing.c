/* timing.c - see cb_timing.h. */
#include "cb_timing.h"

#include "cb_clock.h"
#include "cb_stats.h"

static double read_clock(cb_clock_kind clock)
{
    return clock == CB_CLOCK_THREAD_CPU ? cb_thread_cpu_seconds() : cb_now();
}

static double time_reps(const cb_timing *t, cb_timed_fn *fn, void *arg, long reps)
{
    const double t0 = read_clock(t->clock);
    fn(arg, reps);
    return read_clock(t->clock) - t0;
}

void cb_time_samples(const cb_timing *t, cb_timed_fn *fn, void *arg, double *seconds)
{
    long reps = t->reps;
    if (reps <= 0)
        for (reps = 1; time_reps(t, fn, arg, reps) < t->min_seconds; reps *= 2)
            ;
    if (t->warm_up)
        time_reps(t, fn, arg, reps);
    for (int i = 0; i < t->samples; i++)
        seconds[i] = time_reps(t, fn, arg, reps) / (double)reps;
}

double cb_time_median(const cb_timing *t, cb_timed_fn *fn, void *arg)
{
    double s[CB_TIMING_MAX_SAMPLES];
    cb_time_samples(t, fn, arg, s);
    return cb_median(s, (size_t)t->samples);
}

double cb_time_best(const cb_timing *t, cb_timed_fn *fn, void *arg)
{
    double s[CB_TIMING_MAX_SAMPLES];
    cb_time_samples(t, fn, arg, s);
    cb_sort_doubles(s, (size_t)t->samples);
    return s[0];
}
