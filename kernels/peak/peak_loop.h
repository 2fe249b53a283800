/*
 * peak_loop.h - the FMA-throughput loop, written once and instantiated by each peak_<isa>.c,
 * which defines before including it:
 *
 *   CB_PEAK_VEC           the register type (float, __m256, __m512)
 *   CB_PEAK_LANES         floats per register
 *   CB_PEAK_SET1(x)       broadcast x
 *   CB_PEAK_FMA(a, b, c)  a * b + c
 *   CB_PEAK_STORE(p, v)   store v to p[0 .. CB_PEAK_LANES-1]
 *   CB_PEAK_NAME          the cb_peak_loop object to define
 *
 * acc = acc * m + c with m just below 1 converges to c / (1 - m) = 1: no overflow and no
 * denormals, however long it runs.
 */
#include "peak.h"

#define CB_PEAK_STEP(a) a = CB_PEAK_FMA(a, m, c)

static void cb_peak_run(int64_t iters, float *sink)
{
    const CB_PEAK_VEC m = CB_PEAK_SET1(0.999999f), c = CB_PEAK_SET1(1e-6f);
    CB_PEAK_VEC a0 = CB_PEAK_SET1(0.10f), a1 = CB_PEAK_SET1(0.11f), a2 = CB_PEAK_SET1(0.12f),
                a3 = CB_PEAK_SET1(0.13f), a4 = CB_PEAK_SET1(0.14f), a5 = CB_PEAK_SET1(0.15f),
                a6 = CB_PEAK_SET1(0.16f), a7 = CB_PEAK_SET1(0.17f), a8 = CB_PEAK_SET1(0.18f),
                a9 = CB_PEAK_SET1(0.19f), a10 = CB_PEAK_SET1(0.20f), a11 = CB_PEAK_SET1(0.21f);
    for (int64_t i = 0; i < iters; i++) { /* CB_PEAK_ACCUMULATORS independent chains */
        CB_PEAK_STEP(a0); CB_PEAK_STEP(a1); CB_PEAK_STEP(a2); CB_PEAK_STEP(a3);
        CB_PEAK_STEP(a4); CB_PEAK_STEP(a5); CB_PEAK_STEP(a6); CB_PEAK_STEP(a7);
        CB_PEAK_STEP(a8); CB_PEAK_STEP(a9); CB_PEAK_STEP(a10); CB_PEAK_STEP(a11);
    }
    CB_PEAK_STORE(sink + 0 * CB_PEAK_LANES, a0); CB_PEAK_STORE(sink + 1 * CB_PEAK_LANES, a1);
    CB_PEAK_STORE(sink + 2 * CB_PEAK_LANES, a2); CB_PEAK_STORE(sink + 3 * CB_PEAK_LANES, a3);
    CB_PEAK_STORE(sink + 4 * CB_PEAK_LANES, a4); CB_PEAK_STORE(sink + 5 * CB_PEAK_LANES, a5);
    CB_PEAK_STORE(sink + 6 * CB_PEAK_LANES, a6); CB_PEAK_STORE(sink + 7 * CB_PEAK_LANES, a7);
    CB_PEAK_STORE(sink + 8 * CB_PEAK_LANES, a8); CB_PEAK_STORE(sink + 9 * CB_PEAK_LANES, a9);
    CB_PEAK_STORE(sink + 10 * CB_PEAK_LANES, a10); CB_PEAK_STORE(sink + 11 * CB_PEAK_LANES, a11);
}

const cb_peak_loop CB_PEAK_NAME = {
    .flops_per_iter = 2.0 * CB_PEAK_ACCUMULATORS * CB_PEAK_LANES,
    .run = cb_peak_run,
};
