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
 * 16 rows x 16 lanes; each step of k loads the B row once, broadcasts one A value per row and does
 * one FMA per accumulator (Out = 32 and 10 in the reference network). Leftover rows go through
 * blocks of half, a quarter, ... of the full height down to 1 row: the training step forms dense1's
 * weight gradient in blocks of 4 rows, which get one 4-row block (every B row loaded once) rather
 * than 4 passes of a 1-row block. The block's addressing is specialised on which of A's strides is 1, so that the k
 * loop is its loads and FMAs, a pointer increment or two and the latch (no multiply, no pointer
 * reloaded); each block shape is a function of its own so that its loop's pointers stay in
 * registers. w^T is not stored anywhere, so dx transposes w, a tile of 64 x 32 at a time in 8 x 8
 * register transposes (the first round done by the loads), into a stack buffer and accumulates
 * into dx over tiles of k. Each output is summed in scalar's order (one FMA per term, k in order).
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

/* acc[r][v] += a * b[v] for v < OC: one term of one row. */
/* One llvm-mca region per block shape (bench/mca): 2 vectors of lanes or 1. */
#define GEMM_MCA_BEGIN(OC)                                                                         \
    do {                                                                                           \
        if ((OC) == 2)                                                                             \
            CB_MCA_BEGIN("dense_gemm_8x32_avx512");                                                \
        else                                                                                       \
            CB_MCA_BEGIN("dense_gemm_16x16_avx512");                                               \
    } while (0)

/* B's row k: OC vectors of 16 lanes at b, masked. */
CB_AVX512_INLINE void load_b_row(__m512 brow[MAX_VECS], const int OC, const __mmask16 lane_mask[MAX_VECS],
                                 const float *b)
{
    CB_AVX512_UNROLL
    for (int v = 0; v < OC; v++)
        brow[v] = _mm512_maskz_loadu_ps(lane_mask[v], b + 16 * v);
}

CB_AVX512_INLINE void gemm_row_step(__m512 acc[MAX_VECS], const int OC, const float *a,
                                    const __m512 b[MAX_VECS])
{
    const __m512 av = _mm512_set1_ps(*a);
    CB_AVX512_UNROLL
    for (int v = 0; v < OC; v++)
        acc[v] = _mm512_fmadd_ps(av, b[v], acc[v]);
}

/* Rows r0..r0+IB-1, lanes l0..l0+16*OC-1 (masked to g->lanes). A_K1: g->a_ks == 1 (A's rows are
 * contiguous in k: forward and backward-data), else g->a_rs == 1 (A's columns are contiguous in
 * rows: backward-weights). Each selects addressing that needs no multiply and few registers:
 *   A_K1  the rows' base pointers stay fixed and k is the index register (rows 8..15 are rows
 *         0..7 plus 8 * a_rs: a second index), so a step advances k and the B pointer only;
 *   else  one pointer to A's column k, the rows at displacements 0, 4, ..., advanced by a_ks. */
CB_AVX512_INLINE void gemm_block(const gemm *g, const int IB, const int OC, const int A_K1, int r0,
                                 int l0)
{
    /* Fixed-size arrays (not VLAs), so that the compiler keeps the used part in registers. */
    __mmask16 lane_mask[MAX_VECS];
    __m512 acc[MAX_ROWS][MAX_VECS];
    CB_AVX512_UNROLL
    for (int v = 0; v < OC; v++)
        lane_mask[v] = cb_avx512_mask16(g->lanes - l0 - 16 * v);
    CB_AVX512_UNROLL
    for (int r = 0; r < IB; r++) {
        const float *init = g->init ? g->init + (r0 + r) * g->init_rs + l0 : NULL;
        CB_AVX512_UNROLL
        for (int v = 0; v < OC; v++)
            acc[r][v] = init ? _mm512_maskz_loadu_ps(lane_mask[v], init + 16 * v)
                             : _mm512_setzero_ps();
    }
    const int kn = g->k;
    const ptrdiff_t b_ks = g->b_ks;
    const float *b = g->b + l0;
    if (A_K1) {
        enum { LO = MAX_ROWS / 2 };
        const float *arow[LO];
        const ptrdiff_t hi = LO * g->a_rs; /* row r + LO is row r plus hi */
        CB_AVX512_UNROLL
        for (int r = 0; r < (IB < LO ? IB : LO); r++)
            arow[r] = g->a + (r0 + r) * g->a_rs;
        for (ptrdiff_t k = 0; k < kn; k++) {
            GEMM_MCA_BEGIN(OC);
            __m512 brow[MAX_VECS];
            load_b_row(brow, OC, lane_mask, b);
            const ptrdiff_t khi = k + hi;
            CB_AVX512_UNROLL
            for (int r = 0; r < IB; r++)
                gemm_row_step(acc[r], OC, r < LO ? arow[r] + k : arow[r - LO] + khi, brow);
            CB_MCA_END();
            b += b_ks;
        }
    } else {
        const ptrdiff_t a_ks = g->a_ks;
        const float *a = g->a + r0;
        for (int k = 0; k < kn; k++) {
            GEMM_MCA_BEGIN(OC);
            __m512 brow[MAX_VECS];
            load_b_row(brow, OC, lane_mask, b);
            CB_AVX512_UNROLL
            for (int r = 0; r < IB; r++)
                gemm_row_step(acc[r], OC, a + r, brow);
            CB_MCA_END();
            a += a_ks;
            b += b_ks;
        }
    }
    CB_AVX512_UNROLL
    for (int r = 0; r < IB; r++)
        CB_AVX512_UNROLL
        for (int v = 0; v < OC; v++) {
            const __m512 out = g->relu ? _mm512_max_ps(acc[r][v], _mm512_setzero_ps()) : acc[r][v];
            _mm512_mask_storeu_ps(g->c + (r0 + r) * g->c_rs + l0 + 16 * v, lane_mask[v], out);
        }
}

/* Every block shape in its own function: one k loop per function, so that the register allocator
 * keeps that loop's pointers in registers (inlined into one function with the others, the small
 * blocks' loops got row pointers parked in xmm registers and on the stack). */
#define GEMM_BLOCK_FN(IB, OC, A_K1)                                                                \
    static __attribute__((noinline)) void gemm_block_##IB##_##OC##_##A_K1(const gemm *g, int r0, \
                                                                        int l0)                  \
    {                                                                                             \
        gemm_block(g, IB, OC, A_K1, r0, l0);                                                      \
    }
#define GEMM_BLOCK_FNS(A_K1)                                                                       \
    GEMM_BLOCK_FN(8, 2, A_K1)                                                                      \
    GEMM_BLOCK_FN(4, 2, A_K1)                                                                      \
    GEMM_BLOCK_FN(2, 2, A_K1)                                                                      \
    GEMM_BLOCK_FN(1, 2, A_K1)                                                                      \
    GEMM_BLOCK_FN(16, 1, A_K1)                                                                     \
    GEMM_BLOCK_FN(8, 1, A_K1)                                                                      \
    GEMM_BLOCK_FN(4, 1, A_K1)                                                                      \
    GEMM_BLOCK_FN(2, 1, A_K1)                                                                      \
    GEMM_BLOCK_FN(1, 1, A_K1)
GEMM_BLOCK_FNS(0)
GEMM_BLOCK_FNS(1)

typedef void gemm_block_fn(const gemm *g, int r0, int l0);

/* Column blocks of 16 * OC lanes; in each, row blocks of IB rows, then the leftover rows in
 * blocks of IB/2, IB/4, ..., 1: the step's dense1 weight gradient runs on 4 rows. blk[j] is the
 * block of IB >> j rows. */
static void gemm_blocked(const gemm *g, const int IB, const int OC, gemm_block_fn *const blk[])
{
    for (int l0 = 0; l0 < g->lanes; l0 += 16 * OC) {
        int r0 = 0;
        for (; r0 + IB <= g->rows; r0 += IB)
            blk[0](g, r0, l0);
        for (int j = 1; IB >> j >= 1; j++)
            if (r0 + (IB >> j) <= g->rows) {
                blk[j](g, r0, l0);
                r0 += IB >> j;
            }
    }
}

static void gemm_run(const gemm *g)
{
    static gemm_block_fn *const wide[2][4] = {
        {gemm_block_8_2_0, gemm_block_4_2_0, gemm_block_2_2_0, gemm_block_1_2_0},
        {gemm_block_8_2_1, gemm_block_4_2_1, gemm_block_2_2_1, gemm_block_1_2_1}};
    static gemm_block_fn *const narrow[2][5] = {
        {gemm_block_16_1_0, gemm_block_8_1_0, gemm_block_4_1_0, gemm_block_2_1_0,
         gemm_block_1_1_0},
        {gemm_block_16_1_1, gemm_block_8_1_1, gemm_block_4_1_1, gemm_block_2_1_1,
         gemm_block_1_1_1}};
    const int k1 = g->a_ks == 1; /* else g->a_rs == 1 */
    if (g->lanes > 16)
        gemm_blocked(g, 8, 2, wide[k1]);
    else
        gemm_blocked(g, 16, 1, narrow[k1]);
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

/* dst[k][l] = src[l][k] for k, l < 8, rows `ss` / `ds` floats apart. Of src, only rows l < nr
 * and elements k < nk are read (the others read as 0); FULL (a constant) says nr = nk = 8, so
 * that the loads need no masks. The first round of the transpose is done by the loads: vector
 * l < 4 holds elements 0..3 of rows l and l + 4 in its two halves, vector l + 4 elements 4..7 of
 * the same rows (an xmm load and an insert, which ports 0, 1 and 5 take, where the cross-lane
 * shuffle it replaces takes port 5 only); then a 4 x 4 transpose within each half, two rounds of
 * 8 shuffles. */
CB_AVX512_INLINE void transpose8x8(const float *src, ptrdiff_t ss, const int FULL, int nr, int nk,
                                   float *dst, ptrdiff_t ds)
{
    __m256 r[8], t[8];
    const __mmask8 cols = cb_avx512_mask8(nk);
    CB_AVX512_UNROLL
    for (int l = 0; l < 4; l++)
        CB_AVX512_UNROLL
        for (int h = 0; h < 2; h++) {
            const float *lo = src + l * ss + 4 * h, *hi = src + (l + 4) * ss + 4 * h;
            __m128 a, b;
            if (FULL) {
                a = _mm_loadu_ps(lo);
                b = _mm_loadu_ps(hi);
            } else {
                const __mmask8 m = (__mmask8)(cols >> 4 * h);
                a = _mm_maskz_loadu_ps(l < nr ? m : 0, lo);
                b = _mm_maskz_loadu_ps(l + 4 < nr ? m : 0, hi);
            }
            r[l + 4 * h] = _mm256_insertf128_ps(_mm256_castps128_ps256(a), b, 1);
        }
    CB_AVX512_UNROLL
    for (int h = 0; h < 8; h += 4) {
        t[h] = _mm256_unpacklo_ps(r[h], r[h + 1]);
        t[h + 1] = _mm256_unpackhi_ps(r[h], r[h + 1]);
        t[h + 2] = _mm256_unpacklo_ps(r[h + 2], r[h + 3]);
        t[h + 3] = _mm256_unpackhi_ps(r[h + 2], r[h + 3]);
        _mm256_store_ps(dst + (h + 0) * ds, _mm256_shuffle_ps(t[h], t[h + 2], 0x44));
        _mm256_store_ps(dst + (h + 1) * ds, _mm256_shuffle_ps(t[h], t[h + 2], 0xee));
        _mm256_store_ps(dst + (h + 2) * ds, _mm256_shuffle_ps(t[h + 1], t[h + 3], 0x44));
        _mm256_store_ps(dst + (h + 3) * ds, _mm256_shuffle_ps(t[h + 1], t[h + 3], 0xee));
    }
}

/* dst[k][l] = src[l][k] for l < min(nr, 8), k < nk (the rest of dst's 8 lanes set to 0, nk
 * rounded up to a multiple of 8), rows `ss` / `ds` floats apart: a strip of 8 rows of w, 8 x 8 at
 * a time along the rows, so that the strip's row pointers are set up once. */
CB_AVX512_INLINE void transpose_rows(const float *src, ptrdiff_t ss, int nr, int nk, float *dst,
                                     ptrdiff_t ds)
{
    int k = 0;
    if (nr >= 8)
        for (; k + 8 <= nk; k += 8)
            transpose8x8(src + k, ss, 1, 8, 8, dst + k * ds, ds);
    for (; k < nk; k += 8)
        transpose8x8(src + k, ss, 0, nr, nk - k, dst + k * ds, ds);
}

/* dx = dy w^T, TILE_LANES columns of dx at a time, k (= output index) in tiles of TILE_K. */
static void dense_bwd_data(int n, int in, int out, const float *w, const float *dy, float *dx)
{
    _Alignas(64) float wt[TILE_K * TILE_LANES]; /* wt[k][l] = w[i0 + l][k0 + k] */
    for (int i0 = 0; i0 < in; i0 += TILE_LANES) {
        const int lanes = in - i0 < TILE_LANES ? in - i0 : TILE_LANES;
        for (int k0 = 0; k0 < out; k0 += TILE_K) {
            const int kc = out - k0 < TILE_K ? out - k0 : TILE_K;
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

void cb_dense_bwd_avx512(int n, int in, int out, const float *x, const float *w, const float *dy,
                         float *dx, float *dw, float *db)
{
    if (dw) {
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
    }
    if (dx)
        dense_bwd_data(n, in, out, w, dy, dx);
}
