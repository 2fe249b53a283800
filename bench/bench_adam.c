/*
 * bench_adam.c - Adam over the reference network's whole parameter slab (K = 10 outputs):
 *   3*3*3*8+8 + 3*3*8*8+8 + 512*32+32 + 32*10+10 = 17554 parameters, in one call as the network
 *   runs it (layer "all"). The work does not depend on the batch; it is registered at every batch
 *   so that a filter such as '/N:32$' selects a whole training step's kernels.
 * FLOPs per parameter: 12 (m: 3, v: 4, update: sqrt, add, divide, multiply, subtract).
 * Bytes per parameter: p, g, m, v read and p, m, v written: 7 floats.
 * The update is in place, so p drifts by about the step size per call: harmless for timing.
 */
#include "bench_common.h"
#include "model.h"

enum {
    ADAM_PARAMS = 3 * 3 * CB_IN_C * CB_CONV_C + CB_CONV_C          /* conv1 */
                  + 3 * 3 * CB_CONV_C * CB_CONV_C + CB_CONV_C      /* conv2 */
                  + CB_FLAT * CB_HIDDEN + CB_HIDDEN                /* dense1 */
                  + CB_HIDDEN * CB_CIFAR_CLASSES + CB_CIFAR_CLASSES /* dense2 */
};
_Static_assert(ADAM_PARAMS == 17554, "the reference network's parameter count");

typedef struct adam_data {
    size_t n;
    float *p, *g, *m, *v;
    cb_adam_hparams h;
} adam_data;

static void adam_body(void *arg, int64_t iters)
{
    const cb_bench_case *c = arg;
    adam_data *d = c->data;
    for (int64_t i = 0; i < iters; i++)
        c->t->adam(d->n, d->p, d->g, d->m, d->v, &d->h);
}

void cb_bench_adam(int batch)
{
    adam_data *d = cb_bench_alloc(sizeof *d);
    d->n = ADAM_PARAMS;
    d->p = cb_bench_floats(d->n, -0.1f, 0.1f);
    d->g = cb_bench_floats(d->n, -0.01f, 0.01f);
    d->m = cb_bench_floats(d->n, -0.001f, 0.001f);
    d->v = cb_bench_floats(d->n, 0, 1e-4f);
    d->h = cb_adam_hparams_at(CB_ADAM_LR, CB_ADAM_BETA1, CB_ADAM_BETA2, CB_ADAM_EPS, 100);
    const double n = (double)d->n;
    cb_bench_add("adam", "all", batch, adam_body, d, 12 * n, cb_bench_fbytes(7 * n));
}
