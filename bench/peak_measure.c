/* peak_measure.c - timing the FMA-throughput loops (library cb_peak: the kernel benchmarks and
 * `cifarbench train` both report "% of measured peak" from it). */
#define _POSIX_C_SOURCE 200809L

#include "peak.h"

#include <time.h>

const cb_peak_loop *cb_peak_loop_for(cb_isa isa)
{
    switch (isa) {
    case CB_ISA_SCALAR:
        return &cb_peak_loop_scalar;
#ifdef CB_BENCH_PEAK_AVX2
    case CB_ISA_AVX2:
        return &cb_peak_loop_avx2;
#endif
#ifdef CB_BENCH_PEAK_AVX512
    case CB_ISA_AVX512:
        return &cb_peak_loop_avx512;
#endif
    default:
        return NULL;
    }
}

/* The benchmark thread's CPU time: the clock of Google Benchmark's rates. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double time_run(const cb_peak_loop *loop, int64_t iters, float *sink)
{
    const double t0 = now();
    loop->run(iters, sink);
    return now() - t0;
}

enum { RUNS = 5 };
#define RUN_SECONDS 0.010

double cb_peak_measure(const cb_peak_loop *loop)
{
    static _Alignas(64) float sink[CB_PEAK_SINK_FLOATS];
    /* Calibrate: double the count until a run takes 1 ms (this also wakes the vector units and
     * lets the clock settle), then scale to RUN_SECONDS and run once more as a warm-up. */
    int64_t iters = 1024;
    double t;
    while ((t = time_run(loop, iters, sink)) < 0.001)
        iters *= 2;
    iters = (int64_t)((double)iters * RUN_SECONDS / t) + 1;
    time_run(loop, iters, sink);
    double best = 0;
    for (int r = 0; r < RUNS; r++) {
        const double gflops = loop->flops_per_iter * (double)iters / time_run(loop, iters, sink) * 1e-9;
        if (gflops > best)
            best = gflops;
    }
    return best;
}

