/*
 * bench_dense.c - the dense layers of the reference network:
 *   dense1 [N,512] -> [N,32] + ReLU      dense2 [N,32] -> [N,10] (logits, no activation)
 * dense_fwd: 2*In*Out*N FLOPs (bias and ReLU not counted).
 * dense_bwd: 4*In*Out*N FLOPs: dW = x^T dy and dX = dy W^T (both layers need dX in the network;
 * db not counted).
 * Bytes: the tensors each reads and writes, once.
 */
#include "bench_common.h"
#include "model.h"

typedef struct dense_data {
    int n, in, out, relu;
    float *x, *w, *b, *y, *dy, *dx, *dw, *db;
} dense_data;

static void fwd_body(void *arg, int64_t iters)
{
    const cb_bench_case *c = arg;
    const dense_data *d = c->data;
    for (int64_t i = 0; i < iters; i++)
        c->t->dense_fwd(d->n, d->in, d->out, d->x, d->w, d->b, d->y, d->relu);
}

static void bwd_body(void *arg, int64_t iters)
{
    const cb_bench_case *c = arg;
    const dense_data *d = c->data;
    for (int64_t i = 0; i < iters; i++)
        c->t->dense_bwd(d->n, d->in, d->out, d->x, d->w, d->dy, d->dx, d->dw, d->db);
}

void cb_bench_dense(int batch)
{
    static const struct {
        const char *name;
        int in, out, relu;
    } layers[] = {{"dense1", CB_FLAT, CB_HIDDEN, 1}, {"dense2", CB_HIDDEN, CB_CIFAR_CLASSES, 0}};
    for (size_t l = 0; l < sizeof layers / sizeof layers[0]; l++) {
        dense_data *d = cb_bench_alloc(sizeof *d);
        d->n = batch;
        d->in = layers[l].in;
        d->out = layers[l].out;
        d->relu = layers[l].relu;
        const double nx = (double)batch * d->in, ny = (double)batch * d->out;
        const double nw = (double)d->in * d->out, nb = d->out;
        d->x = cb_bench_floats((size_t)nx, -1, 1);
        d->w = cb_bench_floats((size_t)nw, -0.1f, 0.1f);
        d->b = cb_bench_floats((size_t)nb, -0.1f, 0.1f);
        d->dy = cb_bench_floats((size_t)ny, -1, 1);
        d->y = cb_bench_alloc((size_t)cb_bench_fbytes(ny));
        d->dx = cb_bench_alloc((size_t)cb_bench_fbytes(nx));
        d->dw = cb_bench_alloc((size_t)cb_bench_fbytes(nw));
        d->db = cb_bench_alloc((size_t)cb_bench_fbytes(nb));

        const char *name = layers[l].name;
        cb_bench_add("dense_fwd", name, batch, fwd_body, d, 2.0 * nw * batch,
                     cb_bench_fbytes(nx + nw + nb + ny));
        cb_bench_add("dense_bwd", name, batch, bwd_body, d, 4.0 * nw * batch,
                     cb_bench_fbytes(nx + nw + ny + nx + nw + nb));
    }
}
