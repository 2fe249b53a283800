/*
 * conv2d_cases.c - the 3x3 convolutions' cases (cb_cases.h) at the reference network's layers:
 *   conv1 [N,32,32,3] -> [N,32,32,8]    conv2 [N,16,16,8] -> [N,16,16,8]
 * dims = {H, W, Cin, Cout}. The step calls forward (ReLU fused) and backward-weights at both
 * layers per image, backward-data at conv2 only (conv1's input needs no gradient; it is
 * measured all the same).
 * Buffers: x [N,H,W,Cin], w [3,3,Cin,Cout], b [Cout], dy [N,H,W,Cout]; outputs y, dx, dw, db.
 * FLOPs per call: 2*9*Cin*Cout*H*W*N for each of the three (bias, ReLU and db not counted).
 */
#include "cb_cases.h"
#include "cb_network.h"

enum { X, W, B, DY, OUT1, OUT2 }; /* buffer order */

static int prepare(cb_case_data *d, int op)
{
    const int *dim = d->c->dims;
    d->conv = (cb_conv_shape){.n = d->batch, .h = dim[0], .w = dim[1], .cin = dim[2], .cout = dim[3]};
    const cb_conv_shape *s = &d->conv;
    const size_t px = (size_t)s->n * s->h * s->w, nx = px * s->cin, ny = px * s->cout,
                 nw = (size_t)9 * s->cin * s->cout, nb = (size_t)s->cout;
    float *x = cb_case_buffer_add(d, "x", nx, false), *w = cb_case_buffer_add(d, "w", nw, false),
          *b = cb_case_buffer_add(d, "b", nb, false), *dy = cb_case_buffer_add(d, "dy", ny, false);
    if (!x || !w || !b || !dy)
        return -1;
    cb_case_fill(d, x, nx, -1, 1);
    cb_case_fill(d, w, nw, -0.5f, 0.5f);
    cb_case_fill(d, b, nb, -0.1f, 0.1f);
    cb_case_fill(d, dy, ny, -1, 1);
    d->flops = 2.0 * (double)nw * (double)px;
    switch (op) {
    case 0: /* forward: x, w, b -> y */
        d->bytes = 4.0 * (double)(nx + nw + nb + ny);
        return cb_case_buffer_add(d, "y", ny, true) ? 0 : -1;
    case 1: /* backward-data: dy, w -> dx */
        d->bytes = 4.0 * (double)(ny + nw + nx);
        return cb_case_buffer_add(d, "dx", nx, true) ? 0 : -1;
    default: /* backward-weights: x, dy -> dw, db */
        d->bytes = 4.0 * (double)(nx + ny + nw + nb);
        return cb_case_buffer_add(d, "dw", nw, true) && cb_case_buffer_add(d, "db", nb, true) ? 0 : -1;
    }
}

static int prepare_fwd(cb_case_data *d) { return prepare(d, 0); }
static int prepare_bwd_data(cb_case_data *d) { return prepare(d, 1); }
static int prepare_bwd_weights(cb_case_data *d) { return prepare(d, 2); }

static float run_fwd(const cb_kernel_table *t, const cb_case_data *d)
{
    t->conv2d_fwd(&d->conv, d->buf[X].p, d->buf[W].p, d->buf[B].p, d->buf[OUT1].p, 1);
    return 0;
}

static float run_bwd_data(const cb_kernel_table *t, const cb_case_data *d)
{
    t->conv2d_bwd_data(&d->conv, d->buf[DY].p, d->buf[W].p, d->buf[OUT1].p);
    return 0;
}

static float run_bwd_weights(const cb_kernel_table *t, const cb_case_data *d)
{
    t->conv2d_bwd_weights(&d->conv, d->buf[X].p, d->buf[DY].p, d->buf[OUT1].p, d->buf[OUT2].p);
    return 0;
}

#define CONV1 {CB_IN_H, CB_IN_W, CB_IN_C, CB_CONV_C}
#define CONV2 {CB_IN_H / 2, CB_IN_W / 2, CB_CONV_C, CB_CONV_C}

static const cb_case both[] = {{"conv1", CONV1, CB_UNIT_IMAGES, true},
                               {"conv2", CONV2, CB_UNIT_IMAGES, true}};
static const cb_case data[] = {{"conv1", CONV1, CB_UNIT_IMAGES, false},
                               {"conv2", CONV2, CB_UNIT_IMAGES, true}};

/* Real inputs: float sums in another order differ by up to about K 2^-24 sum|a w| (test_conv2d
 * checks that bound per element). Here, with the largest sums (db and dw of conv1: 4096 terms at
 * N:4), ISAs differ from scalar by up to 3.5e-5 on values near 2; 1e-4 relative plus absolute. */
#define REAL {1e-4, 1e-4}
const cb_kernel_cases cb_cases_conv2d_fwd = {both, 2, prepare_fwd, run_fwd, {0, 0}, REAL};
const cb_kernel_cases cb_cases_conv2d_bwd_data = {data, 2, prepare_bwd_data, run_bwd_data, {0, 0}, REAL};
const cb_kernel_cases cb_cases_conv2d_bwd_weights = {both, 2, prepare_bwd_weights, run_bwd_weights,
                                                     {0, 0}, REAL};
