/*
 * peak.h - the machine's own yardstick: an FMA-throughput loop per ISA, timed at start-up.
 *
 * Each loop keeps CB_PEAK_ACCUMULATORS independent dependency chains, more than FMA latency x
 * FMA issue rate on current cores (4 x 2 = 8 on Zen 4, Skylake-X, Ice Lake), so it runs at the
 * FMA units' throughput. The scalar loop is built like the scalar kernels (baseline x86-64, which
 * has no FMA instruction): each step is a mulss + addss pair, 2 FLOPs, as in the scalar kernels.
 */
#ifndef CB_PEAK_H
#define CB_PEAK_H

#include <stdint.h>

#include "cb_dispatch.h"

enum {
    CB_PEAK_ACCUMULATORS = 12,
    CB_PEAK_SINK_FLOATS = CB_PEAK_ACCUMULATORS * 16, /* room for 12 ZMM registers */
};

typedef struct cb_peak_loop {
    double flops_per_iter;                   /* 2 * CB_PEAK_ACCUMULATORS * lanes */
    void (*run)(int64_t iters, float *sink); /* sink: CB_PEAK_SINK_FLOATS floats */
} cb_peak_loop;

/* Defined by peak_<isa>.c, each built only when the compiler has the ISA's flags. */
extern const cb_peak_loop cb_peak_loop_scalar, cb_peak_loop_avx2, cb_peak_loop_avx512;

/* The loop of an ISA, or NULL when this build does not contain it. */
const cb_peak_loop *cb_peak_loop_for(cb_isa isa);

/* Best GFLOP/s of a few ~10 ms runs of the loop (after a warm-up). */
double cb_peak_measure(const cb_peak_loop *loop);

#endif /* CB_PEAK_H */
