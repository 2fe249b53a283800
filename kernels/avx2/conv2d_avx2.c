/*
 * conv2d_avx2.c - 3x3 stride-1 "same" convolution, AVX2 + FMA.
 *
 * Layouts (cb_kernels.h): x [N,H,W,Cin], y/dy [N,H,W,Cout], w [3,3,Cin,Cout] (HWIO), b [Cout].
 * Output channels go in chunks of 8, one __m256 per pixel and chunk (Cout = 8: one chunk); a
 * partial last chunk is masked, so any shape works and no access leaves a buffer.
 *
 * Forward and backward-data share one engine (conv_engine): out[p, 8 lanes] = init +
 * sum_{tap,k} in[p + tap, k] * wp[tap][k][lane], with the weights repacked on the stack as
 * wp [9][kc][8]. For the forward pass wp is a chunk of w; backward-data is the same convolution run
 * over dy with the kernel flipped (tap -> 8 - tap) and its channel roles swapped.
 *
 * Engine blocking: PX_BLOCK = 8 output pixels along a row are 8 accumulators. For each kernel row
 * ky and input channel k the three weight vectors (kx = 0, 1, 2) are loaded once, then each of the
 * 10 input pixels the block touches is broadcast once and FMA'd into the (up to) 3 accumulators
 * it feeds ("scatter"): 13 loads per 24 FMAs, 12 of 16 registers. Zero padding needs no checks
 * inside the block except whether its first/last input column exists; row padding narrows the ky
 * range. A row's leftover pixels (W % 8) run the same code with a block of one.
 */
#include <immintrin.h>

#include "cb_kernel_impl.h"
#include "cb_mca.h"
#include "cb_transpose8x8.h"
#include "vmath_avx2.h"

#define LANES 8        /* channels per vector */
#define PX_BLOCK 8     /* output pixels per register block */
#define KC_MAX 32      /* input channels per engine pass (packed weights: 9 * KC_MAX * LANES) */
#define ROW_PIXELS 256 /* backward-weights: pixels per row chunk, so its x and dy stay in L1 */

/* ---- forward / backward-data engine ------------------------------------------------------ */

/* One engine pass: a chunk of (up to) 8 output channels and kc input channels over the batch. */
typedef struct conv_pass {
    int n, h, w;
    int row_begin, row_end; /* the band of output rows */
    const float *in;  /* first input channel of the pass, pixel 0 of image 0 */
    int in_px;        /* floats between input pixels */
    int kc;           /* input channels in the pass */
    const float *wp;  /* packed weights [9][kc][LANES] */
    float *out;       /* first output channel of the chunk, pixel 0 of image 0 */
    int out_px;       /* floats between output pixels */
    int lanes;        /* output channels in the chunk (<= 8; the rest of the vector is unused) */
    __m256 init;      /* start value (bias chunk or 0) of the first pass */
    int accumulate;   /* later passes start from out instead */
    int relu;         /* last pass of a forward convolution with fused ReLU */
} conv_pass;

/* Output pixels (i, j..j+P-1) of one image; P, KC and IPX are constants after inlining. */
CB_AVX2_INLINE void engine_block(const conv_pass *cp, const float *in, float *out, int i, int j,
                                 int P, int KC, int IPX)
{
    const int W = cp->w;
    const int ky0 = i == 0 ? 1 : 0, ky1 = i == cp->h - 1 ? 1 : 2;
    const int left = j > 0, right = j + P < W; /* input columns j-1 and j+P exist */
    float *o = out + ((size_t)i * W + j) * cp->out_px;
    __m256 acc[PX_BLOCK];
    CB_AVX2_UNROLL
    for (int p = 0; p < P; p++)
        acc[p] = cp->accumulate ? cb_avx2_loadn(o + (size_t)p * cp->out_px, cp->lanes)
                                : cp->init;
    for (int ky = ky0; ky <= ky1; ky++) {
        /* Input pixel (i + ky - 1, j): every column of the block is a constant offset from it. */
        const float *xj = in + ((size_t)(i + ky - 1) * W + j) * IPX;
        const float *wk = cp->wp + (size_t)ky * 3 * KC * LANES;
        for (int k = 0; k < KC; k++) {
            CB_MCA_BEGIN("conv2d_fwd_avx2");
            const __m256 w0 = _mm256_loadu_ps(wk + (size_t)k * LANES);
            const __m256 w1 = _mm256_loadu_ps(wk + (size_t)(KC + k) * LANES);
            const __m256 w2 = _mm256_loadu_ps(wk + (size_t)(2 * KC + k) * LANES);
            /* Input column j-1+c feeds output j+c (kx 0), j+c-1 (kx 1), j+c-2 (kx 2). */
            CB_AVX2_UNROLL
            for (int c = 0; c < P + 2; c++) {
                if ((c == 0 && !left) || (c == P + 1 && !right))
                    continue;
                const __m256 v = _mm256_broadcast_ss(xj + (ptrdiff_t)(c - 1) * IPX + k);
                if (c < P)
                    acc[c] = _mm256_fmadd_ps(v, w0, acc[c]);
                if (c >= 1 && c <= P)
                    acc[c - 1] = _mm256_fmadd_ps(v, w1, acc[c - 1]);
                if (c >= 2)
                    acc[c - 2] = _mm256_fmadd_ps(v, w2, acc[c - 2]);
            }
            CB_MCA_END();
        }
    }
    CB_AVX2_UNROLL
    for (int p = 0; p < P; p++) {
        const __m256 r = cp->relu ? _mm256_max_ps(acc[p], _mm256_setzero_ps()) : acc[p];
        cb_avx2_storen(o + (size_t)p * cp->out_px, r, cp->lanes);
    }
}

CB_AVX2_INLINE void engine_rows(const conv_pass *cp, int KC, int IPX)
{
    const size_t in_img = (size_t)cp->h * cp->w * cp->in_px;
    const size_t out_img = (size_t)cp->h * cp->w * cp->out_px;
    for (int n = 0; n < cp->n; n++) {
        const float *in = cp->in + n * in_img;
        float *out = cp->out + n * out_img;
        for (int i = cp->row_begin; i < cp->row_end; i++) {
            int j = 0;
            for (; j + PX_BLOCK <= cp->w; j += PX_BLOCK)
                engine_block(cp, in, out, i, j, PX_BLOCK, KC, IPX);
            for (; j < cp->w; j++)
                engine_block(cp, in, out, i, j, 1, KC, IPX);
        }
    }
}

/* wp[t][k][l] for tap t, input channel k0 + k, output lane c0 + l (0 past the last channel).
 * Forward: w[t][k][l], one (masked) vector copy per (t, k). Transposed (backward-data):
 * w[8 - t][l][k], with the w dimensions named from the forward convolution's point of view (ci = CI
 * lanes, co = CO input channels): per tap an 8 x 8 transpose of w's [lanes][kc] block, whose
 * rows past kc (rounded up to 8) spill into the next tap's block before it is written, or into
 * the unused rest of wp after the last tap (kc <= KC_MAX and KC_MAX a multiple of 8). */
static void pack_weights(float *wp, const float *w, int CI, int CO, int transposed, int c0,
                         int lanes, int k0, int kc)
{
    for (int t = 0; t < 9; t++) {
        float *dst = wp + (size_t)t * kc * LANES;
        if (transposed)
            cb_transpose_rows(w + ((size_t)(8 - t) * CI + c0) * CO + k0, CO, lanes, kc, dst, LANES);
        else
            for (int k = 0; k < kc; k++)
                _mm256_store_ps(dst + (size_t)k * LANES,
                                cb_avx2_loadn(w + ((size_t)t * CI + k0 + k) * CO + c0, lanes));
    }
}

/* out [N,H,W,out_ch] = conv(in [N,H,W,in_ch]) with w as described at pack_weights. */
static void conv_engine(const cb_conv_shape *s, const float *in, int in_ch, const float *w,
                        int transposed, const float *bias, float *out, int out_ch, int relu)
{
    _Alignas(32) float wp[9 * KC_MAX * LANES];
    for (int c0 = 0; c0 < out_ch; c0 += LANES) {
        const int lanes = cb_avx2_min_int(LANES, out_ch - c0);
        const __m256 init = bias ? cb_avx2_loadn(bias + c0, lanes) : _mm256_setzero_ps();
        for (int k0 = 0; k0 < in_ch; k0 += KC_MAX) {
            const int kc = cb_avx2_min_int(KC_MAX, in_ch - k0);
            pack_weights(wp, w, s->cin, s->cout, transposed, c0, lanes, k0, kc);
            const conv_pass cp = {.n = s->n, .h = s->h, .w = s->w,
                                  .row_begin = s->row_begin, .row_end = cb_conv_row_end(s),
                                  .in = in + k0, .in_px = in_ch, .kc = kc, .wp = wp,
                                  .out = out + c0, .out_px = out_ch, .lanes = lanes,
                                  .init = init, .accumulate = k0 > 0,
                                  .relu = relu && k0 + kc == in_ch};
            /* Compile-time channel counts for the reference network's layers. */
            if (kc == 3 && in_ch == 3)
                engine_rows(&cp, 3, 3);
            else if (kc == 8 && in_ch == 8)
                engine_rows(&cp, 8, 8);
            else
                engine_rows(&cp, kc, in_ch);
        }
    }
}

/* x [N,H,W,Cin], w [3,3,Cin,Cout], b [Cout] -> y [N,H,W,Cout], ReLU fused when relu != 0. */
void cb_conv2d_fwd_avx2(const cb_conv_shape *s, const float *x, const float *w, const float *b,
                         float *y, int relu)
{
    conv_engine(s, x, s->cin, w, 0, b, y, s->cout, relu);
}

/* dy [N,H,W,Cout], w -> dx [N,H,W,Cin]: the engine over dy with the flipped, transposed kernel.
 * Cin < 8 leaves lanes idle (Cin = 3: 3 of 8; conv1's backward-data, which training skips). */
void cb_conv2d_bwd_data_avx2(const cb_conv_shape *s, const float *dy, const float *w, float *dx)
{
    conv_engine(s, dy, s->cout, w, 1, NULL, dx, s->cin, 0);
}

/* ---- backward-weights ------------------------------------------------------------------------
 * Per chunk of 8 output channels, dw[ky][kx][ci] is one vector: sum over pixels of
 * x[p + tap][ci] (broadcast) * dy[p] (vector). A pass holds the 3 kx taps of one kernel row ky for
 * a block of CB <= 4 input channels in registers (3*CB accumulators + 3 dy vectors + 1 broadcast
 * <= 16 registers) and scans a chunk of rows: input column c feeds kx = 0, 1, 2 with dy columns
 * c+1, c, c-1, so each dy vector is loaded once and slides through three registers, and each x
 * value is broadcast once for 3 FMAs. Passes run per chunk of ROW_PIXELS pixels, so x and dy
 * come from L1 on every pass after the first; the accumulators go back to dw between chunks.
 */

typedef struct wgrad_pass {
    const cb_conv_shape *s;
    const float *x;  /* image base */
    const float *dy; /* image base, first channel of the chunk */
    float *dw;       /* first channel of the chunk */
    int lanes; /* channels in the chunk */
    int ky, ci0;
    int i0, i1; /* output rows of the chunk */
} wgrad_pass;

/* acc[kx][q] += x[c][q] * d_kx for the kx taps that exist at this column. */
CB_AVX2_INLINE void wgrad_column(__m256 acc[3][4], const float *xc, int CB, __m256 d0,
                                 __m256 d1, __m256 d2, int has0, int has2)
{
    CB_AVX2_UNROLL
    for (int q = 0; q < CB; q++) {
        const __m256 v = _mm256_broadcast_ss(xc + q);
        if (has0)
            acc[0][q] = _mm256_fmadd_ps(v, d0, acc[0][q]);
        acc[1][q] = _mm256_fmadd_ps(v, d1, acc[1][q]);
        if (has2)
            acc[2][q] = _mm256_fmadd_ps(v, d2, acc[2][q]);
    }
}

CB_AVX2_INLINE void wgrad_block(const wgrad_pass *wg, int CB)
{
    const int H = wg->s->h, W = wg->s->w, CI = wg->s->cin, CO = wg->s->cout;
    float *dw = wg->dw + ((size_t)wg->ky * 3 * CI + wg->ci0) * CO;
    __m256 acc[3][4];
    CB_AVX2_UNROLL
    for (int kx = 0; kx < 3; kx++)
        CB_AVX2_UNROLL
        for (int q = 0; q < CB; q++)
            acc[kx][q] = cb_avx2_loadn(dw + ((size_t)kx * CI + q) * CO, wg->lanes);
    for (int i = wg->i0; i < wg->i1; i++) {
        const int yy = i + wg->ky - 1;
        if (yy < 0 || yy >= H)
            continue;
        const float *xr = wg->x + (size_t)yy * W * CI + wg->ci0;
        const float *dr = wg->dy + (size_t)i * W * CO;
        const __m256 zero = _mm256_setzero_ps();
        __m256 dprev = zero, dcur = cb_avx2_loadn(dr, wg->lanes);
        __m256 dnext = W > 1 ? cb_avx2_loadn(dr + CO, wg->lanes) : zero;
        wgrad_column(acc, xr, CB, dnext, dcur, dprev, W > 1, 0);
        for (int c = 1; c < W - 1; c++) {
            CB_MCA_BEGIN("conv2d_bwd_weights_avx2");
            dprev = dcur;
            dcur = dnext;
            dnext = cb_avx2_loadn(dr + (size_t)(c + 1) * CO, wg->lanes);
            wgrad_column(acc, xr + (size_t)c * CI, CB, dnext, dcur, dprev, 1, 1);
            CB_MCA_END();
        }
        if (W > 1)
            wgrad_column(acc, xr + (size_t)(W - 1) * CI, CB, zero, dnext, dcur, 0, 1);
    }
    CB_AVX2_UNROLL
    for (int kx = 0; kx < 3; kx++)
        CB_AVX2_UNROLL
        for (int q = 0; q < CB; q++)
            cb_avx2_storen(dw + ((size_t)kx * CI + q) * CO, acc[kx][q], wg->lanes);
}

/* Sum of dy over rows i0..i1-1 of one image, in 4 partial sums against the add latency. */
static __m256 sum_rows(const cb_conv_shape *s, const float *dy, int i0, int i1, int lanes)
{
    const size_t stride = s->cout, end = (size_t)i1 * s->w;
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t p = (size_t)i0 * s->w;
    for (; p + 4 <= end; p += 4) {
        s0 = _mm256_add_ps(s0, cb_avx2_loadn(dy + p * stride, lanes));
        s1 = _mm256_add_ps(s1, cb_avx2_loadn(dy + (p + 1) * stride, lanes));
        s2 = _mm256_add_ps(s2, cb_avx2_loadn(dy + (p + 2) * stride, lanes));
        s3 = _mm256_add_ps(s3, cb_avx2_loadn(dy + (p + 3) * stride, lanes));
    }
    for (; p < end; p++)
        s0 = _mm256_add_ps(s0, cb_avx2_loadn(dy + p * stride, lanes));
    return _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));
}

/* x [N,H,W,Cin], dy [N,H,W,Cout] -> dw [3,3,Cin,Cout], db [Cout]: per chunk of 8 output
 * channels, dw is zeroed, then every chunk of the band's rows of every image runs the passes of all (ky, ci
 * block) pairs while it is in L1; db is summed on the same chunks. */
void cb_conv2d_bwd_weights_avx2(const cb_conv_shape *s, const float *x, const float *dy,
                                 float *dw, float *db)
{
    const int H = s->h, W = s->w, CI = s->cin, CO = s->cout;
    const int rows = W < ROW_PIXELS ? ROW_PIXELS / W : 1;
    for (int c0 = 0; c0 < CO; c0 += LANES) {
        const int lanes = cb_avx2_min_int(LANES, CO - c0);
        for (int t = 0; t < 9 * CI; t++)
            cb_avx2_storen(dw + (size_t)t * CO + c0, _mm256_setzero_ps(), lanes);
        __m256 dbsum = _mm256_setzero_ps();
        for (int n = 0; n < s->n; n++) {
            const float *xn = x + (size_t)n * H * W * CI;
            const float *dyn = dy + (size_t)n * H * W * CO + c0;
            for (int i0 = s->row_begin; i0 < cb_conv_row_end(s); i0 += rows) {
                const int i1 = cb_avx2_min_int(cb_conv_row_end(s), i0 + rows);
                dbsum = _mm256_add_ps(dbsum, sum_rows(s, dyn, i0, i1, lanes));
                for (int ky = 0; ky < 3; ky++)
                    for (int ci0 = 0; ci0 < CI; ci0 += 4) {
                        const wgrad_pass wg = {s, xn, dyn, dw + c0, lanes, ky, ci0, i0, i1};
                        /* Constant block widths: 3 for Cin = 3, 4 + 4 for Cin = 8. */
                        switch (cb_avx2_min_int(4, CI - ci0)) {
                        case 4: wgrad_block(&wg, 4); break;
                        case 3: wgrad_block(&wg, 3); break;
                        case 2: wgrad_block(&wg, 2); break;
                        default: wgrad_block(&wg, 1); break;
                        }
                    }
            }
        }
        cb_avx2_storen(db + c0, dbsum, lanes);
    }
}
