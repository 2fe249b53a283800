/* model.c - the reference network: slabs, initialisation, forward, loss, backward, update. */
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mismatched.h"
#include "cb_clock.h"
#include "rng.h"

#ifdef _OPENMP
#include <omp.h>
#else
static int omp_get_thread_num(void) { return 0; }
#endif

static int chunk_count(int batch);

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
    m->threads = 1;
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
    m->chunk_stride = (m->param_count + 15) / 16 * 16;
    m->chunk_grad_slab = alloc_floats(m->chunk_stride * (size_t)chunk_count(max_batch));
    if (!m->param_slab || !m->grad_slab || !m->m_slab || !m->v_slab || !m->act_slab ||
        !m->chunk_grad_slab) {
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
    free(m->chunk_grad_slab);
    memset(m, 0, sizeof *m);
}

static cb_conv_shape conv1_shape(int n)
{
    return (cb_conv_shape){n, CB_IN_H, CB_IN_W, CB_IN_C, CB_CONV_C};
}

static cb_conv_shape conv2_shape(int n)
{
    return (cb_conv_shape){n, CB_IN_H / 2, CB_IN_W / 2, CB_CONV_C, CB_CONV_C};
}

static int chunk_count(int batch)
{
    return (batch + CB_CHUNK_IMAGES - 1) / CB_CHUNK_IMAGES;
}

/* The activations of the images from `first` on: every tensor of acts, offset by first images. */
static cb_acts acts_from(const cb_model *m, int first)
{
    size_t s[13];
    act_sizes(&m->cfg, s);
    cb_acts c = m->acts;
    float **t[13] = {&c.x,  &c.c1,  &c.p1,  &c.c2,  &c.p2,  &c.h1, &c.z,
                     &c.dz, &c.dh1, &c.dp2, &c.dc2, &c.dp1, &c.dc1};
    for (int i = 0; i < 13; i++)
        *t[i] += s[i] * (size_t)first;
    return c;
}

/* Chunk c's weight gradients, in the chunk-gradient slab. */
static cb_params chunk_grads(const cb_model *m, int c)
{
    size_t ps[8];
    param_sizes(&m->cfg, ps);
    cb_params g;
    point_params(m->chunk_grad_slab + (size_t)c * m->chunk_stride, ps, &g);
    return g;
}

/* ---- per-layer profile ---------------------------------------------------------------------- */

static const char *const phase_names[CB_PHASE_COUNT][2] = {
    {"input", "step"},     {"conv1", "forward"},  {"pool1", "forward"},  {"conv2", "forward"},
    {"pool2", "forward"},  {"dense1", "forward"}, {"dense2", "forward"}, {"loss", "step"},
    {"dense2", "backward"}, {"dense1", "backward"}, {"pool2", "backward"}, {"conv2", "backward"},
    {"pool1", "backward"}, {"conv1", "backward"}, {"grad_sum", "step"},  {"adam", "step"},
};

const char *cb_phase_layer(cb_phase p)
{
    return phase_names[p][0];
}

const char *cb_phase_pass(cb_phase p)
{
    return phase_names[p][1];
}

int cb_profile_init(cb_profile *p, int threads)
{
    p->threads = threads;
    p->seconds = calloc((size_t)threads, sizeof *p->seconds);
    return p->seconds ? 0 : -1;
}

void cb_profile_reset(cb_profile *p)
{
    memset(p->seconds, 0, (size_t)p->threads * sizeof *p->seconds);
}

void cb_profile_free(cb_profile *p)
{
    free(p->seconds);
    p->seconds = NULL;
}

static double profile_column(const cb_profile *p, int col)
{
    double sum = 0.0;
    for (int t = 0; t < p->threads; t++)
        sum += p->seconds[t][col];
    return sum;
}

double cb_profile_phase(const cb_profile *p, cb_phase ph)
{
    return profile_column(p, ph);
}

double cb_profile_timer_reads(const cb_profile *p)
{
    return profile_column(p, CB_PHASE_COUNT);
}

static double phase_begin(const cb_model *m)
{
    return m->profile ? cb_now() : 0.0;
}

static void phase_end(const cb_model *m, cb_phase ph, double t0)
{
    if (m->profile) {
        double *row = m->profile->seconds[omp_get_thread_num()];
        row[ph] += cb_now() - t0;
        row[CB_PHASE_COUNT] += 2;
    }
}

/* Runs the statements as phase ph, timed when a profile is attached. */
#define TIMED(m, ph, ...)                                                                          \
    do {                                                                                           \
        const double t0_ = phase_begin(m);                                                         \
        __VA_ARGS__;                                                                               \
        phase_end(m, ph, t0_);                                                                     \
    } while (0)

/* The layers, forward, over n images whose activations start at a. */
static void forward_images(const cb_model *m, const cb_kernel_table *kt, const cb_acts *a, int n)
{
    const cb_params *p = &m->params;
    const cb_conv_shape s1 = conv1_shape(n), s2 = conv2_shape(n);
    const cb_pool_shape q1 = {n, s1.h, s1.w, CB_CONV_C}, q2 = {n, s2.h, s2.w, CB_CONV_C};

    TIMED(m, CB_PHASE_CONV1_FWD, kt->conv2d_fwd(&s1, a->x, p->conv1_w, p->conv1_b, a->c1, 1));
    TIMED(m, CB_PHASE_POOL1_FWD, kt->maxpool_fwd(&q1, a->c1, a->p1));
    TIMED(m, CB_PHASE_CONV2_FWD, kt->conv2d_fwd(&s2, a->p1, p->conv2_w, p->conv2_b, a->c2, 1));
    TIMED(m, CB_PHASE_POOL2_FWD, kt->maxpool_fwd(&q2, a->c2, a->p2));
    TIMED(m, CB_PHASE_DENSE1_FWD,
          kt->dense_fwd(n, CB_FLAT, CB_HIDDEN, a->p2, p->fc1_w, p->fc1_b, a->h1, 1));
    TIMED(m, CB_PHASE_DENSE2_FWD,
          kt->dense_fwd(n, CB_HIDDEN, m->cfg.outputs, a->h1, p->fc2_w, p->fc2_b, a->z, 0));
}

/* The layers, backward, over n images from a->dz: activation gradients in a, weight gradients
 * (of these n images only) in g. */
static void backward_images(const cb_model *m, const cb_kernel_table *kt, const cb_acts *a, int n,
                            const cb_params *g)
{
    const cb_params *p = &m->params;
    const cb_conv_shape s1 = conv1_shape(n), s2 = conv2_shape(n);
    const cb_pool_shape q1 = {n, s1.h, s1.w, CB_CONV_C}, q2 = {n, s2.h, s2.w, CB_CONV_C};
    const size_t N = (size_t)n;

    TIMED(m, CB_PHASE_DENSE2_BWD,
          kt->dense_bwd(n, CB_HIDDEN, m->cfg.outputs, a->h1, p->fc2_w, a->dz, a->dh1, g->fc2_w,
                        g->fc2_b));
    TIMED(m, CB_PHASE_DENSE1_BWD, kt->relu_bwd(N * CB_HIDDEN, a->h1, a->dh1, a->dh1);
          kt->dense_bwd(n, CB_FLAT, CB_HIDDEN, a->p2, p->fc1_w, a->dh1, a->dp2, g->fc1_w,
                        g->fc1_b));
    TIMED(m, CB_PHASE_POOL2_BWD, kt->maxpool_bwd(&q2, a->c2, a->p2, a->dp2, a->dc2));
    TIMED(m, CB_PHASE_CONV2_BWD, kt->relu_bwd(N * s2.h * s2.w * CB_CONV_C, a->c2, a->dc2, a->dc2);
          kt->conv2d_bwd_data(&s2, a->dc2, p->conv2_w, a->dp1);
          kt->conv2d_bwd_weights(&s2, a->p1, a->dc2, g->conv2_w, g->conv2_b));
    TIMED(m, CB_PHASE_POOL1_BWD, kt->maxpool_bwd(&q1, a->c1, a->p1, a->dp1, a->dc1));
    TIMED(m, CB_PHASE_CONV1_BWD, kt->relu_bwd(N * s1.h * s1.w * CB_CONV_C, a->c1, a->dc1, a->dc1);
          kt->conv2d_bwd_weights(&s1, a->x, a->dc1, g->conv1_w, g->conv1_b));
}

/*
 * The "_team" functions hold orphaned `omp for` loops: called inside a parallel region they
 * share the work among its threads (and end with its barrier); called outside one, the calling
 * thread does all of it.
 */

/* Gather (when the batch comes from a data set) and forward, chunk by chunk. */
static void forward_team(const cb_model *m, const cb_kernel_table *kt, const cb_batch *b)
{
#pragma omp for schedule(static)
    for (int c = 0; c < chunk_count(b->n); c++) {
        const int first = c * CB_CHUNK_IMAGES;
        const int n = b->n - first < CB_CHUNK_IMAGES ? b->n - first : CB_CHUNK_IMAGES;
        const cb_acts a = acts_from(m, first);
        if (b->set)
            TIMED(m, CB_PHASE_INPUT,
                  cb_dataset_gather(b->set, b->idx + first, n, a.x, b->labels + first);
                  if (b->set->targets) cb_dataset_gather_targets(
                      b->set, b->idx + first, n, b->targets + (size_t)first * b->set->target_width));
        forward_images(m, kt, &a, n);
    }
}

static void backward_team(const cb_model *m, const cb_kernel_table *kt, int batch)
{
#pragma omp for schedule(static)
    for (int c = 0; c < chunk_count(batch); c++) {
        const int first = c * CB_CHUNK_IMAGES;
        const int n = batch - first < CB_CHUNK_IMAGES ? batch - first : CB_CHUNK_IMAGES;
        const cb_acts a = acts_from(m, first);
        const cb_params g = chunk_grads(m, c);
        backward_images(m, kt, &a, n, &g);
    }
}

/* Parameters are summed and updated in blocks of this many floats (a multiple of every vector
 * width), so each block's elements take the same kernel path whatever the thread count. */
enum { PARAM_BLOCK = 1024 };

static int param_blocks(const cb_model *m)
{
    return (int)((m->param_count + PARAM_BLOCK - 1) / PARAM_BLOCK);
}

/* grad[lo, lo+len) = sum over chunks, in chunk order, of the chunk gradients. */
static void sum_chunk_grads(cb_model *m, int chunks, size_t lo, size_t len)
{
    float *g = m->grad_slab + lo;
    memcpy(g, m->chunk_grad_slab + lo, len * sizeof *g);
    for (int c = 1; c < chunks; c++) {
        const float *cg = m->chunk_grad_slab + (size_t)c * m->chunk_stride + lo;
        for (size_t i = 0; i < len; i++)
            g[i] += cg[i];
    }
}

/* Sums the chunk gradients (when chunks > 0) and/or runs Adam (when h != NULL), block by block. */
static void params_team(cb_model *m, const cb_kernel_table *kt, int chunks,
                        const cb_adam_hparams *h)
{
#pragma omp for schedule(static)
    for (int blk = 0; blk < param_blocks(m); blk++) {
        const size_t lo = (size_t)blk * PARAM_BLOCK;
        const size_t len = m->param_count - lo < PARAM_BLOCK ? m->param_count - lo : PARAM_BLOCK;
        if (chunks > 0)
            TIMED(m, CB_PHASE_GRAD_SUM, sum_chunk_grads(m, chunks, lo, len));
        if (h)
            TIMED(m, CB_PHASE_ADAM, kt->adam(len, m->param_slab + lo, m->grad_slab + lo,
                                             m->m_slab + lo, m->v_slab + lo, h));
    }
}

void cb_model_forward(cb_model *m, const cb_kernel_table *kt, const cb_batch *b)
{
#pragma omp parallel num_threads(m->threads)
    forward_team(m, kt, b);
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
    case CB_HEAD_SOFTMAX_MSE:
        return cb_softmax_mse(batch, K, a->z, labels, a->dz);
    case CB_HEAD_SIGMOID_MSE:
        return cb_sigmoid_mse(batch, K, a->z, targets, a->dz);
    }
    return NAN;
}

void cb_model_backward(cb_model *m, const cb_kernel_table *kt, int batch)
{
#pragma omp parallel num_threads(m->threads)
    {
        backward_team(m, kt, batch);
        params_team(m, kt, chunk_count(batch), NULL);
    }
}

static cb_adam_hparams next_adam_step(cb_model *m)
{
    m->step++;
    return cb_adam_hparams_at(CB_ADAM_LR, CB_ADAM_BETA1, CB_ADAM_BETA2, CB_ADAM_EPS, m->step);
}

void cb_model_update(cb_model *m, const cb_kernel_table *kt)
{
    const cb_adam_hparams h = next_adam_step(m);
#pragma omp parallel num_threads(m->threads)
    params_team(m, kt, 0, &h);
}

float cb_model_train_step(cb_model *m, const cb_kernel_table *kt, const cb_batch *b)
{
    const cb_adam_hparams h = next_adam_step(m);
    float loss = NAN;
#pragma omp parallel num_threads(m->threads)
    {
        forward_team(m, kt, b); /* barrier 1 */
#pragma omp single
        TIMED(m, CB_PHASE_LOSS, loss = cb_model_loss(m, kt, b->n, b->labels, b->targets));
        /* barrier 2: the end of the single */
        backward_team(m, kt, b->n);                               /* barrier 3 */
        params_team(m, kt, chunk_count(b->n), &h);                /* barrier 4 */
    }
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
