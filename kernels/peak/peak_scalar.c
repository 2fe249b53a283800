/* peak_scalar.c - the FMA-throughput loop, one lane (built with the scalar kernels' flags: a
 * mulss + addss pair per step, since baseline x86-64 has no FMA). See peak_loop.h. */
#define CB_PEAK_VEC float
#define CB_PEAK_LANES 1
#define CB_PEAK_SET1(x) (x)
#define CB_PEAK_FMA(a, b, c) ((a) * (b) + (c))
#define CB_PEAK_STORE(p, v) (*(p) = (v))
#define CB_PEAK_NAME cb_peak_loop_scalar
#include "peak_loop.h"
