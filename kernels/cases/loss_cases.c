/*
 * loss_cases.c - the fused output activation + loss kernels' cases (cb_cases.h), on logits z
 * [N,K], once per batch as the step calls them; dims = {K}:
 *   out10  K = 10: the classify head (softmax_xent) and the multi-label head (sigmoid_bce); mse and
 *          mae, the regression losses, at the same width
 *   out1   K = 1: the two-class head (sigmoid_bce) and one regression target (mse, mae); softmax
 *          over one class is degenerate (its loss and gradient are 0), so it has no out1
 * Logits U(-10,10), labels 0..K-1, targets U(0,1).
 * FLOPs per logit, a nominal count with exp/log1p/division counted as 1 each: softmax_xent 5
 * (max, subtract, exp, sum, scale), sigmoid_bce 8 (|z|, exp, log1p, max, z*t, 2 adds, sigmoid),
 * mse 4 (subtract, square, sum, scale), mae 4 (subtract, abs, sum, sign).
 */
#include <stdlib.h>

#include "cb_cases.h"
#include "cb_network.h"

enum { Z, T, DZ }; /* buffer order (softmax_xent has labels instead of T: z, dz) */

static int prepare(cb_case_data *d, double flops_per_logit, bool labels)
{
    const size_t k = (size_t)d->c->dims[0], nz = (size_t)d->batch * k;
    float *z = cb_case_buffer_add(d, "z", nz, false);
    if (!z)
        return -1;
    cb_case_fill(d, z, nz, -10, 10);
    if (labels) {
        if (!(d->labels = malloc((size_t)d->batch * sizeof *d->labels)))
            return -1;
        for (int i = 0; i < d->batch; i++)
            d->labels[i] = (int32_t)cb_rng_below(&d->rng, (uint32_t)k);
        d->bytes = 4.0 * (double)(2 * nz + (size_t)d->batch);
    } else {
        float *t = cb_case_buffer_add(d, "t", nz, false);
        if (!t)
            return -1;
        for (size_t i = 0; i < nz; i++)
            t[i] = cb_rng_uniform(&d->rng); /* targets are probabilities in either fill */
        d->bytes = 4.0 * (double)(3 * nz);
    }
    d->flops = flops_per_logit * (double)nz;
    return cb_case_buffer_add(d, "dz", nz, true) ? 0 : -1;
}

static int prepare_softmax(cb_case_data *d) { return prepare(d, 5, true); }
static int prepare_bce(cb_case_data *d) { return prepare(d, 8, false); }
static int prepare_mse(cb_case_data *d) { return prepare(d, 4, false); }
static int prepare_mae(cb_case_data *d) { return prepare(d, 4, false); }

static float run_softmax(const cb_kernel_table *t, const cb_case_data *d)
{
    return t->softmax_xent(d->batch, d->c->dims[0], d->buf[Z].p, d->labels, d->buf[1].p);
}

static float run_bce(const cb_kernel_table *t, const cb_case_data *d)
{
    return t->sigmoid_bce(d->batch, d->c->dims[0], d->buf[Z].p, d->buf[T].p, d->buf[DZ].p);
}

static float run_mse(const cb_kernel_table *t, const cb_case_data *d)
{
    return t->mse(d->batch, d->c->dims[0], d->buf[Z].p, d->buf[T].p, d->buf[DZ].p);
}

static float run_mae(const cb_kernel_table *t, const cb_case_data *d)
{
    return t->mae(d->batch, d->c->dims[0], d->buf[Z].p, d->buf[T].p, d->buf[DZ].p);
}

static const cb_case out10[] = {{"out10", {CB_CLASSES}, CB_UNIT_IMAGES, true}};
static const cb_case both[] = {{"out10", {CB_CLASSES}, CB_UNIT_IMAGES, true},
                               {"out1", {1}, CB_UNIT_IMAGES, true}};

/* exp and log1p are approximated differently per ISA (test_losses pins each to 40-50 ulp of a
 * double reference); against each other, 1e-6 relative plus 1e-8 absolute (dz is about 1/(N K)). */
#define VMATH {1e-6, 1e-8}
const cb_kernel_cases cb_cases_softmax_xent = {out10, 1, prepare_softmax, run_softmax, VMATH, VMATH};
const cb_kernel_cases cb_cases_sigmoid_bce = {both, 2, prepare_bce, run_bce, VMATH, VMATH};
/* mse and mae only add, multiply and compare, but sum the loss in a per-ISA order. */
const cb_kernel_cases cb_cases_mse = {both, 2, prepare_mse, run_mse, VMATH, VMATH};
const cb_kernel_cases cb_cases_mae = {both, 2, prepare_mae, run_mae, VMATH, VMATH};
