/* peak_measure.c - timing the FMA-throughput loops (library cb_peak: the kernel benchmarks and
 * `cifarbench train` both report "% of measured peak" from it). */
#include "peak.h"

#include "cb_timing.h"

const cb_peak_loop *cb_peak_loop_for(cb_isa isa)
{
    switch (isa) {
    case CB_ISA_SCALAR:
        return &cb_peak_loop_scalar;
#ifdef CB_HAVE_AVX2
    case CB_ISA_AVX2:
        return &cb_peak_loop_avx2;
#endif
#ifdef CB_HAVE_AVX512
    case CB_ISA_AVX512:
        return &cb_peak_loop_avx512;
#endif
    default:
        return NULL;
    }
}

static void run_loop(void *arg, long reps)
{
    static _Alignas(64) float sink[CB_PEAK_SINK_FLOATS];
    ((const cb_peak_loop *)arg)->run(reps, sink);
}

double cb_peak_measure(const cb_peak_loop *loop)
{
    /* Iterations calibrated to runs of at least 10 ms (the calibration also wakes the vector units
     * and lets the clock settle), one more as a warm-up, then the best of 5, on the thread's CPU
     * clock, which is the clock of Google Benchmark's rates. */
    const cb_timing t = {.samples = 5, .min_seconds = 0.010, .clock = CB_CLOCK_THREAD_CPU,
                         .warm_up = true};
    return loop->flops_per_iter / cb_time_best(&t, run_loop, (void *)loop) * 1e-9;
}
