/*
 * test_losses.c - the four fused activation + loss kernels (softmax_xent, sigmoid_bce, mse, mae),
 * every ISA (the scalar production kernels are tested like the others) against double-precision
 * references written here.
 *
 * References (double, from the float inputs converted exactly), as documented in cb_kernels.h:
 *   softmax_xent: row loss log(sum_c exp(z_c - m)) - (z_label - m) with m the row maximum,
 *                 dz = (softmax(z) - onehot) / N, loss = mean over rows;
 *   sigmoid_bce:  max(z,0) - z t + log1p(exp(-|z|)), dz = (sigmoid(z) - t) / (N K), sigmoid from
 *                 e = exp(-|z|) as 1/(1+e) or e/(1+e);
 *   mse:          (z - t)^2, dz = 2 (z - t) / (N K);
 *   mae:          |z - t|, dz = sign(z - t) / (N K) with sign(0) = 0.
 *
 * Tolerances (u = 2^-24, one float ulp relative; G = the gradient scale: 1/N for softmax, whose dz
 * entries are probabilities / N, and 1/(N K) for the element-wise losses, whose dz is a per-element
 * quantity of size ~1 over N K):
 *   dz:   |dz - ref| <= 40 u max(|ref|, G). For softmax and BCE, |ref| <= G, so this is the
 *         "~40 ulp absolute" of DESIGN.md in units of the 1/N-scaled gradient; a probability p/N is
 *         in error by a few ulp of p (exp ~1 ulp, the sum of K terms, the division and the scaling;
 *         every kernel compensates the rounding of z - m). For MSE it is 40 ulp relative
 *         (dz = 2 fl(z - t) / (N K) has 3 roundings) with a floor at G; for MAE it is exact up to
 *         the rounding of 1 / (N K), and a wrong sign or a zero/non-zero mix-up is an error of G,
 *         far over the bound. Measured max over all ISAs: 3.7 u softmax, 3.0 u BCE, 2.7 u MSE,
 *         0.9 u MAE.
 *   loss: |loss - ref| <= max(50 u |ref|, 1e-6). Every per-element / per-row loss term is >= 0, so
 *         the relative bound is meaningful; the float sum of up to N K = 1155 terms is what costs
 *         most (measured max: 15 u for the scalar kernels' sequential sums, 5 u for the SIMD ones'
 *         lane-wise sums; each test prints its maximum in an INFO line). The absolute 1e-6 covers
 *         near-zero losses (log(1 + tiny) from a float sum that rounds 1 + tiny).
 *   softmax probabilities: the non-label entries p/N of dz within 10 u of p/N (DESIGN.md: ~10 ulp
 *         relative), down to p ~ e^-20 / K. Measured max: 6.2 u scalar, 4.4 u SIMD.
 *   softmax rows: |sum_c dz[r, c]| <= (K + 1) u / N. The kernel's probabilities are e_c / S with S
 *         the float sum of the same float e_c: S is within (K - 1) u of their exact sum, the scale
 *         1/(N S) and each product and the final "- 1/N" add u/N each at most (the rounding of
 *         1/N itself cancels between the probabilities and the one-hot).
 *
 * Tests (each one per ISA; an ISA the build or CPU lacks is reported as skipped):
 *   <kernel>_matches_reference: logits U(-10,10), U(90,100) (exp overflows unless the maximum is
 *     taken out), U(-100,-90) for softmax with labels uniform in 0..K-1; U(-125,125) and U(-10,10)
 *     for BCE with hard {0,1} and soft U(0,1) targets; U(-10,10) for MSE and MAE with U(-10,10)
 *     targets, plus MAE with half the targets exactly equal to z (ties, sign(0) = 0). Every
 *     n in {1,2,3,5,32,33} and K in {1,2,3,7,8,9,10,15,16,17,19,35} (every body and tail path of
 *     8- and 16-lane vectors, and flat N K counts crossing them too).
 *   softmax_xent_rows_sum_to_zero: the row-sum property above on the same softmax inputs.
 *   losses_extreme_logits: logits of +-1e4 for every kernel: rows all far above zero and all far
 *     below (equal, and spread by 0..4), one huge logit among tiny ones (label at it: loss 0,
 *     dz 0; label elsewhere: loss 2e4, dz +-1/N), one tiny among huge (loss 2e4 + log(K-1));
 *     BCE/MSE/MAE rows all +1e4, all -1e4 and alternating, targets 0, 1, 0.5, 0.25 (BCE: loss
 *     1e4 (1-t) or 1e4 t, dz = (1 - t) / (N K) or -t / (N K), so +-1/(N K) for hard targets) and
 *     0, 1, -2.5, 0.25, z (MSE, MAE). Expected values are written in closed form here (the double
 *     reference is checked against them too); loss and dz must be finite and within the bounds
 *     above.
 *   losses_match_finite_differences: on small shapes, the double reference's analytic gradient
 *     against central differences (finite_diff.h) of the double loss (h = 1e-4; truncation
 *     h^2/6 |L'''| <= 2e-10 G and cancellation ~1e-11 G, so bound 1e-8 G), and the float kernel's
 *     dz against the same differences within 40 u max(|fd|, G) + 1e-8 G. MAE inputs keep
 *     |z - t| >= 0.01 > h, away from the kink.
 * Every call also checks: dz starts as NaN and must be fully overwritten (a NaN fails every
 * comparison), the guard values past dz are intact (cbt_free), and z and t are left unchanged.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finite_diff.h"
#include "kernel_test.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const double ulp1 = 0x1p-24; /* u: one float ulp, relative */
#define DZ_ULP 40.0                 /* dz bound, in u of max(|ref|, G) */
#define LOSS_ULP 50.0               /* loss bound, in u relative ... */
#define LOSS_ABS_FLOOR 1e-6         /* ... or this much absolute */
#define PROB_ULP 10.0               /* softmax probabilities, in u relative */
#define FD_STEP 1e-4                /* central-difference step */
#define FD_TOL 1e-8                 /* finite-difference error bound, in units of G */
#define BIG 1e4f                    /* the extreme logit */

static const int sizes_n[] = {1, 2, 3, 5, 32, 33};
static const int sizes_k[] = {1, 2, 3, 7, 8, 9, 10, 15, 16, 17, 19, 35};

/* ---- the four losses, uniformly -------------------------------------------------------------- */

typedef enum loss_kind { SOFTMAX, BCE, MSE, MAE, LOSS_KINDS } loss_kind;
static const char *const kind_name[LOSS_KINDS] = {"softmax_xent", "sigmoid_bce", "mse", "mae"};

/* One call's inputs: z [n*k], and labels [n] (softmax) or targets t [n*k] (the others). */
typedef struct problem {
    loss_kind kind;
    int n, k;
    float *z, *t;
    int32_t *labels;
} problem;

static size_t count_of(const problem *p)
{
    return (size_t)p->n * (size_t)p->k;
}

/* G: 1/N for softmax (dz = probabilities / N), 1/(N K) for the element-wise losses. */
static double grad_scale(loss_kind kind, int n, int k)
{
    return kind == SOFTMAX ? 1.0 / n : 1.0 / ((double)n * k);
}

static problem problem_new(loss_kind kind, int n, int k)
{
    problem p = {kind, n, k, cbt_alloc((size_t)n * k), NULL, NULL};
    if (kind == SOFTMAX) {
        p.labels = malloc((size_t)n * sizeof *p.labels);
        assert_non_null(p.labels);
    } else {
        p.t = cbt_alloc((size_t)n * k);
    }
    return p;
}

static void problem_free(problem *p)
{
    cbt_free(p->z);
    cbt_free(p->t);
    free(p->labels);
}

static float call_kernel(const cb_kernel_table *tab, const problem *p, float *dz)
{
    switch (p->kind) {
    case SOFTMAX:
        return tab->softmax_xent(p->n, p->k, p->z, p->labels, dz);
    case BCE:
        return tab->sigmoid_bce(p->n, p->k, p->z, p->t, dz);
    case MSE:
        return tab->mse(p->n, p->k, p->z, p->t, dz);
    default:
        return tab->mae(p->n, p->k, p->z, p->t, dz);
    }
}

/* Runs the kernel into a fresh NaN-filled, guarded dz (returned; the caller cbt_free()s it, which
 * checks the guards) and checks that z and t are unchanged. */
static float run_kernel(const cb_kernel_table *tab, const problem *p, float **dz_out)
{
    const size_t count = count_of(p);
    float *z0 = cbt_copy(p->z, count), *t0 = p->t ? cbt_copy(p->t, count) : NULL;
    float *dz = cbt_alloc(count);
    const float loss = call_kernel(tab, p, dz);
    cbt_assert_bits_equal("z (input, must be unchanged)", p->z, z0, count);
    if (t0)
        cbt_assert_bits_equal("t (input, must be unchanged)", p->t, t0, count);
    cbt_free(t0);
    cbt_free(z0);
    *dz_out = dz;
    return loss;
}

/* ---- double references ------------------------------------------------------------------------ */

static double sign_of(double d)
{
    return d > 0.0 ? 1.0 : d < 0.0 ? -1.0 : 0.0;
}

/* The mean loss of z [n*k] (labels or t as the kind needs); writes the gradient to dz unless NULL. */
static double ref_loss(loss_kind kind, int n, int k, const double *z, const double *t,
                       const int32_t *labels, double *dz)
{
    const double g = grad_scale(kind, n, k);
    double total = 0.0;
    for (int r = 0; r < n; r++) {
        const double *zr = z + (size_t)r * k;
        double *dr = dz ? dz + (size_t)r * k : NULL;
        if (kind == SOFTMAX) {
            double m = zr[0], s = 0.0;
            for (int c = 1; c < k; c++)
                m = fmax(m, zr[c]);
            for (int c = 0; c < k; c++)
                s += exp(zr[c] - m);
            total += log(s) - (zr[labels[r]] - m);
            for (int c = 0; dr && c < k; c++)
                dr[c] = (exp(zr[c] - m) / s - (c == labels[r])) * g;
            continue;
        }
        for (int c = 0; c < k; c++) {
            const double zi = zr[c], ti = t[(size_t)r * k + c], d = zi - ti;
            double loss, grad;
            if (kind == BCE) {
                const double e = exp(-fabs(zi));
                loss = fmax(zi, 0.0) - zi * ti + log1p(e);
                grad = (zi >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e)) - ti;
            } else if (kind == MSE) {
                loss = d * d;
                grad = 2.0 * d;
            } else {
                loss = fabs(d);
                grad = sign_of(d);
            }
            total += loss;
            if (dr)
                dr[c] = grad * g;
        }
    }
    return kind == SOFTMAX ? total / n : total / ((double)n * k);
}

static double *to_double(const float *x, size_t n)
{
    if (!x)
        return NULL;
    double *d = malloc(n * sizeof *d);
    assert_non_null(d);
    for (size_t i = 0; i < n; i++)
        d[i] = x[i];
    return d;
}

static double ref_problem(const problem *p, double *dz)
{
    double *z = to_double(p->z, count_of(p)), *t = to_double(p->t, count_of(p));
    const double loss = ref_loss(p->kind, p->n, p->k, z, t, p->labels, dz);
    free(t);
    free(z);
    return loss;
}

/* ---- comparisons ------------------------------------------------------------------------------ */

/* The largest errors seen by one test, in u of each bound's scale (printed for the record). */
typedef struct err_stats {
    double dz, loss, prob;
} err_stats;

static void report(void **state, const char *what, const err_stats *st)
{
    printf("[  INFO    ] %s/%s: max error dz %.2f u (bound %g), loss %.2f u (bound %g)", what,
           cb_isa_name(cbt_isa(state)), st->dz, DZ_ULP, st->loss, LOSS_ULP);
    if (st->prob > 0.0)
        printf(", probabilities %.2f u relative (bound %g)", st->prob, PROB_ULP);
    printf("\n");
}

static void assert_finite(const char *what, float loss, const float *dz, size_t n)
{
    if (!isfinite(loss))
        fail_msg("%s: loss %g is not finite", what, loss);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(dz[i]))
            fail_msg("%s: dz[%zu] = %g is not finite", what, i, dz[i]);
}

/* The kernel's loss and dz against the expected ones, within the bounds of the header. */
static void check_result(const char *what, const problem *p, float loss, const float *dz,
                         double want_loss, const double *want_dz, err_stats *st)
{
    const size_t count = count_of(p);
    const double g = grad_scale(p->kind, p->n, p->k);
    char msg[160];
    snprintf(msg, sizeof msg, "%s %s n=%d k=%d", kind_name[p->kind], what, p->n, p->k);
    assert_finite(msg, loss, dz, count);

    double *bound = malloc(count * sizeof *bound);
    assert_non_null(bound);
    for (size_t i = 0; i < count; i++) {
        const double scale = fmax(fabs(want_dz[i]), g);
        bound[i] = DZ_ULP * ulp1 * scale;
        st->dz = fmax(st->dz, fabs(dz[i] - want_dz[i]) / (ulp1 * scale));
    }
    snprintf(msg, sizeof msg, "%s %s n=%d k=%d: dz", kind_name[p->kind], what, p->n, p->k);
    cbt_assert_within(msg, dz, want_dz, bound, count);
    free(bound);

    /* floor = LOSS_ABS_FLOOR / rel makes cbt_assert_rel's bound max(rel |want|, LOSS_ABS_FLOOR). */
    const double rel = LOSS_ULP * ulp1, floor = LOSS_ABS_FLOOR / rel;
    st->loss = fmax(st->loss, fabs(loss - want_loss) / (ulp1 * fmax(fabs(want_loss), floor)));
    snprintf(msg, sizeof msg, "%s %s n=%d k=%d: loss", kind_name[p->kind], what, p->n, p->k);
    cbt_assert_rel(msg, loss, want_loss, rel, floor);
}

/* ---- random inputs against the reference ----------------------------------------------------- */

typedef enum target_fill {
    LABELS,     /* softmax: uniform in 0..K-1 */
    HARD,       /* {0, 1} */
    SOFT,       /* U(0, 1) */
    WIDE,       /* U(-10, 10) */
    WIDE_TIES,  /* half exactly z, half U(-10, 10) */
} target_fill;

typedef struct random_case {
    loss_kind kind;
    float lo, hi; /* logits U(lo, hi) */
    target_fill targets;
    const char *name;
} random_case;

static const random_case random_cases[] = {
    {SOFTMAX, -10.0f, 10.0f, LABELS, "z~U(-10,10)"},
    {SOFTMAX, 90.0f, 100.0f, LABELS, "z~U(90,100)"},
    {SOFTMAX, -100.0f, -90.0f, LABELS, "z~U(-100,-90)"},
    {BCE, -125.0f, 125.0f, HARD, "z~U(-125,125) t hard"},
    {BCE, -125.0f, 125.0f, SOFT, "z~U(-125,125) t soft"},
    {BCE, -10.0f, 10.0f, HARD, "z~U(-10,10) t hard"},
    {BCE, -10.0f, 10.0f, SOFT, "z~U(-10,10) t soft"},
    {MSE, -10.0f, 10.0f, WIDE, "z,t~U(-10,10)"},
    {MAE, -10.0f, 10.0f, WIDE, "z,t~U(-10,10)"},
    {MAE, -10.0f, 10.0f, WIDE_TIES, "z~U(-10,10) half t==z"},
};

static void fill_random(cb_rng *r, problem *p, const random_case *c)
{
    const size_t count = count_of(p);
    cbt_fill_uniform(r, p->z, count, c->lo, c->hi);
    if (c->targets == LABELS) {
        for (int i = 0; i < p->n; i++)
            p->labels[i] = (int32_t)cb_rng_below(r, (uint32_t)p->k);
        return;
    }
    for (size_t i = 0; i < count; i++) {
        switch (c->targets) {
        case HARD:
            p->t[i] = (float)cb_rng_below(r, 2);
            break;
        case SOFT:
            p->t[i] = cb_rng_uniform(r);
            break;
        case WIDE_TIES:
            if (cb_rng_below(r, 2)) {
                p->t[i] = p->z[i];
                break;
            }
            /* fall through */
        default:
            cbt_fill_uniform(r, &p->t[i], 1, -10.0f, 10.0f);
        }
    }
}

/* Softmax: the non-label entries of dz are probabilities / N, each within PROB_ULP u of its own
 * size (DESIGN.md: probabilities to ~10 ulp relative). Returns the largest error, in u. */
static double check_probabilities(const char *what, const problem *p, const float *dz,
                                  const double *want)
{
    double worst = 0.0;
    for (int r = 0; r < p->n; r++)
        for (int c = 0; c < p->k; c++) {
            const size_t i = (size_t)r * p->k + c;
            if (c == p->labels[r])
                continue;
            const double err = fabs(dz[i] - want[i]) / (ulp1 * want[i]);
            worst = fmax(worst, err);
            if (!(err <= PROB_ULP))
                fail_msg("softmax_xent %s n=%d k=%d: probability dz[%zu] * N = %.9g, want %.12g "
                         "(%.1f u relative > %g)",
                         what, p->n, p->k, i, dz[i] * p->n, want[i] * p->n, err, PROB_ULP);
        }
    return worst;
}

/* Calls visit on every (case of this kind, n, K) with fresh random inputs and the kernel's result. */
typedef void random_visit_fn(const random_case *c, const problem *p, float loss, const float *dz,
                             err_stats *st);

static void for_random_cases(void **state, loss_kind kind, uint64_t salt, random_visit_fn *visit,
                             err_stats *st)
{
    const cb_kernel_table *tab = cbt_table(state);
    cb_rng r;
    cbt_rng(&r, state, salt);
    for (size_t ci = 0; ci < ARRAY_LEN(random_cases); ci++) {
        if (random_cases[ci].kind != kind)
            continue;
        for (size_t ni = 0; ni < ARRAY_LEN(sizes_n); ni++)
            for (size_t ki = 0; ki < ARRAY_LEN(sizes_k); ki++) {
                problem p = problem_new(kind, sizes_n[ni], sizes_k[ki]);
                fill_random(&r, &p, &random_cases[ci]);
                float *dz;
                const float loss = run_kernel(tab, &p, &dz);
                visit(&random_cases[ci], &p, loss, dz, st);
                cbt_free(dz);
                problem_free(&p);
            }
    }
}

static void visit_against_reference(const random_case *c, const problem *p, float loss,
                                     const float *dz, err_stats *st)
{
    double *want = malloc(count_of(p) * sizeof *want);
    assert_non_null(want);
    const double want_loss = ref_problem(p, want);
    check_result(c->name, p, loss, dz, want_loss, want, st);
    if (p->kind == SOFTMAX)
        st->prob = fmax(st->prob, check_probabilities(c->name, p, dz, want));
    free(want);
}

static void matches_reference(void **state, loss_kind kind)
{
    err_stats st = {0};
    for_random_cases(state, kind, 10 + (uint64_t)kind, visit_against_reference, &st);
    report(state, kind_name[kind], &st);
}

static void softmax_xent_matches_reference(void **state)
{
    matches_reference(state, SOFTMAX);
}

static void sigmoid_bce_matches_reference(void **state)
{
    matches_reference(state, BCE);
}

static void mse_matches_reference(void **state)
{
    matches_reference(state, MSE);
}

static void mae_matches_reference(void **state)
{
    matches_reference(state, MAE);
}

/* ---- softmax: each row of dz sums to zero ---------------------------------------------------- */

static void visit_row_sums(const random_case *c, const problem *p, float loss, const float *dz,
                           err_stats *st)
{
    (void)loss;
    for (int r = 0; r < p->n; r++) {
        double sum = 0.0; /* exact enough: K <= 35 floats of size <= 1/N, in double */
        for (int c2 = 0; c2 < p->k; c2++)
            sum += dz[(size_t)r * p->k + c2];
        const double bound = (p->k + 1) * ulp1 / p->n;
        st->dz = fmax(st->dz, fabs(sum) / (ulp1 / p->n));
        if (!(fabs(sum) <= bound))
            fail_msg("softmax_xent %s n=%d k=%d: row %d of dz sums to %.3g, bound (K+1) u / N = %.3g",
                     c->name, p->n, p->k, r, sum, bound);
    }
}

static void softmax_xent_rows_sum_to_zero(void **state)
{
    err_stats st = {0};
    for_random_cases(state, SOFTMAX, 20, visit_row_sums, &st);
    printf("[  INFO    ] softmax row sums/%s: max |sum| %.2f u / N (bound (K + 1) u / N)\n",
           cb_isa_name(cbt_isa(state)), st.dz);
}

/* ---- extreme logits: closed-form limits ------------------------------------------------------ */

/* Fills row r (width k) of one extreme case: z, and labels[0] (softmax) or t; writes the expected
 * gradient in units of G into g and returns the expected row loss (softmax) or the sum of the
 * expected element losses (the others). */
typedef double extreme_row_fn(int k, int r, float *z, float *t, int32_t *label, double *g);

/* Where row r puts its special logit: the last lane first, then across the row. */
static int special(int k, int r)
{
    return (k - 1 + 5 * r) % k;
}

/* z_c = base + o_c with small offsets o_c (all 0, or c % 5): the row is the shift of a harmless
 * one, so loss = log(sum_c exp(o_c - o_max)) - (o_label - o_max), g = softmax(o) - onehot. */
static double softmax_shifted(int k, int r, float base, int spread, float *z, int32_t *label,
                              double *g)
{
    const int lab = special(k, r);
    double o[64], omax = 0.0, s = 0.0;
    assert_true(k <= (int)ARRAY_LEN(o));
    for (int c = 0; c < k; c++) {
        o[c] = spread ? c % 5 : 0;
        z[c] = base + (float)o[c]; /* exact: |z| < 2^14 needs 10 fraction bits, floats have 23 */
        omax = fmax(omax, o[c]);
    }
    for (int c = 0; c < k; c++)
        s += exp(o[c] - omax);
    for (int c = 0; c < k; c++)
        g[c] = exp(o[c] - omax) / s - (c == lab);
    *label = lab;
    return log(s) - (o[lab] - omax);
}

static double sm_all_high(int k, int r, float *z, float *t, int32_t *label, double *g)
{
    (void)t;
    return softmax_shifted(k, r, BIG, 0, z, label, g); /* log K */
}

static double sm_all_low(int k, int r, float *z, float *t, int32_t *label, double *g)
{
    (void)t;
    return softmax_shifted(k, r, -BIG, 0, z, label, g); /* log K */
}

static double sm_high_spread(int k, int r, float *z, float *t, int32_t *label, double *g)
{
    (void)t;
    return softmax_shifted(k, r, BIG, 1, z, label, g);
}

static double sm_low_spread(int k, int r, float *z, float *t, int32_t *label, double *g)
{
    (void)t;
    return softmax_shifted(k, r, -BIG, 1, z, label, g);
}

/* One logit +1e4, the rest -1e4: softmax is the one-hot of the huge logit (exp(-2e4) = 0). */
static double one_huge(int k, int r, int label_at_huge, float *z, int32_t *label, double *g)
{
    const int s = special(k, r), lab = label_at_huge || k == 1 ? s : (s + 1) % k;
    for (int c = 0; c < k; c++) {
        z[c] = c == s ? BIG : -BIG;
        g[c] = (c == s) - (c == lab);
    }
    *label = lab;
    return lab == s ? 0.0 : 2.0 * BIG; /* label at the max: 0; else the gap */
}

static double sm_huge_label_there(int k, int r, float *z, float *t, int32_t *label, double *g)
{
    (void)t;
    return one_huge(k, r, 1, z, label, g);
}

static double sm_huge_label_elsewhere(int k, int r, float *z, float *t, int32_t *label, double *g)
{
    (void)t;
    return one_huge(k, r, 0, z, label, g);
}

/* One logit -1e4 (the label), the rest +1e4: p = 1/(K-1) on the rest, 0 on the label. */
static double sm_tiny_label_there(int k, int r, float *z, float *t, int32_t *label, double *g)
{
    (void)t;
    const int s = special(k, r);
    *label = s;
    for (int c = 0; c < k; c++) {
        z[c] = c == s && k > 1 ? -BIG : BIG;
        g[c] = k == 1 ? 0.0 : c == s ? -1.0 : 1.0 / (k - 1);
    }
    return k == 1 ? 0.0 : 2.0 * BIG + log(k - 1.0);
}

/* Element-wise kinds: row r % 3 is all +1e4, all -1e4, or alternating in sign; targets cycle
 * through the kind's list (NAN stands for "t = z", a tie). */
static double elementwise_row(loss_kind kind, int k, int r, float *z, float *t, double *g)
{
    static const float bce_t[] = {0.0f, 1.0f, 0.5f, 0.25f};
    static const float lin_t[] = {0.0f, 1.0f, -2.5f, 0.25f, NAN};
    const float *ts = kind == BCE ? bce_t : lin_t;
    const int nt = kind == BCE ? (int)ARRAY_LEN(bce_t) : (int)ARRAY_LEN(lin_t);
    double total = 0.0;
    for (int c = 0; c < k; c++) {
        const int positive = r % 3 == 0 || (r % 3 == 2 && c % 2 == 0);
        z[c] = positive ? BIG : -BIG;
        t[c] = isnan(ts[(c + r) % nt]) ? z[c] : ts[(c + r) % nt];
        const double zd = z[c], td = t[c];
        if (kind == BCE) { /* sigmoid(+-1e4) is exactly 1 or 0 and log1p(exp(-1e4)) is 0 */
            total += positive ? zd * (1.0 - td) : -zd * td;
            g[c] = (positive ? 1.0 : 0.0) - td;
        } else if (kind == MSE) {
            total += (zd - td) * (zd - td);
            g[c] = 2.0 * (zd - td);
        } else {
            total += fabs(zd - td);
            g[c] = sign_of(zd - td);
        }
    }
    return total;
}

static double bce_row(int k, int r, float *z, float *t, int32_t *label, double *g)
{
    (void)label;
    return elementwise_row(BCE, k, r, z, t, g);
}

static double mse_row(int k, int r, float *z, float *t, int32_t *label, double *g)
{
    (void)label;
    return elementwise_row(MSE, k, r, z, t, g);
}

static double mae_row(int k, int r, float *z, float *t, int32_t *label, double *g)
{
    (void)label;
    return elementwise_row(MAE, k, r, z, t, g);
}

typedef struct extreme_case {
    loss_kind kind;
    extreme_row_fn *row;
    const char *name;
} extreme_case;

static const extreme_case extreme_cases[] = {
    {SOFTMAX, sm_all_high, "all logits +1e4"},
    {SOFTMAX, sm_all_low, "all logits -1e4"},
    {SOFTMAX, sm_high_spread, "logits 1e4 + (0..4)"},
    {SOFTMAX, sm_low_spread, "logits -1e4 + (0..4)"},
    {SOFTMAX, sm_huge_label_there, "one +1e4 (the label), rest -1e4"},
    {SOFTMAX, sm_huge_label_elsewhere, "one +1e4, rest -1e4 (label among them)"},
    {SOFTMAX, sm_tiny_label_there, "one -1e4 (the label), rest +1e4"},
    {BCE, bce_row, "z = +-1e4"},
    {MSE, mse_row, "z = +-1e4"},
    {MAE, mae_row, "z = +-1e4"},
};

static void losses_extreme_logits(void **state)
{
    const cb_kernel_table *tab = cbt_table(state);
    static const int ns[] = {1, 3, 5};
    err_stats st = {0};
    for (size_t ci = 0; ci < ARRAY_LEN(extreme_cases); ci++)
        for (size_t ni = 0; ni < ARRAY_LEN(ns); ni++)
            for (size_t ki = 0; ki < ARRAY_LEN(sizes_k); ki++) {
                const extreme_case *c = &extreme_cases[ci];
                const int n = ns[ni], k = sizes_k[ki];
                problem p = problem_new(c->kind, n, k);
                const size_t count = count_of(&p);
                const double gs = grad_scale(c->kind, n, k);
                double *want = malloc(count * sizeof *want), *ref = malloc(count * sizeof *ref);
                assert_non_null(want);
                assert_non_null(ref);
                double want_loss = 0.0;
                for (int r = 0; r < n; r++) {
                    const size_t at = (size_t)r * k;
                    want_loss += c->row(k, r, p.z + at, p.t ? p.t + at : NULL,
                                        p.labels ? p.labels + r : NULL, want + at);
                }
                want_loss /= c->kind == SOFTMAX ? n : (double)count;
                for (size_t i = 0; i < count; i++)
                    want[i] *= gs;

                /* The double reference must reach the same limits. */
                const double ref_l = ref_problem(&p, ref);
                cbt_assert_rel("double reference loss at the extreme", ref_l, want_loss, 1e-12, 1.0);
                for (size_t i = 0; i < count; i++)
                    if (!(fabs(ref[i] - want[i]) <= 1e-12 * gs))
                        fail_msg("%s %s n=%d k=%d: reference dz[%zu] = %.17g, limit %.17g",
                                 kind_name[c->kind], c->name, n, k, i, ref[i], want[i]);

                float *dz;
                const float loss = run_kernel(tab, &p, &dz);
                check_result(c->name, &p, loss, dz, want_loss, want, &st);
                cbt_free(dz);
                free(ref);
                free(want);
                problem_free(&p);
            }
    report(state, "extreme logits", &st);
}

/* ---- central finite differences -------------------------------------------------------------- */

static void fill_fd(cb_rng *r, problem *p)
{
    const size_t count = count_of(p);
    static const float range[LOSS_KINDS] = {3.0f, 4.0f, 2.0f, 2.0f};
    cbt_fill_uniform(r, p->z, count, -range[p->kind], range[p->kind]);
    if (p->kind == SOFTMAX) {
        for (int i = 0; i < p->n; i++)
            p->labels[i] = (int32_t)cb_rng_below(r, (uint32_t)p->k);
        return;
    }
    for (size_t i = 0; i < count; i++) {
        if (p->kind == BCE) {
            p->t[i] = cb_rng_uniform(r);
            continue;
        }
        do /* MAE: keep |z - t| >= 0.01, so z +- h never crosses the kink */
            cbt_fill_uniform(r, &p->t[i], 1, -2.0f, 2.0f);
        while (p->kind == MAE && fabsf(p->z[i] - p->t[i]) < 0.01f);
    }
}

/* The FD objective: the double reference loss at logits z (the ones perturbed), with p's labels
 * or the targets t. */
typedef struct fd_loss {
    const problem *p;
    const double *z, *t;
} fd_loss;

static double fd_objective(void *ctx)
{
    const fd_loss *l = ctx;
    return ref_loss(l->p->kind, l->p->n, l->p->k, l->z, l->t, l->p->labels, NULL);
}

static void losses_match_finite_differences(void **state)
{
    const cb_kernel_table *tab = cbt_table(state);
    cb_rng r;
    cbt_rng(&r, state, 30);
    static const int shapes[][2] = {{1, 1}, {2, 3}, {3, 5}, {2, 10}, {1, 17}};
    double worst_ref = 0.0, worst_kernel = 0.0;
    for (int kind = 0; kind < LOSS_KINDS; kind++)
        for (size_t s = 0; s < ARRAY_LEN(shapes); s++) {
            const int n = shapes[s][0], k = shapes[s][1];
            problem p = problem_new((loss_kind)kind, n, k);
            fill_fd(&r, &p);
            const size_t count = count_of(&p);
            const double gs = grad_scale(p.kind, n, k);
            double *z = to_double(p.z, count), *t = to_double(p.t, count);
            double *grad = malloc(count * sizeof *grad);
            assert_non_null(grad);
            ref_loss(p.kind, n, k, z, t, p.labels, grad);
            float *dz;
            run_kernel(tab, &p, &dz);
            fd_loss l = {&p, z, t};
            for (size_t i = 0; i < count; i++) {
                const double fd = cbt_central_diff(fd_objective, &l, &z[i], FD_STEP);
                const double ref_err = fabs(grad[i] - fd), kernel_err = fabs(dz[i] - fd);
                const double kernel_bound = DZ_ULP * ulp1 * fmax(fabs(fd), gs) + FD_TOL * gs;
                worst_ref = fmax(worst_ref, ref_err / gs);
                worst_kernel = fmax(worst_kernel, kernel_err / gs);
                if (!(ref_err <= FD_TOL * gs))
                    fail_msg("%s n=%d k=%d: reference gradient [%zu] = %.12g, finite difference "
                             "%.12g (error %.3g > %.3g)",
                             kind_name[kind], n, k, i, grad[i], fd, ref_err, FD_TOL * gs);
                if (!(kernel_err <= kernel_bound))
                    fail_msg("%s n=%d k=%d: dz[%zu] = %.9g, finite difference %.12g (error %.3g > "
                             "%.3g)",
                             kind_name[kind], n, k, i, dz[i], fd, kernel_err, kernel_bound);
            }
            cbt_free(dz);
            free(grad);
            free(t);
            free(z);
            problem_free(&p);
        }
    printf("[  INFO    ] finite differences/%s: max error reference %.3g G (bound %g G), kernel "
           "%.3g G\n",
           cb_isa_name(cbt_isa(state)), worst_ref, FD_TOL, worst_kernel);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CBT_PER_ISA(softmax_xent_matches_reference),
        CBT_PER_ISA(sigmoid_bce_matches_reference),
        CBT_PER_ISA(mse_matches_reference),
        CBT_PER_ISA(mae_matches_reference),
        CBT_PER_ISA(softmax_xent_rows_sum_to_zero),
        CBT_PER_ISA(losses_extreme_logits),
        CBT_PER_ISA(losses_match_finite_differences),
    };
    return cmocka_run_group_tests_name("losses", tests, NULL, NULL);
}
