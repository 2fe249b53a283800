/*
 * cb_timing.h - the one timing loop outside Google Benchmark: several samples of a call repeated
 * often enough that each sample lasts well above the clock's resolution. `cifarbench tune` times
 * kernels with it, the thread team its barriers, the profile a clock read, cb_peak the FMA loops.
 *
 *   static void work(void *arg, long reps) { for (long r = 0; r < reps; r++) step(arg); }
 *   const cb_timing t = {.samples = 5, .min_seconds = 2e-3, .warm_up = true};
 *   double per_call = cb_time_median(&t, work, arg);
 */
#ifndef CB_TIMING_H
#define CB_TIMING_H

#include <stdbool.h>

enum { CB_TIMING_MAX_SAMPLES = 64 };

/* Does the measured work `reps` times. */
typedef void cb_timed_fn(void *arg, long reps);

typedef enum cb_clock_kind {
    CB_CLOCK_WALL,      /* cb_now(): what a user waits */
    CB_CLOCK_THREAD_CPU /* the calling thread's CPU time: Google Benchmark's clock for rates */
} cb_clock_kind;

typedef struct cb_timing {
    int samples;        /* 1 .. CB_TIMING_MAX_SAMPLES */
    long reps;          /* repetitions per sample; 0: calibrate, doubling from 1 until one sample
                         * lasts min_seconds */
    double min_seconds;
    cb_clock_kind clock;
    bool warm_up;       /* one untimed sample first (caches, clock frequency) */
} cb_timing;

/* seconds[0 .. t->samples): seconds per repetition in each sample. */
void cb_time_samples(const cb_timing *t, cb_timed_fn *fn, void *arg, double *seconds);

/* The median, and the fastest, of cb_time_samples. */
double cb_time_median(const cb_timing *t, cb_timed_fn *fn, void *arg);
double cb_time_best(const cb_timing *t, cb_timed_fn *fn, void *arg);

#endif /* CB_TIMING_H */
