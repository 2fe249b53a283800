/*
 * bench_conv.c - the 3x3 convolutions at the reference network's layers:
 *   conv1 [N,32,32,3] -> [N,32,32,8]    conv2 [N,16,16,8] -> [N,16,16,8]
 * conv2d_fwd (ReLU fused, as the network runs it), conv2d_bwd_data (the network needs it for
 * conv2 only; both are measured), conv2d_bwd_weights.
 * FLOPs per call: 2*9*Cin*Cout*H*W*N for each of the three (bias, ReLU and db not counted).
 * Bytes: the tensors each reads and writes, once.
 */
#include "bench_common.h"
#include "model.h"

typedef struct conv_data {
    cb_conv_shape s;
    float *x, *w, *b, *y, *dy, *dx, *dw, *db;
} conv_data;

static void fwd_body(void *arg, int64_t iters)
{
    const cb_bench_case *c = arg;
    const conv_data *d = c->data;
    for (int64_t i = 0; i < iters; i++)
        c->t->conv3x3_fwd(&d->s, d->x, d->w, d->b, d->y, 1);
}

static void bwd_data_body(void *arg, int64_t iters)
{
    const cb_bench_case *c = arg;
    const conv_data *d = c->data;
    for (int64_t i = 0; i < iters; i++)
        c->t->conv3x3_bwd_data(&d->s, d->dy, d->w, d->dx);
}

static void bwd_weights_body(void *arg, int64_t iters)
{
    const cb_bench_case *c = arg;
    const conv_data *d = c->data;
    for (int64_t i = 0; i < iters; i++)
        c->t->conv3x3_bwd_weights(&d->s, d->x, d->dy, d->dw, d->db);
}

void cb_bench_conv(int batch)
{
    static const struct {
        const char *name;
        int hw, cin;
    } layers[] = {{"conv1", CB_IN_H, CB_IN_C}, {"conv2", CB_IN_H / 2, CB_CONV_C}};
    for (size_t l = 0; l < sizeof layers / sizeof layers[0]; l++) {
        conv_data *d = cb_bench_alloc(sizeof *d);
        d->s = (cb_conv_shape){.n = batch, .h = layers[l].hw, .w = layers[l].hw,
                               .cin = layers[l].cin, .cout = CB_CONV_C};
        const double pixels = (double)batch * d->s.h * d->s.w;
        const double nx = pixels * d->s.cin, ny = pixels * d->s.cout;
        const double nw = 9.0 * d->s.cin * d->s.cout, nb = d->s.cout;
        d->x = cb_bench_floats((size_t)nx, -1, 1);
        d->w = cb_bench_floats((size_t)nw, -0.5f, 0.5f);
        d->b = cb_bench_floats((size_t)nb, -0.1f, 0.1f);
        d->dy = cb_bench_floats((size_t)ny, -1, 1);
        d->y = cb_bench_alloc((size_t)cb_bench_fbytes(ny));
        d->dx = cb_bench_alloc((size_t)cb_bench_fbytes(nx));
        d->dw = cb_bench_alloc((size_t)cb_bench_fbytes(nw));
        d->db = cb_bench_alloc((size_t)cb_bench_fbytes(nb));

        const double flops = 2.0 * nw * pixels;
        const char *name = layers[l].name;
        cb_bench_add("conv2d_fwd", name, batch, fwd_body, d, flops,
                     cb_bench_fbytes(nx + nw + nb + ny));
        cb_bench_add("conv2d_bwd_data", name, batch, bwd_data_body, d, flops,
                     cb_bench_fbytes(ny + nw + nx));
        cb_bench_add("conv2d_bwd_weights", name, batch, bwd_weights_body, d, flops,
                     cb_bench_fbytes(nx + ny + nw + nb));
    }
}
