/*
 * test_conv2d.c - the 3x3 "same" convolution kernels (forward with bias and optional fused ReLU,
 * backward-data, backward-weights) of every ISA against a double-precision reference written here
 * (plain loops, double accumulators, no fast-math; like the kernels it computes, or for dw and db
 * sums over, only the shape's band of output rows). Each test runs once per ISA ("<test>/<isa>");
 * the scalar production kernels are tested like any other ISA; an ISA that the build or the CPU
 * lacks is reported as skipped.
 *
 * Tiers (DESIGN.md, "Correctness policy"):
 *   conv_*_exact   x, b, dy integers in [-3, 3], w integers in [-2, 2]. Every product and every
 *                  partial sum is an integer far below 2^24 (at most 9 * 33 * 6 + 3 for the
 *                  forward pass, 3 * 32 * 32 * 9 for dw), so float arithmetic is exact in any
 *                  order, with or without FMA: the output must be BIT-IDENTICAL to the reference
 *                  (which is checked to be representable in float). Forward with ReLU off and on.
 *   conv_*_real    x, w, b, dy uniform in [-1, 1). Per element
 *                      |got - ref| <= 2 K 2^-24 sum|a w|,
 *                  K = the number of terms in that element's sum (taps inside the image, the bias
 *                  counted as one term), sum|a w| = the sum of their magnitudes; both come from
 *                  the reference. Recursive float summation in any order, with or without FMA, is
 *                  off by at most about K 2^-24 sum|a w|; the factor 2 is slack. ReLU is
 *                  1-Lipschitz, so the bound holds after it too. Each SIMD ISA is also compared
 *                  with the scalar production kernel under the same bound (both are within
 *                  K 2^-24 sum|a w| of the exact value).
 * Guards: inputs and outputs come from cbt_alloc: outputs start as NaN, so an element a kernel
 * leaves unwritten fails the comparison; guard values past every buffer make cbt_free fail on an
 * overrun, and an over-read that feeds a result brings in a NaN. The backward kernels run twice
 * into the same buffers: gradients are overwritten, never accumulated (a second run that added
 * would double them; a first run that added would start from NaN).
 *
 * Shapes: the reference network's layers (conv1 n = 2, 3 and 4, 32x32, 3 -> 8; conv2 16x16, 8 -> 8
 * at n = 3 and 32), then every (n, Cin, Cout) with n in {1, 3, 4} and Cin, Cout in {1, 3, 4, 5, 7,
 * 8, 9, 12, 13, 16, 17, 19, 24, 33} (vector widths 8 and 16, and AVX-512's channel pairs: 1, W-1,
 * W, W+1, 2W+1, 2W+3, odd and even counts, 12 and 24 = 1.5 and 3 vectors of 8, primes; 33 also
 * passes the AVX2 engine's 32-channel pass limit and the AVX-512 backward-data's 32-channel
 * block), (H, W) cycling through all 49 pairs from {1, 2, 3, 5, 7, 9, 17} (image borders on both
 * sides, the 16-, 8-, 4- and 1-pixel blocks of the SIMD engines), so each pair meets several
 * channel counts.
 * The API allows every shape with n, h, w, cin, cout >= 1 and the kernels document no further
 * restriction, so all must work.
 *
 * conv_backward_fd: central finite differences (finite_diff.h) in double on small shapes,
 * ReLU off. With L = sum(y * r) for a fixed random r, dL/dy = r, so dL/dx, dL/dw, dL/db are the
 * backward passes with dy = r. The FD derivative of the double forward (step 2^-10; L is linear
 * in each single input, so there is no truncation error, only rounding of L, ~1e-11) must match
 * the double reference backward within 1e-9 * max(|fd|, 1), and each ISA's float backward within
 * 1e-3 * max(|fd|, 1): with |a w| <= 1 and K <= 81 terms per sum, float rounding is at most
 * K^2 2^-24 < 4e-4, while a wrong index, sign or tap gives an error of order 1.
 *
 * conv_row_bands: the row band of cb_conv_shape (output rows [row_begin, row_end) of every image),
 * in both tiers. Shapes: the network's layers at one image (32x32, 3 -> 8 and 16x16, 8 -> 8) and
 * odd sizes with n > 1 ({n, h, w, Cin, Cout} = {3, 7, 5, 8, 3}, {2, 9, 17, 3, 8}, {1, 5, 9, 5,
 * 12}, {4, 3, 3, 8, 8}), each cut at rows {0, h/2, h} (the training step's split), {0, 1, h},
 * {0, h-1, h}, {0, 1, 2, h} (h >= 3), {0, h/2, h/2, h} and {0, h, h} (an empty band,
 * row_begin == row_end > 0). Forward (ReLU off and on) and backward-data: (a) one call per band
 * in sequence into one NaN-initialised output is bit-identical to the whole-image call (row_end
 * = 0), so the bands partition the output without changing a bit; (b) each band called alone
 * into a fresh NaN output writes every element of its rows, within the tier of the reference
 * restricted to the band, and leaves every other element NaN (an empty band writes nothing).
 * Backward-weights: each band's dw and db against the reference summed over the band's rows only
 * (K counts the band's terms; an empty band gives exactly 0), run twice into the same buffers.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "family_check.h"
#include "finite_diff.h"
#include "kernel_test.h"

#define U24 (1.0 / 16777216.0) /* 2^-24, the unit roundoff of float */


/* ---- shapes ---------------------------------------------------------------------------------- */

static const int hw_sizes[] = {1, 2, 3, 5, 7, 9, 17};
static const int ch_sizes[] = {1, 3, 4, 5, 7, 8, 9, 12, 13, 16, 17, 19, 24, 33};
static const int n_sizes[] = {1, 3, 4};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* A whole-image shape (row_begin = row_end = 0), designated: -Wextra then wants no band fields. */
#define SHAPE(n_, h_, w_, cin_, cout_) {.n = n_, .h = h_, .w = w_, .cin = cin_, .cout = cout_}

enum { N_REF_SHAPES = 5 };
enum { N_SHAPES = N_REF_SHAPES + COUNT(n_sizes) * COUNT(ch_sizes) * COUNT(ch_sizes) };

static cb_conv_shape shapes[N_SHAPES] = {
    SHAPE(2, 32, 32, 3, 8),  /* conv1 */
    SHAPE(3, 32, 32, 3, 8),  /* conv1, odd batch */
    SHAPE(3, 16, 16, 8, 8),  /* conv2 */
    SHAPE(4, 32, 32, 3, 8),  /* conv1, 4 images */
    SHAPE(32, 16, 16, 8, 8), /* conv2 at the whole batch */
};

/* Fills shapes[N_REF_SHAPES..]: every (n, cin, cout), (h, w) cycling through all 49 pairs. */
static void make_shapes(void)
{
    const int nhw = COUNT(hw_sizes) * COUNT(hw_sizes);
    int k = N_REF_SHAPES;
    for (int a = 0; a < COUNT(n_sizes); a++)
        for (int b = 0; b < COUNT(ch_sizes); b++)
            for (int c = 0; c < COUNT(ch_sizes); c++, k++) {
                const int hw = (k - N_REF_SHAPES) % nhw;
                shapes[k] = (cb_conv_shape)SHAPE(n_sizes[a], hw_sizes[hw / COUNT(hw_sizes)],
                                                 hw_sizes[hw % COUNT(hw_sizes)], ch_sizes[b],
                                                 ch_sizes[c]);
            }
}

/* Small shapes for the finite-difference test (every input perturbed, one forward each). */
static const cb_conv_shape fd_shapes[] = {SHAPE(2, 4, 5, 3, 5), SHAPE(1, 3, 3, 5, 9)};

static size_t pixels(const cb_conv_shape *s)
{
    return (size_t)s->n * s->h * s->w;
}

static size_t wsize(const cb_conv_shape *s)
{
    return (size_t)9 * s->cin * s->cout;
}

/* ---- double reference ------------------------------------------------------------------------ */

/* The error bound of a float sum of `terms` terms whose magnitudes add up to mag. */
static double bound_of(int terms, double mag)
{
    return 2.0 * terms * U24 * mag;
}

static size_t at(const cb_conv_shape *s, int n, int i, int j, int c, int ch)
{
    return (((size_t)n * s->h + i) * s->w + j) * ch + c;
}

static int inside(const cb_conv_shape *s, int i, int j)
{
    return i >= 0 && i < s->h && j >= 0 && j < s->w;
}

/* y = b + conv(x, w) on the band's rows (the others untouched), ReLU when relu != 0; bound (may
 * be NULL) as in the header. */
static void ref_fwd(const cb_conv_shape *s, const double *x, const double *w, const double *b,
                    int relu, double *y, double *bound)
{
    const int CI = s->cin, CO = s->cout;
    for (int n = 0; n < s->n; n++)
        for (int i = s->row_begin; i < cb_conv_row_end(s); i++)
            for (int j = 0; j < s->w; j++)
                for (int co = 0; co < CO; co++) {
                    double acc = b[co], mag = fabs(b[co]);
                    int terms = 1;
                    for (int t = 0; t < 9; t++) {
                        const int yy = i + t / 3 - 1, xx = j + t % 3 - 1;
                        if (!inside(s, yy, xx))
                            continue;
                        for (int ci = 0; ci < CI; ci++) {
                            const double p =
                                x[at(s, n, yy, xx, ci, CI)] * w[((size_t)t * CI + ci) * CO + co];
                            acc += p;
                            mag += fabs(p);
                            terms++;
                        }
                    }
                    const size_t o = at(s, n, i, j, co, CO);
                    y[o] = relu && !(acc > 0.0) ? 0.0 : acc;
                    if (bound)
                        bound[o] = bound_of(terms, mag);
                }
}

/* dx[n,i,j,ci] = sum_{ky,kx,co} dy[n, i-ky+1, j-kx+1, co] w[ky,kx,ci,co] on the band's rows i
 * (the others untouched). */
static void ref_bwd_data(const cb_conv_shape *s, const double *dy, const double *w, double *dx,
                         double *bound)
{
    const int CI = s->cin, CO = s->cout;
    for (int n = 0; n < s->n; n++)
        for (int i = s->row_begin; i < cb_conv_row_end(s); i++)
            for (int j = 0; j < s->w; j++)
                for (int ci = 0; ci < CI; ci++) {
                    double acc = 0.0, mag = 0.0;
                    int terms = 0;
                    for (int t = 0; t < 9; t++) {
                        const int yy = i - t / 3 + 1, xx = j - t % 3 + 1;
                        if (!inside(s, yy, xx))
                            continue;
                        for (int co = 0; co < CO; co++) {
                            const double p =
                                dy[at(s, n, yy, xx, co, CO)] * w[((size_t)t * CI + ci) * CO + co];
                            acc += p;
                            mag += fabs(p);
                            terms++;
                        }
                    }
                    const size_t o = at(s, n, i, j, ci, CI);
                    dx[o] = acc;
                    if (bound)
                        bound[o] = bound_of(terms, mag);
                }
}

/* dw[ky,kx,ci,co] = sum_{n,i,j} x[n, i+ky-1, j+kx-1, ci] dy[n,i,j,co]; db[co] = sum_{n,i,j}
 * dy[n,i,j,co]; both summed over the band's rows i only. */
static void ref_bwd_weights(const cb_conv_shape *s, const double *x, const double *dy, double *dw,
                            double *db, double *dw_bound, double *db_bound)
{
    const int CI = s->cin, CO = s->cout, i0 = s->row_begin, i1 = cb_conv_row_end(s);
    for (int t = 0; t < 9; t++)
        for (int ci = 0; ci < CI; ci++)
            for (int co = 0; co < CO; co++) {
                double acc = 0.0, mag = 0.0;
                int terms = 0;
                for (int n = 0; n < s->n; n++)
                    for (int i = i0; i < i1; i++)
                        for (int j = 0; j < s->w; j++) {
                            const int yy = i + t / 3 - 1, xx = j + t % 3 - 1;
                            if (!inside(s, yy, xx))
                                continue;
                            const double p =
                                x[at(s, n, yy, xx, ci, CI)] * dy[at(s, n, i, j, co, CO)];
                            acc += p;
                            mag += fabs(p);
                            terms++;
                        }
                const size_t o = ((size_t)t * CI + ci) * CO + co;
                dw[o] = acc;
                if (dw_bound)
                    dw_bound[o] = bound_of(terms, mag);
            }
    for (int co = 0; co < CO; co++) {
        double acc = 0.0, mag = 0.0;
        for (int n = 0; n < s->n; n++)
            for (int i = i0; i < i1; i++)
                for (int j = 0; j < s->w; j++) {
                    acc += dy[at(s, n, i, j, co, CO)];
                    mag += fabs(dy[at(s, n, i, j, co, CO)]);
                }
        db[co] = acc;
        if (db_bound)
            db_bound[co] = bound_of(s->n * (i1 - i0) * s->w, mag);
    }
}

/* ---- one test case: inputs in float (for the kernels) and double (for the reference) --------- */

typedef struct conv_case {
    cb_conv_shape s;
    float *x, *w, *b, *dy;      /* cbt_alloc'd */
    double *xd, *wd, *bd, *dyd; /* the same values */
} conv_case;

static double *dalloc(size_t n)
{
    double *p = calloc(n, sizeof *p);
    assert_non_null(p);
    return p;
}

/* A float input of n values for the tier (integers in [-range, range], or U(-1, 1)), and its
 * double copy in *d. */
static float *make_input(cb_rng *r, size_t n, cbt_tier t, int range, double **d)
{
    float *p = cbt_alloc(n);
    if (t == CBT_TIER_EXACT)
        cbt_fill_int(r, p, n, -range, range);
    else
        cbt_fill_uniform(r, p, n, -1.0f, 1.0f);
    *d = dalloc(n);
    for (size_t i = 0; i < n; i++)
        (*d)[i] = p[i];
    return p;
}

static void case_init(conv_case *c, const cb_conv_shape *s, cb_rng *r, cbt_tier t)
{
    c->s = *s;
    c->x = make_input(r, pixels(s) * s->cin, t, 3, &c->xd);
    c->w = make_input(r, wsize(s), t, 2, &c->wd);
    c->b = make_input(r, (size_t)s->cout, t, 3, &c->bd);
    c->dy = make_input(r, pixels(s) * s->cout, t, 3, &c->dyd);
}

static void case_free(conv_case *c)
{
    cbt_free(c->x), cbt_free(c->w), cbt_free(c->b), cbt_free(c->dy);
    free(c->xd), free(c->wd), free(c->bd), free(c->dyd);
}

/* ---- the operations, run by the reference or by a kernel table ------------------------------- */

typedef enum conv_op { OP_FWD, OP_FWD_RELU, OP_BWD_DATA, OP_BWD_WEIGHTS } conv_op;
enum { MAX_OUT = 2 };

static const char *const op_names[] = {"fwd y", "fwd+relu y", "bwd_data dx", "bwd_weights dw"};

/* The number of outputs of op and their lengths. */
static int op_outputs(conv_op op, const cb_conv_shape *s, size_t len[MAX_OUT])
{
    switch (op) {
    case OP_FWD:
    case OP_FWD_RELU: len[0] = pixels(s) * s->cout; return 1;
    case OP_BWD_DATA: len[0] = pixels(s) * s->cin; return 1;
    default: len[0] = wsize(s), len[1] = (size_t)s->cout; return 2;
    }
}

static void ref_run(conv_op op, const conv_case *c, double *want[MAX_OUT], double *bound[MAX_OUT])
{
    switch (op) {
    case OP_FWD:
    case OP_FWD_RELU:
        ref_fwd(&c->s, c->xd, c->wd, c->bd, op == OP_FWD_RELU, want[0], bound[0]);
        break;
    case OP_BWD_DATA: ref_bwd_data(&c->s, c->dyd, c->wd, want[0], bound[0]); break;
    case OP_BWD_WEIGHTS:
        ref_bwd_weights(&c->s, c->xd, c->dyd, want[0], want[1], bound[0], bound[1]);
        break;
    }
}

static void kernel_run(const cb_kernel_table *k, conv_op op, const conv_case *c,
                       float *out[MAX_OUT])
{
    switch (op) {
    case OP_FWD:
    case OP_FWD_RELU: k->conv2d_fwd(&c->s, c->x, c->w, c->b, out[0], op == OP_FWD_RELU); break;
    case OP_BWD_DATA: k->conv2d_bwd_data(&c->s, c->dy, c->w, out[0]); break;
    case OP_BWD_WEIGHTS: k->conv2d_bwd_weights(&c->s, c->x, c->dy, out[0], out[1]); break;
    }
}

/* ---- comparisons ----------------------------------------------------------------------------- */

static void describe(char *buf, size_t size, conv_op op, int out, const cb_conv_shape *s,
                     const char *vs)
{
    snprintf(buf, size, "conv %s%s [n=%d h=%d w=%d cin=%d cout=%d]%s", op_names[op],
             out ? " (db)" : "", s->n, s->h, s->w, s->cin, s->cout, vs);
}

/* The family as cbt_check_family sees it (family_check.h). */
static void family_init(void *c, int shape, cb_rng *r, cbt_tier t)
{
    case_init(c, &shapes[shape], r, t);
}

static void family_free(void *c)
{
    case_free(c);
}

static int family_outputs(int op, const void *c, size_t len[CBT_MAX_OUT])
{
    return op_outputs((conv_op)op, &((const conv_case *)c)->s, len);
}

static void family_reference(int op, const void *c, double *want[], double *bound[])
{
    ref_run((conv_op)op, c, want, bound);
}

static void family_run(const cb_kernel_table *k, int op, const void *c, float *out[])
{
    kernel_run(k, (conv_op)op, c, out);
}

static bool family_writes_gradients(int op)
{
    return op == OP_BWD_DATA || op == OP_BWD_WEIGHTS;
}

static void family_describe(char *buf, size_t size, int op, int out, const void *c)
{
    describe(buf, size, (conv_op)op, out, &((const conv_case *)c)->s, "");
}

static const cbt_family family = {
    N_SHAPES, sizeof(conv_case), family_init, family_free, family_outputs, family_reference,
    family_run, family_writes_gradients, family_describe,
};

/* The whole shape table for one operation and tier on this test's ISA. */
static void check_op(void **state, conv_op op, cbt_tier t)
{
    cbt_check_family(state, &family, op, t);
}

/* ---- tests: exact and real tiers ------------------------------------------------------------- */

static void conv_fwd_exact(void **state)
{
    check_op(state, OP_FWD, CBT_TIER_EXACT);
    check_op(state, OP_FWD_RELU, CBT_TIER_EXACT);
}

static void conv_fwd_real(void **state)
{
    check_op(state, OP_FWD, CBT_TIER_REAL);
    check_op(state, OP_FWD_RELU, CBT_TIER_REAL);
}

static void conv_bwd_data_exact(void **state)
{
    check_op(state, OP_BWD_DATA, CBT_TIER_EXACT);
}

static void conv_bwd_data_real(void **state)
{
    check_op(state, OP_BWD_DATA, CBT_TIER_REAL);
}

static void conv_bwd_weights_exact(void **state)
{
    check_op(state, OP_BWD_WEIGHTS, CBT_TIER_EXACT);
}

static void conv_bwd_weights_real(void **state)
{
    check_op(state, OP_BWD_WEIGHTS, CBT_TIER_REAL);
}

/* ---- row bands ------------------------------------------------------------------------------- */

/* The shapes of conv_row_bands (see the header). */
static const cb_conv_shape band_shapes[] = {
    SHAPE(1, 32, 32, 3, 8), SHAPE(1, 16, 16, 8, 8), SHAPE(3, 7, 5, 8, 3),
    SHAPE(2, 9, 17, 3, 8),  SHAPE(1, 5, 9, 5, 12),  SHAPE(4, 3, 3, 8, 8),
};

enum { N_CUT_SETS = 6, MAX_CUTS = 4 };

/* Cut set k of h rows into cuts[0..count) (band b: rows [cuts[b], cuts[b + 1])); returns count,
 * 0 when h is too small for the set. */
static int cut_set(int k, int h, int cuts[MAX_CUTS])
{
    const int sets[N_CUT_SETS][1 + MAX_CUTS] = {
        {3, 0, h / 2, h},        /* the training step's split */
        {3, 0, 1, h},            /* a one-row band at the top */
        {3, 0, h - 1, h},        /* ... at the bottom */
        {4, 0, 1, 2, h},         /* three bands */
        {4, 0, h / 2, h / 2, h}, /* an empty band inside the image */
        {3, 0, h, h},            /* an empty band at its end */
    };
    if (k == 3 && h < 3)
        return 0;
    memcpy(cuts, &sets[k][1], sizeof(int) * MAX_CUTS);
    return sets[k][0];
}

/* c restricted to output rows [begin, end); it shares c's inputs. */
static conv_case banded(const conv_case *c, int begin, int end)
{
    conv_case b = *c;
    b.s.row_begin = begin, b.s.row_end = end;
    return b;
}

/* (a): the bands of cuts, called in sequence into one output, give the whole-image call's bits. */
static void check_partition(const cb_kernel_table *k, conv_op op, const conv_case *c,
                            const int *cuts, int count)
{
    size_t len[MAX_OUT];
    op_outputs(op, &c->s, len);
    float *whole[MAX_OUT] = {cbt_alloc(len[0])}, *parts[MAX_OUT] = {cbt_alloc(len[0])};
    kernel_run(k, op, c, whole);
    for (int b = 0; b + 1 < count; b++) {
        const conv_case part = banded(c, cuts[b], cuts[b + 1]);
        kernel_run(k, op, &part, parts);
    }
    char vs[100] = " in bands cut at rows", what[200];
    for (int b = 0; b < count; b++)
        snprintf(vs + strlen(vs), sizeof vs - strlen(vs), " %d", cuts[b]);
    strcat(vs, " vs the whole image");
    describe(what, sizeof what, op, 0, &c->s, vs);
    cbt_assert_bits_equal(what, parts[0], whole[0], len[0]);
    cbt_free(whole[0]), cbt_free(parts[0]);
}

/* One band's outputs: the kernel's (cbt_alloc'd) and the band reference's, with its bounds. */
typedef struct band_outputs {
    int count;
    size_t len[MAX_OUT];
    float *got[MAX_OUT];
    double *want[MAX_OUT], *bound[MAX_OUT];
} band_outputs;

/* op on the band case b: the reference, and the kernel once into fresh NaN outputs (twice into
 * the same ones for backward-weights: it must overwrite). */
static void band_run(band_outputs *o, const cb_kernel_table *k, conv_op op, const conv_case *b)
{
    o->count = op_outputs(op, &b->s, o->len);
    for (int i = 0; i < o->count; i++) {
        o->got[i] = cbt_alloc(o->len[i]);
        o->want[i] = dalloc(o->len[i]);
        o->bound[i] = dalloc(o->len[i]);
    }
    ref_run(op, b, o->want, o->bound);
    for (int run = 0; run < (op == OP_BWD_WEIGHTS ? 2 : 1); run++)
        kernel_run(k, op, b, o->got);
}

/* Frees band_run's buffers (cbt_free checks their guards). */
static void band_free(band_outputs *o)
{
    for (int i = 0; i < o->count; i++)
        cbt_free(o->got[i]), free(o->want[i]), free(o->bound[i]);
}

/* (b): y (ch channels a pixel) is written (not NaN) in every element of s's band's rows, and NaN
 * in every other. */
static void assert_band_written(const char *what, const cb_conv_shape *s, const float *y, int ch)
{
    for (int n = 0; n < s->n; n++)
        for (int i = 0; i < s->h; i++)
            for (int j = 0; j < s->w; j++)
                for (int c = 0; c < ch; c++) {
                    const bool in = i >= s->row_begin && i < cb_conv_row_end(s);
                    const bool unset = isnan(y[at(s, n, i, j, c, ch)]);
                    if (unset == in)
                        fail_msg("%s: element (n=%d, row %d, col %d, ch %d) %s", what, n, i, j, c,
                                 in ? "not written" : "written outside the band");
                }
}

/* The band's rows of each image of o's output against the band reference, by tier. */
static void assert_band_tier(cbt_tier t, const char *what, const cb_conv_shape *s,
                             const band_outputs *o, int ch)
{
    const size_t len = (size_t)(cb_conv_row_end(s) - s->row_begin) * s->w * ch;
    for (int n = 0; n < s->n; n++) {
        const size_t o0 = at(s, n, s->row_begin, 0, 0, ch);
        char img[240];
        snprintf(img, sizeof img, "%s of image %d", what, n);
        cbt_assert_tier(t, img, o->got[0] + o0, o->want[0] + o0, o->bound[0] + o0, len);
    }
}

/* Band [begin, end) of c alone: (b) for forward and backward-data, and every output against the
 * reference restricted to the band. */
static void check_band(const cb_kernel_table *k, conv_op op, cbt_tier t, const conv_case *c,
                       int begin, int end)
{
    const conv_case part = banded(c, begin, end);
    band_outputs o;
    band_run(&o, k, op, &part);
    char vs[40], what[200];
    snprintf(vs, sizeof vs, " rows [%d, %d)", begin, end);
    for (int i = 0; i < o.count; i++) {
        describe(what, sizeof what, op, i, &part.s, vs);
        if (op == OP_BWD_WEIGHTS) {
            cbt_assert_tier(t, what, o.got[i], o.want[i], o.bound[i], o.len[i]);
        } else {
            const int ch = (int)(o.len[i] / pixels(&part.s));
            assert_band_written(what, &part.s, o.got[i], ch);
            assert_band_tier(t, what, &part.s, &o, ch);
        }
    }
    band_free(&o);
}

/* Every check of the header on op for c's bands cut at cuts[0..count). */
static void check_cuts(const cb_kernel_table *k, conv_op op, cbt_tier t, const conv_case *c,
                       const int *cuts, int count)
{
    if (op != OP_BWD_WEIGHTS)
        check_partition(k, op, c, cuts, count);
    for (int b = 0; b + 1 < count; b++)
        check_band(k, op, t, c, cuts[b], cuts[b + 1]);
}

/* Every band shape, cut set and operation, in both tiers (see the header). */
static void conv_row_bands(void **state)
{
    const cb_kernel_table *k = cbt_table(state);
    cb_rng r;
    cbt_rng(&r, state, 100);
    for (int t = CBT_TIER_EXACT; t <= CBT_TIER_REAL; t++)
        for (int si = 0; si < COUNT(band_shapes); si++) {
            conv_case c;
            case_init(&c, &band_shapes[si], &r, (cbt_tier)t);
            for (int cs = 0; cs < N_CUT_SETS; cs++) {
                int cuts[MAX_CUTS];
                const int count = cut_set(cs, c.s.h, cuts);
                for (int op = OP_FWD; count && op <= OP_BWD_WEIGHTS; op++)
                    check_cuts(k, (conv_op)op, (cbt_tier)t, &c, cuts, count);
            }
            case_free(&c);
        }
}

/* ---- finite differences ---------------------------------------------------------------------- */

#define FD_STEP (1.0 / 1024.0)
#define FD_REF_TOL 1e-9    /* double reference backward vs FD */
#define FD_KERNEL_TOL 1e-3 /* float production backward vs FD (see the header) */

/* The FD objective: a case whose double inputs are perturbed, and scratch for its forward. */
typedef struct fd_loss {
    const conv_case *c;
    double *y;
} fd_loss;

/* L = sum(y * r), y the double forward (no ReLU) of c's double inputs, r = c->dyd. */
static double loss(void *ctx)
{
    const fd_loss *f = ctx;
    const conv_case *c = f->c;
    ref_fwd(&c->s, c->xd, c->wd, c->bd, 0, f->y, NULL);
    double l = 0.0;
    for (size_t i = 0; i < pixels(&c->s) * c->s.cout; i++)
        l += f->y[i] * c->dyd[i];
    return l;
}

static void conv_backward_fd(void **state)
{
    const cb_kernel_table *k = cbt_table(state);
    cb_rng r;
    cbt_rng(&r, state, 99);
    for (int si = 0; si < COUNT(fd_shapes); si++) {
        conv_case c;
        case_init(&c, &fd_shapes[si], &r, CBT_TIER_REAL);
        const cb_conv_shape *s = &c.s;
        char shape[80];
        snprintf(shape, sizeof shape, "[n=%d h=%d w=%d cin=%d cout=%d]", s->n, s->h, s->w, s->cin,
                 s->cout);
        const size_t nx = pixels(s) * s->cin, nw = wsize(s), nb = (size_t)s->cout;
        fd_loss f = {&c, dalloc(pixels(s) * s->cout)};
        double *fdx = dalloc(nx), *fdw = dalloc(nw), *fdb = dalloc(nb);
        cbt_fd_gradient(loss, &f, c.xd, nx, FD_STEP, fdx);
        cbt_fd_gradient(loss, &f, c.wd, nw, FD_STEP, fdw);
        cbt_fd_gradient(loss, &f, c.bd, nb, FD_STEP, fdb);

        /* The double reference backward with dy = r. */
        double *rdx = dalloc(nx), *rdw = dalloc(nw), *rdb = dalloc(nb);
        ref_bwd_data(s, c.dyd, c.wd, rdx, NULL);
        ref_bwd_weights(s, c.xd, c.dyd, rdw, rdb, NULL, NULL);
        cbt_assert_fd("reference dx vs FD", shape, NULL, rdx, fdx, nx, FD_REF_TOL);
        cbt_assert_fd("reference dw vs FD", shape, NULL, rdw, fdw, nw, FD_REF_TOL);
        cbt_assert_fd("reference db vs FD", shape, NULL, rdb, fdb, nb, FD_REF_TOL);

        /* This ISA's float backward kernels with dy = (float) r, exactly the same values. */
        float *dx = cbt_alloc(nx), *dw = cbt_alloc(nw), *db = cbt_alloc(nb);
        k->conv2d_bwd_data(s, c.dy, c.w, dx);
        k->conv2d_bwd_weights(s, c.x, c.dy, dw, db);
        cbt_assert_fd("kernel dx vs FD", shape, dx, NULL, fdx, nx, FD_KERNEL_TOL);
        cbt_assert_fd("kernel dw vs FD", shape, dw, NULL, fdw, nw, FD_KERNEL_TOL);
        cbt_assert_fd("kernel db vs FD", shape, db, NULL, fdb, nb, FD_KERNEL_TOL);

        cbt_free(dx), cbt_free(dw), cbt_free(db);
        free(rdx), free(rdw), free(rdb);
        free(fdx), free(fdw), free(fdb), free(f.y);
        case_free(&c);
    }
}

int main(void)
{
    make_shapes();
    const struct CMUnitTest tests[] = {
        CBT_PER_ISA(conv_fwd_exact),         CBT_PER_ISA(conv_fwd_real),
        CBT_PER_ISA(conv_bwd_data_exact),    CBT_PER_ISA(conv_bwd_data_real),
        CBT_PER_ISA(conv_bwd_weights_exact), CBT_PER_ISA(conv_bwd_weights_real),
        CBT_PER_ISA(conv_backward_fd),       CBT_PER_ISA(conv_row_bands),
    };
    return cmocka_run_group_tests_name("conv2d", tests, NULL, NULL);
}
