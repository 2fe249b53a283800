/* model.c - the reference network: slabs, initialisation, forward, loss, backward, update. */
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

/* Element counts of the parameter tensors, in slab order (matches cb_params). */
static void param_sizes(const cb_model_config *cfg, size_t sizes[8])
{
    const size_t K = (size_t)cfg->outputs;
    const size_t s[8] = {9 * CB_IN_C * CB_CONV_C, CB_CONV_C, 9 * CB_CONV_C * CB_CONV_C, CB_CONV_C,
                         (size_t)CB_FLAT * CB_HIDDEN, CB_HIDDEN, CB_HIDDEN * K, K};
    memcpy(sizes, s, sizeof s);
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

/* Activation tensors per image, in slab order (matches cb_acts). */
static size_t act_sizes(const cb_model_config *cfg, size_t s[13])
{
    const size_t img = CB_IN_H * CB_IN_W, c1 = img * CB_CONV_C, p1 = c1 / 4, c2 = p1, p2 = p1 / 4;
    const size_t v[13] = {img * CB_IN_C, c1, p1, c2, p2, CB_HIDDEN, (size_t)cfg->outputs,
                          (size_t)cfg->outputs, CB_HIDDEN, p2, c2, p1, c1};
    size_t total = 0;
    for (int i = 0; i < 13; i++)
        total += s[i] = v[i];
    return total;
}

static void point_acts(float *slab, const size_t sizes[13], int batch, cb_acts *a)
{
    float **t[13] = {&a->x,  &a->c1,  &a->p1,  &a->c2,  &a->p2,  &a->h1, &a->z,
                     &a->dz, &a->dh1, &a->dp2, &a->dc2, &a->dp1, &a->dc1};
    for (int i = 0; i < 13; i++) {
        *t[i] = slab;
        slab += sizes[i] * (size_t)batch;
    }
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
    size_t ps[8], as[13];
    param_sizes(cfg, ps);
    for (int i = 0; i < 8; i++)
        m->param_count += ps[i];
    const size_t act_count = act_sizes(cfg, as) * (size_t)max_batch;

    m->param_slab = alloc_floats(m->param_count);
    m->grad_slab = alloc_floats(m->param_count);
    m->m_slab = alloc_floats(m->param_count);
    m->v_slab = alloc_floats(m->param_count);
    m->act_slab = alloc_floats(act_count);
    if (!m->param_slab || !m->grad_slab || !m->m_slab || !m->v_slab || !m->act_slab) {
        cb_model_free(m);
        return -1;
    }
    point_params(m->param_slab, ps, &m->params);
    point_params(m->grad_slab, ps, &m->grads);
    point_acts(m->act_slab, as, max_batch, &m->acts);

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
    memset(m, 0, sizeof *m);
}

static cb_conv_shape conv1_shape(int batch)
{
    return (cb_conv_shape){batch, CB_IN_H, CB_IN_W, CB_IN_C, CB_CONV_C};
}

static cb_conv_shape conv2_shape(int batch)
{
    return (cb_conv_shape){batch, CB_IN_H / 2, CB_IN_W / 2, CB_CONV_C, CB_CONV_C};
}

void cb_model_forward(cb_model *m, const cb_kernel_table *kt, int batch)
{
    const cb_params *p = &m->params;
    cb_acts *a = &m->acts;
    const cb_conv_shape s1 = conv1_shape(batch), s2 = conv2_shape(batch);
    const cb_pool_shape q1 = {batch, s1.h, s1.w, CB_CONV_C}, q2 = {batch, s2.h, s2.w, CB_CONV_C};

    kt->conv3x3_fwd(&s1, a->x, p->conv1_w, p->conv1_b, a->c1, 1);
    kt->maxpool2_fwd(&q1, a->c1, a->p1);
    kt->conv3x3_fwd(&s2, a->p1, p->conv2_w, p->conv2_b, a->c2, 1);
    kt->maxpool2_fwd(&q2, a->c2, a->p2);
    kt->dense_fwd(batch, CB_FLAT, CB_HIDDEN, a->p2, p->fc1_w, p->fc1_b, a->h1, 1);
    kt->dense_fwd(batch, CB_HIDDEN, m->cfg.outputs, a->h1, p->fc2_w, p->fc2_b, a->z, 0);
}

float cb_model_loss(cb_model *m, const cb_kernel_table *kt, int batch, const int32_t *labels,
                    const float *targets)
{
    const int K = m->cfg.outputs;
    cb_acts *a = &m->acts;
    switch (m->cfg.head) {
    case CB_HEAD_SOFTMAX_XENT:
        return kt->softmax_xent(batch, K, a->z, labels, a->dz);
    case CB_HEAD_SIGMOID_BCE:
        return kt->sigmoid_bce(batch, K, a->z, targets, a->dz);
    case CB_HEAD_MSE:
        return kt->mse(batch, K, a->z, targets, a->dz);
    case CB_HEAD_MAE:
        return kt->mae(batch, K, a->z, targets, a->dz);
    }
    return NAN;
}

void cb_model_backward(cb_model *m, const cb_kernel_table *kt, int batch)
{
    const cb_params *p = &m->params, *g = &m->grads;
    cb_acts *a = &m->acts;
    const cb_conv_shape s1 = conv1_shape(batch), s2 = conv2_shape(batch);
    const cb_pool_shape q1 = {batch, s1.h, s1.w, CB_CONV_C}, q2 = {batch, s2.h, s2.w, CB_CONV_C};
    const size_t B = (size_t)batch;

    kt->dense_bwd(batch, CB_HIDDEN, m->cfg.outputs, a->h1, p->fc2_w, a->dz, a->dh1, g->fc2_w,
                  g->fc2_b);
    kt->relu_bwd(B * CB_HIDDEN, a->h1, a->dh1, a->dh1);
    kt->dense_bwd(batch, CB_FLAT, CB_HIDDEN, a->p2, p->fc1_w, a->dh1, a->dp2, g->fc1_w, g->fc1_b);
    kt->maxpool2_bwd(&q2, a->c2, a->p2, a->dp2, a->dc2);
    kt->relu_bwd(B * s2.h * s2.w * CB_CONV_C, a->c2, a->dc2, a->dc2);
    kt->conv3x3_bwd_data(&s2, a->dc2, p->conv2_w, a->dp1);
    kt->conv3x3_bwd_weights(&s2, a->p1, a->dc2, g->conv2_w, g->conv2_b);
    kt->maxpool2_bwd(&q1, a->c1, a->p1, a->dp1, a->dc1);
    kt->relu_bwd(B * s1.h * s1.w * CB_CONV_C, a->c1, a->dc1, a->dc1);
    kt->conv3x3_bwd_weights(&s1, a->x, a->dc1, g->conv1_w, g->conv1_b);
}

void cb_model_update(cb_model *m, const cb_kernel_table *kt)
{
    m->step++;
    const cb_adam_hparams h =
        cb_adam_hparams_at(CB_ADAM_LR, CB_ADAM_BETA1, CB_ADAM_BETA2, CB_ADAM_EPS, m->step);
    kt->adam(m->param_count, m->param_slab, m->grad_slab, m->m_slab, m->v_slab, &h);
}

float cb_model_train_step(cb_model *m, const cb_kernel_table *kt, int batch, const int32_t *labels,
                          const float *targets)
{
    cb_model_forward(m, kt, batch);
    const float loss = cb_model_loss(m, kt, batch, labels, targets);
    cb_model_backward(m, kt, batch);
    cb_model_update(m, kt);
    return loss;
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
