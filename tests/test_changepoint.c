/*
 * test_changepoint.c - E-divisive change points (reports/changepoint.h) on series generated from a
 * seeded cb_rng with Gaussian noise, the shape of a benchmark's run medians over time.
 *
 * - detection power: a 5% step in 3% noise and a 2% step in 1% noise, after run 40 of 80. With
 *   that noise per repetition and each run the median of 5 repetitions: found at 40 +- 1 in at
 *   least 95 of 100 seeds. With Gaussian noise of that standard deviation per run no method can place the step within +- 1
 *   that often (the least-squares location, the maximum-likelihood one, manages 76% and 86%): found
 *   in >= 95, within +- 1 about as often as least squares. False positives: at most 5 of 100
 *   noise-only series report a change. The counts are printed.
 * - two steps (+10% at 30, back to the first level at 60, 1% noise): both found within +-1, in
 *   order, with the medians of the final segments and their relative changes.
 * - a slow-down (images/s dropping) has change < 0; a x10 step is reported with its medians, and so
 *   is a step from 1 to -1e306.
 * - the p-value: never below 1 / (1 + permutations), so 19 permutations can never pass alpha =
 *   0.01; a huge step reaches exactly that floor.
 * - edge cases: too short for two segments, a constant series (zero and non-zero), NaN and Inf,
 *   bad options and NULL pointers; the same input gives the same result; the minimum segment size
 *   is respected; at most CB_CP_MAX points (a staircase of 70 levels); a 1000-point series with
 *   four steps.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "assert_close.h"
#include "changepoint.h"
#include "rng.h"

enum { RUNS = 80, STEP_AT = 40, SEEDS = 100 };

/* A standard normal deviate (Box-Muller, one of the pair). */
static double gauss(cb_rng *r)
{
    const double u1 = 1.0 - (double)cb_rng_uniform(r); /* (0, 1]: log is finite */
    const double u2 = (double)cb_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* The median of 5 standard normal deviates (a standard deviation of about 0.54): a run's figure
 * when each of its 5 repetitions has the noise, as the history keeps a run by the median of its
 * repetitions. */
static double median_of_5(cb_rng *r)
{
    double v[5];
    for (int i = 0; i < 5; i++)
        v[i] = gauss(r);
    for (int i = 1; i < 5; i++) /* insertion sort */
        for (int k = i; k > 0 && v[k - 1] > v[k]; k--) {
            const double t = v[k];
            v[k] = v[k - 1];
            v[k - 1] = t;
        }
    return v[2];
}

/* The noise's shape: a deviate of one run. */
typedef double (*deviate)(cb_rng *r);

/* x[i] = level * (1 + noise dev()) for i in [from, to). */
static void fill_with(double *x, size_t from, size_t to, double level, double noise, deviate dev, cb_rng *r)
{
    for (size_t i = from; i < to; i++)
        x[i] = level * (1.0 + noise * dev(r));
}

/* The same with Gaussian noise of standard deviation `noise`. */
static void fill(double *x, size_t from, size_t to, double level, double noise, cb_rng *r)
{
    fill_with(x, from, to, level, noise, gauss, r);
}

/* A series of RUNS values: `before` up to STEP_AT, `after` from there, relative noise `noise`. */
static void step_series_of(double *x, uint64_t seed, double before, double after, double noise, deviate dev)
{
    cb_rng r;
    cb_rng_seed(&r, seed);
    fill_with(x, 0, STEP_AT, before, noise, dev, &r);
    fill_with(x, STEP_AT, RUNS, after, noise, dev, &r);
}

/* The same with Gaussian noise of standard deviation `noise`. */
static void step_series(double *x, uint64_t seed, double before, double after, double noise)
{
    step_series_of(x, seed, before, after, noise, gauss);
}

/* The index in res of a change point within tol of want, or -1. */
static int point_near(const cb_cp_result *res, size_t want, size_t tol)
{
    for (size_t i = 0; i < res->n; i++) {
        const size_t at = res->points[i].index;
        if (at + tol >= want && at <= want + tol)
            return (int)i;
    }
    return -1;
}

static cb_cp_result detect(const double *x, size_t n)
{
    const cb_cp_options o = cb_cp_defaults();
    cb_cp_result res;
    assert_int_equal(cb_changepoints(x, n, &o, &res), 0);
    return res;
}

/* The split t (min_size 3 <= t <= n - 3) with the least sum of squared deviations from the two
 * sides' means: the Gaussian maximum-likelihood location of one step, the yardstick of how well any
 * method can place it. O(n) by prefix sums: it maximises S_t^2 / t + (S - S_t)^2 / (n - t). */
static size_t least_squares_split(const double *x, size_t n)
{
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += x[i];
    double left = 0, best = -INFINITY;
    size_t at = 3;
    for (size_t t = 1; t + 3 <= n; t++) {
        left += x[t - 1];
        const double right = total - left;
        const double score = left * left / (double)t + right * right / (double)(n - t);
        if (t >= 3 && score > best) {
            best = score;
            at = t;
        }
    }
    return at;
}

/* Over SEEDS series with a step before -> after at STEP_AT: how many report a change at all, one at
 * STEP_AT +- 1 and +- 3, and how often the least-squares location is within +- 1. Printed. */
typedef struct power {
    int detected, within1, within3, least_squares1;
} power;

static power measure_power(double before, double after, double noise, deviate dev)
{
    power pw = {0};
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        double x[RUNS];
        step_series_of(x, seed, before, after, noise, dev);
        const cb_cp_result res = detect(x, RUNS);
        const size_t ls = least_squares_split(x, RUNS);
        pw.detected += res.n > 0;
        pw.within1 += point_near(&res, STEP_AT, 1) >= 0;
        pw.within3 += point_near(&res, STEP_AT, 3) >= 0;
        pw.least_squares1 += ls + 1 >= STEP_AT && ls <= STEP_AT + 1;
    }
    print_message("%.0f%% step in %.0f%% %s noise, %d series: a change in %d, at 40 +- 1 in %d, +- 3 in "
                  "%d (least squares +- 1: %d)\n",
                  100 * (after - before) / before, 100 * noise, dev == gauss ? "Gaussian" : "per-repetition (median of 5)", SEEDS, pw.detected, pw.within1,
                  pw.within3, pw.least_squares1);
    return pw;
}

/* ---- detection power and false positives ------------------------------------------------------ */

/* A step of d = 5/3 noise standard deviations is detected every time, but no method can place it
 * within +- 1 in 95% of series: the least-squares location (the Gaussian maximum-likelihood one)
 * manages 76.5% over 3000 seeds, E-divisive 75.8%. So: detected in >= 95, placed within +- 1 about
 * as often as by least squares (3 fewer at most) and in >= 70 (the expectation is about 76),
 * within +- 3 in >= 85 (expected 92). */
static void test_power_5pct_in_3pct(void **state)
{
    (void)state;
    const power pw = measure_power(100, 105, 0.03, gauss);
    assert_true(pw.detected >= 95);
    assert_true(pw.within1 >= 70);
    assert_true(pw.within1 >= pw.least_squares1 - 3);
    assert_true(pw.within3 >= 85);
}

/* d = 2: over 3000 seeds, within +- 1 in 85.4% (least squares 85.7%), +- 3 in 96.9%. */
static void test_power_2pct_in_1pct(void **state)
{
    (void)state;
    const power pw = measure_power(100, 102, 0.01, gauss);
    assert_true(pw.detected >= 95);
    assert_true(pw.within1 >= 80);
    assert_true(pw.within1 >= pw.least_squares1 - 3);
    assert_true(pw.within3 >= 92);
}

/* The noise per repetition, each run the median of 5 repetitions (as train's epochs are): a run's
 * figure then has a standard deviation of about 1.6% for 3% per repetition, and the step is found
 * at 40 +- 1 in >= 95 of 100 seeds. */
static void test_power_per_repetition(void **state)
{
    (void)state;
    const power a = measure_power(100, 105, 0.03, median_of_5), b = measure_power(100, 102, 0.01, median_of_5);
    assert_true(a.detected >= 95 && b.detected >= 95);
    assert_true(a.within1 >= 95);
    assert_true(b.within1 >= 95);
}

static void test_false_positives(void **state)
{
    (void)state;
    int reported = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        double x[RUNS];
        step_series(x, 1000 + seed, 100, 100, 0.03);
        reported += detect(x, RUNS).n > 0;
    }
    print_message("noise only (3%%): a change reported in %d of %d series\n", reported, SEEDS);
    assert_true(reported <= 5);
}

/* ---- what is reported ------------------------------------------------------------------------- */

/* +10% at 30, back to 100 at 60, 1% noise, 100 seeds: both steps found within +- 1, in order, in
 * every series. A noise-only segment can still be split at alpha = 0.01 (each of the three is
 * tested: about 3% of series get a third point, 9 of 200 seeds measured), so the exact answer -
 * two points, the medians of the final segments within 1% of their levels, changes within 0.01
 * of +0.10 and -1/11 - is required in >= 90 of 100. */
static void test_two_steps(void **state)
{
    (void)state;
    int exact = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        double x[90];
        cb_rng r;
        cb_rng_seed(&r, seed);
        fill(x, 0, 30, 100, 0.01, &r);
        fill(x, 30, 60, 110, 0.01, &r);
        fill(x, 60, 90, 100, 0.01, &r);
        const cb_cp_result res = detect(x, 90);
        const int up_at = point_near(&res, 30, 1), down_at = point_near(&res, 60, 1);
        assert_true(up_at >= 0 && down_at > up_at);
        if (res.n != 2)
            continue;
        const cb_cp *up = &res.points[0], *down = &res.points[1];
        assert_close(up->before, 100, 1.0);
        assert_close(up->after, 110, 1.1);
        assert_close(down->before, 110, 1.1);
        assert_close(down->after, 100, 1.0);
        assert_true(up->after == down->before); /* the same middle segment */
        assert_close(up->change, 0.10, 0.01);
        assert_close(down->change, -1.0 / 11, 0.01);
        assert_close(up->change, (up->after - up->before) / up->before, 1e-15);
        assert_true(up->p < 0.01 && down->p < 0.01);
        assert_true(up->q > 0 && down->q > 0);
        exact++;
    }
    print_message("two steps: exactly the two change points in %d of %d series\n", exact, SEEDS);
    assert_true(exact >= 90);
}

/* images/s dropping by 8%: a negative change, about -0.08. */
static void test_slowdown_is_negative(void **state)
{
    (void)state;
    double x[RUNS];
    step_series(x, 7, 250, 230, 0.01);
    const cb_cp_result res = detect(x, RUNS);
    assert_int_equal(res.n, 1);
    assert_true(res.points[0].change < 0);
    assert_close(res.points[0].change, -0.08, 0.01);
}

/* A x10 step: found at the step, its medians those of the two levels. */
static void test_huge_step(void **state)
{
    (void)state;
    double x[RUNS];
    step_series(x, 3, 100, 1000, 0.01);
    const cb_cp_result res = detect(x, RUNS);
    assert_int_equal(res.n, 1);
    assert_int_equal(res.points[0].index, STEP_AT);
    assert_close(res.points[0].before, 100, 1.0);
    assert_close(res.points[0].after, 1000, 10.0);
    assert_close(res.points[0].change, 9.0, 0.2);
}

/* Values near the top of the double range: 1 then 1e306 (the median |x| is 1, so scaling by it
 * alone would leave distance sums that overflow to infinity); found, with its medians. */
static void test_extreme_magnitudes(void **state)
{
    (void)state;
    double x[RUNS];
    for (size_t i = 0; i < RUNS; i++)
        x[i] = i < 60 ? 1.0 + 0.01 * (double)(i % 3) : -1e306 * (1.0 + 0.01 * (double)(i % 3));
    const cb_cp_result res = detect(x, RUNS);
    assert_int_equal(res.n, 1);
    assert_int_equal(res.points[0].index, 60);
    assert_true(isfinite(res.points[0].q) && res.points[0].q > 0);
    assert_close(res.points[0].before, 1.01, 1e-12);
    assert_close(res.points[0].after / -1e306, 1.01, 1e-12);
}

/* p = (1 + #{permutations with Q >= observed}) / (1 + permutations) is at least 1 / (1 +
 * permutations): with 19, alpha = 0.01 can never be reached; with 99 and alpha = 0.05, a x10 step
 * (which no permutation matches) has p = 0.01 exactly. */
static void test_p_value_floor(void **state)
{
    (void)state;
    double x[RUNS];
    step_series(x, 3, 100, 1000, 0.01);
    cb_cp_options o = cb_cp_defaults();
    o.permutations = 19;
    cb_cp_result res;
    assert_int_equal(cb_changepoints(x, RUNS, &o, &res), 0);
    assert_int_equal(res.n, 0);
    o.permutations = 99;
    o.alpha = 0.05;
    assert_int_equal(cb_changepoints(x, RUNS, &o, &res), 0);
    assert_int_equal(res.n, 1);
    assert_true(res.points[0].p == 0.01);
}

/* ---- edge cases -------------------------------------------------------------------------------- */

static void test_too_short(void **state)
{
    (void)state;
    const cb_cp_options o = cb_cp_defaults(); /* min_size 3: 5 points cannot make two segments */
    const double x[] = {1, 1, 1, 100, 100, 100};
    cb_cp_result res = {.n = 99};
    assert_int_equal(cb_changepoints(NULL, 0, &o, &res), 0);
    assert_int_equal(res.n, 0);
    for (size_t n = 1; n < 2 * o.min_size; n++) {
        res.n = 99;
        assert_int_equal(cb_changepoints(x + 1, n, &o, &res), 0);
        assert_int_equal(res.n, 0);
    }
}

/* Constant series: every distance is 0, so nothing is significant; a zero median |x| is handled. */
static void test_constant(void **state)
{
    (void)state;
    double zeros[RUNS] = {0}, sevens[RUNS], negatives[RUNS];
    for (size_t i = 0; i < RUNS; i++) {
        sevens[i] = 7;
        negatives[i] = -3.5;
    }
    assert_int_equal(detect(zeros, RUNS).n, 0);
    assert_int_equal(detect(sevens, RUNS).n, 0);
    assert_int_equal(detect(negatives, RUNS).n, 0);
    /* mostly zeros (median |x| = 0) with a step to 1 at 60: still found */
    for (size_t i = 60; i < RUNS; i++)
        zeros[i] = 1;
    const cb_cp_result res = detect(zeros, RUNS);
    assert_int_equal(res.n, 1);
    assert_int_equal(res.points[0].index, 60);
    assert_true(res.points[0].before == 0 && res.points[0].after == 1);
    assert_true(isnan(res.points[0].change)); /* before is 0 */
}

static void test_bad_input(void **state)
{
    (void)state;
    double x[RUNS];
    step_series(x, 5, 100, 110, 0.01);
    const cb_cp_options good = cb_cp_defaults();
    cb_cp_result res;
    const double bad_values[] = {NAN, INFINITY, -INFINITY};
    for (size_t k = 0; k < 3; k++) {
        double y[RUNS];
        memcpy(y, x, sizeof y);
        y[17] = bad_values[k];
        res.n = 99;
        assert_int_equal(cb_changepoints(y, RUNS, &good, &res), -1);
        assert_int_equal(res.n, 0);
        assert_int_equal(cb_changepoints(y + 17, 1, &good, &res), -1); /* even when too short */
    }
    cb_cp_options o = good;
    const double bad_alpha[] = {0, 1, -0.1, 1.5, NAN};
    for (size_t k = 0; k < 5; k++) {
        o.alpha = bad_alpha[k];
        assert_int_equal(cb_changepoints(x, RUNS, &o, &res), -1);
    }
    o = good;
    o.permutations = 0;
    assert_int_equal(cb_changepoints(x, RUNS, &o, &res), -1);
    o.permutations = -5;
    assert_int_equal(cb_changepoints(x, RUNS, &o, &res), -1);
    o = good;
    o.min_size = 1;
    assert_int_equal(cb_changepoints(x, RUNS, &o, &res), -1);
    o.min_size = 0;
    assert_int_equal(cb_changepoints(x, RUNS, &o, &res), -1);
    assert_int_equal(cb_changepoints(x, RUNS, NULL, &res), -1);
    assert_int_equal(cb_changepoints(x, RUNS, &good, NULL), -1);
    assert_int_equal(cb_changepoints(NULL, RUNS, &good, &res), -1);
    /* the good options on the same series still work */
    assert_int_equal(cb_changepoints(x, RUNS, &good, &res), 0);
    assert_int_equal(res.n, 1);
}

static void test_deterministic(void **state)
{
    (void)state;
    double x[90];
    cb_rng r;
    cb_rng_seed(&r, 11);
    fill(x, 0, 30, 100, 0.02, &r);
    fill(x, 30, 60, 104, 0.02, &r);
    fill(x, 60, 90, 99, 0.02, &r);
    const cb_cp_options o = cb_cp_defaults();
    cb_cp_result a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    assert_int_equal(cb_changepoints(x, 90, &o, &a), 0);
    assert_int_equal(cb_changepoints(x, 90, &o, &b), 0);
    assert_true(a.n > 0);
    assert_memory_equal(&a, &b, sizeof a);
}

/* With min_size 10, no segment of the result is shorter than 10, though the steps are 4 apart. */
static void test_min_size(void **state)
{
    (void)state;
    double x[RUNS];
    cb_rng r;
    cb_rng_seed(&r, 9);
    fill(x, 0, 36, 100, 0.001, &r);
    fill(x, 36, 40, 200, 0.001, &r);
    fill(x, 40, RUNS, 300, 0.001, &r);
    cb_cp_options o = cb_cp_defaults();
    o.min_size = 10;
    cb_cp_result res;
    assert_int_equal(cb_changepoints(x, RUNS, &o, &res), 0);
    assert_true(res.n >= 1);
    size_t prev = 0;
    for (size_t i = 0; i < res.n; i++) {
        assert_true(res.points[i].index >= prev + 10);
        prev = res.points[i].index;
    }
    assert_true(RUNS - prev >= 10);
    o.min_size = 3; /* now both steps */
    assert_int_equal(cb_changepoints(x, RUNS, &o, &res), 0);
    assert_int_equal(res.n, 2);
    assert_int_equal(res.points[0].index, 36);
    assert_int_equal(res.points[1].index, 40);
}

/* A staircase of 70 levels of 12 points (69 steps): CB_CP_MAX points, each at a step, in order. */
static void test_at_most_cp_max(void **state)
{
    (void)state;
    enum { LEVELS = 70, WIDTH = 12 };
    double x[LEVELS * WIDTH];
    cb_rng r;
    cb_rng_seed(&r, 4);
    for (size_t k = 0; k < LEVELS; k++)
        fill(x, k * WIDTH, (k + 1) * WIDTH, 100.0 + 10.0 * (double)k, 0.001, &r);
    const cb_cp_result res = detect(x, LEVELS * WIDTH);
    assert_int_equal(res.n, CB_CP_MAX);
    for (size_t i = 0; i < res.n; i++) {
        assert_int_equal(res.points[i].index % WIDTH, 0);
        if (i > 0)
            assert_true(res.points[i].index > res.points[i - 1].index);
    }
}

/* 1000 points, steps at 200 (+5%), 450 (-8%), 700 (+3%) and 850 (+6%) in 1% noise: all four. */
static void test_long_series(void **state)
{
    (void)state;
    enum { N = 1000 };
    static const size_t at[] = {0, 200, 450, 700, 850, N};
    static const double level[] = {100, 105, 96.6, 99.5, 105.5};
    double x[N];
    cb_rng r;
    cb_rng_seed(&r, 21);
    for (size_t k = 0; k < 5; k++)
        fill(x, at[k], at[k + 1], level[k], 0.01, &r);
    const cb_cp_result res = detect(x, N);
    assert_int_equal(res.n, 4);
    for (size_t k = 0; k < 4; k++)
        assert_in_range(res.points[k].index, at[k + 1] - 1, at[k + 1] + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_power_5pct_in_3pct),
        cmocka_unit_test(test_power_2pct_in_1pct),
        cmocka_unit_test(test_power_per_repetition),
        cmocka_unit_test(test_false_positives),
        cmocka_unit_test(test_two_steps),
        cmocka_unit_test(test_slowdown_is_negative),
        cmocka_unit_test(test_huge_step),
        cmocka_unit_test(test_extreme_magnitudes),
        cmocka_unit_test(test_p_value_floor),
        cmocka_unit_test(test_too_short),
        cmocka_unit_test(test_constant),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_min_size),
        cmocka_unit_test(test_at_most_cp_max),
        cmocka_unit_test(test_long_series),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
