/*
 * dense_avx512.c - fully connected layer, AVX-512.
 * x [N,In], w [In,Out], b [Out], y/dy [N,Out]; dx [N,In], dw [In,Out], db [Out].
 *
 * Strategy: all three products are one register-blocked micro-kernel,
 *   C[a][o] = init[a][o] + sum_k A(a, k) * B[k][o],
 * with A read by broadcasts at any strides and B read in rows of 16 lanes (masked at the end):
 *   forward  y  = b + x w       A = x,    B = w,     k = input index
 *   weights  dw = x^T dy        A = x^T,  B = dy,    k = row (batch) index
 *   data     dx = dy w^T        A = dy,   B = w^T,   k = output index
 * A block is 8 rows x 32 lanes (16 accumulators) when the row is wider than 16 lanes, else
 * 16 rows x 16 lanes; each step of k loads the B row once and does one FMA per accumulator
 * (Out = 32 and 10 in the reference network). Leftover rows go through a 1-row block. w^T is
 * not stored anywhere, so dx transposes w, a tile of 64 x 32 at a time in 8 x 8 register
 * transposes, into a stack buffer and accumulates into dx over tiles of k. Each output is summed
 * in scalar's order (one FMA per term).
 */
#include "cb_kernel_impl.h"
#include "cb_mca.h"
#include "vmath_avx512.h"

enum { TILE_K = 64, TILE_LANES = 32 }; /* the w^T tile of dx: k x lanes */
enum { MAX_ROWS = 16, MAX_VECS = 2 };  /* the largest register block, rows x vectors of 16 lanes */

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

/* Rows r0..r0+IB-1, lanes l0..l0+16*OC-1 (masked to g->lanes). */
CB_AVX512_INLINE void gemm_block(const gemm *g, const int IB, const int OC, int r0, int l0)
{
    /* Fixed-size arrays (not VLAs), so that the compiler keeps the used part in registers. */
    __mmask16 lane_mask[MAX_VECS];
    __m512 acc[MAX_ROWS][MAX_VECS];
    const float *arow[MAX_ROWS];
    CB_AVX512_UNROLL
    for (int v = 0; v < OC; v++)
        lane_mask[v] = cb_avx512_mask16(g->lanes - l0 - 16 * v);
    CB_AVX512_UNROLL
    for (int r = 0; r < IB; r++) {
        arow[r] = g->a + (r0 + r) * g->a_rs;
        const float *init = g->init ? g->init + (r0 + r) * g->init_rs + l0 : NULL;
        CB_AVX512_UNROLL
        for (int v = 0; v < OC; v++)
            acc[r][v] = init ? _mm512_maskz_loadu_ps(lane_mask[v], init + 16 * v)
                             : _mm512_setzero_ps();
    }
    for (int k = 0; k < g->k; k++) {
        if (OC == 2) /* one llvm-mca region per block shape (bench/mca) */
            CB_MCA_BEGIN("dense_gemm_8x32_avx512");
        else
            CB_MCA_BEGIN("dense_gemm_16x16_avx512");
        __m512 brow[MAX_VECS];
        CB_AVX512_UNROLL
        for (int v = 0; v < OC; v++)
            brow[v] = _mm512_maskz_loadu_ps(lane_mask[v], g->b + k * g->b_ks + l0 + 16 * v);
        CB_AVX512_UNROLL
        for (int r = 0; r < IB; r++) {
            const __m512 a = _mm512_set1_ps(arow[r][k * g->a_ks]);
            CB_AVX512_UNROLL
            for (int v = 0; v < OC; v++)
                acc[r][v] = _mm512_fmadd_ps(a, brow[v], acc[r][v]);
        }
        CB_MCA_END();
    }
    CB_AVX512_UNROLL
    for (int r = 0; r < IB; r++)
        CB_AVX512_UNROLL
        for (int v = 0; v < OC; v++) {
            const __m512 out = g->relu ? _mm512_max_ps(acc[r][v], _mm512_setzero_ps()) : acc[r][v];
            _mm512_mask_storeu_ps(g->c + (r0 + r) * g->c_rs + l0 + 16 * v, lane_mask[v], out);
        }
}

CB_AVX512_INLINE void gemm_blocked(const gemm *g, const int IB, const int OC)
{
    for (int l0 = 0; l0 < g->lanes; l0 += 16 * OC) {
        int r0 = 0;
        for (; r0 + IB <= g->rows; r0 += IB)
            gemm_block(g, IB, OC, r0, l0);
        for (; r0 < g->rows; r0++)
            gemm_block(g, 1, OC, r0, l0);
    }
}

static void gemm_run(const gemm *g)
{
    if (g->lanes > 16)
        gemm_blocked(g, 8, 2);
    else
        gemm_blocked(g, 16, 1);
}

void cb_dense_fwd_avx512(int n, int in, int out, const float *x, const float *w, const float *b,
                         float *y, int relu)
{
    const gemm g = {.rows = n, .lanes = out, .k = in,
                    .a = x, .a_rs = in, .a_ks = 1,
                    .b = w, .b_ks = out,
                    .c = y, .c_rs = out,
                    .init = b, .init_rs = 0, .relu = relu};
    gemm_run(&g);
}

/* dst[k][l] = src[l][k] for k, l < 8, rows `ss` / `ds` floats apart; src row l is read under
 * mask rows[l] (masked-off elements read as 0). Three rounds of 8 shuffles. */
static inline void transpose8x8(const float *src, ptrdiff_t ss, const __mmask8 rows[8], float *dst,
                                ptrdiff_t ds)
{
    __m256 r[8], t[8];
    CB_AVX512_UNROLL
    for (int l = 0; l < 8; l++)
        r[l] = _mm256_maskz_loadu_ps(rows[l], src + l * ss);
    CB_AVX512_UNROLL
    for (int l = 0; l < 8; l += 2) {
        t[l] = _mm256_unpacklo_ps(r[l], r[l + 1]);
        t[l + 1] = _mm256_unpackhi_ps(r[l], r[l + 1]);
    }
    CB_AVX512_UNROLL
    for (int l = 0; l < 8; l += 4) {
        r[l] = _mm256_shuffle_ps(t[l], t[l + 2], 0x44);
        r[l + 1] = _mm256_shuffle_ps(t[l], t[l + 2], 0xee);
        r[l + 2] = _mm256_shuffle_ps(t[l + 1], t[l + 3], 0x44);
        r[l + 3] = _mm256_shuffle_ps(t[l + 1], t[l + 3], 0xee);
    }
    CB_AVX512_UNROLL
    for (int k = 0; k < 4; k++) {
        _mm256_store_ps(dst + k * ds, _mm256_permute2f128_ps(r[k], r[k + 4], 0x20));
        _mm256_store_ps(dst + (k + 4) * ds, _mm256_permute2f128_ps(r[k], r[k + 4], 0x31));
    }
}

/* dx = dy w^T, TILE_LANES columns of dx at a time, k (= output index) in tiles of TILE_K. */
static void dense_bwd_data(int n, int in, int out, const float *w, const float *dy, float *dx)
{
    _Alignas(64) float wt[TILE_K * TILE_LANES]; /* wt[k][l] = w[i0 + l][k0 + k] */
    for (int i0 = 0; i0 < in; i0 += TILE_LANES) {
        const int lanes = in - i0 < TILE_LANES ? in - i0 : TILE_LANES;
        for (int k0 = 0; k0 < out; k0 += TILE_K) {
            const int kc = out - k0 < TILE_K ? out - k0 : TILE_K;
            for (int k8 = 0; k8 < kc; k8 += 8)
                for (int l8 = 0; l8 < lanes; l8 += 8) {
                    __mmask8 rows[8];
                    for (int l = 0; l < 8; l++)
                        rows[l] = l8 + l < lanes ? cb_avx512_mask8(kc - k8) : 0;
                    transpose8x8(w + (size_t)(i0 + l8) * out + k0 + k8, out, rows,
                                 wt + k8 * TILE_LANES + l8, TILE_LANES);
                }
            const gemm g = {.rows = n, .lanes = lanes, .k = kc,
                            .a = dy + k0, .a_rs = out, .a_ks = 1,
                            .b = wt, .b_ks = TILE_LANES,
                            .c = dx + i0, .c_rs = in,
                            .init = k0 ? dx + i0 : NULL, .init_rs = in, .relu = 0};
            gemm_run(&g);
        }
    }
}

void cb_dense_bwd_avx512(int n, int in, int out, const float *x, const float *w, const float *dy,
                         float *dx, float *dw, float *db)
{
    const gemm g = {.rows = in, .lanes = out, .k = n,
                    .a = x, .a_rs = 1, .a_ks = in,
                    .b = dy, .b_ks = out,
                    .c = dw, .c_rs = out,
                    .init = NULL, .init_rs = 0, .relu = 0};
    gemm_run(&g);
    for (int o = 0; o < out; o += 16) {
        const __mmask16 k = cb_avx512_mask16(out - o);
        __m512 sum = _mm512_setzero_ps();
        for (int r = 0; r < n; r++)
            sum = _mm512_add_ps(sum, _mm512_maskz_loadu_ps(k, dy + (size_t)r * out + o));
        _mm512_mask_storeu_ps(db + o, k, sum);
    }
    if (dx)
        dense_bwd_data(n, in, out, w, dy, dx);
}
