/* peak_avx2.c - the FMA-throughput loop on YMM registers (built with the AVX2 kernels' flags
 * only). See peak_loop.h. */
#include <immintrin.h>

#define CB_PEAK_VEC __m256
#define CB_PEAK_LANES 8
#define CB_PEAK_SET1(x) _mm256_set1_ps(x)
#define CB_PEAK_FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define CB_PEAK_STORE(p, v) _mm256_storeu_ps(p, v)
#define CB_PEAK_NAME cb_peak_loop_avx2
#include "peak_loop.h"
