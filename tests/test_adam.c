/*
 * test_adam.c - the Adam update kernels (every ISA) and cb_adam_hparams_at, against a double
 * reference of Keras' Adam as cb_kernels.h documents it:
 *
 *   step_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)
 *   m = beta1 m + (1 - beta1) g;   v = beta2 v + (1 - beta2) g^2;
 *   p = p - step_t m / (sqrt(v) + eps)
 *
 * The reference works in double on the exact values of the float hyper-parameters (Keras keeps
 * them as float32 too; 1 - beta is exact in float for beta in [0.5, 1], Sterbenz).
 *
 * - adam_hparams_at_bias_correction: step_t within 1 ulp of the double formula for t from 1 to
 *   1e7 (one rounding to float, plus pow's tiny error); beta1, beta2, eps passed through exactly.
 * - adam_matches_reference/<isa>: n in {1, 7, 8, 9, 15, 16, 17, 33, 1000, 1003} (every vector body
 *   and tail), two hyper-parameter sets (Keras' defaults, and lr 0.05 / 0.5 / 0.95 / 1e-3 so
 *   that a kernel with built-in constants fails), 10 updates t = 1..10 from m = v = 0 with fresh
 *   gradients each update: 1/8 exact zeros (+0 or -0), 1/8 large (|g| up to 2e12), 1/8 small
 *   (|g| down to 1e-10), the rest U(-1, 1). After every update, p, m, v are compared with one
 *   reference update from the kernel's own state before it (so errors do not compound and the
 *   bound is the one-update bound at every t), element by element within a bound from first-order
 *   rounding-error analysis (u = 2^-24) with a margin:
 *     m: 3u (|beta1 m0| + |(1-beta1) g|)   two products and a sum, 2u; absolute, since the two
 *                                          terms can cancel
 *     v: 4u v                              three roundings of non-negative terms, 3u
 *     p: 2u |p| + 8u |upd| + step/(sqrt(v)+eps) * bound_m
 *                                          upd = step m / (sqrt(v)+eps): step (u), sqrt (1.5u
 *                                          from v, u own), + eps (u), * and / (2u) = 6.5u; then
 *                                          m's error scaled, and the final subtraction (u |p|)
 *   (largest error / bound seen with these seeds: m 0.64, v 0.57, p 0.50.)
 *   Every SIMD ISA must moreover be bit-identical to the scalar production kernel at every update
 *   (each kernel evaluates scalar's operations in scalar's order, correctly rounded, no FMA
 *   contraction: the build uses -std=c11, so -ffp-contract=off). g must be left unchanged.
 * - adam_first_step_is_about_lr/<isa>: on update 1 (m = v = 0) Adam moves each parameter against
 *   its gradient's sign by lr |g| s / (|g| s + eps) with s = sqrt(1 - beta2), i.e. by lr within
 *   eps / (s |g|) <= 3.2e-5 relative for |g| >= 0.1; with the two float roundings of p (|p| < 2)
 *   the test allows 1e-3 relative, for lr in {1e-3, 1e-2, 0.1}. A zero gradient leaves p exactly
 *   unchanged. Missing or doubled bias correction is off by a factor ~3 and fails.
 *
 * Outputs and inputs are guarded (cbt_alloc): writing past element n-1 fails the test.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_test.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const double u = 0x1p-24; /* unit roundoff of float */

typedef struct adam_config {
    const char *name;
    float lr, beta1, beta2, eps;
} adam_config;

static const adam_config adam_configs[] = {
    {"Keras defaults lr 1e-3", 1e-3f, 0.9f, 0.999f, 1e-7f},
    {"lr 0.05, beta 0.5/0.95, eps 1e-3", 0.05f, 0.5f, 0.95f, 1e-3f},
};

static const size_t adam_sizes[] = {1, 7, 8, 9, 15, 16, 17, 33, 1000, 1003};
enum { ADAM_STEPS = 10 };

/* The bias-corrected learning rate of update t, in double. */
static double ref_step(const adam_config *c, long t)
{
    const double b1 = c->beta1, b2 = c->beta2;
    return (double)c->lr * sqrt(1.0 - pow(b2, (double)t)) / (1.0 - pow(b1, (double)t));
}

/* One reference update of n parameters from the state (p0, m0, v0) with gradient g: the wanted
 * p, m, v and their error bounds (see the header comment). */
typedef struct adam_want {
    double *p, *m, *v, *bound_p, *bound_m, *bound_v;
} adam_want;

static adam_want want_alloc(size_t n)
{
    adam_want w;
    double **fields[] = {&w.p, &w.m, &w.v, &w.bound_p, &w.bound_m, &w.bound_v};
    for (size_t i = 0; i < ARRAY_LEN(fields); i++) {
        *fields[i] = malloc(n * sizeof(double));
        assert_non_null(*fields[i]);
    }
    return w;
}

static void want_free(adam_want *w)
{
    double *fields[] = {w->p, w->m, w->v, w->bound_p, w->bound_m, w->bound_v};
    for (size_t i = 0; i < ARRAY_LEN(fields); i++)
        free(fields[i]);
}

static void ref_adam(const adam_config *c, long t, size_t n, const float *p0, const float *g,
                     const float *m0, const float *v0, adam_want *w)
{
    const double b1 = c->beta1, b2 = c->beta2, eps = c->eps, step = ref_step(c, t);
    for (size_t i = 0; i < n; i++) {
        const double a1 = b1 * m0[i], a2 = (1.0 - b1) * g[i];
        const double m = a1 + a2, v = b2 * v0[i] + (1.0 - b2) * g[i] * (double)g[i];
        const double den = sqrt(v) + eps, upd = step * m / den, p = p0[i] - upd;
        w->m[i] = m;
        w->v[i] = v;
        w->p[i] = p;
        w->bound_m[i] = 3 * u * (fabs(a1) + fabs(a2));
        w->bound_v[i] = 4 * u * v;
        w->bound_p[i] = 2 * u * fabs(p) + 8 * u * fabs(upd) + step / den * w->bound_m[i];
    }
}

/* Zero (either sign), large, small or U(-1, 1); every g^2 stays a normal float. */
static float random_gradient(cb_rng *r)
{
    const float sign = cb_rng_below(r, 2) ? 1.0f : -1.0f;
    const float mantissa = 1.0f + cb_rng_uniform(r); /* [1, 2) */
    switch (cb_rng_below(r, 8)) {
    case 0:
        return sign * 0.0f;
    case 1:
        return sign * mantissa * (float)pow(10.0, 3 + (int)cb_rng_below(r, 10)); /* 1e3 .. 2e12 */
    case 2:
        return sign * mantissa * (float)pow(10.0, -4 - (int)cb_rng_below(r, 7)); /* 1e-10 .. 2e-4 */
    default:
        return 2.0f * cb_rng_uniform(r) - 1.0f;
    }
}

/* The state of one run: parameters, gradient, moments. */
typedef struct adam_state {
    float *p, *g, *m, *v;
} adam_state;

static adam_state state_alloc(size_t n, cb_rng *r)
{
    adam_state s = {cbt_alloc(n), cbt_alloc(n), cbt_alloc(n), cbt_alloc(n)};
    cbt_fill_uniform(r, s.p, n, -1.0f, 1.0f);
    for (size_t i = 0; i < n; i++)
        s.m[i] = s.v[i] = 0.0f;
    return s;
}

static adam_state state_copy(const adam_state *s, size_t n)
{
    adam_state c = {cbt_copy(s->p, n), cbt_copy(s->g, n), cbt_copy(s->m, n), cbt_copy(s->v, n)};
    return c;
}

static void state_free(adam_state *s)
{
    cbt_free(s->v);
    cbt_free(s->m);
    cbt_free(s->g);
    cbt_free(s->p);
}

/* ---- cb_adam_hparams_at ---------------------------------------------------------------------- */

static void adam_hparams_at_bias_correction(void **state)
{
    (void)state;
    static const long ts[] = {1, 2, 3, 10, 100, 1000, 100000, 10000000};
    for (size_t c = 0; c < ARRAY_LEN(adam_configs); c++)
        for (size_t i = 0; i < ARRAY_LEN(ts); i++) {
            const adam_config *cfg = &adam_configs[c];
            const cb_adam_hparams h =
                cb_adam_hparams_at(cfg->lr, cfg->beta1, cfg->beta2, cfg->eps, ts[i]);
            const float want = (float)ref_step(cfg, ts[i]);
            if (cbt_ulp_diff(h.step, want) > 1)
                fail_msg("%s, t=%ld: step %.9g, want %.9g (> 1 ulp)", cfg->name, ts[i], h.step,
                         want);
            assert_memory_equal(&h.beta1, &cfg->beta1, sizeof h.beta1);
            assert_memory_equal(&h.beta2, &cfg->beta2, sizeof h.beta2);
            assert_memory_equal(&h.eps, &cfg->eps, sizeof h.eps);
        }
}

/* ---- multi-step runs against the reference and the scalar kernel ----------------------------- */

/* One run of ADAM_STEPS updates of n parameters. */
static void check_adam_run(const cb_kernel_table *k, cb_isa isa, cb_rng *r, const adam_config *cfg,
                           size_t n)
{
    adam_state s = state_alloc(n, r);
    adam_state before = state_copy(&s, n); /* the kernel's state before each update */
    adam_state sc = state_copy(&s, n);     /* the same run with the scalar production kernel */
    adam_want w = want_alloc(n);
    char what[128];
    for (long t = 1; t <= ADAM_STEPS; t++) {
        for (size_t i = 0; i < n; i++)
            s.g[i] = sc.g[i] = random_gradient(r);
        memcpy(before.p, s.p, n * sizeof(float));
        memcpy(before.m, s.m, n * sizeof(float));
        memcpy(before.v, s.v, n * sizeof(float));
        memcpy(before.g, s.g, n * sizeof(float));

        const cb_adam_hparams h = cb_adam_hparams_at(cfg->lr, cfg->beta1, cfg->beta2, cfg->eps, t);
        k->adam(n, s.p, s.g, s.m, s.v, &h);
        ref_adam(cfg, t, n, before.p, before.g, before.m, before.v, &w);

        snprintf(what, sizeof what, "adam m (%s, n=%zu, t=%ld)", cfg->name, n, t);
        cbt_assert_within(what, s.m, w.m, w.bound_m, n);
        snprintf(what, sizeof what, "adam v (%s, n=%zu, t=%ld)", cfg->name, n, t);
        cbt_assert_within(what, s.v, w.v, w.bound_v, n);
        snprintf(what, sizeof what, "adam p (%s, n=%zu, t=%ld)", cfg->name, n, t);
        cbt_assert_within(what, s.p, w.p, w.bound_p, n);
        cbt_assert_bits_equal("adam g (must be unchanged)", s.g, before.g, n);

        if (isa != CB_ISA_SCALAR) {
            cbt_scalar()->adam(n, sc.p, sc.g, sc.m, sc.v, &h);
            snprintf(what, sizeof what, "adam p vs scalar (%s, n=%zu, t=%ld)", cfg->name, n, t);
            cbt_assert_bits_equal(what, s.p, sc.p, n);
            snprintf(what, sizeof what, "adam m vs scalar (%s, n=%zu, t=%ld)", cfg->name, n, t);
            cbt_assert_bits_equal(what, s.m, sc.m, n);
            snprintf(what, sizeof what, "adam v vs scalar (%s, n=%zu, t=%ld)", cfg->name, n, t);
            cbt_assert_bits_equal(what, s.v, sc.v, n);
        }
    }
    want_free(&w);
    state_free(&sc);
    state_free(&before);
    state_free(&s);
}

static void adam_matches_reference(void **state)
{
    const cb_kernel_table *k = cbt_table(state);
    cb_rng r;
    cbt_rng(&r, state, 1);
    for (size_t c = 0; c < ARRAY_LEN(adam_configs); c++)
        for (size_t i = 0; i < ARRAY_LEN(adam_sizes); i++)
            check_adam_run(k, cbt_isa(state), &r, &adam_configs[c], adam_sizes[i]);
}

/* ---- the first update moves p by about lr against the gradient ------------------------------- */

static void adam_first_step_is_about_lr(void **state)
{
    const cb_kernel_table *k = cbt_table(state);
    cb_rng r;
    cbt_rng(&r, state, 2);
    static const float lrs[] = {1e-3f, 1e-2f, 0.1f};
    const size_t n = 1003;
    for (size_t l = 0; l < ARRAY_LEN(lrs); l++) {
        const adam_config cfg = {"first step", lrs[l], 0.9f, 0.999f, 1e-7f};
        adam_state s = state_alloc(n, &r);
        float *p0 = cbt_copy(s.p, n);
        for (size_t i = 0; i < n; i++) /* 1 in 16 zero, else |g| = 10^U(-1, 3), either sign */
            s.g[i] = cb_rng_below(&r, 16) == 0
                         ? 0.0f
                         : (cb_rng_below(&r, 2) ? 1.0f : -1.0f) *
                               (float)pow(10.0, -1.0 + 4.0 * cb_rng_uniform(&r));
        const cb_adam_hparams h = cb_adam_hparams_at(cfg.lr, cfg.beta1, cfg.beta2, cfg.eps, 1);
        k->adam(n, s.p, s.g, s.m, s.v, &h);
        for (size_t i = 0; i < n; i++) {
            const double moved = (double)s.p[i] - p0[i];
            if (s.g[i] == 0.0f) {
                if (s.p[i] != p0[i])
                    fail_msg("lr %g: p[%zu] moved by %.9g with a zero gradient", cfg.lr, i, moved);
                continue;
            }
            const double want = s.g[i] > 0.0f ? -(double)cfg.lr : (double)cfg.lr;
            if (!(fabs(moved - want) <= 1e-3 * cfg.lr))
                fail_msg("lr %g: p[%zu] moved by %.9g with g = %.9g, want %.9g (1e-3 relative)",
                         cfg.lr, i, moved, s.g[i], want);
        }
        cbt_free(p0);
        state_free(&s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(adam_hparams_at_bias_correction),
        CBT_PER_ISA(adam_matches_reference),
        CBT_PER_ISA(adam_first_step_is_about_lr),
    };
    return cmocka_run_group_tests_name("adam", tests, NULL, NULL);
}
