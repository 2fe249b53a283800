/*
 * conv2d_avx512.c - 3x3 stride-1 "same" convolution, AVX-512 on full 512-bit registers.
 *
 * Layouts (see cb_kernels.h): x [N,H,W,Cin], y/dy [N,H,W,Cout], w [3,3,Cin,Cout], b [Cout].
 *
 * The reference network has 8 output channels, half a zmm. Every kernel fills the other half
 * with a second input term: lane 2c + q of a vector belongs to output channel c and to the q-th
 * of a pair of inputs, and the operand that carries the pair is one 64-bit broadcast from memory
 * (vbroadcastsd: a load-port operation on Intel; a zero-masked broadcast would cost an ALU uop,
 * so partial pairs use a plain 32-bit broadcast and a masked FMA). Two output pixels per vector
 * instead would need a shuffle per broadcast; 16 output channels do not exist here.
 *   forward        acc[p] (lane 2c + q) += x(pixel, ci + q) * w[tap][ci + q][c] over taps and
 *                  channel pairs, with the weights repacked per call as wp [9][pair][16]. 16
 *                  output pixels of a row are 16 accumulators; per kernel row and channel pair
 *                  3 weight vectors stay in registers and each of the 18 input pairs is broadcast
 *                  once into the up to 3 FMAs (one per kx) it feeds: 48 FMAs, 21 loads. The
 *                  store adds each channel's two partial sums (two permutes and an add per two
 *                  pixels). An odd channel count leaves its last channel alone in a pair (FMAs on
 *                  the even lanes only), which would keep 3/4 of the lanes busy for Cin 3.
 *   forward Cin 3  conv1 (Cout 8) pairs taps instead of channels: a kernel row's 9 taps
 *                  k = 3 kx + ci of pixel j are 9 consecutive floats of the x row (from pixel
 *                  j - 1, channel 0), so they form 5 pairs (2m, 2m + 1), the last one half a tap:
 *                  15 FMAs per pixel where channel pairs take 18, 9/10 of the lanes busy. Weights
 *                  wq [ky][pair][16], packed per call by one load and one interleave per pair.
 *                  Pixel j + 2's taps start 6 floats after pixel j's, so its pairs 0-1 are pixel
 *                  j's pairs 3-4: per kernel row a block of 16 pixels takes 5 weight vectors, 52
 *                  broadcasts and 80 FMAs (pair 4 masked to its tap's even lanes). Same
 *                  accumulators, store and exact products as the engine.
 *   backward-data  the same engine on dy with the kernel flipped and transposed: Cout in the
 *                  pairs, Cin in the output lanes (conv2 all 16 lanes, conv1 3 channels of 8).
 *   backward-w     dw[ky] is a [3 Cin][Cout] matrix over the flattened taps k = kx Cin + ci,
 *                  which are 3 Cin consecutive floats of an x row. Accumulator (ky, m) holds taps
 *                  (2m - s, 2m - s + 1) in lanes 2c + q: each pixel adds a pair broadcast of its
 *                  x row times dy duplicated into both lanes (one permute per pixel and pass).
 *                  A group of pixels shares the broadcasts: a pair at an even position of the row
 *                  feeds every pixel of the group whose taps it covers. With Cin even every
 *                  pixel's taps start at an even position; with Cin odd only every other pixel's
 *                  do, so a pass takes one parity (s = 0 or 1, every second pixel) and two passes
 *                  cover the row. Cin 3: passes s = 0 and 1, each 3 ky x 5 pairs = 15
 *                  accumulators over groups of 8 pixels (120 FMAs, 78 broadcasts; a junk tap -1
 *                  or 9 fills the tenth lane); Cin 8: pass ky 0-1 (24 accumulators) and pass ky 2
 *                  (12), groups of 4 pixels. Other channel counts take one kernel row and 8 pairs
 *                  per pass, one pixel at a time. Passes run image by image (x and dy stay in
 *                  cache), adding into dw. db is a separate sum of dy.
 * Image borders: forward taps outside the image are masked FMAs (mask 0) whose broadcast
 * address is clamped into the image; forward Cin 3 and backward-w skip or mask the FMAs of
 * padding taps and never read x outside the row (a broadcast with one float outside becomes a
 * 32-bit broadcast of the other). Nothing is read or written outside the buffers, and every FMA
 * multiplies exact inputs, so integer-valued data give scalar's bits (partial sums of integers
 * are exact in any order). The engine's hot shapes (8 -> 8, and backward-data's 8 -> 3) are
 * instantiations of the same code with constant strides; other shapes run it with runtime counts
 * and masked output-channel chunks of 8.
 */
#include <string.h>

#include "cb_kernel_impl.h"
#include "cb_mca.h"
#include "vmath_avx512.h"

enum { LANES = 16, CO_LANES = 8 }; /* floats per vector, output channels per vector */

/* The pair p[0], p[1] in lanes 2c and 2c + 1 of every c: one 64-bit broadcast load. */
CB_AVX512_INLINE __m512 bcast_pair(const float *p)
{
    double d;
    memcpy(&d, p, sizeof d);
    return _mm512_castpd_ps(_mm512_set1_pd(d));
}

/* p[0] in every lane: a 32-bit broadcast load. The zero-masked form would cost an ALU uop on
 * the FMA ports as well; callers mask the FMAs instead. */
CB_AVX512_INLINE __m512 bcast_one(const float *p)
{
    return _mm512_set1_ps(*p);
}

/* base[a] and base[a + 1] in the even and odd lanes; a position outside [r0, r1) is not read, and
 * its lane holds the other value (a lane the FMA masks off, or a junk tap). At least one of the
 * two is inside. */
CB_AVX512_INLINE __m512 bcast_inside(const float *base, int a, int r0, int r1)
{
    const int in0 = a >= r0 && a < r1, in1 = a + 1 >= r0 && a + 1 < r1;
    if (in0 && in1)
        return bcast_pair(base + a);
    return bcast_one(base + (in0 ? a : a + 1));
}

/* acc + a * b in the lanes of k, acc elsewhere; a plain FMA when k is all lanes. */
CB_AVX512_INLINE __m512 fma_lanes(__m512 a, __m512 b, __m512 acc, __mmask16 k)
{
    return k == 0xffff ? _mm512_fmadd_ps(a, b, acc) : _mm512_mask3_fmadd_ps(a, b, acc, k);
}

#define LONG_UNROLL _Pragma("GCC unroll 64") /* loops longer than 16: accumulators, broadcasts */

/* ---- forward engine (also serves backward-data) --------------------------------------------- */

enum { MAX_BLOCK = 16, MAX_PAIRS = 16 }; /* output pixels per block, input pairs per pass */

/* One pass of the engine: out[n,i,j, 8 channels] = init + sum over taps and the pass's input
 * channels of in[n, i+ky-1, j+kx-1, k] * weight, with the weights in pair layout. */
typedef struct conv_job {
    int n, h, w;
    int row_begin, row_end; /* the band of output rows */
    const float *x;    /* input at the pass's first channel */
    const float *wp;   /* weights [9][np][16]: lane 2c + q = input 2m + q to output c (Cin 3:
                          [3][5][16], taps 2m + q, see pack_cin3) */
    const float *init; /* 16 floats in pair layout (the bias in the even lanes), or NULL: start
                          from the output's current value (a later pass) */
    float *y;          /* output at the chunk's first channel */
    int relu;
} conv_job;

/* Strides and counts: compile-time constants in the hot instantiations. */
typedef struct conv_dims {
    int xs;         /* input pixel stride */
    int np;         /* input channel pairs of the pass */
    int lone;       /* the last pair has one channel (the other lane is 0) */
    int ys;         /* output pixel stride */
    __mmask8 lanes; /* output channels of this chunk */
} conv_dims;

CB_AVX512_INLINE __m512 bcast_input(const float *p, int lone)
{
    return lone ? bcast_one(p) : bcast_pair(p);
}

/* One kernel row, one channel pair: acc[p] += sum over kx of in(pixel p + kx - 1) * w[kx]. Each
 * input pair is broadcast once and feeds the up to 3 output pixels it touches. xr is the pair at
 * the block's first pixel; the pixels just outside the block (q = -1 and q = P) read `left` /
 * `right` under masks kl / kr, so that a block at an image edge skips them. A lone channel's FMAs
 * leave the odd lanes alone. */
CB_AVX512_INLINE void conv_pair_taps(__m512 *acc, const conv_dims d, const int P, const float *wk,
                                     const float *xr, const float *left, const float *right,
                                     __mmask16 kl, __mmask16 kr, int lone)
{
    const __mmask16 k = lone ? 0x5555 : 0xffff;
    __m512 wv[3];
    CB_AVX512_UNROLL
    for (int kx = 0; kx < 3; kx++)
        wv[kx] = _mm512_load_ps(wk + (size_t)kx * d.np * LANES);
    acc[0] = _mm512_mask3_fmadd_ps(bcast_input(left, lone), wv[0], acc[0], kl & k);
    CB_AVX512_UNROLL
    for (int q = 0; q < P; q++) { /* input pixel q feeds output q + 1, q, q - 1 */
        const __m512 xv = bcast_input(xr + q * d.xs, lone);
        if (q + 1 < P)
            acc[q + 1] = fma_lanes(xv, wv[0], acc[q + 1], k);
        acc[q] = fma_lanes(xv, wv[1], acc[q], k);
        if (q > 0)
            acc[q - 1] = fma_lanes(xv, wv[2], acc[q - 1], k);
    }
    acc[P - 1] = _mm512_mask3_fmadd_ps(bcast_input(right, lone), wv[2], acc[P - 1], kr & k);
}

/* One kernel row, all channel pairs of the pass; the full pairs are the hot loop. */
CB_AVX512_INLINE void conv_row_taps(__m512 *acc, const conv_dims d, const int P, const float *wk,
                                    const float *xr, const float *left, const float *right,
                                    __mmask16 kl, __mmask16 kr)
{
    const int full = d.np - d.lone;
    for (int m = 0; m < full; m++) {
        if (P == MAX_BLOCK)
            CB_MCA_BEGIN("conv2d_fwd_avx512");
        conv_pair_taps(acc, d, P, wk + m * LANES, xr + 2 * m, left + 2 * m, right + 2 * m, kl, kr,
                       0);
        if (P == MAX_BLOCK)
            CB_MCA_END();
    }
    if (d.lone)
        conv_pair_taps(acc, d, P, wk + full * LANES, xr + 2 * full, left + 2 * full,
                       right + 2 * full, kl, kr, 1);
}

/* The pair layout of an earlier pass's output: channel c in lane 2c, 0 in lane 2c + 1. */
CB_AVX512_INLINE __m512 load_partial(const conv_dims d, const float *p)
{
    const __m256i v = _mm256_castps_si256(_mm256_maskz_loadu_ps(d.lanes, p));
    return _mm512_castsi512_ps(_mm512_cvtepu32_epi64(v));
}

/* Pixel a's channels in lanes 0-7, pixel b's in lanes 8-15: each the sum of its pair lanes. */
CB_AVX512_INLINE __m512 pair_sums(__m512 a, __m512 b)
{
    const __m512i even =
        _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd =
        _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    return _mm512_add_ps(_mm512_permutex2var_ps(a, even, b), _mm512_permutex2var_ps(a, odd, b));
}

/* Two pixels per reduction; one 16-float store when their channels are adjacent (Cout = 8). */
CB_AVX512_INLINE void store_block(const conv_job *job, const conv_dims d, const int P, float *yp,
                                  const __m512 *acc)
{
    CB_AVX512_UNROLL
    for (int p = 0; p < P; p += 2) {
        const int two = p + 1 < P;
        __m512 v = pair_sums(acc[p], acc[two ? p + 1 : p]);
        if (job->relu)
            v = _mm512_max_ps(v, _mm512_setzero_ps());
        if (two && d.ys == CO_LANES && d.lanes == 0xff) {
            _mm512_storeu_ps(yp + p * d.ys, v);
            continue;
        }
        _mm256_mask_storeu_ps(yp + p * d.ys, d.lanes, _mm512_castps512_ps256(v));
        if (two)
            _mm256_mask_storeu_ps(yp + (p + 1) * d.ys, d.lanes, _mm512_extractf32x8_ps(v, 1));
    }
}

/* Output pixels j0..j0+P-1 of row i of image n. Rows outside the image are skipped, columns
 * outside are masked. */
CB_AVX512_INLINE void conv_block(const conv_job *job, const conv_dims d, const int P, int n, int i,
                                 int j0)
{
    const int H = job->h, W = job->w;
    float *yp = job->y + (((size_t)n * H + i) * W + j0) * d.ys;
    __m512 acc[MAX_BLOCK]; /* a fixed size, not a VLA, so that it lives in registers */
    CB_AVX512_UNROLL
    for (int p = 0; p < P; p++)
        acc[p] = job->init ? _mm512_load_ps(job->init) : load_partial(d, yp + p * d.ys);
    const int left = j0 > 0, right = j0 + P < W;
    const __mmask16 kl = left ? 0xffff : 0, kr = right ? 0xffff : 0;
    for (int ky = i > 0 ? 0 : 1; ky <= (i + 1 < H ? 2 : 1); ky++) {
        const float *xr = job->x + (((size_t)n * H + i + ky - 1) * W + j0) * d.xs;
        const float *wk = job->wp + (size_t)ky * 3 * d.np * LANES;
        conv_row_taps(acc, d, P, wk, xr, xr - left * d.xs, xr + (P - 1 + right) * d.xs, kl, kr);
    }
    store_block(job, d, P, yp, acc);
}

/* Every output pixel of the band once: each row in blocks of 16 pixels (16 accumulators hide the FMA latency
 * and leave registers for the weights), then of 4, then single pixels. */
CB_AVX512_INLINE void conv_run(const conv_job *job, const conv_dims d)
{
    const int W = job->w;
    for (int n = 0; n < job->n; n++)
        for (int i = job->row_begin; i < job->row_end; i++) {
            int j = 0;
            for (; j + MAX_BLOCK <= W; j += MAX_BLOCK)
                conv_block(job, d, MAX_BLOCK, n, i, j);
            for (; j + 4 <= W; j += 4)
                conv_block(job, d, 4, n, i, j);
            for (; j < W; j++)
                conv_block(job, d, 1, n, i, j);
        }
}

/* 8 input and 8 output channels (conv2's forward and backward-data): one copy for both. */
__attribute__((noinline)) static void conv_run_8x8(const conv_job *job)
{
    conv_run(job, (conv_dims){8, 4, 0, 8, 0xff});
}

/* wp[t][m][2c + q] = the weight of tap t from input channel k0 + 2m + q to output channel c0 + c
 * (0 past the nk inputs or the nc outputs). Backward-data (transposed) reads the forward kernel
 * flipped and with its channel roles swapped: w[8 - t][c0 + c][k0 + 2m + q]. The step calls every
 * convolution once per image, so this runs once per image too: loops without divisions, the
 * zero lanes written first. */
static void pack_weights(float *wp, const cb_conv_shape *s, const float *w, int transposed,
                         int c0, int nc, int k0, int nk)
{
    const int np = (nk + 1) / 2;
    memset(wp, 0, sizeof(float) * 9 * (size_t)np * LANES);
    const size_t cin = (size_t)s->cin, cout = (size_t)s->cout;
    for (int t = 0; t < 9; t++)
        for (int k = 0; k < nk; k++) {
            float *dst = wp + ((size_t)t * np + k / 2) * LANES + k % 2;
            const float *src = transposed ? w + ((size_t)(8 - t) * cin + c0) * cout + k0 + k
                                          : w + ((size_t)t * cin + k0 + k) * cout + c0;
            const size_t step = transposed ? cout : 1;
            for (int c = 0; c < nc; c++)
                dst[2 * c] = src[c * step];
        }
}

/* out [N,H,W,out_ch] = bias + conv(in [N,H,W,in_ch]) with w as pack_weights reads it: chunks of 8
 * output channels, passes of up to 2 * MAX_PAIRS input channels (later passes add to out). */
static void conv_engine(const cb_conv_shape *s, const float *in, int in_ch, const float *w,
                        int transposed, const float *bias, float *out, int out_ch, int relu)
{
    _Alignas(64) float wp[9 * MAX_PAIRS * LANES];
    _Alignas(64) float init[LANES];
    for (int c0 = 0; c0 < out_ch; c0 += CO_LANES) {
        const int nc = out_ch - c0 < CO_LANES ? out_ch - c0 : CO_LANES;
        for (int l = 0; l < LANES; l++)
            init[l] = bias && l % 2 == 0 && l / 2 < nc ? bias[c0 + l / 2] : 0.0f;
        for (int k0 = 0; k0 < in_ch; k0 += 2 * MAX_PAIRS) {
            const int nk = in_ch - k0 < 2 * MAX_PAIRS ? in_ch - k0 : 2 * MAX_PAIRS;
            pack_weights(wp, s, w, transposed, c0, nc, k0, nk);
            const conv_job job = {.n = s->n, .h = s->h, .w = s->w, .row_begin = s->row_begin,
                                  .row_end = cb_conv_row_end(s), .x = in + k0, .wp = wp,
                                  .init = k0 == 0 ? init : NULL, .y = out + c0,
                                  .relu = relu && k0 + nk == in_ch};
            if (in_ch == 8 && out_ch == 8)
                conv_run_8x8(&job);
            else if (in_ch == 8 && out_ch == 3)
                conv_run(&job, (conv_dims){8, 4, 0, 3, 0x07});
            else
                conv_run(&job, (conv_dims){in_ch, (nk + 1) / 2, nk % 2, out_ch,
                                           cb_avx512_mask8(nc)});
        }
    }
}

/* ---- forward, Cin 3 -> Cout 8 (conv1): a kernel row's taps in pairs -----------------------------
 * Positions below are floats of an x row counted from the first tap of a block's first pixel j0
 * (pixel j0 - 1, channel 0). Block pixel p has the 9 taps k = 3 kx + ci of a kernel row at
 * positions 3p + k, and its pair m (taps 2m, 2m + 1; pair 4's second lane is no tap) at 3p + 2m.
 * Pairs 3 and 4 of pixel p are pairs 0 and 1 of pixel p + 2: one broadcast for both. */

enum { ROW_TAPS = 9, TAP_PAIRS = 5 }; /* taps (kx, ci) of a kernel row, and their pairs */

/* wq[ky][m][2c + q] = w[ky][kx][ci][c] for 3 kx + ci = 2m + q, 0 for 2m + q = 9. A kernel row's
 * taps are consecutive rows of 8 floats in w: a pair is one load and one interleave. */
static void pack_cin3(float *wq, const float *w)
{
    const __m512i mix = _mm512_setr_epi32(0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15);
    for (int ky = 0; ky < 3; ky++)
        for (int m = 0; m < TAP_PAIRS; m++) {
            const int t = ky * ROW_TAPS + 2 * m; /* the pair's first tap */
            const __mmask16 taps = 2 * m + 1 < ROW_TAPS ? 0xffff : 0x00ff;
            const __m512 v = _mm512_maskz_loadu_ps(taps, w + (size_t)t * CO_LANES);
            _mm512_store_ps(wq + (ky * TAP_PAIRS + m) * LANES, _mm512_permutexvar_ps(mix, v));
        }
}

/* The lanes of pair m at position a that hold taps: a position outside [r0, r1) is padding, and
 * pair 4's second lane is no tap. */
CB_AVX512_INLINE __mmask16 cin3_lanes(int a, int m, int r0, int r1)
{
    const int on0 = a >= r0 && a < r1;
    const int on1 = 2 * m + 1 < ROW_TAPS && a + 1 >= r0 && a + 1 < r1;
    return (__mmask16)((on0 ? 0x5555 : 0) | (on1 ? 0xaaaa : 0));
}

/* One kernel row: acc[p] (lane 2c + q) += the pair at position 3p + 2m times wk[m], over the 5
 * pairs m. Position by position, each broadcast once into the FMAs of the one or two pixels whose
 * pairs start there (16 pixels: 52 broadcasts, 80 FMAs). xr: the row at position 3 (pixel j0);
 * positions outside [r0, r1) are not read. */
CB_AVX512_INLINE void cin3_row(__m512 *acc, const int P, const float *wk, const float *xr,
                               const int r0, const int r1)
{
    __m512 wv[TAP_PAIRS];
    CB_AVX512_UNROLL
    for (int m = 0; m < TAP_PAIRS; m++)
        wv[m] = _mm512_load_ps(wk + m * LANES);
    LONG_UNROLL
    for (int a = 0; a < 3 * (P - 1) + 2 * TAP_PAIRS; a++) {
        int used = 0;
        CB_AVX512_UNROLL
        for (int p = 0; p < P; p++) {
            const int k = a - 3 * p; /* the pair's first tap in pixel p */
            used |= k >= 0 && k < ROW_TAPS && k % 2 == 0 && cin3_lanes(a, k / 2, r0, r1);
        }
        if (!used)
            continue;
        const __m512 xv = bcast_inside(xr, a - 3, r0 - 3, r1 - 3);
        CB_AVX512_UNROLL
        for (int p = 0; p < P; p++) {
            const int k = a - 3 * p;
            if (k < 0 || k >= ROW_TAPS || k % 2)
                continue;
            const __mmask16 on = cin3_lanes(a, k / 2, r0, r1);
            if (on)
                acc[p] = fma_lanes(xv, wv[k / 2], acc[p], on);
        }
    }
}

/* Output pixels j0..j0+P-1 of row i of image n. L / R: the block holds the row's first / last
 * pixel (positions 0-2 / from 3P + 3 are padding, not read); otherwise it reads pixel j0 - 1 /
 * pixel j0 + P (to position 3P + 5). Rows outside the image are skipped. */
CB_AVX512_INLINE void cin3_block(const conv_job *job, const int P, const int L, const int R, int n,
                                 int i, int j0)
{
    const int H = job->h, W = job->w, r0 = L ? 3 : 0, r1 = 3 * P + (R ? 3 : 6);
    float *yp = job->y + (((size_t)n * H + i) * W + j0) * CO_LANES;
    __m512 acc[MAX_BLOCK];
    CB_AVX512_UNROLL
    for (int p = 0; p < P; p++)
        acc[p] = _mm512_load_ps(job->init);
    for (int ky = i > 0 ? 0 : 1; ky <= (i + 1 < H ? 2 : 1); ky++) {
        const float *xr = job->x + (((size_t)n * H + i + ky - 1) * W + j0) * 3;
        if (P == MAX_BLOCK)
            CB_MCA_BEGIN("conv2d_fwd_cin3_avx512");
        cin3_row(acc, P, job->wp + ky * TAP_PAIRS * LANES, xr, r0, r1);
        if (P == MAX_BLOCK)
            CB_MCA_END();
    }
    const conv_dims d = {3, TAP_PAIRS, 1, CO_LANES, 0xff}; /* store_block reads ys and lanes */
    store_block(job, d, P, yp, acc);
}

/* A block with its edges as constants. */
CB_AVX512_INLINE void cin3_tile(const conv_job *job, const int P, int n, int i, int j0)
{
    const int L = j0 == 0, R = j0 + P == job->w;
    if (L && R)
        cin3_block(job, P, 1, 1, n, i, j0);
    else if (L)
        cin3_block(job, P, 1, 0, n, i, j0);
    else if (R)
        cin3_block(job, P, 0, 1, n, i, j0);
    else
        cin3_block(job, P, 0, 0, n, i, j0);
}

/* Every output pixel of the band once, each row in blocks of 16, 4 and 1 pixels as conv_run; job->wp as
 * pack_cin3 writes it. */
static void conv_fwd_cin3(const conv_job *job)
{
    const int W = job->w;
    for (int n = 0; n < job->n; n++)
        for (int i = job->row_begin; i < job->row_end; i++) {
            int j = 0;
            for (; j + MAX_BLOCK <= W; j += MAX_BLOCK)
                cin3_tile(job, MAX_BLOCK, n, i, j);
            for (; j + 4 <= W; j += 4)
                cin3_tile(job, 4, n, i, j);
            for (; j < W; j++)
                cin3_tile(job, 1, n, i, j);
        }
}

/* x [N,H,W,Cin], w [3,3,Cin,Cout], b [Cout] -> y [N,H,W,Cout], ReLU fused when relu != 0. */
void cb_conv2d_fwd_avx512(const cb_conv_shape *s, const float *x, const float *w, const float *b,
                           float *y, int relu)
{
    if (s->cin == 3 && s->cout == CO_LANES) {
        _Alignas(64) float wq[3 * TAP_PAIRS * LANES];
        _Alignas(64) float init[LANES];
        for (int l = 0; l < LANES; l++)
            init[l] = l % 2 == 0 ? b[l / 2] : 0.0f;
        pack_cin3(wq, w);
        const conv_job job = {s->n, s->h, s->w, s->row_begin, cb_conv_row_end(s), x, wq, init, y,
                              relu};
        conv_fwd_cin3(&job);
        return;
    }
    conv_engine(s, x, s->cin, w, 0, b, y, s->cout, relu);
}

/* dy [N,H,W,Cout], w -> dx [N,H,W,Cin]: the engine over dy with the flipped, transposed kernel. */
void cb_conv2d_bwd_data_avx512(const cb_conv_shape *s, const float *dy, const float *w, float *dx)
{
    conv_engine(s, dy, s->cout, w, 1, NULL, dx, s->cin, 0);
}

/* ---- backward-weights -------------------------------------------------------------------------
 * Positions below are floats of an x row counted from the first tap of a pixel group's first
 * pixel j0 (pixel j0 - 1, channel 0); pixel t of the group (image pixel j0 + t * stride) has its
 * taps k = 0 .. 3 Cin - 1 at positions t * stride * Cin + k. Pair m of a pixel holds taps
 * 2m - s and 2m - s + 1 (one of them may be a "junk" tap -1 or 3 Cin, never stored). */

enum { MAX_ACC = 24, MAX_GROUP = 8, GENERIC_PAIRS = 8 };

/* A pass: the accumulators of kernel rows ky0.. ky0+nky-1 and pairs m0..m0+mb-1, over the pixels
 * whose taps start at parity shift (stride 2, Cin odd) or over all pixels (stride 1). */
typedef struct wg_pass {
    int ci;            /* input channels: x's pixel stride; 3 * ci taps per kernel row */
    int ky0, nky;      /* kernel rows */
    int shift, stride; /* s, and the distance between the pass's pixels */
    int group;         /* pixels per group sharing broadcasts */
    int m0, mb;        /* pairs: a compile-time count mb from a (runtime) first m0 */
    int ds;            /* dy pixel stride (Cout) */
    __mmask8 lanes;    /* output channels of this chunk */
} wg_pass;

/* The pairs m of one kernel row: those whose taps meet 0 .. 3 ci - 1. */
CB_AVX512_INLINE int wg_pairs(const wg_pass p)
{
    return (3 * p.ci - 1 + p.shift) / 2 + 1;
}

/* dy's channels duplicated: lanes 2c and 2c + 1 hold channel c. */
CB_AVX512_INLINE __m512 dup_dy(const float *g, __mmask8 lanes)
{
    const __m512i dup = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    return _mm512_permutexvar_ps(dup, _mm512_castps256_ps512(_mm256_maskz_loadu_ps(lanes, g)));
}

/* The lanes of a pixel's pair (taps k0, k0 + 1) that are not zero padding: a tap in
 * 0 .. taps-1 outside the pixel's [lo, hi) is padding; a junk tap may take any value. */
CB_AVX512_INLINE __mmask16 wg_lanes(int k0, int lo, int hi, int taps)
{
    const int on0 = k0 < 0 || k0 >= taps || (k0 >= lo && k0 < hi);
    const int on1 = k0 + 1 >= taps || (k0 + 1 >= lo && k0 + 1 < hi);
    return (__mmask16)((on0 ? 0x5555 : 0) | (on1 ? 0xaaaa : 0));
}

/* One group of G pixels from j0 in one output row: acc[kyi][m - m0] += pair m of the pixel's x
 * row ky0 + kyi times its dy. L / R: the group holds the row's first / last pixel (the taps of
 * pixel -1 / W are padding, and not read). xj: the x rows at pixel j0, gj: dy at pixel j0 (every
 * address a constant offset from them); rowk: per kernel row, all lanes or none (a row outside
 * the image). */
CB_AVX512_INLINE void wg_group(__m512 *acc, const wg_pass p, const int G, const int L, const int R,
                               const float *const *xj, const __mmask16 *rowk, const float *gj)
{
    const int taps = 3 * p.ci, step = p.stride * p.ci; /* positions between the group's pixels */
    const int r0 = L ? p.ci : 0, r1 = (G - 1) * step + (R ? 2 : 3) * p.ci; /* readable */
    const int mp = wg_pairs(p);
    __m512 d[MAX_GROUP];
    CB_AVX512_UNROLL
    for (int t = 0; t < G; t++)
        d[t] = dup_dy(gj + (size_t)t * p.stride * p.ds, p.lanes);
    CB_AVX512_UNROLL
    for (int kyi = 0; kyi < p.nky; kyi++) {
        LONG_UNROLL
        for (int g = 0; g < (G - 1) * step / 2 + p.mb; g++) {
            const int a = 2 * (p.m0 + g) - p.shift; /* the broadcast's first position */
            if (a + 1 < r0 || a >= r1)
                continue;
            const __m512 xv = bcast_inside(xj[kyi], a - p.ci, r0 - p.ci, r1 - p.ci); /* xj: ci */
            CB_AVX512_UNROLL
            for (int t = 0; t < G; t++) {
                const int k0 = a - t * step, m = (k0 + p.shift) / 2 - p.m0;
                if (k0 + 1 < 0 || k0 >= taps || m < 0 || m >= p.mb || m + p.m0 >= mp)
                    continue;
                const __mmask16 on = wg_lanes(k0, L && t == 0 ? p.ci : 0,
                                              R && t == G - 1 ? 2 * p.ci : taps, taps);
                if (on)
                    acc[kyi * p.mb + m] =
                        _mm512_mask3_fmadd_ps(xv, d[t], acc[kyi * p.mb + m], rowk[kyi] & on);
            }
        }
    }
}

/* A group with its edges as constants; the interior one is the hot loop's body. */
CB_AVX512_INLINE void wg_tile(__m512 *acc, const wg_pass p, const int G, int left, int right,
                              const float *const *xj, const __mmask16 *rowk, const float *gj)
{
    if (left && right)
        wg_group(acc, p, G, 1, 1, xj, rowk, gj);
    else if (left)
        wg_group(acc, p, G, 1, 0, xj, rowk, gj);
    else if (right)
        wg_group(acc, p, G, 0, 1, xj, rowk, gj);
    else {
        if (G > 1)
            CB_MCA_BEGIN("conv2d_bwd_weights_avx512");
        wg_group(acc, p, G, 0, 0, xj, rowk, gj);
        if (G > 1)
            CB_MCA_END();
    }
}

/* Moves the group's pointers (x rows, dy) on by `pixels` pixels. */
CB_AVX512_INLINE void wg_advance(const wg_pass p, const float **xj, const float **gj, int pixels)
{
    for (int kyi = 0; kyi < p.nky; kyi++)
        xj[kyi] += pixels * p.ci;
    *gj += pixels * p.ds;
}

/* The pass's pixels of output row i of image n: groups of p.group, then single pixels. */
CB_AVX512_INLINE void wg_row(__m512 *acc, const wg_pass p, const cb_conv_shape *s, const float *x,
                             const float *dy, int n, int i)
{
    const int H = s->h, W = s->w, span = (p.group - 1) * p.stride;
    /* Pixel j's taps start at position (j - 1) ci of the row: parity (j - 1) for odd ci. */
    int j = p.stride == 1 || p.shift == 1 ? 0 : 1;
    const float *xj[3];
    __mmask16 rowk[3], any = 0;
    for (int kyi = 0; kyi < p.nky; kyi++) {
        const int y = i + p.ky0 + kyi - 1, inside = y >= 0 && y < H;
        rowk[kyi] = inside ? 0xffff : 0;
        any |= rowk[kyi];
        xj[kyi] = x + (((size_t)n * H + (inside ? y : i)) * W + j) * p.ci; /* read, not used */
    }
    if (!any)
        return;
    const float *gj = dy + (((size_t)n * H + i) * W + j) * p.ds;
    const int next = p.group * p.stride;
    if (j == 0 && span < W) { /* a group with the first pixel */
        wg_tile(acc, p, p.group, 1, span == W - 1, xj, rowk, gj);
        wg_advance(p, xj, &gj, next);
        j += next;
    }
    for (; j + span < W - 1; j += next) { /* groups inside the row: the hot loop */
        wg_tile(acc, p, p.group, 0, 0, xj, rowk, gj);
        wg_advance(p, xj, &gj, next);
    }
    if (j + span == W - 1) { /* a group with the last pixel */
        wg_tile(acc, p, p.group, 0, 1, xj, rowk, gj);
        wg_advance(p, xj, &gj, next);
        j += next;
    }
    for (; j < W; j += p.stride) {
        wg_tile(acc, p, 1, j == 0, j == W - 1, xj, rowk, gj);
        wg_advance(p, xj, &gj, p.stride);
    }
}

/* Adds (or, first, writes) the pass's sums into dw: pair m of kernel row ky holds taps 2m - s + q
 * in lanes 2c + q. dw points at the chunk's first output channel. */
static void wg_write(const float (*part)[LANES], const wg_pass p, const cb_conv_shape *s, float *dw,
                     int add)
{
    const int taps = 3 * p.ci, nc = __builtin_popcount(p.lanes);
    for (int kyi = 0; kyi < p.nky; kyi++)
        for (int m = 0; m < p.mb && p.m0 + m < wg_pairs(p); m++)
            for (int q = 0; q < 2; q++) {
                const int k = 2 * (p.m0 + m) - p.shift + q;
                if (k < 0 || k >= taps)
                    continue;
                float *row = dw + ((size_t)(p.ky0 + kyi) * taps + k) * s->cout;
                for (int c = 0; c < nc; c++)
                    row[c] = (add ? row[c] : 0.0f) + part[kyi * p.mb + m][2 * c + q];
            }
}

/* One pass over the band of image n, its sums carried in registers from the first pixel to the last, then
 * added to dw (written when add is 0). Image by image, x and dy stay in L1/L2 for all passes. */
CB_AVX512_INLINE void wg_run(const wg_pass p, const cb_conv_shape *s, const float *x,
                             const float *dy, float *dw, int n, int add)
{
    __m512 acc[MAX_ACC];
    LONG_UNROLL
    for (int a = 0; a < p.nky * p.mb; a++)
        acc[a] = _mm512_setzero_ps();
    for (int i = s->row_begin; i < cb_conv_row_end(s); i++)
        wg_row(acc, p, s, x, dy, n, i);
    _Alignas(64) float part[MAX_ACC][LANES];
    LONG_UNROLL
    for (int a = 0; a < p.nky * p.mb; a++)
        _mm512_store_ps(part[a], acc[a]);
    wg_write(part, p, s, dw, add);
}

/* Cin 3, Cout 8: both parities, 3 kernel rows x 5 pairs, groups of 8 pixels (every other one). */
static void wg_cin3(const cb_conv_shape *s, const float *x, const float *dy, float *dw)
{
    for (int n = 0; n < s->n; n++) {
        wg_run((wg_pass){3, 0, 3, 0, 2, 8, 0, 5, 8, 0xff}, s, x, dy, dw, n, n > 0);
        wg_run((wg_pass){3, 0, 3, 1, 2, 8, 0, 5, 8, 0xff}, s, x, dy, dw, n, 1);
    }
}

/* Cin 8, Cout 8: kernel rows 0-1 (24 accumulators), then row 2 (12), groups of 4 pixels. */
static void wg_cin8(const cb_conv_shape *s, const float *x, const float *dy, float *dw)
{
    for (int n = 0; n < s->n; n++) {
        wg_run((wg_pass){8, 0, 2, 0, 1, 4, 0, 12, 8, 0xff}, s, x, dy, dw, n, n > 0);
        wg_run((wg_pass){8, 2, 1, 0, 1, 4, 0, 12, 8, 0xff}, s, x, dy, dw, n, n > 0);
    }
}

/* Any shape: one kernel row and GENERIC_PAIRS pairs per pass, single pixels; x at channel 0, dy
 * and dw at the chunk's first output channel. */
static void wg_generic(const cb_conv_shape *s, const float *x, const float *dy, float *dw,
                       __mmask8 lanes)
{
    const int mp = (3 * s->cin - 1) / 2 + 1;
    for (int n = 0; n < s->n; n++)
        for (int ky = 0; ky < 3; ky++)
            for (int m0 = 0; m0 < mp; m0 += GENERIC_PAIRS)
                wg_run((wg_pass){s->cin, ky, 1, 0, 1, 1, m0, GENERIC_PAIRS, s->cout, lanes}, s, x,
                       dy, dw, n, n > 0);
}

/* db[c] = sum over px consecutive pixels from dy of dy[c], added to db's values when add. Cout = 8:
 * two pixels per vector in 4 partial sums (the add latency), the halves added last. */
static void sum_pixels(int cout, const float *dy, size_t px, float *db, int add)
{
    if (cout == CO_LANES) {
        __m512 sum[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(),
                         _mm512_setzero_ps()};
        size_t p = 0;
        for (; p + 8 <= px; p += 8)
            CB_AVX512_UNROLL
            for (int k = 0; k < 4; k++)
                sum[k] = _mm512_add_ps(sum[k], _mm512_loadu_ps(dy + (p + 2 * k) * CO_LANES));
        for (; p < px; p += 2)
            sum[0] = _mm512_add_ps(
                sum[0], _mm512_maskz_loadu_ps(cb_avx512_mask16(8 * (ptrdiff_t)(px - p)),
                                              dy + p * CO_LANES));
        const __m512 all = _mm512_add_ps(_mm512_add_ps(sum[0], sum[1]),
                                         _mm512_add_ps(sum[2], sum[3]));
        const __m256 run = _mm256_add_ps(_mm512_castps512_ps256(all), _mm512_extractf32x8_ps(all, 1));
        _mm256_storeu_ps(db, add ? _mm256_add_ps(_mm256_loadu_ps(db), run) : run);
        return;
    }
    for (int c0 = 0; c0 < cout; c0 += CO_LANES) {
        const __mmask8 lanes = cb_avx512_mask8(cout - c0);
        __m256 sum = add ? _mm256_maskz_loadu_ps(lanes, db + c0) : _mm256_setzero_ps();
        for (size_t p = 0; p < px; p++)
            sum = _mm256_add_ps(sum, _mm256_maskz_loadu_ps(lanes, dy + p * cout + c0));
        _mm256_mask_storeu_ps(db + c0, lanes, sum);
    }
}

/* db[c] = sum over the band's pixels of dy[c]: one run of pixels for one image or a whole-image
 * band, else one run per image, added in image order. */
static void sum_dy(const cb_conv_shape *s, const float *dy, float *db)
{
    const size_t band_px = (size_t)(cb_conv_row_end(s) - s->row_begin) * s->w;
    const size_t first = (size_t)s->row_begin * s->w * s->cout;
    const size_t image = (size_t)s->h * s->w * s->cout;
    if (s->n == 1 || band_px == (size_t)s->h * s->w) {
        sum_pixels(s->cout, dy + first, band_px * (size_t)s->n, db, 0);
        return;
    }
    for (int n = 0; n < s->n; n++)
        sum_pixels(s->cout, dy + (size_t)n * image + first, band_px, db, n > 0);
}

void cb_conv2d_bwd_weights_avx512(const cb_conv_shape *s, const float *x, const float *dy,
                                   float *dw, float *db)
{
    sum_dy(s, dy, db);
    if (s->cin == 3 && s->cout == 8)
        wg_cin3(s, x, dy, dw);
    else if (s->cin == 8 && s->cout == 8)
        wg_cin8(s, x, dy, dw);
    else
        for (int c0 = 0; c0 < s->cout; c0 += CO_LANES)
            wg_generic(s, x, dy + c0, dw + c0, cb_avx512_mask8(s->cout - c0));
}
