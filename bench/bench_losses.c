/*
 * bench_losses.c - the fused output activation + loss kernels on logits [N,K]:
 *   softmax_xent with K = 10 (layer "out10"; softmax over one class is degenerate, its loss and
 *   gradient are identically 0, so there is no out1), and sigmoid_bce, mse, mae with K = 10
 *   ("out10") and K = 1 ("out1", a two-class or single-target head).
 * Logits U(-10,10), labels 0..K-1, targets U(0,1), all fixed-seed.
 * FLOPs per logit, a nominal count with exp/log1p/division counted as 1 each:
 *   softmax_xent 5 (max, subtract, exp, sum, scale), sigmoid_bce 8 (|z|, exp, log1p, max, z*t,
 *   2 adds, sigmoid), mse 4 (subtract, square, sum, scale), mae 4 (subtract, abs, sum, sign).
 * Bytes: z and labels or targets read, dz written.
 */
#include "bench_common.h"
#include "model.h"

typedef struct loss_data {
    int n, k;
    float *z, *t, *dz;
    int32_t *labels;
} loss_data;

static volatile float loss_sink; /* keeps the returned losses alive */

static void softmax_body(void *arg, int64_t iters)
{
    const cb_bench_case *c = arg;
    const loss_data *d = c->data;
    float s = 0;
    for (int64_t i = 0; i < iters; i++)
        s += c->t->softmax_xent(d->n, d->k, d->z, d->labels, d->dz);
    loss_sink = s;
}

/* sigmoid_bce, mse and mae share one signature. */
typedef float target_loss_fn(int n, int k, const float *z, const float *t, float *dz);

static void run_target_loss(target_loss_fn *f, const loss_data *d, int64_t iters)
{
    float s = 0;
    for (int64_t i = 0; i < iters; i++)
        s += f(d->n, d->k, d->z, d->t, d->dz);
    loss_sink = s;
}

static void bce_body(void *arg, int64_t iters)
{
    const cb_bench_case *c = arg;
    run_target_loss(c->t->sigmoid_bce, c->data, iters);
}

static void mse_body(void *arg, int64_t iters)
{
    const cb_bench_case *c = arg;
    run_target_loss(c->t->mse, c->data, iters);
}

static void mae_body(void *arg, int64_t iters)
{
    const cb_bench_case *c = arg;
    run_target_loss(c->t->mae, c->data, iters);
}

void cb_bench_losses(int batch)
{
    static const struct {
        const char *layer;
        int k;
    } heads[] = {{"out10", CB_CIFAR_CLASSES}, {"out1", 1}};
    for (size_t h = 0; h < sizeof heads / sizeof heads[0]; h++) {
        loss_data *d = cb_bench_alloc(sizeof *d);
        d->n = batch;
        d->k = heads[h].k;
        const double nz = (double)batch * d->k;
        d->z = cb_bench_floats((size_t)nz, -10, 10);
        d->t = cb_bench_floats((size_t)nz, 0, 1);
        d->labels = cb_bench_labels((size_t)batch, d->k);
        d->dz = cb_bench_alloc((size_t)cb_bench_fbytes(nz));

        const char *layer = heads[h].layer;
        const double target_bytes = cb_bench_fbytes(3 * nz);
        if (d->k > 1)
            cb_bench_add("softmax_xent", layer, batch, softmax_body, d, 5 * nz,
                         cb_bench_fbytes(2 * nz) + (double)batch * sizeof(int32_t));
        cb_bench_add("sigmoid_bce", layer, batch, bce_body, d, 8 * nz, target_bytes);
        cb_bench_add("mse", layer, batch, mse_body, d, 4 * nz, target_bytes);
        cb_bench_add("mae", layer, batch, mae_body, d, 4 * nz, target_bytes);
    }
}
