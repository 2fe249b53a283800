/*
 * test_pool_relu.c - ReLU and 2x2 max-pool kernels, every ISA (the scalar production kernel is
 * tested like the others) against plain references written here.
 *
 * Both kernels only select and copy floats, never round, so every comparison is bit for bit
 * (tolerance 0 ulp, signed zeros included):
 *
 * - relu_fwd / relu_bwd: n in {1, 7, 8, 9, 15, 16, 17, 19, 35, 1000, 1001} (every body and tail
 *   path of 8- and 16-lane vectors), out of place and in place (y == x, dx == dy, which the API
 *   allows). Inputs mix U(-2, 2), small integers (so exact zeros), +0, -0 and the special values
 *   +-FLT_MIN, +-FLT_TRUE_MIN, +-FLT_MAX, +-inf (no NaN: the API leaves NaN open), and the first
 *   and last elements cycle through all of them so that the vector body and the masked tail each
 *   see every one. Reference: y = x > 0 ? x : +0 (so -0 -> +0), dx = y > 0 ? dy : +0 with y the
 *   forward output (the formula is defined for any y; -0 and negative y give +0 too).
 *   Out-of-place calls must leave their inputs unchanged.
 * - maxpool_fwd / maxpool_bwd: every NHWC shape with h, w in {2, 3, 4, 5, 7, 16, 17, 32},
 *   c in {1, 3, 7, 8, 9, 16, 17, 19}, n in {1, 2, 3}, for integer inputs from [-3, 3] (frequent
 *   ties), [-6, -1] (negative-only windows), {0, 1} (mostly ties, whole windows equal),
 *   [-1e6, 1e6] (rare ties) and [-3, 3] with every 5th element NaN (a NaN first in its window
 *   makes the maximum NaN; elsewhere it is passed over). Forward, with relu 0 and 1: y the window
 *   maximum (scalar's order: m = e0, then m = e_k > m ? e_k : m) and arg the index of the FIRST
 *   element of the window, in row-major window order (top-left, top-right, bottom-left,
 *   bottom-right), equal to it, or CB_POOL_NONE (4) when none is (y NaN) or, with relu, where
 *   !(y > 0). Backward, from that index and from a random one in [0, 4]: dy at the indexed
 *   element, +0 at every other element of dx, a dropped odd last row or column included.
 *   Outputs start as NaN (dx, y) or 0xEE (arg, not a valid index), so every element must be
 *   written; arg has guard bytes of its own.
 * - maxpool_bwd_finite_differences: forward then backward (the index is the kernel's own) against
 *   central differences (finite_diff.h), in double, of L(z) = sum_o dy[o] * maxpool(z)[o] and,
 *   with relu set, of L(z) = sum_o dy[o] * maxpool(max(z, 0))[o] (the kernel given x = max(z, 0)),
 *   on small shapes with all-distinct inputs (odd multiples of 1/16, perturbation 1/32 < half the
 *   gap of 1/8 and below the distance to 0, so neither the argmax nor a ReLU's side changes and
 *   the difference quotient is exact up to double rounding): |dx - fd| <= 1e-6, while a misrouted
 *   or unmasked gradient is off by |dy| >= 0.5.
 *
 * Every output buffer has guard values after its end (cbt_alloc); overwriting one fails the test.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finite_diff.h"
#include "kernel_test.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- ReLU ------------------------------------------------------------------------------------ */

static const size_t relu_sizes[] = {1, 7, 8, 9, 15, 16, 17, 19, 35, 1000, 1001};

static const float relu_specials[] = {
    0.0f, -0.0f, 1.0f, -1.0f, FLT_MIN, -FLT_MIN, FLT_TRUE_MIN, -FLT_TRUE_MIN,
    FLT_MAX, -FLT_MAX, INFINITY, -INFINITY, 0x1p-20f,
};
enum { RELU_ROUNDS = ARRAY_LEN(relu_specials) };

static float ref_relu(float x)
{
    return x > 0.0f ? x : 0.0f;
}

static float ref_relu_grad(float y, float dy)
{
    return y > 0.0f ? dy : 0.0f;
}

/* A mix of U(-2, 2), integers in [-2, 2] and special values; x[0] and x[n-1] are set from round so
 * that, over the rounds, both the first vector and the tail see every special value. */
static void fill_relu_input(cb_rng *r, float *x, size_t n, int round)
{
    for (size_t i = 0; i < n; i++) {
        switch (cb_rng_below(r, 4)) {
        case 0:
            x[i] = relu_specials[cb_rng_below(r, RELU_ROUNDS)];
            break;
        case 1:
            cbt_fill_int(r, &x[i], 1, -2, 2);
            break;
        default:
            cbt_fill_uniform(r, &x[i], 1, -2.0f, 2.0f);
        }
    }
    x[0] = relu_specials[(round + 5) % RELU_ROUNDS];
    x[n - 1] = relu_specials[round];
}

/* Calls fwd (in_place: on a copy of x, as y == x) and returns y. */
static float *run_relu_fwd(const cb_kernel_table *k, const float *x, size_t n, int in_place)
{
    if (in_place) {
        float *y = cbt_copy(x, n);
        k->relu_fwd(n, y, y);
        return y;
    }
    float *y = cbt_alloc(n);
    k->relu_fwd(n, x, y);
    return y;
}

/* Calls bwd (in_place: on a copy of dy, as dx == dy) and returns dx. */
static float *run_relu_bwd(const cb_kernel_table *k, const float *y, const float *dy, size_t n,
                           int in_place)
{
    if (in_place) {
        float *dx = cbt_copy(dy, n);
        k->relu_bwd(n, y, dx, dx);
        return dx;
    }
    float *dx = cbt_alloc(n);
    k->relu_bwd(n, y, dy, dx);
    return dx;
}

static void relu_fwd_matches_reference(void **state)
{
    const cb_kernel_table *k = cbt_table(state);
    cb_rng r;
    cbt_rng(&r, state, 1);
    char what[96];
    for (size_t s = 0; s < ARRAY_LEN(relu_sizes); s++)
        for (int round = 0; round < RELU_ROUNDS; round++)
            for (int in_place = 0; in_place < 2; in_place++) {
                const size_t n = relu_sizes[s];
                float *x = cbt_alloc(n), *want = cbt_alloc(n);
                fill_relu_input(&r, x, n, round);
                for (size_t i = 0; i < n; i++)
                    want[i] = ref_relu(x[i]);
                float *keep = cbt_copy(x, n);
                float *y = run_relu_fwd(k, x, n, in_place);
                snprintf(what, sizeof what, "relu_fwd y (n=%zu, round %d, %s)", n, round,
                         in_place ? "in place" : "out of place");
                cbt_assert_bits_equal(what, y, want, n);
                cbt_assert_bits_equal("relu_fwd input x (must be unchanged)", x, keep, n);
                cbt_free(y);
                cbt_free(keep);
                cbt_free(want);
                cbt_free(x);
            }
}

static void relu_bwd_matches_reference(void **state)
{
    const cb_kernel_table *k = cbt_table(state);
    cb_rng r;
    cbt_rng(&r, state, 2);
    char what[96];
    for (size_t s = 0; s < ARRAY_LEN(relu_sizes); s++)
        for (int round = 0; round < RELU_ROUNDS; round++)
            for (int in_place = 0; in_place < 2; in_place++) {
                const size_t n = relu_sizes[s];
                float *x = cbt_alloc(n), *y = cbt_alloc(n), *dy = cbt_alloc(n);
                float *want = cbt_alloc(n);
                fill_relu_input(&r, x, n, round);
                fill_relu_input(&r, dy, n, RELU_ROUNDS - 1 - round);
                /* Odd rounds: y is a forward output (>= +0); even rounds: any value, -0 too. */
                for (size_t i = 0; i < n; i++)
                    y[i] = round % 2 ? ref_relu(x[i]) : x[i];
                for (size_t i = 0; i < n; i++)
                    want[i] = ref_relu_grad(y[i], dy[i]);
                float *keep_y = cbt_copy(y, n), *keep_dy = cbt_copy(dy, n);
                float *dx = run_relu_bwd(k, y, dy, n, in_place);
                snprintf(what, sizeof what, "relu_bwd dx (n=%zu, round %d, %s)", n, round,
                         in_place ? "in place" : "out of place");
                cbt_assert_bits_equal(what, dx, want, n);
                cbt_assert_bits_equal("relu_bwd input y (must be unchanged)", y, keep_y, n);
                cbt_assert_bits_equal("relu_bwd input dy (must be unchanged)", dy, keep_dy, n);
                cbt_free(dx);
                cbt_free(keep_dy);
                cbt_free(keep_y);
                cbt_free(want);
                cbt_free(dy);
                cbt_free(y);
                cbt_free(x);
            }
}

/* ---- max-pool: reference --------------------------------------------------------------------- */

static size_t pool_in_count(const cb_pool_shape *s)
{
    return (size_t)s->n * s->h * s->w * s->c;
}

static size_t pool_out_count(const cb_pool_shape *s)
{
    return (size_t)s->n * (s->h / 2) * (s->w / 2) * s->c;
}

/* Index in x of element k (0..3, row-major: top-left, top-right, bottom-left, bottom-right) of the
 * window of output element o (flat index into y [N, H/2, W/2, C]). */
static size_t window_elem(const cb_pool_shape *s, size_t o, int k)
{
    const size_t oh = (size_t)s->h / 2, ow = (size_t)s->w / 2;
    const size_t c = o % s->c, ox = o / s->c % ow, oy = o / s->c / ow % oh, n = o / s->c / ow / oh;
    return ((n * s->h + 2 * oy + (size_t)(k / 2)) * s->w + 2 * ox + (size_t)(k % 2)) * s->c + c;
}

/* The window element (0..3) of output o that scalar's maximum m = e0, m = e_k > m ? e_k : m
 * comes from: the first maximal one (ties: the earliest wins). */
static int window_argmax(const cb_pool_shape *s, const float *x, size_t o)
{
    int best = 0;
    for (int k = 1; k < 4; k++)
        if (x[window_elem(s, o, k)] > x[window_elem(s, o, best)])
            best = k;
    return best;
}

static void ref_pool_fwd(const cb_pool_shape *s, const float *x, float *y, uint8_t *arg)
{
    for (size_t o = 0; o < pool_out_count(s); o++) {
        const int k = window_argmax(s, x, o);
        y[o] = x[window_elem(s, o, k)];
        arg[o] = isnan(y[o]) || (s->relu && !(y[o] > 0.0f)) ? CB_POOL_NONE : (uint8_t)k;
    }
}

static void ref_pool_bwd(const cb_pool_shape *s, const uint8_t *arg, const float *dy, float *dx)
{
    for (size_t i = 0; i < pool_in_count(s); i++)
        dx[i] = 0.0f;
    for (size_t o = 0; o < pool_out_count(s); o++)
        if (arg[o] != CB_POOL_NONE)
            dx[window_elem(s, o, arg[o])] = dy[o];
}

/* ---- max-pool: window indices, guarded ------------------------------------------------------ */

enum { ARG_GUARD = 64, ARG_UNWRITTEN = 0xEE, ARG_GUARD_BYTE = 0xA5 };

/* n index bytes set to ARG_UNWRITTEN, followed by ARG_GUARD guard bytes. */
static uint8_t *arg_alloc(size_t n)
{
    uint8_t *p = malloc(n + ARG_GUARD);
    assert_non_null(p);
    memset(p, ARG_UNWRITTEN, n);
    memset(p + n, ARG_GUARD_BYTE, ARG_GUARD);
    return p;
}

static void arg_free(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < ARG_GUARD; i++)
        if (p[n + i] != ARG_GUARD_BYTE)
            fail_msg("window index: guard byte %zu past the end overwritten", i);
    free(p);
}

static void assert_args_equal(const char *what, const uint8_t *got, const uint8_t *want, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (got[i] != want[i])
            fail_msg("%s[%zu]: %d, reference %d", what, i, got[i], want[i]);
}

/* ---- max-pool: exact comparison over every listed shape -------------------------------------- */

static const int pool_hw[] = {2, 3, 4, 5, 7, 16, 17, 32};
static const int pool_c[] = {1, 3, 7, 8, 9, 16, 17, 19};
static const int pool_n[] = {1, 2, 3};

typedef struct value_range {
    const char *name;
    int lo, hi;
    int nan_every; /* > 0: every nan_every-th element is NaN */
} value_range;

static const value_range pool_ranges[] = {
    {"integers in [-3,3]: frequent ties", -3, 3, 0},
    {"integers in [-6,-1]: negative-only windows", -6, -1, 0},
    {"0 or 1: mostly ties", 0, 1, 0},
    {"integers in [-1e6,1e6]: rare ties", -1000000, 1000000, 0},
    {"integers in [-3,3], every 5th NaN", -3, 3, 5},
};

/* Backward of shape s from index arg against the reference, bit for bit. */
static void check_pool_bwd(const cb_kernel_table *k, const cb_pool_shape *s, const uint8_t *arg,
                           const float *dy, const char *what)
{
    const size_t nin = pool_in_count(s);
    float *dx = cbt_alloc(nin), *want_dx = cbt_alloc(nin); /* NaN: every element must be written */
    ref_pool_bwd(s, arg, dy, want_dx);
    k->maxpool_bwd(s, arg, dy, dx);
    cbt_assert_bits_equal(what, dx, want_dx, nin);
    cbt_free(want_dx);
    cbt_free(dx);
}

/* Forward and backward of one shape against the reference, bit for bit, with relu 0 and 1. */
static void check_pool_shape(const cb_kernel_table *k, cb_rng *r, const cb_pool_shape *s,
                             const value_range *vr)
{
    const size_t nin = pool_in_count(s), nout = pool_out_count(s);
    float *x = cbt_alloc(nin), *dy = cbt_alloc(nout);
    uint8_t *random_arg = arg_alloc(nout);
    cbt_fill_int(r, x, nin, vr->lo, vr->hi);
    for (size_t i = 0; vr->nan_every && i < nin; i += (size_t)vr->nan_every)
        x[i] = NAN;
    cbt_fill_uniform(r, dy, nout, -1.0f, 1.0f);
    for (size_t o = 0; o < nout; o++)
        random_arg[o] = (uint8_t)cb_rng_below(r, CB_POOL_NONE + 1);

    for (int relu = 0; relu <= 1; relu++) {
        const cb_pool_shape b = {s->n, s->h, s->w, s->c, relu};
        float *y = cbt_alloc(nout), *want_y = cbt_alloc(nout);
        uint8_t *arg = arg_alloc(nout), *want_arg = arg_alloc(nout);
        ref_pool_fwd(&b, x, want_y, want_arg);
        k->maxpool_fwd(&b, x, y, arg);
        char what[160], name[220];
        snprintf(what, sizeof what, "(n=%d h=%d w=%d c=%d relu=%d, %s)", s->n, s->h, s->w, s->c,
                 relu, vr->name);
        snprintf(name, sizeof name, "maxpool_fwd y %s", what);
        cbt_assert_bits_equal(name, y, want_y, nout);
        snprintf(name, sizeof name, "maxpool_fwd arg %s", what);
        assert_args_equal(name, arg, want_arg, nout);
        snprintf(name, sizeof name, "maxpool_bwd dx from the forward's index %s", what);
        check_pool_bwd(k, &b, want_arg, dy, name);
        snprintf(name, sizeof name, "maxpool_bwd dx from a random index %s", what);
        check_pool_bwd(k, &b, random_arg, dy, name);
        arg_free(want_arg, nout);
        arg_free(arg, nout);
        cbt_free(want_y);
        cbt_free(y);
    }

    arg_free(random_arg, nout);
    cbt_free(dy);
    cbt_free(x);
}

static void maxpool_matches_reference(void **state)
{
    const cb_kernel_table *k = cbt_table(state);
    cb_rng r;
    cbt_rng(&r, state, 3);
    for (size_t v = 0; v < ARRAY_LEN(pool_ranges); v++)
        for (size_t ih = 0; ih < ARRAY_LEN(pool_hw); ih++)
            for (size_t iw = 0; iw < ARRAY_LEN(pool_hw); iw++)
                for (size_t ic = 0; ic < ARRAY_LEN(pool_c); ic++)
                    for (size_t in = 0; in < ARRAY_LEN(pool_n); in++) {
                        const cb_pool_shape s = {pool_n[in], pool_hw[ih], pool_hw[iw], pool_c[ic], 0};
                        check_pool_shape(k, &r, &s, &pool_ranges[v]);
                    }
}

/* ---- max-pool: backward against finite differences ------------------------------------------- */

static const cb_pool_shape fd_shapes[] = { /* relu set on a copy */
    {1, 2, 2, 1, 0}, {2, 5, 7, 3, 0},  {1, 4, 4, 8, 0},
    {1, 7, 6, 9, 0}, {2, 3, 5, 17, 0}, {1, 6, 6, 16, 0},
};

enum { FD_VALUES_PER_UNIT = 8 }; /* inputs are distinct, 1/8 apart */
static const float fd_step = 1.0f / 32.0f;

/* The FD objective's inputs: z is the one perturbed. */
typedef struct pool_loss {
    const cb_pool_shape *s;
    const float *z, *w;
} pool_loss;

/* L(z) = sum_o w[o] * maxpool(z)[o], with s->relu of max(z, 0) (= max(maxpool(z), 0)), in
 * double. */
static double pool_objective(void *ctx)
{
    const pool_loss *l = ctx;
    double sum = 0.0;
    for (size_t o = 0; o < pool_out_count(l->s); o++) {
        const double m = l->z[window_elem(l->s, o, window_argmax(l->s, l->z, o))];
        sum += (double)l->w[o] * (l->s->relu && m < 0.0 ? 0.0 : m);
    }
    return sum;
}

/* z = a random permutation of (0 .. nin-1) - nin/2, plus 1/2, over 8: all distinct, none within
 * 1/16 of 0, exact in float. */
static void fill_distinct(cb_rng *r, float *z, size_t nin)
{
    int32_t *perm = malloc(nin * sizeof *perm);
    assert_non_null(perm);
    for (size_t i = 0; i < nin; i++)
        perm[i] = (int32_t)i - (int32_t)(nin / 2);
    cb_rng_shuffle_i32(r, perm, (int)nin);
    for (size_t i = 0; i < nin; i++)
        z[i] = ((float)perm[i] + 0.5f) / FD_VALUES_PER_UNIT;
    free(perm);
}

static void maxpool_bwd_finite_differences(void **state)
{
    const cb_kernel_table *k = cbt_table(state);
    cb_rng r;
    cbt_rng(&r, state, 4);
    for (size_t t = 0; t < 2 * ARRAY_LEN(fd_shapes); t++) {
        cb_pool_shape s = fd_shapes[t / 2];
        s.relu = (int)(t % 2);
        const size_t nin = pool_in_count(&s), nout = pool_out_count(&s);
        float *z = cbt_alloc(nin), *x = cbt_alloc(nin), *dx = cbt_alloc(nin);
        float *y = cbt_alloc(nout), *dy = cbt_alloc(nout);
        uint8_t *arg = arg_alloc(nout);
        fill_distinct(&r, z, nin);
        for (size_t i = 0; i < nin; i++) /* the kernel's input: the ReLU's output, with relu */
            x[i] = s.relu && z[i] < 0.0f ? 0.0f : z[i];
        /* |dy| in [0.5, 1.5], either sign: a misrouted gradient is off by at least 0.5. */
        for (size_t o = 0; o < nout; o++)
            dy[o] = (0.5f + cb_rng_uniform(&r)) * (cb_rng_below(&r, 2) ? 1.0f : -1.0f);
        k->maxpool_fwd(&s, x, y, arg);
        k->maxpool_bwd(&s, arg, dy, dx);
        pool_loss l = {&s, z, dy};
        for (size_t i = 0; i < nin; i++) {
            const double fd = cbt_central_diff_f(pool_objective, &l, &z[i], fd_step);
            if (!(fabs((double)dx[i] - fd) <= 1e-6))
                fail_msg("maxpool_bwd dx[%zu] = %.9g, finite difference %.9g (n=%d h=%d w=%d "
                         "c=%d relu=%d)",
                         i, dx[i], fd, s.n, s.h, s.w, s.c, s.relu);
        }
        arg_free(arg, nout);
        cbt_free(dy);
        cbt_free(y);
        cbt_free(dx);
        cbt_free(x);
        cbt_free(z);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CBT_PER_ISA(relu_fwd_matches_reference),
        CBT_PER_ISA(relu_bwd_matches_reference),
        CBT_PER_ISA(maxpool_matches_reference),
        CBT_PER_ISA(maxpool_bwd_finite_differences),
    };
    return cmocka_run_group_tests_name("pool_relu", tests, NULL, NULL);
}
