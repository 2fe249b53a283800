/*
 * test_mismatched.c - the teaching-only mismatched pairs (mismatched.h) against central finite
 * differences of their own loss, and the saturation they exist to show.
 *
 * - *_finite_differences: dz against (L(z+h) - L(z-h)) / 2h (finite_diff.h), h = 1e-2 on
 *   logits U(-3,3): |dz - fd| <= 2e-4 (the losses are computed in double and rounded to float:
 *   about 1e-7 relative, over 2h = 2e-2, plus the O(h^2) truncation of smooth functions);
 * - saturation: for a true class (target 1) at logit -8, sigmoid+MSE's gradient is below 1e-3
 *   in size while the matched sigmoid+BCE kernel gives about -1; softmax+MSE below 1e-2 at a
 *   true-class logit 8 below the others, cross-entropy about -1 / N.
 */
#include <math.h>
#include <stdio.h>

#include "finite_diff.h"
#include "kernel_test.h"
#include "mismatched.h"

enum { N = 3, K = 5 };

static void fill(cb_rng *r, float *z)
{
    for (int i = 0; i < N * K; i++)
        z[i] = -3.0f + 6.0f * cb_rng_uniform(r);
}

static const int32_t labels[N] = {0, 3, 4};
static float targets[N * K];

/* The loss under test, over the fixed labels or targets. */
typedef float loss_fn(const float *z, float *dz);

static float softmax_mse(const float *z, float *dz)
{
    return cb_softmax_mse(N, K, z, labels, dz);
}

static float sigmoid_mse(const float *z, float *dz)
{
    return cb_sigmoid_mse(N, K, z, targets, dz);
}

/* The FD objective: loss at the logits z (the ones perturbed), its dz going to scratch. */
typedef struct fd_loss {
    loss_fn *loss;
    const float *z;
    float *scratch;
} fd_loss;

static double fd_objective(void *ctx)
{
    const fd_loss *l = ctx;
    return l->loss(l->z, l->scratch);
}

static void check_finite_differences(loss_fn *loss, uint64_t seed)
{
    cb_rng r;
    cb_rng_seed(&r, seed);
    float z[N * K], dz[N * K], scratch[N * K];
    fill(&r, z);
    for (int i = 0; i < N * K; i++)
        targets[i] = cb_rng_uniform(&r);
    loss(z, dz);
    fd_loss l = {loss, z, scratch};
    for (int i = 0; i < N * K; i++) {
        const double fd = cbt_central_diff_f(fd_objective, &l, &z[i], 1e-2f);
        if (!(fabs(dz[i] - fd) <= 2e-4))
            fail_msg("dz[%d] = %.6g, finite difference %.6g", i, dz[i], fd);
    }
}

static void test_softmax_mse_finite_differences(void **state)
{
    (void)state;
    check_finite_differences(softmax_mse, 5);
}

static void test_sigmoid_mse_finite_differences(void **state)
{
    (void)state;
    check_finite_differences(sigmoid_mse, 6);
}

static void test_saturation(void **state)
{
    (void)state;
    const cb_kernel_table *kt = cbt_scalar();
    float z = -8.0f, t = 1.0f, mse, bce;
    cb_sigmoid_mse(1, 1, &z, &t, &mse);
    kt->sigmoid_bce(1, 1, &z, &t, &bce);
    assert_true(fabsf(mse) < 1e-3f && mse < 0.0f);
    assert_true(bce < -0.99f);
    float logits[K] = {-8.0f, 0, 0, 0, 0}, dmse[K], dxent[K];
    const int32_t label = 0;
    cb_softmax_mse(1, K, logits, &label, dmse);
    kt->softmax_xent(1, K, logits, &label, dxent);
    assert_true(fabsf(dmse[0]) < 1e-2f);
    assert_true(dxent[0] < -0.99f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_softmax_mse_finite_differences),
        cmocka_unit_test(test_sigmoid_mse_finite_differences),
        cmocka_unit_test(test_saturation),
    };
    return cmocka_run_group_tests_name("mismatched", tests, NULL, NULL);
}
