/*
 * adam_cases.c - Adam's cases (cb_cases.h); dims = {n}: one parameter block, as the step calls it
 * (layer "block", CB_PARAM_BLOCK parameters), and, measured only, one call over the reference
 * network's whole parameter slab (K = 10 outputs, layer "all"):
 *   3*3*3*8+8 + 3*3*8*8+8 + 512*32+32 + 32*10+10 = 17554 parameters.
 * The work does not depend on the batch. The update is in place, so repeated calls drift p by
 * about the step size each: harmless for timing.
 * FLOPs per parameter: 12 (m: 3, v: 4, update: sqrt, add, divide, multiply, subtract).
 * Bytes per parameter: p, g, m, v read and p, m, v written: 7 floats.
 */
#include "cb_cases.h"
#include "cb_network.h"

enum {
    ADAM_PARAMS = 3 * 3 * CB_IN_C * CB_CONV_C + CB_CONV_C     /* conv1 */
                  + 3 * 3 * CB_CONV_C * CB_CONV_C + CB_CONV_C /* conv2 */
                  + CB_FLAT * CB_HIDDEN + CB_HIDDEN           /* dense1 */
                  + CB_HIDDEN * CB_CLASSES + CB_CLASSES       /* dense2 */
};
_Static_assert(ADAM_PARAMS == 17554, "the reference network's parameter count");

enum { P, G, M, V }; /* buffer order; p, m and v are updated in place */

static int prepare(cb_case_data *d)
{
    const size_t n = (size_t)d->c->dims[0];
    float *p = cb_case_buffer_add(d, "p", n, false), *g = cb_case_buffer_add(d, "g", n, false),
          *m = cb_case_buffer_add(d, "m", n, false), *v = cb_case_buffer_add(d, "v", n, false);
    if (!p || !g || !m || !v)
        return -1;
    cb_case_fill(d, p, n, -0.1f, 0.1f);
    cb_case_fill(d, g, n, -0.01f, 0.01f);
    cb_case_fill(d, m, n, -0.001f, 0.001f);
    cb_case_fill(d, v, n, 0, 1e-4f);
    d->buf[P].output = d->buf[M].output = d->buf[V].output = true;
    d->adam = cb_adam_hparams_at(CB_ADAM_LR, CB_ADAM_BETA1, CB_ADAM_BETA2, CB_ADAM_EPS, 100);
    d->flops = 12.0 * (double)n;
    d->bytes = 4.0 * 7 * (double)n;
    return 0;
}

static float run(const cb_kernel_table *t, const cb_case_data *d)
{
    t->adam(d->buf[P].n, d->buf[P].p, d->buf[G].p, d->buf[M].p, d->buf[V].p, &d->adam);
    return 0;
}

static const cb_case cases[] = {{"block", {CB_PARAM_BLOCK}, CB_UNIT_IMAGES, true},
                                {"all", {ADAM_PARAMS}, CB_UNIT_IMAGES, false}};

/* Every ISA rounds each update's operations once, in the same order (test_adam): bit-identical. */
const cb_kernel_cases cb_cases_adam = {cases, 2, prepare, run, {0, 0}, {0, 0}};
