/*
 * tune.h - what `cifarbench tune` measures: a kernel's cost in one training step, per ISA.
 *
 * A kernel's step cost is the sum over the registry cases the step makes with it (cb_cases.h),
 * each at the batch the step calls it with; a kernel the step does not call (relu_fwd, fused into
 * conv and dense) is timed over all its cases, for reference. These are the same cases, fills and
 * batches as the N:<step batch> benchmarks of cifarbench-kernels. One thread, median of 5 samples
 * of at least 2 ms each.
 */
#ifndef CB_TUNE_H
#define CB_TUNE_H

#include "cb_dispatch.h"

#define CB_TUNE_SEED 20240601u

/* Seconds per training step of kernel k from table t; -1 when memory is short. */
double cb_tune_kernel_seconds(const cb_kernel_table *t, int k);

#endif /* CB_TUNE_H */
