/*
 * cb_network.h - the reference network's shapes, as the kernels see them: the training step
 * (harness/model.c) calls its kernels with these, and the registry's cases (cb_cases.h) describe
 * the same calls for the benchmarks, `cifarbench tune` and the tests.
 *
 *   input [B,32,32,3] -> conv1 3->8 -> [B,32,32,8] -> pool1 -> [B,16,16,8]
 *   -> conv2 8->8 -> [B,16,16,8] -> pool2 -> [B,8,8,8] = [B,512] -> dense1 512->32 -> dense2 32->K
 */
#ifndef CB_NETWORK_H
#define CB_NETWORK_H

enum {
    CB_IN_H = 32, CB_IN_W = 32, CB_IN_C = 3,
    CB_CONV_C = 8,               /* channels of both convolutions */
    CB_FLAT = 8 * 8 * CB_CONV_C, /* 512 */
    CB_HIDDEN = 32,
    CB_CLASSES = 10,             /* K of the CIFAR-10 heads (1 for the two-class head) */
    CB_DEFAULT_BATCH = 32,
};

/* The training step's units (harness/step.c): its first phase runs one image per unit, so every
 * layer's kernels and the loss are called with a batch of CB_UNIT_IMAGES; its second runs one
 * parameter block per unit, CB_PARAM_BLOCK floats (Adam's length, a multiple of every vector
 * width) or CB_FC1_BLOCK_ROWS rows of dense1's [513,32] weights-and-bias, whose gradient is the
 * product [rows, B] x [B, 32] of the batch's transposed input and output gradient. */
enum { CB_UNIT_IMAGES = 1, CB_PARAM_BLOCK = 128, CB_FC1_BLOCK_ROWS = 4 };

/* When the step has more threads than images, an image's convolutions and pools run in
 * CB_IMAGE_BANDS bands of rows, one unit each (conv1: 16 of its 32 rows; conv2: 8 of 16), and the
 * convolutions' weight gradients are summed per band at every thread count. */
enum { CB_IMAGE_BANDS = 2 };

/* Adam hyper-parameters of the reference training (Keras defaults). */
#define CB_ADAM_LR 1e-3f
#define CB_ADAM_BETA1 0.9f
#define CB_ADAM_BETA2 0.999f
#define CB_ADAM_EPS 1e-7f

#endif /* CB_NETWORK_H */
