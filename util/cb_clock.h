/*
 * cb_clock.h - the clocks: monotonic wall time and CPU time, in seconds.
 */
#ifndef CB_CLOCK_H
#define CB_CLOCK_H

/* Seconds on the monotonic clock (CLOCK_MONOTONIC); only differences mean anything. */
double cb_now(void);

/* CPU seconds used by the calling thread (CLOCK_THREAD_CPUTIME_ID). */
double cb_thread_cpu_seconds(void);

/* CPU seconds used by the whole process, all threads (CLOCK_PROCESS_CPUTIME_ID). */
double cb_process_cpu_seconds(void);

#endif /* CB_CLOCK_H */
