/*
 * test_dense.c - the dense (fully connected) kernels (forward with bias and optional fused ReLU;
 * backward dx, dw, db, also with dx == NULL) of every ISA against a double-precision reference
 * written here (plain loops, double accumulators, no fast-math). Each test runs once per ISA
 * ("<test>/<isa>"); the scalar production kernels are tested like any other ISA; an ISA that the
 * build or the CPU lacks is reported as skipped.
 *
 * Tiers (DESIGN.md, "Correctness policy"):
 *   dense_*_exact  x, b, dy integers in [-3, 3], w integers in [-2, 2]. Every product and every
 *                  partial sum is an integer far below 2^24 (at most 512 * 6 + 3), so float
 *                  arithmetic is exact in any order, with or without FMA: the output must be
 *                  BIT-IDENTICAL to the reference (which is checked to be representable in
 *                  float). Forward with ReLU off and on; backward with and without dx.
 *   dense_*_real   x, w, b, dy uniform in [-1, 1). Per element
 *                      |got - ref| <= 2 K 2^-24 sum|a w|,
 *                  K = the number of terms in that element's sum (In + 1 for y with the bias,
 *                  Out for dx, N for dw and db), sum|a w| = the sum of their magnitudes; both
 *                  come from the reference. Recursive float summation in any order, with or
 *                  without FMA, is off by at most about K 2^-24 sum|a w|; the factor 2 is slack.
 *                  ReLU is 1-Lipschitz, so the bound holds after it too. Each SIMD ISA is also
 *                  compared with the scalar production kernel under the same bound (both are
 *                  within K 2^-24 sum|a w| of the exact value).
 * Guards: inputs and outputs come from cbt_alloc: outputs start as NaN, so an element a kernel
 * leaves unwritten fails the comparison; guard values past every buffer make cbt_free fail on an
 * overrun, and an over-read that feeds a result brings in a NaN. The backward kernel runs twice
 * into the same buffers: gradients are overwritten, never accumulated.
 *
 * Shapes: the reference network's layers (batch 32 and 33: 512 -> 32, 32 -> 10, 32 -> 1), then
 * every (N, In, Out) with In, Out in {1, 7, 8, 9, 15, 16, 17, 35, 512} (vector widths 8 and 16:
 * 1, W-1, W, W+1, 2W+1, 2W+3; 512 also spans several of the AVX-512 dx kernel's 64 x 32 tiles)
 * and N in {1, 2, 3, 4, 5, 32, 33} (the 1-, 2-, 4-, 8- and 16-row register blocks and their
 * leftovers; the training step calls N = 1 per image and N = 4 for dense1's weight gradient).
 * The API allows every shape with n, in, out >= 1 and the kernels document no restriction, so all
 * must work.
 *
 * dense_backward_fd: central finite differences (finite_diff.h) in double on small shapes,
 * ReLU off. With L = sum(y * r) for a fixed random r, dL/dy = r, so dL/dx, dL/dw, dL/db are the
 * backward pass with dy = r. The FD derivative of the double forward (step 2^-10; L is linear in
 * each single input, so there is no truncation error, only rounding of L, ~1e-12) must match the
 * double reference backward within 1e-9 * max(|fd|, 1), and each ISA's float backward within
 * 1e-4 * max(|fd|, 1): with |a w| <= 1 and K <= 17 terms per sum, float rounding is at most
 * K^2 2^-24 < 1.8e-5, while a wrong index or a transposition gives an error of order 1.
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

typedef struct dense_shape {
    int n, in, out;
} dense_shape;

static const int io_sizes[] = {1, 7, 8, 9, 15, 16, 17, 35, 512};
static const int n_sizes[] = {1, 2, 3, 4, 5, 32, 33};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))
enum { N_REF_SHAPES = 6 };
enum { N_SHAPES = N_REF_SHAPES + COUNT(n_sizes) * COUNT(io_sizes) * COUNT(io_sizes) };

static dense_shape shapes[N_SHAPES] = {
    {32, 512, 32}, {32, 32, 10}, {32, 32, 1}, /* the reference network's dense layers */
    {33, 512, 32}, {33, 32, 10}, {33, 32, 1},
};

/* Fills shapes[N_REF_SHAPES..] with every (n, in, out). */
static void make_shapes(void)
{
    int k = N_REF_SHAPES;
    for (int a = 0; a < COUNT(n_sizes); a++)
        for (int b = 0; b < COUNT(io_sizes); b++)
            for (int c = 0; c < COUNT(io_sizes); c++)
                shapes[k++] = (dense_shape){n_sizes[a], io_sizes[b], io_sizes[c]};
}

/* Small shapes for the finite-difference test (every input perturbed, one forward each). */
static const dense_shape fd_shapes[] = {{3, 9, 17}, {5, 19, 7}, {1, 1, 1}};

/* ---- double reference ------------------------------------------------------------------------ */

/* The error bound of a float sum of `terms` terms whose magnitudes add up to mag. */
static double bound_of(int terms, double mag)
{
    return 2.0 * terms * U24 * mag;
}

/* y[r,o] = b[o] + sum_i x[r,i] w[i,o], ReLU when relu != 0; bound may be NULL. */
static void ref_fwd(const dense_shape *s, const double *x, const double *w, const double *b,
                    int relu, double *y, double *bound)
{
    for (int r = 0; r < s->n; r++)
        for (int o = 0; o < s->out; o++) {
            double acc = b[o], mag = fabs(b[o]);
            for (int i = 0; i < s->in; i++) {
                const double p = x[(size_t)r * s->in + i] * w[(size_t)i * s->out + o];
                acc += p;
                mag += fabs(p);
            }
            y[(size_t)r * s->out + o] = relu && !(acc > 0.0) ? 0.0 : acc;
            if (bound)
                bound[(size_t)r * s->out + o] = bound_of(s->in + 1, mag);
        }
}

/* dx = dy w^T, dw = x^T dy, db = column sums of dy; the bounds may be NULL. */
static void ref_bwd(const dense_shape *s, const double *x, const double *w, const double *dy,
                    double *dx, double *dw, double *db, double *dx_bound, double *dw_bound,
                    double *db_bound)
{
    const int N = s->n, IN = s->in, OUT = s->out;
    for (int r = 0; r < N; r++)
        for (int i = 0; i < IN; i++) {
            double acc = 0.0, mag = 0.0;
            for (int o = 0; o < OUT; o++) {
                const double p = dy[(size_t)r * OUT + o] * w[(size_t)i * OUT + o];
                acc += p;
                mag += fabs(p);
            }
            dx[(size_t)r * IN + i] = acc;
            if (dx_bound)
                dx_bound[(size_t)r * IN + i] = bound_of(OUT, mag);
        }
    for (int i = 0; i < IN; i++)
        for (int o = 0; o < OUT; o++) {
            double acc = 0.0, mag = 0.0;
            for (int r = 0; r < N; r++) {
                const double p = x[(size_t)r * IN + i] * dy[(size_t)r * OUT + o];
                acc += p;
                mag += fabs(p);
            }
            dw[(size_t)i * OUT + o] = acc;
            if (dw_bound)
                dw_bound[(size_t)i * OUT + o] = bound_of(N, mag);
        }
    for (int o = 0; o < OUT; o++) {
        double acc = 0.0, mag = 0.0;
        for (int r = 0; r < N; r++) {
            acc += dy[(size_t)r * OUT + o];
            mag += fabs(dy[(size_t)r * OUT + o]);
        }
        db[o] = acc;
        if (db_bound)
            db_bound[o] = bound_of(N, mag);
    }
}

/* ---- one test case: inputs in float (for the kernels) and double (for the reference) --------- */

typedef struct dense_case {
    dense_shape s;
    float *x, *w, *b, *dy;      /* cbt_alloc'd */
    double *xd, *wd, *bd, *dyd; /* the same values */
} dense_case;

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

static void case_init(dense_case *c, const dense_shape *s, cb_rng *r, cbt_tier t)
{
    c->s = *s;
    c->x = make_input(r, (size_t)s->n * s->in, t, 3, &c->xd);
    c->w = make_input(r, (size_t)s->in * s->out, t, 2, &c->wd);
    c->b = make_input(r, (size_t)s->out, t, 3, &c->bd);
    c->dy = make_input(r, (size_t)s->n * s->out, t, 3, &c->dyd);
}

static void case_free(dense_case *c)
{
    cbt_free(c->x), cbt_free(c->w), cbt_free(c->b), cbt_free(c->dy);
    free(c->xd), free(c->wd), free(c->bd), free(c->dyd);
}

/* ---- the operations, run by the reference or by a kernel table ------------------------------- */

/* OP_BWD's outputs are dw, db, dx; OP_BWD_NO_DX passes dx = NULL and has only dw, db;
 * OP_BWD_DATA_ONLY passes x, dw and db NULL (the step's per-image call) and has only dx. */
typedef enum dense_op { OP_FWD, OP_FWD_RELU, OP_BWD, OP_BWD_NO_DX, OP_BWD_DATA_ONLY } dense_op;
enum { MAX_OUT = 3 };

static const char *const op_names[] = {"fwd", "fwd+relu", "bwd", "bwd (dx NULL)",
                                       "bwd (x, dw, db NULL)"};
static const char *const out_names[][MAX_OUT] = {
    {"y"}, {"y"}, {"dw", "db", "dx"}, {"dw", "db"}, {"dx"}};

/* The number of outputs of op and their lengths. */
static int op_outputs(dense_op op, const dense_shape *s, size_t len[MAX_OUT])
{
    if (op == OP_FWD || op == OP_FWD_RELU) {
        len[0] = (size_t)s->n * s->out;
        return 1;
    }
    if (op == OP_BWD_DATA_ONLY) {
        len[0] = (size_t)s->n * s->in;
        return 1;
    }
    len[0] = (size_t)s->in * s->out;
    len[1] = (size_t)s->out;
    len[2] = (size_t)s->n * s->in;
    return op == OP_BWD ? 3 : 2;
}

static void ref_run(dense_op op, const dense_case *c, double *want[MAX_OUT], double *bound[MAX_OUT])
{
    if (op == OP_FWD || op == OP_FWD_RELU) {
        ref_fwd(&c->s, c->xd, c->wd, c->bd, op == OP_FWD_RELU, want[0], bound[0]);
        return;
    }
    /* The reference always computes all three; OP_BWD_NO_DX drops dx, OP_BWD_DATA_ONLY dw and db. */
    const size_t nx = (size_t)c->s.n * c->s.in, nw = (size_t)c->s.in * c->s.out;
    double *dx = dalloc(nx), *dxb = dalloc(nx), *dw = dalloc(nw), *dwb = dalloc(nw),
           *db = dalloc((size_t)c->s.out), *dbb = dalloc((size_t)c->s.out);
    ref_bwd(&c->s, c->xd, c->wd, c->dyd, dx, dw, db, dxb, dwb, dbb);
    double *const got[3] = {dw, db, dx}, *const got_bound[3] = {dwb, dbb, dxb};
    const size_t len[3] = {nw, (size_t)c->s.out, nx};
    const int first = op == OP_BWD_DATA_ONLY ? 2 : 0, last = op == OP_BWD_NO_DX ? 1 : 2;
    for (int o = first; o <= last; o++) {
        memcpy(want[o - first], got[o], len[o] * sizeof *got[o]);
        memcpy(bound[o - first], got_bound[o], len[o] * sizeof *got_bound[o]);
    }
    free(dx), free(dxb), free(dw), free(dwb), free(db), free(dbb);
}

static void kernel_run(const cb_kernel_table *k, dense_op op, const dense_case *c,
                       float *out[MAX_OUT])
{
    const dense_shape *s = &c->s;
    if (op == OP_FWD || op == OP_FWD_RELU)
        k->dense_fwd(s->n, s->in, s->out, c->x, c->w, c->b, out[0], op == OP_FWD_RELU);
    else if (op == OP_BWD_DATA_ONLY) /* x NULL too: a kernel that reads it crashes here */
        k->dense_bwd(s->n, s->in, s->out, NULL, c->w, c->dy, out[0], NULL, NULL);
    else
        k->dense_bwd(s->n, s->in, s->out, c->x, c->w, c->dy, op == OP_BWD ? out[2] : NULL, out[0],
                     out[1]);
}

/* ---- comparisons ----------------------------------------------------------------------------- */

static void describe(char *buf, size_t size, dense_op op, int out, const dense_shape *s,
                     const char *vs)
{
    snprintf(buf, size, "dense %s %s [n=%d in=%d out=%d]%s", op_names[op], out_names[op][out], s->n,
             s->in, s->out, vs);
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
    return op_outputs((dense_op)op, &((const dense_case *)c)->s, len);
}

static void family_reference(int op, const void *c, double *want[], double *bound[])
{
    ref_run((dense_op)op, c, want, bound);
}

static void family_run(const cb_kernel_table *k, int op, const void *c, float *out[])
{
    kernel_run(k, (dense_op)op, c, out);
}

static bool family_writes_gradients(int op)
{
    return op == OP_BWD || op == OP_BWD_NO_DX || op == OP_BWD_DATA_ONLY;
}

static void family_describe(char *buf, size_t size, int op, int out, const void *c)
{
    describe(buf, size, (dense_op)op, out, &((const dense_case *)c)->s, "");
}

static const cbt_family family = {
    N_SHAPES, sizeof(dense_case), family_init, family_free, family_outputs, family_reference,
    family_run, family_writes_gradients, family_describe,
};

/* The whole shape table for one operation and tier on this test's ISA. */
static void check_op(void **state, dense_op op, cbt_tier t)
{
    cbt_check_family(state, &family, op, t);
}

/* ---- tests: exact and real tiers ------------------------------------------------------------- */

static void dense_fwd_exact(void **state)
{
    check_op(state, OP_FWD, CBT_TIER_EXACT);
    check_op(state, OP_FWD_RELU, CBT_TIER_EXACT);
}

static void dense_fwd_real(void **state)
{
    check_op(state, OP_FWD, CBT_TIER_REAL);
    check_op(state, OP_FWD_RELU, CBT_TIER_REAL);
}

static void dense_bwd_exact(void **state)
{
    check_op(state, OP_BWD, CBT_TIER_EXACT);
    check_op(state, OP_BWD_NO_DX, CBT_TIER_EXACT);
    check_op(state, OP_BWD_DATA_ONLY, CBT_TIER_EXACT);
}

static void dense_bwd_real(void **state)
{
    check_op(state, OP_BWD, CBT_TIER_REAL);
    check_op(state, OP_BWD_NO_DX, CBT_TIER_REAL);
    check_op(state, OP_BWD_DATA_ONLY, CBT_TIER_REAL);
}

/* ---- finite differences ---------------------------------------------------------------------- */

#define FD_STEP (1.0 / 1024.0)
#define FD_REF_TOL 1e-9    /* double reference backward vs FD */
#define FD_KERNEL_TOL 1e-4 /* float production backward vs FD (see the header) */

/* The FD objective: a case whose double inputs are perturbed, and scratch for its forward. */
typedef struct fd_loss {
    const dense_case *c;
    double *y;
} fd_loss;

/* L = sum(y * r), y the double forward (no ReLU) of c's double inputs, r = c->dyd. */
static double loss(void *ctx)
{
    const fd_loss *f = ctx;
    const dense_case *c = f->c;
    ref_fwd(&c->s, c->xd, c->wd, c->bd, 0, f->y, NULL);
    double l = 0.0;
    for (size_t i = 0; i < (size_t)c->s.n * c->s.out; i++)
        l += f->y[i] * c->dyd[i];
    return l;
}

static void dense_backward_fd(void **state)
{
    const cb_kernel_table *k = cbt_table(state);
    cb_rng r;
    cbt_rng(&r, state, 99);
    for (int si = 0; si < COUNT(fd_shapes); si++) {
        dense_case c;
        case_init(&c, &fd_shapes[si], &r, CBT_TIER_REAL);
        const dense_shape *s = &c.s;
        char shape[80];
        snprintf(shape, sizeof shape, "[n=%d in=%d out=%d]", s->n, s->in, s->out);
        const size_t nx = (size_t)s->n * s->in, nw = (size_t)s->in * s->out, nb = (size_t)s->out;
        fd_loss f = {&c, dalloc((size_t)s->n * s->out)};
        double *fdx = dalloc(nx), *fdw = dalloc(nw), *fdb = dalloc(nb);
        cbt_fd_gradient(loss, &f, c.xd, nx, FD_STEP, fdx);
        cbt_fd_gradient(loss, &f, c.wd, nw, FD_STEP, fdw);
        cbt_fd_gradient(loss, &f, c.bd, nb, FD_STEP, fdb);

        /* The double reference backward with dy = r. */
        double *rdx = dalloc(nx), *rdw = dalloc(nw), *rdb = dalloc(nb);
        ref_bwd(s, c.xd, c.wd, c.dyd, rdx, rdw, rdb, NULL, NULL, NULL);
        cbt_assert_fd("reference dx vs FD", shape, NULL, rdx, fdx, nx, FD_REF_TOL);
        cbt_assert_fd("reference dw vs FD", shape, NULL, rdw, fdw, nw, FD_REF_TOL);
        cbt_assert_fd("reference db vs FD", shape, NULL, rdb, fdb, nb, FD_REF_TOL);

        /* This ISA's float backward kernel with dy = (float) r, exactly the same values. */
        float *dx = cbt_alloc(nx), *dw = cbt_alloc(nw), *db = cbt_alloc(nb);
        k->dense_bwd(s->n, s->in, s->out, c.x, c.w, c.dy, dx, dw, db);
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
        CBT_PER_ISA(dense_fwd_exact), CBT_PER_ISA(dense_fwd_real),
        CBT_PER_ISA(dense_bwd_exact), CBT_PER_ISA(dense_bwd_real),
        CBT_PER_ISA(dense_backward_fd),
    };
    return cmocka_run_group_tests_name("dense", tests, NULL, NULL);
}
