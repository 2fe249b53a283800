/*
 * dense_avx2.c - fully connected layer, AVX2 + FMA.
 * x [N,In], w [In,Out], b [Out], y/dy [N,Out]; dx [N,In], dw [In,Out], db [Out].
 *
 * The three products are one gemm (cb_dense_gemm.h: the layouts, the entry points, dx over w^T
 * tiles); this file has its register blocks.
 * A block is 6 rows x 16 lanes: 12 accumulators, 2 B vectors and a broadcast take 15 of the 16
 * registers, and 12 independent FMA chains cover the FMA latency of two pipes (4 cycles x 2) with
 * room to spare, where 8 chains (4 x 16) leave none. Each step of k loads the B row once,
 * broadcasts one A value per row and does one FMA per accumulator. Leftover rows go through blocks
 * of 4 rows x 16 lanes (dense1's weight gradient comes in blocks of 4 rows: one block, every B row
 * loaded once), then 2 and 1 rows x 32 lanes. A lane tail is a masked load, and its store writes
 * 4-, 2- and 1-float pieces with plain stores (a vmaskmovps store is microcoded on AMD).
 * db is summed in scalar's order, bit-identical for any input.
 */
#include <immintrin.h>

#include "cb_dense_gemm.h"
#include "cb_kernel_impl.h"
#include "cb_mca.h"
#include "vmath_avx2.h"

enum { MAX_ROWS = 6, MAX_VECS = 4 }; /* register blocks: 6 x 2, 4 x 2, 2 x 4 or 1 x 4 vectors */

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
CB_AVX2_INLINE void gemm_block(const cb_gemm *g, int r0, int l0, const int R, const int V,
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
            bv[v] = FULL ? _mm256_loadu_ps(brow + 8 * v)
                         : _mm256_maskload_ps(brow + 8 * v, mask[v]);
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
CB_AVX2_INLINE void gemm_rows(const cb_gemm *g, int r0, const int R)
{
    const int V = R <= 2 ? 4 : 2;
    int l0 = 0;
    for (; l0 + 8 * V <= g->lanes; l0 += 8 * V)
        gemm_block(g, r0, l0, R, V, 1);
    if (l0 < g->lanes)
        gemm_block(g, r0, l0, R, V, 0);
}

static void gemm_run(const cb_gemm *g)
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

/* db[o] = sum_r dy[r][o] for the n rows of dy [n][out], r in order. */
static void column_sums(int n, int out, const float *dy, float *db)
{
    for (int o = 0; o < out; o += 8) {
        __m256 s = _mm256_setzero_ps();
        for (int r = 0; r < n; r++)
            s = _mm256_add_ps(s, cb_avx2_loadn(dy + (size_t)r * out + o, out - o));
        store_lanes(db + o, s, out - o);
    }
}

CB_DENSE_ENTRY_POINTS(avx2)
