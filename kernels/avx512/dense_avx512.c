/*
 * dense_avx512.c - fully connected layer, AVX-512.
 * x [N,In], w [In,Out], b [Out], y/dy [N,Out]; dx [N,In], dw [In,Out], db [Out].
 *
 * The three products are one gemm (cb_dense_gemm.h: the layouts, the entry points, dx over w^T
 * tiles); this file has its register blocks.
 * A block is 8 rows x 32 lanes (16 accumulators) when the row is wider than 16 lanes, else
 * 16 rows x 16 lanes; each step of k loads the B row once, broadcasts one A value per row and does
 * one FMA per accumulator (Out = 32 and 10 in the reference network). Leftover rows go through
 * blocks of half, a quarter, ... of the full height down to 1 row: the training step forms dense1's
 * weight gradient in blocks of 4 rows, which get one 4-row block (every B row loaded once) rather
 * than 4 passes of a 1-row block. The block's addressing is specialised on which of A's strides is 1, so that the k
 * loop is its loads and FMAs, a pointer increment or two and the latch (no multiply, no pointer
 * reloaded); each block shape is a function of its own so that its loop's pointers stay in
 * registers. Each output is summed in scalar's order (one FMA per term, k in order).
 */
#include "cb_dense_gemm.h"
#include "cb_kernel_impl.h"
#include "cb_mca.h"
#include "vmath_avx512.h"

enum { MAX_ROWS = 16, MAX_VECS = 2 }; /* the largest register block, rows x vectors of 16 lanes */

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
CB_AVX512_INLINE void gemm_block(const cb_gemm *g, const int IB, const int OC, const int A_K1, int r0,
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
    static __attribute__((noinline)) void gemm_block_##IB##_##OC##_##A_K1(const cb_gemm *g, int r0, \
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

typedef void gemm_block_fn(const cb_gemm *g, int r0, int l0);

/* Column blocks of 16 * OC lanes; in each, row blocks of IB rows, then the leftover rows in
 * blocks of IB/2, IB/4, ..., 1: the step's dense1 weight gradient runs on 4 rows. blk[j] is the
 * block of IB >> j rows. */
static void gemm_blocked(const cb_gemm *g, const int IB, const int OC, gemm_block_fn *const blk[])
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

static void gemm_run(const cb_gemm *g)
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

/* db[o] = sum_r dy[r][o] for the n rows of dy [n][out], r in order. */
static void column_sums(int n, int out, const float *dy, float *db)
{
    for (int o = 0; o < out; o += 16) {
        const __mmask16 k = cb_avx512_mask16(out - o);
        __m512 sum = _mm512_setzero_ps();
        for (int r = 0; r < n; r++)
            sum = _mm512_add_ps(sum, _mm512_maskz_loadu_ps(k, dy + (size_t)r * out + o));
        _mm512_mask_storeu_ps(db + o, k, sum);
    }
}

CB_DENSE_ENTRY_POINTS(avx512)
