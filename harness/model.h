/*
 * model.h - the reference network, after the well-known Keras CIFAR-10 tutorial:
 *
 *   input [B,32,32,3]
 *   conv1 3->8 3x3 same + ReLU  -> c1 [B,32,32,8]  -> maxpool 2 -> p1 [B,16,16,8]
 *   conv2 8->8 3x3 same + ReLU  -> c2 [B,16,16,8]  -> maxpool 2 -> p2 [B,8,8,8] = flatten [B,512]
 *   dense 512->32 + ReLU        -> h1 [B,32]
 *   dense 32->K                 -> z  [B,K]  (logits)
 *   fused output activation + loss (softmax + sparse categorical cross-entropy for K classes)
 *   Adam over every parameter.
 *
 * As in llm.c, each kind of state lives in one allocation: parameters, gradients, the two Adam
 * moments, and the activations (with their gradients) for the largest batch. A parameter tensor is
 * a pointer into its slab, so Adam runs as one kernel call over the whole parameter slab.
 *
 * Threads (OpenMP, m->threads of them). A training step (step.c) is one parallel region in two
 * phases, each cut into fixed units that depend on the batch only, never on the thread count:
 *
 *   1. the images, each thread's run of consecutive images in three parts: the convolutions
 *      forward, one unit per image; the dense layers and the loss over the run (dense1 as one
 *      product over the run; the dense kernels sum every output in the same order for any run);
 *      the convolutions backward, one unit per image; writing each image's own weight gradients
 *      of conv1, conv2 and dense2 (a slice of the image-gradient slab);
 *   2. one unit per parameter block (CB_PARAM_BLOCK floats, or CB_FC1_BLOCK_ROWS rows of dense1):
 *      the block's batch gradient, the per-image gradients summed in image order (dense1's as one
 *      small product over the whole batch), then Adam on the block at once.
 *
 * No float is ever summed in an order that depends on the threads, so for a given ISA the results
 * are bit-identical from run to run *and* for every thread count. A batch of 32 has 32 units in
 * phase 1 and, with 10 outputs, 139 in phase 2; CB_STEP_BARRIERS barriers per step.
 *
 * The step's threads run with denormals flushed to zero (FTZ and DAZ, as TensorFlow's do): Adam's
 * second moments of parameters whose gradients vanish decay into the subnormal range, where every
 * operation takes a microcode assist (measured: Adam 10x slower). The caller's floating-point mode
 * is restored when the region ends.
 */
#ifndef CB_MODEL_H
#define CB_MODEL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "cb_dispatch.h"
#include "cb_network.h" /* the network's fixed dimensions */
#include "cifar10.h"

/* The output activation and its loss. */
typedef enum cb_head {
    CB_HEAD_SOFTMAX_XENT, /* K classes, sparse integer labels */
    CB_HEAD_SIGMOID_BCE,  /* K independent binary labels (K = 1 for two classes) */
    CB_HEAD_MSE,          /* linear output, mean squared error */
    CB_HEAD_MAE,          /* linear output, mean absolute error */
    CB_HEAD_SOFTMAX_MSE,  /* mismatched, for teaching (mismatched.h): softmax + squared error */
    CB_HEAD_SIGMOID_MSE,  /* mismatched, for teaching: sigmoid + squared error */
} cb_head;

typedef struct cb_model_config {
    int outputs;  /* K, the width of the last dense layer */
    cb_head head;
} cb_model_config;

/* Pointers into the parameter (or gradient) slab, in slab order. */
typedef struct cb_params {
    float *conv1_w; /* [3,3,3,8]  */
    float *conv1_b; /* [8]        */
    float *conv2_w; /* [3,3,8,8]  */
    float *conv2_b; /* [8]        */
    float *fc1_w;   /* [512,32]   */
    float *fc1_b;   /* [32]       */
    float *fc2_w;   /* [32,K]     */
    float *fc2_b;   /* [K]        */
} cb_params;

/* Activations and their gradients for a batch of up to max_batch images. c1, c2, dp1 and dc1 are
 * read only within the unit of step.c that writes them (a convolution and its pool, forward; an
 * image's or a band's backward from dc2), so there is one of each per thread [T], not per image:
 * they stay in the thread's cache from image to image instead of taking 80 KB per image out of it
 * (the backward reads the pools' window indices, not c1 and c2). */
typedef struct cb_acts {
    float *x;   /* [B,32,32,3] input, pixels / 255 */
    float *c1;  /* [T,32,32,8] conv1 + ReLU */
    float *p1;  /* [B,16,16,8] */
    float *c2;  /* [T,16,16,8] conv2 + ReLU */
    float *p2;  /* [B,512]     */
    float *h1;  /* [B,32]      dense1 + ReLU */
    float *z;   /* [B,K]       logits */
    float *dz, *dh1, *dp2, *dc2; /* gradients of the loss, same shapes */
    float *dp1, *dc1;            /* [T,16,16,8], [T,32,32,8] */
    float *loss; /* [B] each image's loss */
    uint8_t *arg1, *arg2; /* [B,16,16,8], [B,8,8,8] the pools' window indices (cb_kernels.h) */
    float *p2t;  /* [CB_FLAT + 1][B] p2 transposed, and a last row of ones: dense1's input as the
                  * left factor of its weight-and-bias gradient [513,32] = p2t dh1 (not per
                  * image: each parameter block of step.c writes its own rows) */
} cb_acts;

/* Barriers in one training step: the end of phase 1, and the end of the region after phase 2.
 * With more threads than images, phase 1 runs in bands (step.c), and a band waits for another
 * band of its image at CB_BAND_WAITS of its CB_BAND_STAGES stages; band 0, which reads the most that other
 * bands wrote, reads CB_BAND_HALO_LINES cache lines of theirs: the next band's first row of x,
 * p1 and dc2 (6, 8 and 8 lines), and for its dense head the other bands' p2 (16). */
enum { CB_STEP_BARRIERS = 2, CB_BAND_STAGES = 6, CB_BAND_WAITS = 5 };
enum {
    CB_BAND_HALO_LINES = (CB_IN_W * CB_IN_C + 2 * (CB_IN_W / 2) * CB_CONV_C) * 4 / 64 +
                         CB_FLAT * (CB_IMAGE_BANDS - 1) / CB_IMAGE_BANDS * 4 / 64
};


/* The phases of a training step that the per-layer profile times. A layer's forward includes its
 * fused ReLU; its backward includes the ReLU's backward and both its data and weight gradients. */
typedef enum cb_phase {
    CB_PHASE_INPUT, /* gathering the batch: uint8 -> float */
    CB_PHASE_CONV1_FWD, CB_PHASE_POOL1_FWD, CB_PHASE_CONV2_FWD, CB_PHASE_POOL2_FWD,
    CB_PHASE_DENSE1_FWD, CB_PHASE_DENSE2_FWD,
    CB_PHASE_LOSS,
    CB_PHASE_DENSE2_BWD, CB_PHASE_DENSE1_BWD, CB_PHASE_POOL2_BWD, CB_PHASE_CONV2_BWD,
    CB_PHASE_POOL1_BWD, CB_PHASE_CONV1_BWD,
    CB_PHASE_GRAD_SUM, /* summing the per-image gradients */
    CB_PHASE_ADAM,
    CB_PHASE_COUNT
} cb_phase;

const char *cb_phase_layer(cb_phase p); /* "conv1", "pool1", ..., "input", "loss", "grad_sum", "adam" */
const char *cb_phase_pass(cb_phase p);  /* "forward", "backward" or "step" */

/* Per-thread time, summed over the steps run while it is attached to a model (cb_model.profile):
 * with `layers`, in each phase (the per-layer profile); always, in the step's units of work, for the
 * scaling model (scaling_model.h): phase 1's images (each image's two convolution units and the
 * thread's dense runs), phase 2's block gradients, and Adam (the
 * CB_PHASE_ADAM column). Each timed span costs two clock reads, counted in timer_reads. */
typedef enum cb_profile_column {
    CB_COL_TIMER_READS = CB_PHASE_COUNT,
    CB_COL_IMAGES,       /* phase 1: its three parts */
    CB_COL_HEADS,        /* phase 1, inside CB_COL_IMAGES: the dense layers up to dh1 (the part
                            of an image that its band 0 runs alone, STAGE_DENSE in step.c) */
    CB_COL_BLOCKS,       /* phase 2: the blocks' gradients, without Adam */
    CB_COL_REGION,       /* the whole parallel region, timed by the master around it */
    CB_COL_COUNT
} cb_profile_column;
enum { CB_PROFILE_STRIDE = 24 }; /* >= CB_COL_COUNT, so threads' rows sit in different lines */
typedef struct cb_profile {
    int threads;
    bool layers;                          /* false: the units only (two clock reads per unit) */
    double (*seconds)[CB_PROFILE_STRIDE]; /* [threads][phase or cb_profile_column] */
} cb_profile;

int cb_profile_init(cb_profile *p, int threads, bool layers); /* 0, or -1 when memory is short */
void cb_profile_reset(cb_profile *p);
void cb_profile_free(cb_profile *p);
double cb_profile_phase(const cb_profile *p, cb_phase ph); /* summed over threads */
double cb_profile_timer_reads(const cb_profile *p);
double cb_profile_units(const cb_profile *p, cb_profile_column c); /* summed over threads */

/* One image's bands' progress through a step (step.c): each band's last finished stage, counted
 * on from step to step so that it never needs a reset. One cache line per image. */
typedef struct cb_band_flags {
    _Alignas(64) atomic_long done[CB_IMAGE_BANDS];
} cb_band_flags;

typedef struct cb_model {
    cb_model_config cfg;
    cb_profile *profile;  /* NULL: no per-layer timing */
    int max_batch;
    int threads;          /* OpenMP threads of every pass; 1 after cb_model_init, then
                             cb_model_set_threads */
    size_t param_count;
    size_t image_stride;  /* floats between two images' gradients (rounded up to 16) */
    float *param_slab, *grad_slab, *m_slab, *v_slab, *act_slab;
    float *image_grad_slab; /* [max_batch][image_stride]: per image, its bands' conv1 and conv2,
                               and dense2 (cb_model_image_grads) */
    float *thread_slab;     /* [slab_threads] of the per-thread activations (cb_acts) */
    int slab_threads;
    cb_band_flags *band_flags; /* [max_batch] */
    bool bands_always;         /* phase 1 in bands at any thread count (the same bits): how the
                                  scaling model times a band on one thread */
    long band_stages;          /* the band stages of the steps run so far (step.c) */
    cb_params params, grads;
    cb_acts acts;
    long step; /* Adam updates done */
} cb_model;

/* Parameters of the network with this configuration. */
size_t cb_model_param_count(const cb_model_config *cfg);

/* Allocates the slabs and initialises the parameters Keras-style from seed: Glorot-uniform
 * weights, zero biases, zero Adam moments. Returns 0, or -1 when memory is short. */
int cb_model_init(cb_model *m, const cb_model_config *cfg, int max_batch, uint64_t seed);
void cb_model_free(cb_model *m);

/* One batch: n <= max_batch images, gathered from set (uint8 -> float by the kernel table's
 * pixels_to_float, in the threads that use them) at idx[0..n-1] with their labels written to
 * labels[0..n-1] and, when the set has targets, those to targets[n,K]; or, when set is NULL,
 * already in acts.x with labels and targets given. targets feed the non-softmax heads. */
typedef struct cb_batch {
    int n;
    const cb_dataset *set;
    const int32_t *idx;
    int32_t *labels;
    float *targets;
} cb_batch;

/* Forward pass over the batch (one unit per image, no gradients): leaves logits in acts.z. */
void cb_model_forward(cb_model *m, const cb_kernel_table *kt, const cb_batch *b);

/* Loss of the logits in acts.z against the batch's targets, writing dz. Softmax heads read labels
 * [B]; the others read targets [B,K]. Returns the mean loss. */
float cb_model_loss(cb_model *m, const cb_kernel_table *kt, int batch, const int32_t *labels,
                    const float *targets);

/* The head's activation + loss over n images' logits z [n,K] (labels [n] or targets [n,K]),
 * writing dz [n,K]; returns the mean loss of the n images. */
float cb_model_head_loss(const cb_model *m, const cb_kernel_table *kt, int n, const float *z,
                         const int32_t *labels, const float *targets, float *dz);

/* The training step without its update: gather + forward + loss + backward, leaving the batch
 * gradient in the gradient slab. Returns the batch's mean loss. */
float cb_model_gradients(cb_model *m, const cb_kernel_table *kt, const cb_batch *b);

/* The training step: cb_model_gradients and one Adam update, in one parallel region. Returns the
 * batch's mean loss. */
float cb_model_train_step(cb_model *m, const cb_kernel_table *kt, const cb_batch *b);

/* Phase 2's parameter blocks per step, and the bytes a block reads per image of the batch, on
 * average over the blocks (the scaling model's inputs, scaling_model.h). */
int cb_model_param_blocks(const cb_model *m);
double cb_model_block_bytes_per_image(const cb_model *m);

/* Over MPI ranks: the bytes of one image's results every rank receives (step.c's exchange): its
 * loss, logits and label (and targets), and unless results_only its gradient slice, p2 and dh1. */
double cb_model_exchange_bytes_per_image(const cb_model *m, bool results_only);

/* The image-gradient slab's slice of band `band` of image i: conv1 and conv2 summed over the
 * band's rows, and for band 0 dense2 (fc1_w, fc1_b, and the other bands' fc2_w, fc2_b are NULL). */
cb_params cb_model_image_grads(const cb_model *m, int i, int band);

/* Sets the threads of every pass, with a set of per-thread activations for each. Returns 0, or
 * -1 when threads < 1 or memory is short (m is then unchanged). */
int cb_model_set_threads(cb_model *m, int threads);

/* The activations of image i on thread `thread` (< m->threads): every per-image tensor of acts
 * offset by i images (loss by one, p2t not at all: it is shared), the per-thread ones the
 * thread's. */
cb_acts cb_model_image_acts(const cb_model *m, int i, int thread);

/* Floating-point operations per image (multiply and add counted separately, convolutions and
 * dense layers only; conv1 needs no data gradient). */
double cb_model_flops_forward(const cb_model_config *cfg);
double cb_model_flops_train(const cb_model_config *cfg);

/* FNV-1a over the bits of the parameters and Adam's two moments: equal on two models exactly when
 * (but for a 2^-64 chance) they would train on identically. */
uint64_t cb_model_checksum(const cb_model *m);

#endif /* CB_MODEL_H */
