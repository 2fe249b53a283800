/*
 * dense_avx2.c - fully connected layer, AVX2 + FMA.
 * x [N,In], w [In,Out], b [Out], y/dy [N,Out]; dx [N,In], dw [In,Out], db [Out].
 *
 * Strategy. y = x w and dw = x^T dy are one product, C[m][o] = init[o] + sum_k A[m,k] B[k][o] with
 * B's rows contiguous in o, computed by one register tile: 4 rows of C by 16 columns (8
 * accumulators); per k, 4 broadcasts of A and 2 vector loads of B (masked past the last column).
 * A tile's rows past the last row of C recompute the last row and are not stored, so every shape
 * runs the same tile. dx = dy w^T contracts over o, contiguous in both dy and w: tiles of 2 rows
 * of dy by 4 rows of w keep 8 vectors of partial sums over o, reduced 4 at a time with hadd.
 * Integer-valued inputs whose sums are exact in float give results bit-identical to scalar;
 * db is summed in scalar's order, so it is bit-identical for any input.
 */
#include <immintrin.h>

#include "cb_kernel_impl.h"
#include "cb_mca.h"
#include "vmath_avx2.h"

#define TILE_M 4 /* rows of C per tile */
#define TILE_V 2 /* vectors of 8 columns of C per tile */

/* C [m x cols] = init + A B, A[i][k] at a[i * a_m + k * a_k], B [kdim x cols] row-major. */
typedef struct gemm_args {
    int m, kdim, cols;
    const float *a;
    size_t a_m, a_k;
    const float *b;    /* row stride cols */
    const float *init; /* [cols] added to every row, or NULL for zero */
    float *c;          /* row stride cols */
    int relu;
} gemm_args;

/* Columns o.. of a tile vector: plain loads when the whole tile is inside the matrix (`full`, a
 * constant after inlining), masked ones (zeros past the last column) otherwise. */
CB_AVX2_INLINE __m256 load_cols(const float *p, __m256i mask, int full)
{
    return full ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, mask);
}

/* Rows i..i+TILE_M-1, columns o..o+8*TILE_V-1 of C. */
CB_AVX2_INLINE void gemm_tile(const gemm_args *g, int i, int o, int full)
{
    __m256i mask[TILE_V];
    __m256 acc[TILE_M][TILE_V];
    const float *ap[TILE_M];
    CB_AVX2_UNROLL
    for (int v = 0; v < TILE_V; v++) {
        mask[v] = cb_avx2_tail_mask(g->cols - o - 8 * v);
        const __m256 init = g->init ? load_cols(g->init + o + 8 * v, mask[v], full)
                                    : _mm256_setzero_ps();
        CB_AVX2_UNROLL
        for (int q = 0; q < TILE_M; q++)
            acc[q][v] = init;
    }
    CB_AVX2_UNROLL
    for (int q = 0; q < TILE_M; q++)
        ap[q] = g->a + (size_t)cb_avx2_min_int(i + q, g->m - 1) * g->a_m;
    const float *brow = g->b + o;
    for (int k = 0; k < g->kdim; k++, brow += g->cols) {
        CB_MCA_BEGIN("dense_gemm_avx2");
        __m256 bv[TILE_V];
        CB_AVX2_UNROLL
        for (int v = 0; v < TILE_V; v++)
            bv[v] = load_cols(brow + 8 * v, mask[v], full);
        CB_AVX2_UNROLL
        for (int q = 0; q < TILE_M; q++) {
            const __m256 av = _mm256_broadcast_ss(ap[q]);
            ap[q] += g->a_k;
            CB_AVX2_UNROLL
            for (int v = 0; v < TILE_V; v++)
                acc[q][v] = _mm256_fmadd_ps(av, bv[v], acc[q][v]);
        }
        CB_MCA_END();
    }
    CB_AVX2_UNROLL
    for (int q = 0; q < TILE_M; q++)
        CB_AVX2_UNROLL
        for (int v = 0; v < TILE_V; v++) {
            const int cols = g->cols - o - 8 * v;
            if (i + q >= g->m || cols <= 0)
                continue;
            const __m256 r = g->relu ? _mm256_max_ps(acc[q][v], _mm256_setzero_ps()) : acc[q][v];
            cb_avx2_storen(g->c + (size_t)(i + q) * g->cols + o + 8 * v, r, cols);
        }
}

static void gemm(const gemm_args *g)
{
    for (int i = 0; i < g->m; i += TILE_M) {
        int o = 0;
        for (; o + 8 * TILE_V <= g->cols; o += 8 * TILE_V)
            gemm_tile(g, i, o, 1);
        if (o < g->cols)
            gemm_tile(g, i, o, 0);
    }
}

/* y [N,Out] = x [N,In] w [In,Out] + b, ReLU fused when relu != 0. */
void cb_dense_fwd_avx2(int n, int in, int out, const float *x, const float *w, const float *b,
                       float *y, int relu)
{
    const gemm_args g = {n, in, out, x, (size_t)in, 1, w, b, y, relu};
    gemm(&g);
}

/* [sum a, sum b, sum c, sum d] */
static inline __m128 reduce4(__m256 a, __m256 b, __m256 c, __m256 d)
{
    const __m256 s = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
    return _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
}

/* Stores the first min(lanes, 4) of v; the masked store (slow on AMD) only for a tail. */
static inline void store4(float *p, __m128 v, int lanes)
{
    if (lanes >= 4)
        _mm_storeu_ps(p, v);
    else
        _mm_maskstore_ps(p, _mm256_castsi256_si128(cb_avx2_tail_mask(lanes)), v);
}

/* dx[r][i] = sum_o dy[r][o] w[i][o] for rows r, r+1 and i..i+3 (those that exist); `full` (a
 * constant after inlining) says Out is a multiple of 8, so no load needs a mask. */
CB_AVX2_INLINE void dx_tile(int n, int in, int out, const float *w, const float *dy, float *dx,
                            int r, int i, int full)
{
    const float *d0 = dy + (size_t)r * out;
    const float *d1 = dy + (size_t)cb_avx2_min_int(r + 1, n - 1) * out;
    const float *wrow[4];
    __m256 acc0[4], acc1[4];
    CB_AVX2_UNROLL
    for (int q = 0; q < 4; q++) {
        wrow[q] = w + (size_t)cb_avx2_min_int(i + q, in - 1) * out;
        acc0[q] = acc1[q] = _mm256_setzero_ps();
    }
    for (int o = 0; o < out; o += 8) {
        CB_MCA_BEGIN("dense_bwd_data_avx2");
        const __m256i mask = cb_avx2_tail_mask(out - o);
        const __m256 dv0 = load_cols(d0 + o, mask, full), dv1 = load_cols(d1 + o, mask, full);
        CB_AVX2_UNROLL
        for (int q = 0; q < 4; q++) {
            const __m256 wv = load_cols(wrow[q] + o, mask, full);
            acc0[q] = _mm256_fmadd_ps(dv0, wv, acc0[q]);
            acc1[q] = _mm256_fmadd_ps(dv1, wv, acc1[q]);
        }
        CB_MCA_END();
    }
    store4(dx + (size_t)r * in + i, reduce4(acc0[0], acc0[1], acc0[2], acc0[3]), in - i);
    if (r + 1 < n)
        store4(dx + (size_t)(r + 1) * in + i, reduce4(acc1[0], acc1[1], acc1[2], acc1[3]), in - i);
}

/* i outer: the 4 rows of w stay in L1 while dy (small) is swept. */
CB_AVX2_INLINE void dx_all(int n, int in, int out, const float *w, const float *dy, float *dx,
                           int full)
{
    for (int i = 0; i < in; i += 4)
        for (int r = 0; r < n; r += 2)
            dx_tile(n, in, out, w, dy, dx, r, i, full);
}

/* dw = x^T dy (the tile) and db = column sums of dy (scalar's order) unless dw is NULL; dx = dy w^T
 * unless NULL. */
void cb_dense_bwd_avx2(int n, int in, int out, const float *x, const float *w, const float *dy,
                       float *dx, float *dw, float *db)
{
    if (dw) {
        /* dw [In x Out] = x^T dy: A[i][r] = x[r * in + i]. */
        const gemm_args g = {in, n, out, x, 1, (size_t)in, dy, NULL, dw, 0};
        gemm(&g);
        for (int o = 0; o < out; o += 8) {
            __m256 s = _mm256_setzero_ps();
            for (int r = 0; r < n; r++)
                s = _mm256_add_ps(s, cb_avx2_loadn(dy + (size_t)r * out + o, out - o));
            cb_avx2_storen(db + o, s, out - o);
        }
    }
    if (dx && out % 8 == 0)
        dx_all(n, in, out, w, dy, dx, 1);
    else if (dx)
        dx_all(n, in, out, w, dy, dx, 0);
}
