/*
 * relu_cases.c - ReLU's cases (cb_cases.h); dims = {elements per image}.
 * relu_fwd: x -> y, out of place, at the outputs of conv1 [N,32,32,8], conv2 [N,16,16,8] and
 * dense1 [N,32]. The step fuses the forward ReLU into conv and dense, so these are measured only.
 * relu_bwd: y (the forward output, >= 0), dy -> dx, in place on dy's copy as the step runs it
 * (dx = dy), at dense1 [N,32], over a thread's run of images (N = 32 on one thread). The
 * convolutions' ReLU backward is fused into the max-pools' (maxpool_cases.c).
 * FLOPs: 1 per element each way.
 */
#include <string.h>

#include "cb_cases.h"
#include "cb_network.h"

static size_t elements(const cb_case_data *d)
{
    return (size_t)d->batch * (size_t)d->c->dims[0];
}

static int prepare_fwd(cb_case_data *d)
{
    const size_t n = elements(d);
    float *x = cb_case_buffer_add(d, "x", n, false);
    if (!x || !cb_case_buffer_add(d, "y", n, true))
        return -1;
    cb_case_fill(d, x, n, -1, 1);
    d->flops = (double)n;
    d->bytes = 4.0 * 2 * (double)n;
    return 0;
}

static int prepare_bwd(cb_case_data *d)
{
    const size_t n = elements(d);
    float *y = cb_case_buffer_add(d, "y", n, false), *dx = cb_case_buffer_add(d, "dx", n, true);
    if (!y || !dx)
        return -1;
    cb_case_fill(d, y, n, 0, 1);
    for (size_t i = 0; i < n; i += 3)
        y[i] = 0.0f; /* a third of the units inactive, as after a ReLU */
    cb_case_fill(d, dx, n, -1, 1); /* dy: the kernel overwrites it in place */
    d->flops = (double)n;
    d->bytes = 4.0 * 3 * (double)n;
    return 0;
}

static float run_fwd(const cb_kernel_table *t, const cb_case_data *d)
{
    t->relu_fwd(d->buf[0].n, d->buf[0].p, d->buf[1].p);
    return 0;
}

static float run_bwd(const cb_kernel_table *t, const cb_case_data *d)
{
    t->relu_bwd(d->buf[0].n, d->buf[0].p, d->buf[1].p, d->buf[1].p);
    return 0;
}

#define PER_IMAGE_CONV1 (CB_IN_H * CB_IN_W * CB_CONV_C)
#define PER_IMAGE_CONV2 (CB_IN_H / 2 * CB_IN_W / 2 * CB_CONV_C)

static const cb_case fwd[] = {{"conv1", {PER_IMAGE_CONV1}, CB_UNIT_IMAGES, false},
                              {"conv2", {PER_IMAGE_CONV2}, CB_UNIT_IMAGES, false},
                              {"dense1", {CB_HIDDEN}, CB_UNIT_IMAGES, false}};
static const cb_case bwd[] = {{"dense1", {CB_HIDDEN}, CB_DEFAULT_BATCH, true}};

/* A comparison and a select: bit-identical on every ISA for any input. */
const cb_kernel_cases cb_cases_relu_fwd = {fwd, 3, prepare_fwd, run_fwd, {0, 0}, {0, 0}};
const cb_kernel_cases cb_cases_relu_bwd = {bwd, 1, prepare_bwd, run_bwd, {0, 0}, {0, 0}};
