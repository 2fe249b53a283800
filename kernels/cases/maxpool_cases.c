/*
 * maxpool_cases.c - the 2x2 stride-2 max-pools' cases (cb_cases.h):
 *   pool1 [N,32,32,8] -> [N,16,16,8]     pool2 [N,16,16,8] -> [N,8,8,8]
 * dims = {H, W, C} of the input. The input is post-ReLU (the conv layers' output) and the window
 * index goes through that ReLU too, as the step calls it (cb_pool_shape's relu). The index, one
 * byte per output, lives in a float buffer of a quarter as many floats (every case's output count
 * is a multiple of 4), so the registry's bit-for-bit comparison and guards cover it; backward
 * reads the index of x computed here with the scalar kernel, which every build contains.
 * FLOPs per output element: 8 forward (max of 4, each element compared with the max, the max with
 * 0), 4 backward (the index compared with each window element).
 */
#include "cb_cases.h"
#include "cb_network.h"

static int prepare(cb_case_data *d, bool backward)
{
    const int *dim = d->c->dims;
    d->pool = (cb_pool_shape){.n = d->batch, .h = dim[0], .w = dim[1], .c = dim[2], .relu = 1};
    const size_t nx = (size_t)d->batch * dim[0] * dim[1] * dim[2], ny = nx / 4;
    float *x = cb_case_buffer_add(d, "x", nx, false);
    float *y = cb_case_buffer_add(d, "y", ny, !backward);
    float *arg = cb_case_buffer_add(d, "arg", ny / 4, !backward);
    if (!x || !y || !arg)
        return -1;
    cb_case_fill(d, x, nx, -1, 1);
    const cb_kernel_table *scalar = cb_kernel_table_for(CB_ISA_SCALAR);
    scalar->relu_fwd(nx, x, x); /* ties at 0 included: the index must name the first maximum */
    if (!backward) {
        d->flops = 8.0 * (double)ny;
        d->bytes = 4.0 * (double)(nx + ny) + (double)ny;
        return 0;
    }
    scalar->maxpool_fwd(&d->pool, x, y, (uint8_t *)arg);
    float *dy = cb_case_buffer_add(d, "dy", ny, false);
    if (!dy || !cb_case_buffer_add(d, "dx", nx, true))
        return -1;
    cb_case_fill(d, dy, ny, -1, 1);
    d->flops = 4.0 * (double)ny;
    d->bytes = (double)ny + 4.0 * (double)(ny + nx);
    return 0;
}

static int prepare_fwd(cb_case_data *d) { return prepare(d, false); }
static int prepare_bwd(cb_case_data *d) { return prepare(d, true); }

static float run_fwd(const cb_kernel_table *t, const cb_case_data *d)
{
    t->maxpool_fwd(&d->pool, d->buf[0].p, d->buf[1].p, (uint8_t *)d->buf[2].p);
    return 0;
}

static float run_bwd(const cb_kernel_table *t, const cb_case_data *d)
{
    t->maxpool_bwd(&d->pool, (const uint8_t *)d->buf[2].p, d->buf[3].p, d->buf[4].p);
    return 0;
}

static const cb_case pools[] = {{"pool1", {CB_IN_H, CB_IN_W, CB_CONV_C}, CB_UNIT_IMAGES, true},
                                {"pool2", {CB_IN_H / 2, CB_IN_W / 2, CB_CONV_C}, CB_UNIT_IMAGES, true}};

/* Comparisons and copies: bit-identical on every ISA for any input. */
const cb_kernel_cases cb_cases_maxpool_fwd = {pools, 2, prepare_fwd, run_fwd, {0, 0}, {0, 0}};
const cb_kernel_cases cb_cases_maxpool_bwd = {pools, 2, prepare_bwd, run_bwd, {0, 0}, {0, 0}};
