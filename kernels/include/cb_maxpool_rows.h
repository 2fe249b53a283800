/*
 * cb_maxpool_rows.h - internal to kernels/: the output-row loop of a max-pool forward, which the
 * AVX2 and AVX-512 files share. CB_MAXPOOL_FWD_ROWS(isa) defines cb_maxpool_fwd_<isa> over the
 * including file's row functions (compiled with its flags, inlined):
 *   pool_row_fwd8(p, o, ao, ow, row, relu)     C = 8
 *   pool_row_fwd(p, o, ao, ow, row, C, relu)   any C
 * p walks an output row's top input row (row floats above the bottom one), o / ao its row of y /
 * arg, ow windows. C = 8 with ReLU' (the step's call) and without are instantiations with
 * constants.
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

#endif /* CB_MAXPOOL_ROWS_H */
