/* peak.c - the peak_fma/<isa> benchmarks, and each ISA's peak measured for "% of peak". */

#include "peak.h"

#include <stdio.h>
#include <stdlib.h>

#include "bench_common.h"

static void peak_body(void *arg, int64_t iters)
{
    static float sink[CB_PEAK_SINK_FLOATS];
    ((const cb_peak_loop *)arg)->run(iters, sink);
}

void cb_peak_setup(void)
{
    for (int i = 0; i < CB_ISA_COUNT; i++) {
        const cb_isa isa = (cb_isa)i;
        const cb_peak_loop *loop = cb_peak_loop_for(isa);
        const char *skip = cb_bench_isa_skip_reason(isa);
        if (!skip && !loop)
            skip = "the FMA loop of this ISA is not compiled in";
        if (!skip)
            cb_bench_set_peak(isa, cb_peak_measure(loop));
        char name[64];
        snprintf(name, sizeof name, "peak_fma/%s", cb_isa_name(isa));
        const cb_gbench_def def = {.name = name, .body = peak_body, .arg = (void *)loop,
                                   .flops = loop ? loop->flops_per_iter : 0,
                                   .peak_gflops = cb_bench_peak(isa), .skip = skip};
        if (cb_gbench_register(&def) != 0)
            exit(1);
    }
}
