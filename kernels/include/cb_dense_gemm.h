/*
 * cb_dense_gemm.h - internal to kernels/: the dense layer as one gemm, which the AVX2 and AVX-512
 * files share. All three products are
 *   C[a][o] = init[a][o] + sum_k A(a, k) * B[k][o]
 * with A read by broadcasts at any strides and B in rows (cb_gemm says where):
 *   forward  y  = b + x w       A = x,    B = w,     k = input index
 *   weights  dw = x^T dy        A = x^T,  B = dy,    k = row (batch) index
 *   data     dx = dy w^T        A = dy,   B = w^T,   k = output index
 * w^T is not stored anywhere: dx transposes w, a tile of CB_DX_TILE_K x CB_DX_TILE_LANES at a time
 * (cb_transpose8x8.h), into a stack buffer and accumulates into dx over tiles of k.
 * CB_DENSE_ENTRY_POINTS(isa) defines cb_dense_fwd_<isa> and cb_dense_bwd_<isa> over the including
 * file's register blocks and column sums (compiled with its flags):
 *   gemm_run(const cb_gemm *g)               C = init + A B
 *   column_sums(n, out, dy, db)              db[o] = sum_r dy[r][o], r in order (scalar's bits)
 * Each output of C is summed in scalar's order (one FMA per term, k in order), so integer-valued
 * inputs whose sums are exact in float give scalar's bits, whatever the blocking.
 */
#ifndef CB_DENSE_GEMM_H
#define CB_DENSE_GEMM_H

#include <stddef.h>

#include "cb_transpose8x8.h"

typedef struct cb_gemm {
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
} cb_gemm;

enum { CB_DX_TILE_K = 64, CB_DX_TILE_LANES = 32 }; /* the w^T tile of dx: k x lanes */

#define CB_DENSE_ENTRY_POINTS(isa)                                                                 \
    /* dx = dy w^T, CB_DX_TILE_LANES columns of dx at a time, k in tiles of CB_DX_TILE_K. */       \
    static void dense_bwd_data(int n, int in, int out, const float *w, const float *dy, float *dx) \
    {                                                                                              \
        _Alignas(64) float wt[CB_DX_TILE_K * CB_DX_TILE_LANES]; /* wt[k][l] = w[i0+l][k0+k] */     \
        for (int i0 = 0; i0 < in; i0 += CB_DX_TILE_LANES) {                                        \
            const int lanes = in - i0 < CB_DX_TILE_LANES ? in - i0 : CB_DX_TILE_LANES;             \
            for (int k0 = 0; k0 < out; k0 += CB_DX_TILE_K) {                                       \
                const int kc = out - k0 < CB_DX_TILE_K ? out - k0 : CB_DX_TILE_K;                  \
                for (int l8 = 0; l8 < lanes; l8 += 8)                                              \
                    cb_transpose_rows(w + (size_t)(i0 + l8) * out + k0, out, lanes - l8, kc,       \
                                      wt + l8, CB_DX_TILE_LANES);                                  \
                const cb_gemm g = {.rows = n, .lanes = lanes, .k = kc,                             \
                                   .a = dy + k0, .a_rs = out, .a_ks = 1,                           \
                                   .b = wt, .b_ks = CB_DX_TILE_LANES,                              \
                                   .c = dx + i0, .c_rs = in,                                       \
                                   .init = k0 ? dx + i0 : NULL, .init_rs = in, .relu = 0};         \
                gemm_run(&g);                                                                      \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
                                                                                                   \
    /* y [N,Out] = x [N,In] w [In,Out] + b, ReLU fused when relu != 0. */                          \
    void cb_dense_fwd_##isa(int n, int in, int out, const float *x, const float *w,                \
                            const float *b, float *y, int relu)                                    \
    {                                                                                              \
        const cb_gemm g = {.rows = n, .lanes = out, .k = in,                                       \
                           .a = x, .a_rs = in, .a_ks = 1,                                          \
                           .b = w, .b_ks = out,                                                    \
                           .c = y, .c_rs = out,                                                    \
                           .init = b, .init_rs = 0, .relu = relu};                                 \
        gemm_run(&g);                                                                              \
    }                                                                                              \
                                                                                                   \
    /* dw = x^T dy and db = column sums of dy unless dw is NULL; dx = dy w^T unless dx is NULL. */ \
    void cb_dense_bwd_##isa(int n, int in, int out, const float *x, const float *w,                \
                            const float *dy, float *dx, float *dw, float *db)                      \
    {                                                                                              \
        if (dw) {                                                                                  \
            const cb_gemm g = {.rows = in, .lanes = out, .k = n,                                   \
                               .a = x, .a_rs = 1, .a_ks = in,                                      \
                               .b = dy, .b_ks = out,                                               \
                               .c = dw, .c_rs = out,                                               \
                               .init = NULL, .init_rs = 0, .relu = 0};                             \
            gemm_run(&g);                                                                          \
            column_sums(n, out, dy, db);                                                           \
        }                                                                                          \
        if (dx)                                                                                    \
            dense_bwd_data(n, in, out, w, dy, dx);                                                 \
    }

#endif /* CB_DENSE_GEMM_H */
