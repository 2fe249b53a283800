/*
 * step.c - the training step (model.h): one OpenMP parallel region in two phases of fixed units.
 *
 * Phase 1 over the batch's images (acts of image i offset to image i, g = its gradient slice): each
 * thread takes its run of consecutive images (within one image of every other thread's) through
 * three parts, each reading only what the thread's own earlier parts wrote, so no barrier between
 * them:
 *   a. one unit per image: gather x -> conv1+ReLU c1 -> pool1 p1 -> conv2+ReLU c2 -> pool2 p2;
 *   b. the run, as products over its images (dense1's 64 KB of weights, and its transpose
 *      backward, stream once per run rather than once per image):
 *      dense1+ReLU h1 -> dense2 z -> per image: loss, dz / B, dense2 backward dh1, g.fc2 ->
 *      ReLU' dh1 -> dense1 backward-data dp2;
 *   c. one unit per image: pool2 + ReLU' backward dc2 -> conv2 backward-data dp1,
 *      backward-weights g.conv2 -> pool1 + ReLU' backward dc1 -> conv1 backward-weights g.conv1.
 * The dense kernels sum each output in the same order for any number of rows, so how the images
 * fall into runs does not change a bit. A pool's forward writes its window index (cb_kernels.h),
 * so its backward reads 1 byte per output instead of its input; a convolution's ReLU backward is
 * fused into that index (cb_pool_shape's relu): a pool's backward sends each window's gradient to
 * the element equal to the window's maximum, which is the pooled value, so masking by c > 0 there
 * is masking by p > 0, and needs no pass over the gradient of its own.
 *
 * Phase 2, one unit per parameter block, in slab order:
 *   conv1, conv2 (the slab's first floats) and dense2 (its last): CB_PARAM_BLOCK floats, the batch
 *   gradient = the images' gradients summed in image order;
 *   dense1's weights and bias, one [513,32] matrix in the slab: CB_FC1_BLOCK_ROWS rows, the batch
 *   gradient = p2t[rows] dh1, a product over the batch, where the block first transposes its
 *   rows of p2 into p2t (p2t's row of ones gives the bias);
 *   then Adam on the block.
 * Dense1's weight gradient is thus formed once per step, from all the images, never per image.
 */
#include "model.h"

#include <math.h>
#include <string.h>

#include "cb_clock.h"
#include "dist.h"
#include "team.h"

#if defined(__x86_64__) || defined(__i386__)
#include <pmmintrin.h>
#endif

#ifdef _OPENMP
#include <omp.h>
#else
static int omp_get_thread_num(void) { return 0; }
static int omp_get_num_threads(void) { return 1; }
#endif

/* ---- the floating-point mode of the step's threads ------------------------------------------- */

/* Sets FTZ and DAZ on the calling thread; returns the mode to restore. */
static unsigned flush_denormals(void)
{
#if defined(__x86_64__) || defined(__i386__)
    const unsigned old = _mm_getcsr();
    _mm_setcsr(old | _MM_FLUSH_ZERO_MASK | _MM_DENORMALS_ZERO_MASK);
    return old;
#else
    return 0;
#endif
}

static void restore_fp_mode(unsigned old)
{
#if defined(__x86_64__) || defined(__i386__)
    _mm_setcsr(old);
#else
    (void)old;
#endif
}

/* ---- timing into the profile (model.h) ------------------------------------------------------- */

/* A span of column col: always timed when a profile is attached (the units and Adam). */
static double unit_begin(const cb_model *m)
{
    return m->profile ? cb_now() : 0.0;
}

static void unit_end(const cb_model *m, int col, double t0)
{
    if (m->profile) {
        double *row = m->profile->seconds[omp_get_thread_num()];
        row[col] += cb_now() - t0;
        row[CB_COL_TIMER_READS] += 2;
    }
}

/* A layer's phase: timed only by the per-layer profile. */
static double phase_begin(const cb_model *m)
{
    return m->profile && m->profile->layers ? cb_now() : 0.0;
}

static void phase_end(const cb_model *m, cb_phase ph, double t0)
{
    if (m->profile && m->profile->layers)
        unit_end(m, (int)ph, t0);
}

/* Runs the statements as phase ph, timed when a per-layer profile is attached. */
#define TIMED(m, ph, ...)                                                                          \
    do {                                                                                           \
        const double t0_ = phase_begin(m);                                                         \
        __VA_ARGS__;                                                                               \
        phase_end(m, ph, t0_);                                                                     \
    } while (0)

/* ---- phase 1: the stages of an image, over a band range of its rows ------------------------- */

enum { BANDS = CB_IMAGE_BANDS };

/* Bands b0 .. b0 + nb - 1 of an image: rows [b0, b0 + nb) h / BANDS of a layer h rows high. */
typedef struct band_range {
    int b0, nb;
} band_range;

static const band_range whole_image = {0, BANDS};

static const cb_conv_shape conv1_shape = {.n = 1, .h = CB_IN_H, .w = CB_IN_W, .cin = CB_IN_C,
                                          .cout = CB_CONV_C};
static const cb_conv_shape conv2_shape = {.n = 1, .h = CB_IN_H / 2, .w = CB_IN_W / 2,
                                          .cin = CB_CONV_C, .cout = CB_CONV_C};
/* Each pool follows a convolution + ReLU: backward goes through the ReLU too (relu = 1). */
static const cb_pool_shape pool1_shape = {1, CB_IN_H, CB_IN_W, CB_CONV_C, 1};
static const cb_pool_shape pool2_shape = {1, CB_IN_H / 2, CB_IN_W / 2, CB_CONV_C, 1};

/* The convolution of shape s over the output rows of bands r. */
static cb_conv_shape conv_rows(cb_conv_shape s, band_range r)
{
    const int per = s.h / BANDS;
    s.row_begin = r.b0 * per;
    s.row_end = (r.b0 + r.nb) * per;
    return s;
}

/* The pool of shape s over the input rows of bands r (a pool is row-local: with its input and
 * output at POOL_IN and POOL_OUT). */
static cb_pool_shape pool_rows(cb_pool_shape s, band_range r)
{
    s.h = s.h / BANDS * r.nb;
    return s;
}

/* The first float of band `band` in a [h, w, c] tensor (band BANDS: one past the last). */
static size_t band_offset(int h, int w, int c, int band)
{
    return (size_t)band * (h / BANDS) * w * c;
}

/* The first float of bands r in the input and in the output of a pool of shape s. */
#define POOL_IN(s, r) band_offset((s).h, (s).w, (s).c, (r).b0)
#define POOL_OUT(s, r) band_offset((s).h / 2, (s).w / 2, (s).c, (r).b0)

/* Image i's rows of bands r from its data set into a->x (kt's pixels_to_float); with band 0 its
 * label and targets into the batch's. */
static void gather_rows(const cb_model *m, const cb_kernel_table *kt, const cb_batch *b, int i,
                        const cb_acts *a, band_range r)
{
    if (!b->set)
        return;
    const size_t lo = band_offset(CB_IN_H, CB_IN_W, CB_IN_C, r.b0);
    const size_t hi = band_offset(CB_IN_H, CB_IN_W, CB_IN_C, r.b0 + r.nb);
    TIMED(m, CB_PHASE_INPUT,
          cb_dataset_gather_span(b->set, b->idx[i], lo, hi, a->x, kt->pixels_to_float);
          if (r.b0 == 0) {
              b->labels[i] = b->set->labels[b->idx[i]];
              if (b->set->targets)
                  cb_dataset_gather_targets(b->set, b->idx + i, 1,
                                            b->targets + (size_t)i * b->set->target_width);
          });
}

/* A convolution + ReLU and the max-pool after it, and the profile's phases for them. */
typedef struct conv_layer {
    cb_conv_shape conv;
    cb_pool_shape pool;
    cb_phase conv_phase, pool_phase;
} conv_layer;

/* The convolution of layer l (input in, weights w, bias b) into c and its pool into p with its
 * window index arg, over bands r (the convolution reads its input one row beyond them). */
static void conv_pool_forward(const cb_model *m, const cb_kernel_table *kt, const conv_layer *l,
                              const float *in, const float *w, const float *b, float *c, float *p,
                              uint8_t *arg, band_range r)
{
    const cb_conv_shape cs = conv_rows(l->conv, r);
    const cb_pool_shape ps = pool_rows(l->pool, r);
    const size_t out = POOL_OUT(l->pool, r);
    TIMED(m, l->conv_phase, kt->conv2d_fwd(&cs, in, w, b, c, 1));
    TIMED(m, l->pool_phase, kt->maxpool_fwd(&ps, c + POOL_IN(l->pool, r), p + out, arg + out));
}

/* conv1 + ReLU and pool1 over bands r: x -> c1 -> p1, arg1. */
static void conv1_forward(const cb_model *m, const cb_kernel_table *kt, const cb_acts *a,
                          band_range r)
{
    const conv_layer l = {conv1_shape, pool1_shape, CB_PHASE_CONV1_FWD, CB_PHASE_POOL1_FWD};
    conv_pool_forward(m, kt, &l, a->x, m->params.conv1_w, m->params.conv1_b, a->c1, a->p1,
                      a->arg1, r);
}

/* conv2 + ReLU and pool2 over bands r: p1 -> c2 -> p2, arg2. */
static void conv2_forward(const cb_model *m, const cb_kernel_table *kt, const cb_acts *a,
                          band_range r)
{
    const conv_layer l = {conv2_shape, pool2_shape, CB_PHASE_CONV2_FWD, CB_PHASE_POOL2_FWD};
    conv_pool_forward(m, kt, &l, a->p1, m->params.conv2_w, m->params.conv2_b, a->c2, a->p2,
                      a->arg2, r);
}

/* Image i's loss into a->loss[0] and its gradient, as a share of the batch of n, into a->dz. */
static void image_loss(const cb_model *m, const cb_kernel_table *kt, const cb_batch *b, int i,
                       const cb_acts *a)
{
    const int K = m->cfg.outputs;
    const float share = 1.0f / (float)b->n;
    TIMED(m, CB_PHASE_LOSS,
          a->loss[0] = cb_model_head_loss(m, kt, 1, a->z, b->labels + i,
                                          b->targets ? b->targets + (size_t)i * K : NULL, a->dz);
          for (int k = 0; k < K; k++) a->dz[k] *= share);
}

/* The dense layers, forward, over images [lo, hi), each as one product over the images: dense1's
 * weights stream once per call, not once per image. Each output is summed in the same order as for
 * one image, so the results do not depend on how the images are split. */
static void dense_forward_images(const cb_model *m, const cb_kernel_table *kt, int lo, int hi)
{
    const cb_params *p = &m->params;
    const cb_acts *all = &m->acts;
    const int n = hi - lo, K = m->cfg.outputs;
    TIMED(m, CB_PHASE_DENSE1_FWD,
          kt->dense_fwd(n, CB_FLAT, CB_HIDDEN, all->p2 + (size_t)lo * CB_FLAT, p->fc1_w, p->fc1_b,
                        all->h1 + (size_t)lo * CB_HIDDEN, 1));
    TIMED(m, CB_PHASE_DENSE2_FWD,
          kt->dense_fwd(n, CB_HIDDEN, K, all->h1 + (size_t)lo * CB_HIDDEN, p->fc2_w, p->fc2_b,
                        all->z + (size_t)lo * K, 0));
}

/* The dense layers over images [lo, hi) up to dh1: forward, each image's loss, dense2's backward
 * (its weight gradients in the image's slice) and dense1's ReLU backward. */
static void dense_head(const cb_model *m, const cb_kernel_table *kt, const cb_batch *b, int lo,
                       int hi)
{
    dense_forward_images(m, kt, lo, hi);
    for (int i = lo; i < hi; i++) {
        const cb_acts a = cb_model_image_acts(m, i, omp_get_thread_num());
        const cb_params g = cb_model_image_grads(m, i, 0);
        image_loss(m, kt, b, i, &a);
        TIMED(m, CB_PHASE_DENSE2_BWD,
              kt->dense_bwd(1, CB_HIDDEN, m->cfg.outputs, a.h1, m->params.fc2_w, a.dz, a.dh1,
                            g.fc2_w, g.fc2_b));
    }
    float *const dh1 = m->acts.dh1 + (size_t)lo * CB_HIDDEN;
    TIMED(m, CB_PHASE_DENSE1_BWD,
          kt->relu_bwd((size_t)(hi - lo) * CB_HIDDEN, m->acts.h1 + (size_t)lo * CB_HIDDEN, dh1, dh1));
}

/* dense_head, timed in the units profile's CB_COL_HEADS. */
static void timed_dense_head(const cb_model *m, const cb_kernel_table *kt, const cb_batch *b,
                             int lo, int hi)
{
    const double t0 = unit_begin(m);
    dense_head(m, kt, b, lo, hi);
    unit_end(m, CB_COL_HEADS, t0);
}

/* dense1's backward-data over images [lo, hi): dp2 = dh1 w^T, as one product (w^T formed once per
 * call); for one image (hi = lo + 1) only dp2's floats of bands r, which are w's rows. */
static void dense1_backward_data(const cb_model *m, const cb_kernel_table *kt, int lo, int hi,
                                 band_range r)
{
    const size_t f0 = POOL_OUT(pool2_shape, r), floats = (size_t)r.nb * CB_FLAT / BANDS;
    TIMED(m, CB_PHASE_DENSE1_BWD,
          kt->dense_bwd(hi - lo, (int)floats, CB_HIDDEN, NULL, m->params.fc1_w + f0 * CB_HIDDEN,
                        m->acts.dh1 + (size_t)lo * CB_HIDDEN, m->acts.dp2 + (size_t)lo * CB_FLAT + f0,
                        NULL, NULL));
}

/* Pool2 backward with ReLU' over bands r: dp2 -> dc2. */
static void pool2_backward(const cb_model *m, const cb_kernel_table *kt, const cb_acts *a,
                           band_range r)
{
    const cb_pool_shape p = pool_rows(pool2_shape, r);
    const size_t in = POOL_IN(pool2_shape, r), out = POOL_OUT(pool2_shape, r);
    TIMED(m, CB_PHASE_POOL2_BWD,
          kt->maxpool_bwd(&p, a->arg2 + out, a->dp2 + out, a->dc2 + in));
}

/* Each of bands r's weight gradients of one convolution of image i (shape, its input x and output
 * gradient dy) into the band's slice: conv1's, or when !conv1 conv2's. */
static void band_weight_grads(const cb_model *m, const cb_kernel_table *kt, int i, band_range r,
                              const cb_conv_shape *shape, const float *x, const float *dy,
                              bool conv1)
{
    for (int band = r.b0; band < r.b0 + r.nb; band++) {
        const cb_params g = cb_model_image_grads(m, i, band);
        const cb_conv_shape c = conv_rows(*shape, (band_range){band, 1});
        TIMED(m, conv1 ? CB_PHASE_CONV1_BWD : CB_PHASE_CONV2_BWD,
              kt->conv2d_bwd_weights(&c, x, dy, conv1 ? g.conv1_w : g.conv2_w,
                                     conv1 ? g.conv1_b : g.conv2_b));
    }
}

/* Image i from dc2 over bands r: conv2 backward-data (reading dc2 one row beyond the bands) to dp1,
 * pool1 + ReLU' backward to dc1, and each band's weight gradients of conv2 and conv1 into its
 * slice. */
static void conv_backward(const cb_model *m, const cb_kernel_table *kt, int i, const cb_acts *a,
                          band_range r)
{
    const cb_conv_shape c2 = conv_rows(conv2_shape, r);
    const cb_pool_shape p1 = pool_rows(pool1_shape, r);
    const size_t in = POOL_IN(pool1_shape, r), out = POOL_OUT(pool1_shape, r);
    TIMED(m, CB_PHASE_CONV2_BWD, kt->conv2d_bwd_data(&c2, a->dc2, m->params.conv2_w, a->dp1));
    band_weight_grads(m, kt, i, r, &conv2_shape, a->p1, a->dc2, false);
    TIMED(m, CB_PHASE_POOL1_BWD,
          kt->maxpool_bwd(&p1, a->arg1 + out, a->dp1 + out, a->dc1 + in));
    band_weight_grads(m, kt, i, r, &conv1_shape, a->x, a->dc1, true);
}

/* This thread's run of units [lo, hi): contiguous, within one unit of every other thread's. */
static void thread_run(int lo, int hi, int *run_lo, int *run_hi)
{
    const long n = hi - lo, t = omp_get_thread_num(), threads = omp_get_num_threads();
    *run_lo = lo + (int)(n * t / threads);
    *run_hi = lo + (int)(n * (t + 1) / threads);
}

/* ---- phase 1 by images: at most as many threads as images ------------------------------------ */

/* Each thread takes its run of images through the three parts (the convolutions forward, one unit
 * per image; the dense layers over the run; the convolutions backward, one unit per image). Each
 * part reads only what the thread's earlier parts wrote. */
static void images_by_run(const cb_model *m, const cb_kernel_table *kt, const cb_batch *b, int lo,
                          int hi)
{
    int run_lo, run_hi;
    thread_run(lo, hi, &run_lo, &run_hi);
    if (run_hi <= run_lo)
        return;
    for (int i = run_lo; i < run_hi; i++) {
        const double t0 = unit_begin(m);
        const cb_acts a = cb_model_image_acts(m, i, omp_get_thread_num());
        gather_rows(m, kt, b, i, &a, whole_image);
        if (b->set && i + 1 < run_hi) /* this thread's next image, while this one trains */
            cb_dataset_prefetch(b->set, b->idx[i + 1]);
        conv1_forward(m, kt, &a, whole_image);
        conv2_forward(m, kt, &a, whole_image);
        unit_end(m, CB_COL_IMAGES, t0);
    }
    const double t0 = unit_begin(m);
    timed_dense_head(m, kt, b, run_lo, run_hi);
    dense1_backward_data(m, kt, run_lo, run_hi, whole_image);
    unit_end(m, CB_COL_IMAGES, t0);
    for (int i = run_lo; i < run_hi; i++) {
        const double t1 = unit_begin(m);
        const cb_acts a = cb_model_image_acts(m, i, omp_get_thread_num());
        pool2_backward(m, kt, &a, whole_image);
        conv_backward(m, kt, i, &a, whole_image);
        unit_end(m, CB_COL_IMAGES, t1);
    }
}

/* ---- phase 1 by bands: more threads than images ---------------------------------------------- */

/* A band's stages, in order. A stage reads what its band's earlier stages wrote and, where named,
 * what other bands' stages wrote: */
typedef enum band_stage {
    STAGE_GATHER = 1, /* its rows of x */
    STAGE_CONV1,      /* conv1 + pool1: the neighbours' gathers (x one row beyond the band) */
    STAGE_CONV2,      /* conv2 + pool2: the neighbours' conv1 (p1 one row beyond) */
    STAGE_DENSE,      /* band 0 only, the image's dense layers to dh1: every band's conv2 (p2) */
    STAGE_POOL2_BWD,  /* dense1 backward-data for the band's dp2, pool2 backward: band 0's dense */
    STAGE_BACKWARD,   /* conv_backward: the neighbours' pool2 backward (dc2 one row beyond) */
    STAGE_COUNT = STAGE_BACKWARD
} band_stage; /* CB_BAND_STAGES (model.h) of them; CB_BAND_WAITS wait, all but the gather */
_Static_assert((int)STAGE_COUNT == (int)CB_BAND_STAGES &&
                   (int)STAGE_COUNT - 1 == (int)CB_BAND_WAITS,
               "model.h's band constants");

/* Waits until band `band` of image i has finished stage s of this step (m->band_stages counts the
 * stages of earlier steps). */
static void wait_band(const cb_model *m, int i, int band, band_stage s)
{
    cb_team_wait_at_least(&m->band_flags[i].done[band], m->band_stages + s);
}

static void finish_band(const cb_model *m, int i, int band, band_stage s)
{
    atomic_store_explicit(&m->band_flags[i].done[band], m->band_stages + s, memory_order_release);
}

/* Waits for the bands next to `band` (whose rows its stage reads one row into) to finish s. */
static void wait_neighbours(const cb_model *m, int i, int band, band_stage s)
{
    if (band > 0)
        wait_band(m, i, band - 1, s);
    if (band + 1 < BANDS)
        wait_band(m, i, band + 1, s);
}

/* Stage s of band `band` of image i, after the stages it reads. */
static void band_stage_run(const cb_model *m, const cb_kernel_table *kt, const cb_batch *b, int i,
                           int band, band_stage s)
{
    const cb_acts a = cb_model_image_acts(m, i, omp_get_thread_num());
    const band_range r = {band, 1};
    switch (s) {
    case STAGE_GATHER: gather_rows(m, kt, b, i, &a, r); break;
    case STAGE_CONV1:
        wait_neighbours(m, i, band, STAGE_GATHER);
        conv1_forward(m, kt, &a, r);
        break;
    case STAGE_CONV2:
        wait_neighbours(m, i, band, STAGE_CONV1);
        conv2_forward(m, kt, &a, r);
        break;
    case STAGE_DENSE:
        if (band == 0) {
            for (int other = 1; other < BANDS; other++)
                wait_band(m, i, other, STAGE_CONV2);
            timed_dense_head(m, kt, b, i, i + 1);
        }
        break;
    case STAGE_POOL2_BWD:
        wait_band(m, i, 0, STAGE_DENSE);
        dense1_backward_data(m, kt, i, i + 1, r);
        pool2_backward(m, kt, &a, r);
        break;
    case STAGE_BACKWARD:
        wait_neighbours(m, i, band, STAGE_POOL2_BWD);
        conv_backward(m, kt, i, &a, r);
        break;
    }
    finish_band(m, i, band, s);
}

/* Units [lo * BANDS, hi * BANDS) are the bands of images [lo, hi); each thread takes its run of
 * units through the stages, stage by stage, so every wait is for a stage that its thread runs
 * before any later one: the waits cannot form a cycle. */
static void images_by_band(const cb_model *m, const cb_kernel_table *kt, const cb_batch *b, int lo,
                           int hi)
{
    int u0, u1;
    thread_run(lo * BANDS, hi * BANDS, &u0, &u1);
    for (int s = STAGE_GATHER; s <= STAGE_COUNT; s++)
        for (int u = u0; u < u1; u++) {
            const double t0 = unit_begin(m);
            band_stage_run(m, kt, b, u / BANDS, u % BANDS, (band_stage)s);
            unit_end(m, CB_COL_IMAGES, t0);
        }
}

/* Phase 1 over images [lo, hi) of the batch (this rank's share), by runs of images or, with more
 * threads than images, by bands; then the barrier before phase 2, which reads every image's
 * gradients. */
static void images_team(const cb_model *m, const cb_kernel_table *kt, const cb_batch *b, int lo,
                        int hi)
{
    if (m->bands_always || omp_get_num_threads() > hi - lo)
        images_by_band(m, kt, b, lo, hi);
    else
        images_by_run(m, kt, b, lo, hi);
#pragma omp barrier
}

/* ---- phase 2: one parameter block ----------------------------------------------------------- */

/* Where a block lies: grad_slab[lo, lo + len); summed from the image slices at offset src, or
 * (fc1_rows > 0) rows fc1_row0.. of dense1's [513,32] weights-and-bias. */
typedef struct param_block {
    size_t lo, len;
    size_t src[BANDS]; /* the block in each of an image's `slices` gradient slices */
    int slices;
    int fc1_row0, fc1_rows;
} param_block;

/* The three regions of the slab: the convolutions' floats, dense1's rows, dense2's floats. */
static size_t conv_floats(const cb_model *m)
{
    return (size_t)(m->params.fc1_w - m->param_slab);
}

static size_t dense2_floats(const cb_model *m)
{
    return m->param_count - (size_t)(m->params.fc2_w - m->param_slab);
}

static int blocks_of(size_t floats, size_t per_block)
{
    return (int)((floats + per_block - 1) / per_block);
}

enum { FC1_ROWS = CB_FLAT + 1 };

static int param_block_count(const cb_model *m)
{
    return blocks_of(conv_floats(m), CB_PARAM_BLOCK) + blocks_of(FC1_ROWS, CB_FC1_BLOCK_ROWS) +
           blocks_of(dense2_floats(m), CB_PARAM_BLOCK);
}

/* Block k of a region of the slab whose gradients are in `slices` slices per image, the region's
 * first float at src[s] of slice s. */
static param_block summed_block(size_t region_lo, size_t region_len, const size_t *src,
                                int slices, int k)
{
    const size_t off = (size_t)k * CB_PARAM_BLOCK;
    param_block pb = {.lo = region_lo + off, .slices = slices};
    pb.len = region_len - off < CB_PARAM_BLOCK ? region_len - off : CB_PARAM_BLOCK;
    for (int s = 0; s < slices; s++)
        pb.src[s] = src[s] + off;
    return pb;
}

/* Where a parameter of band `band`'s gradients (field f of cb_params) lies in an image's slice. */
#define SLICE_OFFSET(m, band, f)                                                                   \
    ((size_t)(cb_model_image_grads(m, 0, band).f - (m)->image_grad_slab))

static param_block param_block_at(const cb_model *m, int k)
{
    const int conv_blocks = blocks_of(conv_floats(m), CB_PARAM_BLOCK);
    const int fc1_blocks = blocks_of(FC1_ROWS, CB_FC1_BLOCK_ROWS);
    if (k < conv_blocks) { /* every band's slice of every image */
        size_t src[BANDS];
        for (int band = 0; band < BANDS; band++)
            src[band] = SLICE_OFFSET(m, band, conv1_w);
        return summed_block(0, conv_floats(m), src, BANDS, k);
    }
    k -= conv_blocks;
    if (k >= fc1_blocks) { /* band 0's slice */
        const size_t src = SLICE_OFFSET(m, 0, fc2_w);
        return summed_block((size_t)(m->params.fc2_w - m->param_slab), dense2_floats(m), &src, 1,
                            k - fc1_blocks);
    }
    const int row0 = k * CB_FC1_BLOCK_ROWS;
    const int rows = FC1_ROWS - row0 < CB_FC1_BLOCK_ROWS ? FC1_ROWS - row0 : CB_FC1_BLOCK_ROWS;
    return (param_block){.lo = conv_floats(m) + (size_t)row0 * CB_HIDDEN,
                         .len = (size_t)rows * CB_HIDDEN, .fc1_row0 = row0, .fc1_rows = rows};
}

/* Rows row0 .. row0 + rows - 1 of p2t [513][n]: images lo .. lo + n - 1 of p2 [B][512]
 * transposed, and the row of ones. */
static void transpose_p2(const cb_acts *a, int row0, int rows, int lo, int n)
{
    for (int r = row0; r < row0 + rows; r++) {
        float *t = a->p2t + (size_t)r * n;
        if (r == CB_FLAT)
            for (int i = 0; i < n; i++)
                t[i] = 1.0f;
        else
            for (int i = 0; i < n; i++)
                t[i] = a->p2[(size_t)(lo + i) * CB_FLAT + r];
    }
}

/* Images lo .. hi - 1's gradient of block pb (the batch's, or this rank's share of it under
 * --exchange allreduce), into the gradient slab. */
static void block_gradient(const cb_model *m, const cb_kernel_table *kt, int lo, int hi,
                           const param_block *pb)
{
    float *g = m->grad_slab + pb->lo;
    const int n = hi - lo;
    if (n == 0) { /* a rank without an image in the epoch's last, small batch */
        memset(g, 0, pb->len * sizeof *g);
        return;
    }
    if (pb->fc1_rows) {
        static const float no_bias[CB_HIDDEN];
        TIMED(m, CB_PHASE_DENSE1_BWD, transpose_p2(&m->acts, pb->fc1_row0, pb->fc1_rows, lo, n);
              kt->dense_fwd(pb->fc1_rows, n, CB_HIDDEN, m->acts.p2t + (size_t)pb->fc1_row0 * n,
                            m->acts.dh1 + (size_t)lo * CB_HIDDEN, no_bias, g, 0));
        return;
    }
    const double t0 = phase_begin(m);
    for (int i = lo; i < hi; i++)
        for (int s = 0; s < pb->slices; s++) {
            const float *gi = m->image_grad_slab + (size_t)i * m->image_stride + pb->src[s];
            if (i == lo && s == 0)
                memcpy(g, gi, pb->len * sizeof *g);
            else
                for (size_t e = 0; e < pb->len; e++)
                    g[e] += gi[e];
        }
    phase_end(m, CB_PHASE_GRAD_SUM, t0);
}

static void adam_block(const cb_model *m, const cb_kernel_table *kt, const param_block *pb,
                       const cb_adam_hparams *h)
{
    const double t0 = unit_begin(m);
    kt->adam(pb->len, m->param_slab + pb->lo, m->grad_slab + pb->lo, m->m_slab + pb->lo,
             m->v_slab + pb->lo, h);
    unit_end(m, CB_PHASE_ADAM, t0);
}

/* Phase 2: every block's gradient over images [lo, hi) and, when h is given, its Adam update; the
 * blocks shared among the team (no barrier at the end: the region's end is one). */
static void params_team(cb_model *m, const cb_kernel_table *kt, int lo, int hi,
                        const cb_adam_hparams *h)
{
#pragma omp for schedule(static) nowait
    for (int k = 0; k < param_block_count(m); k++) {
        const param_block pb = param_block_at(m, k);
        const double t0 = unit_begin(m);
        block_gradient(m, kt, lo, hi, &pb);
        unit_end(m, CB_COL_BLOCKS, t0);
        if (h)
            adam_block(m, kt, &pb, h);
    }
}

/* Adam alone on every block (after the ranks summed their gradients). */
static void adam_team(cb_model *m, const cb_kernel_table *kt, const cb_adam_hparams *h)
{
#pragma omp for schedule(static) nowait
    for (int k = 0; k < param_block_count(m); k++) {
        const param_block pb = param_block_at(m, k);
        adam_block(m, kt, &pb, h);
    }
}

int cb_model_param_blocks(const cb_model *m)
{
    return param_block_count(m);
}

double cb_model_block_bytes_per_image(const cb_model *m)
{
    double bytes = 0.0;
    for (int k = 0; k < param_block_count(m); k++) {
        const param_block pb = param_block_at(m, k);
        /* a summed block reads its slices of every image's gradients; a dense1 block a cache
           line of the image's p2 and its dh1 */
        bytes += pb.fc1_rows ? 64.0 + CB_HIDDEN * sizeof(float)
                             : (double)(pb.len * (size_t)pb.slices * sizeof(float));
    }
    return bytes / param_block_count(m);
}

double cb_model_exchange_bytes_per_image(const cb_model *m, bool results_only)
{
    const int K = m->cfg.outputs; /* loss, logits, label, targets; gradient slice, p2, dh1 */
    size_t floats = 1 + (size_t)K + 1 + (m->cfg.head == CB_HEAD_SOFTMAX_XENT ? 0 : (size_t)K);
    if (!results_only)
        floats += m->image_stride + CB_FLAT + CB_HIDDEN;
    return (double)floats * sizeof(float);
}

/* ---- the step ------------------------------------------------------------------------------- */

/* Over several ranks (dist.h): every image's loss, logits and labels from the rank that trained
 * it to all (the step's loss and accuracy); with --exchange gather also every image's gradient
 * slice, p2 and dh1, so that every rank runs phase 2 over the whole batch. */
static void exchange_images(const cb_model *m, const cb_batch *b, bool results_only)
{
    const cb_acts *a = &m->acts;
    const int n = b->n, K = m->cfg.outputs;
    cb_dist_exchange_begin();
    if (!results_only) {
        cb_dist_allgather(m->image_grad_slab, m->image_stride, n, false);
        cb_dist_allgather(a->p2, CB_FLAT, n, false);
        cb_dist_allgather(a->dh1, CB_HIDDEN, n, false);
    }
    cb_dist_allgather(a->loss, 1, n, false);
    cb_dist_allgather(a->z, (size_t)K, n, false);
    cb_dist_allgather(b->labels, 1, n, true);
    if (b->targets)
        cb_dist_allgather(b->targets, (size_t)K, n, false);
    cb_dist_count_exchange();
}

/* Over several ranks: --exchange gather runs phase 1 on this rank's images, gathers them, and
 * phase 2 over the whole batch (bit-identical for every rank count); --exchange allreduce sums
 * this rank's images' gradients, adds the ranks' sums with MPI_Allreduce, then runs Adam. */
static void step_ranks(cb_model *m, const cb_kernel_table *kt, const cb_batch *b,
                       const cb_adam_hparams *h)
{
    int lo, hi;
    cb_dist_range(b->n, cb_dist_rank(), cb_dist_ranks(), &lo, &hi);
    const bool gather = cb_dist_exchange() == CB_EXCHANGE_GATHER;
#pragma omp parallel num_threads(m->threads)
    {
        const unsigned fp_mode = flush_denormals();
        images_team(m, kt, b, lo, hi);
        if (!gather)
            params_team(m, kt, lo, hi, NULL);
        restore_fp_mode(fp_mode);
    }
    m->band_stages += STAGE_COUNT;
    exchange_images(m, b, !gather);
    if (!gather)
        cb_dist_allreduce_sum(m->grad_slab, m->param_count);
#pragma omp parallel num_threads(m->threads)
    {
        const unsigned fp_mode = flush_denormals();
        if (gather)
            params_team(m, kt, 0, b->n, h);
        else if (h)
            adam_team(m, kt, h);
        restore_fp_mode(fp_mode);
    }
}

/* Phase 1, a barrier, phase 2, the end of the region (over several ranks: step_ranks).
 * Returns the mean of the images' losses, summed in image order. */
static float step(cb_model *m, const cb_kernel_table *kt, const cb_batch *b,
                  const cb_adam_hparams *h)
{
    const double t0 = unit_begin(m);
    if (cb_dist_many()) {
        step_ranks(m, kt, b, h);
    } else {
#pragma omp parallel num_threads(m->threads)
        {
            const unsigned fp_mode = flush_denormals();
            images_team(m, kt, b, 0, b->n); /* barrier 1 */
            params_team(m, kt, 0, b->n, h);
            restore_fp_mode(fp_mode);
        } /* barrier 2 */
        m->band_stages += STAGE_COUNT;
    }
    unit_end(m, CB_COL_REGION, t0);
    float sum = 0.0f;
    for (int i = 0; i < b->n; i++)
        sum += m->acts.loss[i];
    return sum / (float)b->n;
}

float cb_model_gradients(cb_model *m, const cb_kernel_table *kt, const cb_batch *b)
{
    return step(m, kt, b, NULL);
}

float cb_model_train_step(cb_model *m, const cb_kernel_table *kt, const cb_batch *b)
{
    m->step++;
    const cb_adam_hparams h =
        cb_adam_hparams_at(CB_ADAM_LR, CB_ADAM_BETA1, CB_ADAM_BETA2, CB_ADAM_EPS, m->step);
    return step(m, kt, b, &h);
}

void cb_model_forward(cb_model *m, const cb_kernel_table *kt, const cb_batch *b)
{
#pragma omp parallel num_threads(m->threads)
    {
        const unsigned fp_mode = flush_denormals();
        int run_lo, run_hi;
        thread_run(0, b->n, &run_lo, &run_hi);
        for (int i = run_lo; i < run_hi; i++) {
            const cb_acts a = cb_model_image_acts(m, i, omp_get_thread_num());
            gather_rows(m, kt, b, i, &a, whole_image);
            conv1_forward(m, kt, &a, whole_image);
            conv2_forward(m, kt, &a, whole_image);
        }
        if (run_hi > run_lo)
            dense_forward_images(m, kt, run_lo, run_hi);
        restore_fp_mode(fp_mode);
    }
}
