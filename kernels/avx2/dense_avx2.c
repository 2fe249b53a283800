/*
 * dense_avx2.c - fully connected layer, AVX2 + FMA.
 * x [N,In], w [In,Out], b [Out], y/dy [N,Out]; dx [N,In], dw [In,Out], db [Out].
 *
 * Strategy: all three products are one register-blocked micro-kernel,
 *   C[a][o] = init[a][o] + sum_k A(a, k) * B[k][o],
 * with A read by broadcasts at any strides and B read in rows of 16 lanes (masked at the end):
 *   forward  y  = b + x w       A = x,    B = w,     k = input index
 *   weights  dw = x^T dy        A = x^T,  B = dy,    k = row (batch) index
 *   data     dx = dy w^T        A = dy,   B = w^T,   k = output index
 * A block is 6 rows x 16 lanes: 12 accumulators, 2 B vectors and a broadcast take 15 of the 16
 * registers, and 12 independent FMA chains cover the FMA latency of two pipes (4 cycles x 2) with
 * room to spare, where 8 chains (4 x 16) leave none. Each step of k loads the B row once,
 * broadcasts one A value per row and does one FMA per accumulator. Leftover rows go through blocks
 * of 4 rows x 16 lanes (dense1's weight gradient comes in blocks of 4 rows: one block, every B row
 * loaded once), then 2 and 1 rows x 32 lanes. A lane tail is a masked load, and its store writes
 * 4-, 2- and 1-float pieces with plain stores (a vmaskmovps store is microcoded on AMD).
 * w^T is not stored anywhere, so dx transposes w, a tile of 64 x 32 at a time in 8 x 8 register
 * transposes, into a stack buffer and accumulates into dx over tiles of k. Each output is summed
 * in scalar's order (one FMA per term, k in order), so integer-valued inputs whose sums are exact
 * in float give scalar's bits; db is summed in scalar's order, bit-identical for any input.
 */
#include <immintrin.h>

#include "cb_kernel_impl.h"
#include "cb_mca.h"
#include "transpose_avx2.h"
#include "vmath_avx2.h"

enum { TILE_K = 64, TILE_LANES = 32 }; /* the w^T tile of dx: k x lanes */
enum { MAX_ROWS = 6, MAX_VECS = 4 }; /* register blocks: 6 x 2, 4 x 2, 2 x 4 or 1 x 4 vectors */

typedef struct gemm {
    int rows, lanes, k;       /* C is rows x lanes; k terms per output */
    const float *a;           /* A(r, k) = a[r * a_rs + k * a_ks] */
    ptrdiff_t a_rs, a_ks;
    const float *b;           /* B row k at b + k * b_ks */
    ptrdiff_t b_ks;
    float *c;                 /* C row r at c + r * c_rs */
    ptrdiff_t c_rs;
    const float *init;        /* NULL (zero) or init row r at init + r * init_rs */
    ptrdiff_t init_rs;
    int relu;
} gemm;

/* The first clamp(lanes, 0, 8) floats of v to p, with plain stores only. */
CB_AVX2_INLINE void store_lanes(float *p, __m256 v, int lanes)
{
    if (lanes >= 8) {
        _mm256_storeu_ps(p, v);
        return;
    }
    __m128 h = _mm256_castps256_ps128(v);
    if (lanes >= 4) {
        _mm_storeu_ps(p, h);
        h = _mm256_extractf128_ps(v, 1);
        p += 4;
        lanes -= 4;
    }
    if (lanes >= 2) {
        _mm_storel_pi((__m64 *)(void *)p, h);
        h = _mm_movehl_ps(h, h);
        p += 2;
        lanes -= 2;
    }
    if (lanes >= 1)
        _mm_store_ss(p, h);
}

/* Rows r0 .. r0 + R - 1 and lanes l0 .. l0 + 8 V - 1 of C (those inside it); R, V and FULL (all
 * 8 V lanes inside) are constants after inlining. */
CB_AVX2_INLINE void gemm_block(const gemm *g, int r0, int l0, const int R, const int V,
                               const int FULL)
{
    __m256i mask[MAX_VECS];
    __m256 acc[MAX_ROWS][MAX_VECS];
    const float *ap[MAX_ROWS];
    CB_AVX2_UNROLL
    for (int v = 0; v < V; v++)
        mask[v] = cb_avx2_tail_mask(g->lanes - l0 - 8 * v);
    CB_AVX2_UNROLL
    for (int q = 0; q < R; q++) {
        ap[q] = g->a + (size_t)(r0 + q) * g->a_rs;
        const float *init = g->init ? g->init + (size_t)(r0 + q) * g->init_rs + l0 : NULL;
        CB_AVX2_UNROLL
        for (int v = 0; v < V; v++)
            acc[q][v] = !init ? _mm256_setzero_ps()
                        : FULL ? _mm256_loadu_ps(init + 8 * v)
                               : _mm256_maskload_ps(init + 8 * v, mask[v]);
    }
    const float *brow = g->b + l0;
    for (int k = 0; k < g->k; k++, brow += g->b_ks) {
        CB_MCA_BEGIN("dense_gemm_avx2");
        __m256 bv[MAX_VECS];
        CB_AVX2_UNROLL
        for (int v = 0; v < V; v++)
            bv[v] = FULL ? _mm256_loadu_ps(brow + 8 * v) : _mm256_maskload_ps(brow + 8 * v, mask[v]);
        CB_AVX2_UNROLL
        for (int q = 0; q < R; q++) {
            const __m256 av = _mm256_broadcast_ss(ap[q]);
            ap[q] += g->a_ks;
            CB_AVX2_UNROLL
            for (int v = 0; v < V; v++)
                acc[q][v] = _mm256_fmadd_ps(av, bv[v], acc[q][v]);
        }
        CB_MCA_END();
    }
    CB_AVX2_UNROLL
    for (int q = 0; q < R; q++)
        CB_AVX2_UNROLL
        for (int v = 0; v < V; v++) {
            const __m256 r = g->relu ? _mm256_max_ps(acc[q][v], _mm256_setzero_ps()) : acc[q][v];
            float *c = g->c + (size_t)(r0 + q) * g->c_rs + l0 + 8 * v;
            if (FULL)
                _mm256_storeu_ps(c, r);
            else
                store_lanes(c, r, g->lanes - l0 - 8 * v);
        }
}

/* Rows r0 .. r0 + R - 1 of C, every lane: blocks of 16 lanes, or 32 for 1 or 2 rows (4 or 8
 * FMA chains rather than 2 or 4; GCC keeps larger blocks' accumulator arrays on the stack). */
CB_AVX2_INLINE void gemm_rows(const gemm *g, int r0, const int R)
{
    const int V = R <= 2 ? 4 : 2;
    int l0 = 0;
    for (; l0 + 8 * V <= g->lanes; l0 += 8 * V)
        gemm_block(g, r0, l0, R, V, 1);
    if (l0 < g->lanes)
        gemm_block(g, r0, l0, R, V, 0);
}

static void gemm_run(const gemm *g)
{
    int r0 = 0;
    for (; r0 + MAX_ROWS <= g->rows; r0 += MAX_ROWS)
        gemm_rows(g, r0, MAX_ROWS);
    if (r0 + 4 <= g->rows) {
        gemm_rows(g, r0, 4);
        r0 += 4;
    }
    if (r0 + 2 <= g->rows) {
        gemm_rows(g, r0, 2);
        r0 += 2;
    }
    if (r0 < g->rows)
        gemm_rows(g, r0, 1);
}

/* y [N,Out] = x [N,In] w [In,Out] + b, ReLU fused when relu != 0. */
void cb_dense_fwd_avx2(int n, int in, int out, const float *x, const float *w, const float *b,
                       float *y, int relu)
{
    const gemm g = {.rows = n, .lanes = out, .k = in,
                    .a = x, .a_rs = in, .a_ks = 1,
                    .b = w, .b_ks = out,
                    .c = y, .c_rs = out,
                    .init = b, .init_rs = 0, .relu = relu};
    gemm_run(&g);
}

/* dx = dy w^T, TILE_LANES columns of dx at a time, k (= output index) in tiles of TILE_K. */
static void dense_bwd_data(int n, int in, int out, const float *w, const float *dy, float *dx)
{
    _Alignas(32) float wt[TILE_K * TILE_LANES]; /* wt[k][l] = w[i0 + l][k0 + k] */
    for (int i0 = 0; i0 < in; i0 += TILE_LANES) {
        const int lanes = cb_avx2_min_int(TILE_LANES, in - i0);
        for (int k0 = 0; k0 < out; k0 += TILE_K) {
            const int kc = cb_avx2_min_int(TILE_K, out - k0);
            for (int l8 = 0; l8 < lanes; l8 += 8)
                transpose_rows(w + (size_t)(i0 + l8) * out + k0, out, lanes - l8, kc,
                               wt + l8, TILE_LANES);
            const gemm g = {.rows = n, .lanes = lanes, .k = kc,
                            .a = dy + k0, .a_rs = out, .a_ks = 1,
                            .b = wt, .b_ks = TILE_LANES,
                            .c = dx + i0, .c_rs = in,
                            .init = k0 ? dx + i0 : NULL, .init_rs = in, .relu = 0};
            gemm_run(&g);
        }
    }
}

/* dw = x^T dy and db = column sums of dy (scalar's order) unless dw is NULL; dx = dy w^T unless
 * dx is NULL. */
void cb_dense_bwd_avx2(int n, int in, int out, const float *x, const float *w, const float *dy,
                       float *dx, float *dw, float *db)
{
    if (dw) {
        const gemm g = {.rows = in, .lanes = out, .k = n,
                        .a = x, .a_rs = 1, .a_ks = in,
                        .b = dy, .b_ks = out,
                        .c = dw, .c_rs = out,
                        .init = NULL, .init_rs = 0, .relu = 0};
        gemm_run(&g);
        for (int o = 0; o < out; o += 8) {
            __m256 s = _mm256_setzero_ps();
            for (int r = 0; r < n; r++)
                s = _mm256_add_ps(s, cb_avx2_loadn(dy + (size_t)r * out + o, out - o));
            store_lanes(db + o, s, out - o);
        }
    }
    if (dx)
        dense_bwd_data(n, in, out, w, dy, dx);
}
