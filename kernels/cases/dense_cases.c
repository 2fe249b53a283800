/*
 * dense_cases.c - the dense layers' cases (cb_cases.h):
 *   dense1 [N,512] -> [N,32] + ReLU      dense2 [N,32] -> [N,10] (logits, no activation)
 * dims = {In, Out, relu, data_only}. The step (harness/step.c) calls both layers forward and
 * dense1's backward-data only (data_only: dw and db NULL) once per thread over its run of images
 * (N = B on one thread, B / T on T: the cases take one thread's, N = 32), dense2's whole backward
 * per image (N = 1); dense1's weight gradient it forms per parameter block as a forward product,
 * "dense1_dw": [rows, B] x [B, 32] with rows = CB_FC1_BLOCK_ROWS (the case's N) and In = B = 32.
 * Buffers: x [N,In], w [In,Out], b [Out], dy [N,Out]; outputs y, or dx, dw, db (dx alone when
 * data_only). FLOPs: forward 2*In*Out*N, backward 2*In*Out*N for each of dW and dX (bias, ReLU and
 * db not counted).
 */
#include "cb_cases.h"
#include "cb_network.h"

enum { X, W, B, DY, OUT }; /* buffer order; backward's outputs are dx, dw, db from OUT on */

static int prepare(cb_case_data *d, bool backward)
{
    const size_t n = (size_t)d->batch, in = (size_t)d->c->dims[0], out = (size_t)d->c->dims[1];
    const size_t nx = n * in, ny = n * out, nw = in * out;
    float *x = cb_case_buffer_add(d, "x", nx, false), *w = cb_case_buffer_add(d, "w", nw, false),
          *b = cb_case_buffer_add(d, "b", out, false), *dy = cb_case_buffer_add(d, "dy", ny, false);
    if (!x || !w || !b || !dy)
        return -1;
    cb_case_fill(d, x, nx, -1, 1);
    cb_case_fill(d, w, nw, -0.1f, 0.1f);
    cb_case_fill(d, b, out, -0.1f, 0.1f);
    cb_case_fill(d, dy, ny, -1, 1);
    if (!backward) {
        d->flops = 2.0 * (double)nw * (double)n;
        d->bytes = 4.0 * (double)(nx + nw + out + ny);
        return cb_case_buffer_add(d, "y", ny, true) ? 0 : -1;
    }
    if (d->c->dims[3]) { /* data only: dy, w -> dx */
        d->flops = 2.0 * (double)nw * (double)n;
        d->bytes = 4.0 * (double)(ny + nw + nx);
        return cb_case_buffer_add(d, "dx", nx, true) ? 0 : -1;
    }
    d->flops = 4.0 * (double)nw * (double)n;
    d->bytes = 4.0 * (double)(nx + nw + ny + nx + nw + out);
    return cb_case_buffer_add(d, "dx", nx, true) && cb_case_buffer_add(d, "dw", nw, true) &&
                   cb_case_buffer_add(d, "db", out, true)
               ? 0
               : -1;
}

static int prepare_fwd(cb_case_data *d) { return prepare(d, false); }
static int prepare_bwd(cb_case_data *d) { return prepare(d, true); }

static float run_fwd(const cb_kernel_table *t, const cb_case_data *d)
{
    const int *dim = d->c->dims;
    t->dense_fwd(d->batch, dim[0], dim[1], d->buf[X].p, d->buf[W].p, d->buf[B].p, d->buf[OUT].p,
                 dim[2]);
    return 0;
}

static float run_bwd(const cb_kernel_table *t, const cb_case_data *d)
{
    const int *dim = d->c->dims;
    if (dim[3])
        t->dense_bwd(d->batch, dim[0], dim[1], NULL, d->buf[W].p, d->buf[DY].p, d->buf[OUT].p,
                     NULL, NULL);
    else
        t->dense_bwd(d->batch, dim[0], dim[1], d->buf[X].p, d->buf[W].p, d->buf[DY].p,
                     d->buf[OUT].p, d->buf[OUT + 1].p, d->buf[OUT + 2].p);
    return 0;
}

static const cb_case fwd[] = {
    {"dense1", {CB_FLAT, CB_HIDDEN, 1, 0}, CB_DEFAULT_BATCH, true},
    {"dense2", {CB_HIDDEN, CB_CLASSES, 0, 0}, CB_DEFAULT_BATCH, true},
    {"dense1_dw", {CB_DEFAULT_BATCH, CB_HIDDEN, 0, 0}, CB_FC1_BLOCK_ROWS, true}};
static const cb_case bwd[] = {{"dense1", {CB_FLAT, CB_HIDDEN, 0, 1}, CB_DEFAULT_BATCH, true},
                              {"dense2", {CB_HIDDEN, CB_CLASSES, 0, 0}, CB_UNIT_IMAGES, true}};

/* Real inputs: sums of up to 512 terms in another order; bounded like the convolutions' (per
 * element in test_dense). */
const cb_kernel_cases cb_cases_dense_fwd = {fwd, 3, prepare_fwd, run_fwd, {0, 0}, {1e-5, 1e-5}};
const cb_kernel_cases cb_cases_dense_bwd = {bwd, 2, prepare_bwd, run_bwd, {0, 0}, {1e-5, 1e-5}};
