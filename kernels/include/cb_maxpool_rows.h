/*
 * cb_maxpool_rows.h - internal to kernels/: the output-row loops of a max-pool, which the AVX2 and
 * AVX-512 files share. CB_MAXPOOL_FWD_ROWS(isa) and CB_MAXPOOL_BWD_ROWS(isa) define
 * cb_maxpool_fwd_<isa> and cb_maxpool_bwd_<isa> over the including file's row functions
 * (compiled with its flags, inlined):
 *   pool_row_fwd8(p, o, ao, ow, row, relu)     C = 8
 *   pool_row_fwd(p, o, ao, ow, row, C, relu)   any C
 *   pool_row_bwd8(ao, go, d, ow, row)          C = 8
 *   pool_row_bwd(ao, go, d, ow, row, C)        any C
 * p / d walk an output row's top row of x / dx (row floats above the bottom one), o, ao, go its
 * row of y, arg, dy; ow windows. C = 8 (with and without ReLU' forward; the step's calls) is an
 * instantiation with constants. The backward also zeroes a dropped odd last row or column of dx.
 */
#ifndef CB_MAXPOOL_ROWS_H
#define CB_MAXPOOL_ROWS_H

#define CB_MAXPOOL_FWD_ROWS(isa)                                                                   \
    void cb_maxpool_fwd_##isa(const cb_pool_shape *s, const float *x, float *y, uint8_t *arg)     \
    {                                                                                              \
        const int H = s->h, W = s->w, C = s->c, OH = H / 2, OW = W / 2;                            \
        const size_t row = (size_t)W * C;                                                          \
        for (int n = 0; n < s->n; n++)                                                             \
            for (int oy = 0; oy < OH; oy++) {                                                      \
                const float *p = x + ((size_t)n * H + 2 * oy) * row;                               \
                const size_t o = ((size_t)n * OH + oy) * OW * C;                                   \
                if (C == 8 && s->relu)                                                             \
                    pool_row_fwd8(p, y + o, arg + o, OW, row, true);                               \
                else if (C == 8)                                                                   \
                    pool_row_fwd8(p, y + o, arg + o, OW, row, false);                              \
                else                                                                               \
                    pool_row_fwd(p, y + o, arg + o, OW, row, C, s->relu != 0);                     \
            }                                                                                      \
    }

#define CB_MAXPOOL_BWD_ROWS(isa)                                                                   \
    void cb_maxpool_bwd_##isa(const cb_pool_shape *s, const uint8_t *arg, const float *dy,        \
                              float *dx)                                                           \
    {                                                                                              \
        const int H = s->h, W = s->w, C = s->c, OH = H / 2, OW = W / 2;                            \
        const size_t row = (size_t)W * C;                                                          \
        for (int n = 0; n < s->n; n++) {                                                           \
            for (int oy = 0; oy < OH; oy++) {                                                      \
                const size_t top = ((size_t)n * H + 2 * oy) * row;                                 \
                const size_t o = ((size_t)n * OH + oy) * OW * C;                                   \
                if (C == 8)                                                                        \
                    pool_row_bwd8(arg + o, dy + o, dx + top, OW, row);                             \
                else                                                                               \
                    pool_row_bwd(arg + o, dy + o, dx + top, OW, row, C);                           \
                if (W % 2) { /* the dropped last column of both window rows */                     \
                    memset(dx + top + row - C, 0, sizeof(float) * C);                              \
                    memset(dx + top + 2 * row - C, 0, sizeof(float) * C);                          \
                }                                                                                  \
            }                                                                                      \
            if (H % 2) /* the dropped last row */                                                  \
                memset(dx + ((size_t)n * H + H - 1) * row, 0, sizeof(float) * row);               \
        }                                                                                          \
    }

#endif /* CB_MAXPOOL_ROWS_H */
