/*
 * bench_pool_relu.c - the element-wise and pooling kernels at the reference network's shapes.
 *
 * maxpool_fwd / maxpool_bwd, 2x2 stride 2:
 *   pool1 [N,32,32,8] -> [N,16,16,8]     pool2 [N,16,16,8] -> [N,8,8,8]
 *   The input is post-ReLU (random, then ReLU), as conv1/conv2 leave it, and y its pooling.
 *   FLOPs per output element: 3 (max of 4) forward, 4 (compare each input with the max) backward.
 * relu_fwd / relu_bwd, at the outputs of conv1 [N,32,32,8], conv2 [N,16,16,8], dense1 [N,32]:
 *   forward out of place; backward in place on the gradient (dx = dy), as the network runs it.
 *   The network fuses the forward ReLU into conv and dense; relu_fwd is measured on its own.
 *   FLOPs: 1 per element each way.
 * Bytes: the tensors each reads and writes, once.
 */
#include "bench_common.h"
#include "model.h"

typedef struct pool_data {
    cb_pool_shape s;
    float *x, *y, *dy, *dx;
} pool_data;

typedef struct relu_data {
    size_t n;
    float *x, *y, *dy;
} relu_data;

static void pool_fwd_body(void *arg, int64_t iters)
{
    const cb_bench_case *c = arg;
    const pool_data *d = c->data;
    for (int64_t i = 0; i < iters; i++)
        c->t->maxpool2_fwd(&d->s, d->x, d->y);
}

static void pool_bwd_body(void *arg, int64_t iters)
{
    const cb_bench_case *c = arg;
    const pool_data *d = c->data;
    for (int64_t i = 0; i < iters; i++)
        c->t->maxpool2_bwd(&d->s, d->x, d->y, d->dy, d->dx);
}

static void relu_fwd_body(void *arg, int64_t iters)
{
    const cb_bench_case *c = arg;
    const relu_data *d = c->data;
    for (int64_t i = 0; i < iters; i++)
        c->t->relu_fwd(d->n, d->x, d->y);
}

static void relu_bwd_body(void *arg, int64_t iters)
{
    const cb_bench_case *c = arg;
    const relu_data *d = c->data;
    for (int64_t i = 0; i < iters; i++)
        c->t->relu_bwd(d->n, d->y, d->dy, d->dy);
}

static void add_pool(const char *layer, int batch, int hw)
{
    /* Inputs are prepared with the scalar kernels, which every build contains. */
    const cb_kernel_table *ref = cb_kernel_table_for(CB_ISA_SCALAR);
    pool_data *d = cb_bench_alloc(sizeof *d);
    d->s = (cb_pool_shape){.n = batch, .h = hw, .w = hw, .c = CB_CONV_C};
    const double nx = (double)batch * hw * hw * CB_CONV_C, ny = nx / 4;
    d->x = cb_bench_floats((size_t)nx, -1, 1);
    ref->relu_fwd((size_t)nx, d->x, d->x);
    d->y = cb_bench_alloc((size_t)cb_bench_fbytes(ny));
    ref->maxpool2_fwd(&d->s, d->x, d->y);
    d->dy = cb_bench_floats((size_t)ny, -1, 1);
    d->dx = cb_bench_alloc((size_t)cb_bench_fbytes(nx));
    cb_bench_add("maxpool_fwd", layer, batch, pool_fwd_body, d, 3 * ny, cb_bench_fbytes(nx + ny));
    cb_bench_add("maxpool_bwd", layer, batch, pool_bwd_body, d, 4 * ny,
                 cb_bench_fbytes(nx + ny + ny + nx));
}

static void add_relu(const char *layer, int batch, size_t per_image)
{
    const cb_kernel_table *ref = cb_kernel_table_for(CB_ISA_SCALAR);
    relu_data *d = cb_bench_alloc(sizeof *d);
    d->n = (size_t)batch * per_image;
    d->x = cb_bench_floats(d->n, -1, 1);
    d->y = cb_bench_alloc(d->n * sizeof(float));
    ref->relu_fwd(d->n, d->x, d->y);
    d->dy = cb_bench_floats(d->n, -1, 1);
    const double n = (double)d->n;
    cb_bench_add("relu_fwd", layer, batch, relu_fwd_body, d, n, cb_bench_fbytes(2 * n));
    cb_bench_add("relu_bwd", layer, batch, relu_bwd_body, d, n, cb_bench_fbytes(3 * n));
}

void cb_bench_pool_relu(int batch)
{
    add_pool("pool1", batch, CB_IN_H);
    add_pool("pool2", batch, CB_IN_H / 2);
    add_relu("conv1", batch, (size_t)CB_IN_H * CB_IN_W * CB_CONV_C);
    add_relu("conv2", batch, (size_t)(CB_IN_H / 2) * (CB_IN_W / 2) * CB_CONV_C);
    add_relu("dense1", batch, CB_HIDDEN);
}
