/* peak_avx512.c - the FMA-throughput loop on ZMM registers (built with the AVX-512 kernels' flags
 * only). See peak_loop.h. */
#include <immintrin.h>

#define CB_PEAK_VEC __m512
#define CB_PEAK_LANES 16
#define CB_PEAK_SET1(x) _mm512_set1_ps(x)
#define CB_PEAK_FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define CB_PEAK_STORE(p, v) _mm512_storeu_ps(p, v)
#define CB_PEAK_NAME cb_peak_loop_avx512
#include "peak_loop.h"
