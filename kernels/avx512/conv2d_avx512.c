/*
 * conv2d_avx512.c - 3x3 stride-1 "same" convolution, AVX-512 (VL) on 256-bit vectors.
 *
 * Layouts (see cb_kernels.h): x [N,H,W,Cin], y/dy [N,H,W,Cout], w [3,3,Cin,Cout], b [Cout].
 *
 * All three kernels vectorise over 8 output channels, the reference network's Cout: a __m256 holds
 * one pixel's 8 channels and the other FMA operand is one input float broadcast from memory (a
 * load-port operation on Zen 4, no shuffle). On Zen 4 a ymm FMA does the same work per cycle as a
 * zmm one, and AVX-512VL still gives 32 registers and opmasks.
 *   forward        16 output pixels of a row in 16 accumulators; per input row and channel, 3
 *                  weight vectors in registers and each of the 18 input values broadcast once
 *                  into the up to 3 FMAs (one per kx) it feeds. Backward-data is the same engine
 *                  run on dy with the flipped, transposed kernel.
 *   backward-w     the 3 x ci x 8 gradient of one kernel row in registers, streamed over pixels:
 *                  one dy load and 3 * ci FMAs with embedded broadcasts ({1to8}) per pixel.
 * Image borders cost no branches: a tap that falls outside the image is a masked FMA (mask 0)
 * whose broadcast address is clamped into the image. Other channel counts are handled in chunks
 * of 8 lanes with masked loads and stores; the hot shapes (Cin 3 or 8, Cout 8) are instantiations
 * of the same code with constant strides, so every address is a constant offset.
 * Every FMA multiplies exact inputs, so integer-valued data give scalar's bits.
 */
#include "cb_kernel_impl.h"
#include "vmath_avx512.h"

/* ---- forward engine (also serves backward-data) --------------------------------------------- */

enum { MAX_BLOCK = 16 }; /* output pixels per register block */

/* One call of the forward engine: out[n,i,j, lanes] = init + sum over taps and ci of
 * in[n, i+ky-1, j+kx-1, ci] * wt[((ky*3 + kx)*ci_count + ci)*ws + lane]. */
typedef struct conv_job {
    int n, h, w;
    const float *x;    /* input, pixel stride xs, channels 0..ci-1 summed */
    const float *wt;   /* weight vectors, ws floats apart */
    const float *bias; /* init for every pixel, or NULL for 0 */
    float *y;          /* output, pixel stride ys, lanes as masked */
    int accumulate;    /* init is the output's current value instead */
    int relu;
} conv_job;

/* Strides and channel count: compile-time constants in the hot instantiations. */
typedef struct conv_dims {
    int xs, ci, ws, ys;
    __mmask8 lanes; /* output channels of this 8-lane chunk */
} conv_dims;

/* acc[p] += sum over kx and ci of in(pixel p + kx - 1, ci) * w[kx][ci] for one input row: each
 * input value is broadcast once and feeds the up to 3 output pixels it touches. xr is the row at
 * the block's first pixel; the pixels just outside the block (q = -1 and q = P) read `left` /
 * `right` under masks kl / kr, so that a block at an image edge skips them. */
CB_AVX512_INLINE void conv_row_taps(__m256 *acc, const conv_dims d, const int P, const float *wk,
                                    const float *xr, const float *left, const float *right,
                                    __mmask8 kl, __mmask8 kr)
{
    for (int ci = 0; ci < d.ci; ci++) {
        __m256 wv[3];
        CB_AVX512_UNROLL
        for (int kx = 0; kx < 3; kx++)
            wv[kx] = _mm256_maskz_loadu_ps(d.lanes, wk + (kx * d.ci + ci) * d.ws);
        acc[0] = _mm256_mask3_fmadd_ps(_mm256_set1_ps(left[ci]), wv[0], acc[0], kl);
        CB_AVX512_UNROLL
        for (int q = 0; q < P; q++) { /* input pixel q feeds output q + 1, q, q - 1 */
            const __m256 xv = _mm256_set1_ps(xr[q * d.xs + ci]);
            if (q + 1 < P)
                acc[q + 1] = _mm256_fmadd_ps(xv, wv[0], acc[q + 1]);
            acc[q] = _mm256_fmadd_ps(xv, wv[1], acc[q]);
            if (q > 0)
                acc[q - 1] = _mm256_fmadd_ps(xv, wv[2], acc[q - 1]);
        }
        acc[P - 1] = _mm256_mask3_fmadd_ps(_mm256_set1_ps(right[ci]), wv[2], acc[P - 1], kr);
    }
}

/* Output pixels j0..j0+P-1 of row i of image n: P accumulators, 3 * 3 * ci * P FMAs, one weight
 * load per P FMAs. Rows outside the image are skipped, columns outside are masked. */
CB_AVX512_INLINE void conv_block(const conv_job *job, const conv_dims d, const int P, int n, int i,
                                 int j0)
{
    const int H = job->h, W = job->w;
    float *yp = job->y + (((size_t)n * H + i) * W + j0) * d.ys;
    const __m256 init =
        job->bias ? _mm256_maskz_loadu_ps(d.lanes, job->bias) : _mm256_setzero_ps();
    __m256 acc[MAX_BLOCK]; /* a fixed size, not a VLA, so that it lives in registers */
    CB_AVX512_UNROLL
    for (int p = 0; p < P; p++)
        acc[p] = job->accumulate ? _mm256_maskz_loadu_ps(d.lanes, yp + p * d.ys) : init;
    const int left = j0 > 0, right = j0 + P < W;
    const __mmask8 kl = left ? 0xff : 0, kr = right ? 0xff : 0;
    for (int ky = i > 0 ? 0 : 1; ky <= (i + 1 < H ? 2 : 1); ky++) {
        const float *xr = job->x + (((size_t)n * H + i + ky - 1) * W + j0) * d.xs;
        const float *wk = job->wt + (size_t)ky * 3 * d.ci * d.ws;
        conv_row_taps(acc, d, P, wk, xr, xr - left * d.xs, xr + (P - 1 + right) * d.xs, kl, kr);
    }
    CB_AVX512_UNROLL
    for (int p = 0; p < P; p++) {
        const __m256 v = job->relu ? _mm256_max_ps(acc[p], _mm256_setzero_ps()) : acc[p];
        _mm256_mask_storeu_ps(yp + p * d.ys, d.lanes, v);
    }
}

/* Every output pixel once: each row in blocks of 16 pixels (16 accumulators hide the FMA latency
 * and leave registers for the weights), then of 4, then single pixels. */
CB_AVX512_INLINE void conv_run(const conv_job *job, const conv_dims d)
{
    const int W = job->w;
    for (int n = 0; n < job->n; n++)
        for (int i = 0; i < job->h; i++) {
            int j = 0;
            for (; j + MAX_BLOCK <= W; j += MAX_BLOCK)
                conv_block(job, d, MAX_BLOCK, n, i, j);
            for (; j + 4 <= W; j += 4)
                conv_block(job, d, 4, n, i, j);
            for (; j < W; j++)
                conv_block(job, d, 1, n, i, j);
        }
}

/* Forward: 8 output channels per pass, weights used in place (ws = Cout). */
void cb_conv2d_fwd_avx512(const cb_conv_shape *s, const float *x, const float *w, const float *b,
                           float *y, int relu)
{
    const int CI = s->cin, CO = s->cout;
    for (int co = 0; co < CO; co += 8) {
        const conv_job job = {s->n, s->h, s->w, x, w + co, b + co, y + co, 0, relu};
        if (CO == 8 && CI == 3)
            conv_run(&job, (conv_dims){3, 3, 8, 8, 0xff});
        else if (CO == 8 && CI == 8)
            conv_run(&job, (conv_dims){8, 8, 8, 8, 0xff});
        else
            conv_run(&job, (conv_dims){CI, CI, CO, CO, cb_avx512_mask8(CO - co)});
    }
}

/* Backward-data is the forward convolution of dy with the kernel flipped in ky and kx and
 * transposed in (ci, co). That kernel is built on the stack for 8 input channels (the output
 * lanes) and up to BWD_CO output channels at a time; more output channels accumulate into dx. */
enum { BWD_CO = 32 };

void cb_conv2d_bwd_data_avx512(const cb_conv_shape *s, const float *dy, const float *w, float *dx)
{
    const int CI = s->cin, CO = s->cout;
    _Alignas(64) float wt[9 * BWD_CO * 8]; /* [tap][co][8 ci lanes] */
    for (int ci0 = 0; ci0 < CI; ci0 += 8) {
        const int nci = CI - ci0 < 8 ? CI - ci0 : 8;
        for (int co0 = 0; co0 < CO; co0 += BWD_CO) {
            const int nco = CO - co0 < BWD_CO ? CO - co0 : BWD_CO;
            for (int t = 0; t < 9; t++)
                for (int co = 0; co < nco; co++)
                    for (int l = 0; l < 8; l++)
                        wt[(t * nco + co) * 8 + l] =
                            l < nci ? w[((size_t)(8 - t) * CI + ci0 + l) * CO + co0 + co] : 0.0f;
            const conv_job job = {s->n, s->h, s->w, dy + co0, wt, NULL, dx + ci0, co0 > 0, 0};
            if (CO == 8 && CI == 8)
                conv_run(&job, (conv_dims){8, 8, 8, 8, 0xff});
            else
                conv_run(&job, (conv_dims){CO, nco, 8, CI, cb_avx512_mask8(nci)});
        }
    }
}

/* ---- backward-weights -------------------------------------------------------------------------
 * Streams over the pixels of one image with the gradient of 3 taps (one ky) x up to 8 input
 * channels x 8 output channels in 24 registers: per pixel, one load of dy and 3 * nci FMAs with
 * broadcast x. Passes over (ky, 8 ci, 8 co) chunks run image by image (the image stays in L2),
 * the accumulators carried in dw between images, so each dw element is summed in scalar's order.
 * Every pass also sums dy (on the FP add pipes, which the FMAs leave idle); the ky = 1 pass, the
 * only one that sees every row, stores that sum as db. */

typedef struct wgrad_dims {
    int xs, nci, ds; /* x pixel stride, channels in this pass (<= 8), dy pixel stride */
    __mmask8 lanes;  /* output channels of this 8-lane chunk */
} wgrad_dims;

/* Pixel j of a row (xr, gr: the x row of tap ky, the dy row): acc[kx][c] += x(j + kx - 1, c) *
 * dy(j), dsum += dy(j). left / right say whether the neighbours j - 1 / j + 1 exist; where they
 * do not, their FMAs are masked off and read x(j) instead. */
CB_AVX512_INLINE void wgrad_pixel(__m256 acc[3][8], __m256 *dsum, const wgrad_dims d,
                                  const float *xr, const float *gr, int j, int left, int right)
{
    const __m256 g = _mm256_maskz_loadu_ps(d.lanes, gr + j * d.ds);
    const float *xc = xr + j * d.xs, *xl = xc - left * d.xs, *xn = xc + right * d.xs;
    const __mmask8 kl = left ? 0xff : 0, kr = right ? 0xff : 0;
    *dsum = _mm256_add_ps(*dsum, g);
    CB_AVX512_UNROLL
    for (int c = 0; c < 8; c++)
        if (c < d.nci) {
            acc[0][c] = _mm256_mask3_fmadd_ps(_mm256_set1_ps(xl[c]), g, acc[0][c], kl);
            acc[1][c] = _mm256_fmadd_ps(_mm256_set1_ps(xc[c]), g, acc[1][c]);
            acc[2][c] = _mm256_mask3_fmadd_ps(_mm256_set1_ps(xn[c]), g, acc[2][c], kr);
        }
}

/* One (ky, ci chunk, co chunk) pass over image n, adding to the sums of images 0..n-1 in dw / db.
 * x and dy point at the chunk's first channel, dw at dw[ky][0][ci0][co0], db at db[co0] or is
 * NULL (not this pass's job). */
CB_AVX512_INLINE void wgrad_pass(const cb_conv_shape *s, const wgrad_dims d, int n, int ky,
                                 const float *x, const float *dy, float *dw, float *db)
{
    const int H = s->h, W = s->w;
    const size_t dw_kx = (size_t)s->cin * s->cout; /* dw floats between kx taps */
    __m256 acc[3][8];
    __m256 dsum = n && db ? _mm256_maskz_loadu_ps(d.lanes, db) : _mm256_setzero_ps();
    CB_AVX512_UNROLL
    for (int kx = 0; kx < 3; kx++)
        CB_AVX512_UNROLL
        for (int c = 0; c < 8; c++)
            acc[kx][c] = n && c < d.nci
                             ? _mm256_maskz_loadu_ps(d.lanes, dw + kx * dw_kx + (size_t)c * s->cout)
                             : _mm256_setzero_ps();
    for (int i = ky > 0 ? 0 : 1; i < (ky < 2 ? H : H - 1); i++) {
        const float *xr = x + ((size_t)n * H + i + ky - 1) * W * d.xs;
        const float *gr = dy + ((size_t)n * H + i) * W * d.ds;
        wgrad_pixel(acc, &dsum, d, xr, gr, 0, 0, W > 1);
        for (int j = 1; j < W - 1; j++)
            wgrad_pixel(acc, &dsum, d, xr, gr, j, 1, 1);
        if (W > 1)
            wgrad_pixel(acc, &dsum, d, xr, gr, W - 1, 1, 0);
    }
    CB_AVX512_UNROLL
    for (int kx = 0; kx < 3; kx++)
        CB_AVX512_UNROLL
        for (int c = 0; c < 8; c++)
            if (c < d.nci)
                _mm256_mask_storeu_ps(dw + kx * dw_kx + (size_t)c * s->cout, d.lanes, acc[kx][c]);
    if (db)
        _mm256_mask_storeu_ps(db, d.lanes, dsum);
}

void cb_conv2d_bwd_weights_avx512(const cb_conv_shape *s, const float *x, const float *dy,
                                   float *dw, float *db)
{
    const int CI = s->cin, CO = s->cout;
    for (int n = 0; n < s->n; n++)
        for (int ky = 0; ky < 3; ky++)
            for (int ci = 0; ci < CI; ci += 8)
                for (int co = 0; co < CO; co += 8) {
                    float *dwp = dw + ((size_t)ky * 3 * CI + ci) * CO + co;
                    float *dbp = ky == 1 && ci == 0 ? db + co : NULL;
                    if (CO == 8 && CI == 3)
                        wgrad_pass(s, (wgrad_dims){3, 3, 8, 0xff}, n, ky, x, dy, dwp, dbp);
                    else if (CO == 8 && CI == 8)
                        wgrad_pass(s, (wgrad_dims){8, 8, 8, 0xff}, n, ky, x, dy, dwp, dbp);
                    else
                        wgrad_pass(s,
                                   (wgrad_dims){CI, CI - ci < 8 ? CI - ci : 8, CO,
                                                cb_avx512_mask8(CO - co)},
                                   n, ky, x + ci, dy + co, dwp, dbp);
                }
}
