/* model.c - the reference network: its slabs, their initialisation, the loss heads, its FLOPs.
 * The training step that runs it is in step.c, the per-layer profile in profile.c. */
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mismatched.h"
#include "rng.h"

/* Element counts of the parameter tensors, in slab order (matches cb_params). */
static void param_sizes(const cb_model_config *cfg, size_t sizes[8])
{
    const size_t K = (size_t)cfg->outputs;
    const size_t s[8] = {9 * CB_IN_C * CB_CONV_C, CB_CONV_C, 9 * CB_CONV_C * CB_CONV_C, CB_CONV_C,
                         (size_t)CB_FLAT * CB_HIDDEN, CB_HIDDEN, CB_HIDDEN * K, K};
    memcpy(sizes, s, sizeof s);
}

size_t cb_model_param_count(const cb_model_config *cfg)
{
    size_t ps[8], n = 0;
    param_sizes(cfg, ps);
    for (int i = 0; i < 8; i++)
        n += ps[i];
    return n;
}

static void point_params(float *slab, const size_t sizes[8], cb_params *p)
{
    float **t[8] = {&p->conv1_w, &p->conv1_b, &p->conv2_w, &p->conv2_b,
                    &p->fc1_w,   &p->fc1_b,   &p->fc2_w,   &p->fc2_b};
    for (int i = 0; i < 8; i++) {
        *t[i] = slab;
        slab += sizes[i];
    }
}

/* The activation tensors of cb_acts: per image, in act_slab order (the pools' window indices,
 * bytes carved from the slab as a quarter as many floats, and p2t follow them), and per thread,
 * in thread_slab order. */
enum { IMAGE_TENSORS = 10, THREAD_TENSORS = 4 };
enum { ARG1_BYTES = CB_IN_H / 2 * CB_IN_W / 2 * CB_CONV_C, ARG2_BYTES = ARG1_BYTES / 4 };

static void image_tensors(cb_acts *a, float **t[IMAGE_TENSORS])
{
    float **v[IMAGE_TENSORS] = {&a->x,  &a->p1,  &a->p2,  &a->h1,  &a->z,
                                &a->dz, &a->dh1, &a->dp2, &a->dc2, &a->loss};
    memcpy(t, v, sizeof v);
}

static void thread_tensors(cb_acts *a, float **t[THREAD_TENSORS])
{
    float **v[THREAD_TENSORS] = {&a->c1, &a->c2, &a->dp1, &a->dc1};
    memcpy(t, v, sizeof v);
}

enum { C1_FLOATS = CB_IN_H * CB_IN_W * CB_CONV_C, P1_FLOATS = C1_FLOATS / 4 };

/* Floats per image of each per-image tensor; returns their sum, the window indices included. */
static size_t image_sizes(const cb_model_config *cfg, size_t s[IMAGE_TENSORS])
{
    const size_t K = (size_t)cfg->outputs, p2 = P1_FLOATS / 4;
    const size_t v[IMAGE_TENSORS] = {CB_IN_H * CB_IN_W * CB_IN_C, P1_FLOATS, p2, CB_HIDDEN, K,
                                     K, CB_HIDDEN, p2, P1_FLOATS, 1};
    size_t total = (ARG1_BYTES + ARG2_BYTES) / sizeof(float);
    for (int i = 0; i < IMAGE_TENSORS; i++)
        total += s[i] = v[i];
    return total;
}

/* Floats per thread of each per-thread tensor (c1, c2, dp1, dc1). */
static const size_t thread_sizes[THREAD_TENSORS] = {C1_FLOATS, P1_FLOATS, P1_FLOATS, C1_FLOATS};

/* Floats between two threads' tensors: their sum, rounded up to whole 4 KB pages so that each
 * thread's pages are its own (first touched by it: on its NUMA node). */
static size_t thread_stride(void)
{
    size_t total = 0;
    for (int i = 0; i < THREAD_TENSORS; i++)
        total += thread_sizes[i];
    return (total + 1023) / 1024 * 1024;
}

/* Points each tensor *t[k] into slab, `count` of them sizes[k] floats each; returns the end. */
static float *point_tensors(float *slab, float **const t[], const size_t sizes[], int n,
                            size_t count)
{
    for (int k = 0; k < n; k++) {
        *t[k] = slab;
        slab += sizes[k] * count;
    }
    return slab;
}

/* Moves each tensor *t[k] on to its element `index` of sizes[k] floats. */
static void offset_tensors(float **const t[], const size_t sizes[], int n, size_t index)
{
    for (int k = 0; k < n; k++)
        *t[k] += sizes[k] * index;
}

static void point_acts(float *slab, const size_t sizes[IMAGE_TENSORS], int batch, cb_acts *a)
{
    float **t[IMAGE_TENSORS];
    image_tensors(a, t);
    slab = point_tensors(slab, t, sizes, IMAGE_TENSORS, (size_t)batch);
    a->arg1 = (uint8_t *)slab;
    a->arg2 = a->arg1 + (size_t)ARG1_BYTES * batch;
    a->p2t = slab + (size_t)(ARG1_BYTES + ARG2_BYTES) / sizeof(float) * batch;
}

/* Floats of the per-image gradients: conv1 and conv2 (the slab's first four tensors), dense2 (its
 * last two). */
static size_t conv_param_count(const size_t ps[8])
{
    return ps[0] + ps[1] + ps[2] + ps[3];
}

/* An image's gradient slice: band 0's conv1 and conv2, dense2, then the other bands' conv1 and
 * conv2. */
static size_t image_grad_count(const size_t ps[8])
{
    return CB_IMAGE_BANDS * conv_param_count(ps) + ps[6] + ps[7];
}

/* Glorot (Xavier) uniform: U(-l, l) with l = sqrt(6 / (fan_in + fan_out)), Keras' default. */
static void glorot_uniform(cb_rng *rng, float *w, size_t count, double fan_in, double fan_out)
{
    const double limit = sqrt(6.0 / (fan_in + fan_out));
    for (size_t i = 0; i < count; i++)
        w[i] = (float)((2.0 * cb_rng_uniform(rng) - 1.0) * limit);
}

static float *alloc_floats(size_t count)
{
    /* 64-byte aligned so every tensor that starts on a multiple of 16 floats is ZMM-aligned. */
    size_t bytes = (count * sizeof(float) + 63) / 64 * 64;
    float *p = aligned_alloc(64, bytes);
    if (p)
        memset(p, 0, bytes);
    return p;
}

int cb_model_init(cb_model *m, const cb_model_config *cfg, int max_batch, uint64_t seed)
{
    memset(m, 0, sizeof *m);
    m->cfg = *cfg;
    m->max_batch = max_batch;
    m->threads = 1;
    size_t ps[8], as[IMAGE_TENSORS];
    param_sizes(cfg, ps);
    for (int i = 0; i < 8; i++)
        m->param_count += ps[i];
    const size_t act_count =
        (image_sizes(cfg, as) + CB_FLAT + 1) * (size_t)max_batch; /* + p2t [513][B] */

    m->param_slab = alloc_floats(m->param_count);
    m->grad_slab = alloc_floats(m->param_count);
    m->m_slab = alloc_floats(m->param_count);
    m->v_slab = alloc_floats(m->param_count);
    m->act_slab = alloc_floats(act_count);
    m->image_stride = (image_grad_count(ps) + 15) / 16 * 16;
    m->image_grad_slab = alloc_floats(m->image_stride * (size_t)max_batch);
    m->band_flags = aligned_alloc(sizeof *m->band_flags, sizeof *m->band_flags * (size_t)max_batch);
    if (!m->param_slab || !m->grad_slab || !m->m_slab || !m->v_slab || !m->act_slab ||
        !m->image_grad_slab || !m->band_flags || cb_model_set_threads(m, 1) != 0) {
        cb_model_free(m);
        return -1;
    }
    point_params(m->param_slab, ps, &m->params);
    point_params(m->grad_slab, ps, &m->grads);
    point_acts(m->act_slab, as, max_batch, &m->acts);
    for (int i = 0; i < max_batch; i++)
        for (int b = 0; b < CB_IMAGE_BANDS; b++)
            atomic_init(&m->band_flags[i].done[b], 0);

    cb_rng rng;
    cb_rng_seed(&rng, seed);
    const int K = cfg->outputs;
    glorot_uniform(&rng, m->params.conv1_w, ps[0], 9 * CB_IN_C, 9 * CB_CONV_C);
    glorot_uniform(&rng, m->params.conv2_w, ps[2], 9 * CB_CONV_C, 9 * CB_CONV_C);
    glorot_uniform(&rng, m->params.fc1_w, ps[4], CB_FLAT, CB_HIDDEN);
    glorot_uniform(&rng, m->params.fc2_w, ps[6], CB_HIDDEN, K);
    return 0;
}

void cb_model_free(cb_model *m)
{
    free(m->param_slab);
    free(m->grad_slab);
    free(m->m_slab);
    free(m->v_slab);
    free(m->act_slab);
    free(m->image_grad_slab);
    free(m->thread_slab);
    free(m->band_flags);
    memset(m, 0, sizeof *m);
}

cb_params cb_model_image_grads(const cb_model *m, int i, int band)
{
    size_t ps[8];
    param_sizes(&m->cfg, ps);
    float *g = m->image_grad_slab + (size_t)i * m->image_stride;
    if (band > 0)
        g += ps[6] + ps[7] + (size_t)band * conv_param_count(ps);
    cb_params p = {0};
    p.conv1_w = g;
    p.conv1_b = p.conv1_w + ps[0];
    p.conv2_w = p.conv1_b + ps[1];
    p.conv2_b = p.conv2_w + ps[2];
    if (band == 0) {
        p.fc2_w = p.conv2_b + ps[3];
        p.fc2_b = p.fc2_w + ps[6];
    }
    return p;
}

int cb_model_set_threads(cb_model *m, int threads)
{
    if (threads < 1)
        return -1;
    if (threads > m->slab_threads) {
        /* not cleared: each thread writes its tensors before it reads them, and touches its
           pages first */
        float *slab = aligned_alloc(4096, thread_stride() * sizeof(float) * (size_t)threads);
        if (!slab)
            return -1;
        free(m->thread_slab);
        m->thread_slab = slab;
        m->slab_threads = threads;
    }
    m->threads = threads;
    return 0;
}

cb_acts cb_model_image_acts(const cb_model *m, int i, int thread)
{
    size_t s[IMAGE_TENSORS];
    image_sizes(&m->cfg, s);
    cb_acts a = m->acts;
    float **t[IMAGE_TENSORS];
    image_tensors(&a, t);
    offset_tensors(t, s, IMAGE_TENSORS, (size_t)i);
    a.arg1 += (size_t)ARG1_BYTES * i;
    a.arg2 += (size_t)ARG2_BYTES * i;
    float **u[THREAD_TENSORS];
    thread_tensors(&a, u);
    point_tensors(m->thread_slab + thread_stride() * (size_t)thread, u, thread_sizes,
                  THREAD_TENSORS, 1);
    return a;
}

float cb_model_head_loss(const cb_model *m, const cb_kernel_table *kt, int n, const float *z,
                         const int32_t *labels, const float *targets, float *dz)
{
    const int K = m->cfg.outputs;
    switch (m->cfg.head) {
    case CB_HEAD_SOFTMAX_XENT:
        return kt->softmax_xent(n, K, z, labels, dz);
    case CB_HEAD_SIGMOID_BCE:
        return kt->sigmoid_bce(n, K, z, targets, dz);
    case CB_HEAD_MSE:
        return kt->mse(n, K, z, targets, dz);
    case CB_HEAD_MAE:
        return kt->mae(n, K, z, targets, dz);
    case CB_HEAD_SOFTMAX_MSE:
        return cb_softmax_mse(n, K, z, labels, dz);
    case CB_HEAD_SIGMOID_MSE:
        return cb_sigmoid_mse(n, K, z, targets, dz);
    }
    return NAN;
}

float cb_model_loss(cb_model *m, const cb_kernel_table *kt, int batch, const int32_t *labels,
                    const float *targets)
{
    return cb_model_head_loss(m, kt, batch, m->acts.z, labels, targets, m->acts.dz);
}

/* 2 * multiply-adds of one 3x3 convolution over an h x w image. */
static double conv_flops(int h, int w, int cin, int cout)
{
    return 2.0 * h * w * cin * cout * 9;
}

double cb_model_flops_forward(const cb_model_config *cfg)
{
    return conv_flops(CB_IN_H, CB_IN_W, CB_IN_C, CB_CONV_C) +
           conv_flops(CB_IN_H / 2, CB_IN_W / 2, CB_CONV_C, CB_CONV_C) +
           2.0 * CB_FLAT * CB_HIDDEN + 2.0 * CB_HIDDEN * cfg->outputs;
}

double cb_model_flops_train(const cb_model_config *cfg)
{
    /* Backward: weight gradients of every layer and data gradients of all but conv1, each as
     * costly as the forward product, so 3x forward less conv1's data gradient. */
    return 3.0 * cb_model_flops_forward(cfg) - conv_flops(CB_IN_H, CB_IN_W, CB_IN_C, CB_CONV_C);
}

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

uint64_t cb_model_checksum(const cb_model *m)
{
    const size_t bytes = m->param_count * sizeof(float);
    uint64_t h = 0xcbf29ce484222325ULL;
    h = fnv1a(h, m->param_slab, bytes);
    h = fnv1a(h, m->m_slab, bytes);
    return fnv1a(h, m->v_slab, bytes);
}
