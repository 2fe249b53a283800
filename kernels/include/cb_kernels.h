/*
 * cb_kernels.h - the cifarbench kernel API.
 *
 * Every kernel exists once per ISA (scalar, AVX2+FMA, AVX-512 F/BW/DQ/VL) and is reached through a
 * cb_kernel_table (see cb_dispatch.h). Kernels never allocate, never start threads, never call each
 * other through the table and never read global state.
 *
 * Memory layout
 * -------------
 * Activations are float32, channels-last (NHWC): element (n, y, x, c) of a tensor of shape
 * [N, H, W, C] lives at ((n * H + y) * W + x) * C + c. The reference network has C = 8 after
 * every convolution, so one pixel's channels fill exactly one AVX2 register (half a ZMM), and a
 * 3x3 convolution becomes, per input channel, a broadcast of one input value times a contiguous
 * vector of output-channel weights. Flattening an [N, H, W, C] tensor to [N, H*W*C] is a no-op
 * and matches Keras' Flatten on channels-last data.
 *
 * Convolution weights are [3][3][Cin][Cout] (HWIO, as Keras stores them): tap (ky, kx), input
 * channel ci, output channel co at ((ky * 3 + kx) * Cin + ci) * Cout + co.
 * Dense weights are [In][Out] (Keras' kernel layout): W[i][o] at i * Out + o.
 *
 * Gradients are written, never accumulated: each backward kernel overwrites its outputs. Callers
 * that split a batch across threads give each part its own gradient buffer and add them in a fixed
 * order, which keeps results bit-identical from run to run.
 *
 * Unless said otherwise, inputs and outputs must not overlap.
 */
#ifndef CB_KERNELS_H
#define CB_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Input pixels: uint8 -> float -----------------------------------------------------------
 * src [n] the data set's channels-last uint8 pixels (one image: [H, W, C]) -> dst [n] the image's
 * float input [H, W, C]: dst[i] = src[i] / 255 as a float division, correctly rounded, so
 * bit-identical on every ISA (0 -> +0, 255 -> 1 exactly). n is any size >= 0; nothing past
 * element n-1 of either array is read or written. */
typedef void cb_pixels_to_float_fn(size_t n, const uint8_t *src, float *dst);

/* Shape of a batch of channels-last images for the 3x3 convolution, and the band of output rows
 * [row_begin, row_end) of every image that a call computes (forward, backward-data: the other
 * rows of the output are not written) or sums over (backward-weights). A band reads the input
 * rows it touches, up to one row either side. row_end = 0 means h: a shape that sets only n..cout
 * is the whole image. 0 <= row_begin <= row_end <= h. */
typedef struct cb_conv_shape {
    int n;         /* images in the batch, >= 1 */
    int h;         /* height, >= 1 (input and output: "same" padding, stride 1) */
    int w;         /* width, >= 1 */
    int cin;       /* input channels, >= 1 */
    int cout;      /* output channels, >= 1 */
    int row_begin; /* first output row of the band */
    int row_end;   /* one past its last, or 0: h */
} cb_conv_shape;

/* The band's end row: s->row_end, or h when it is 0. */
static inline int cb_conv_row_end(const cb_conv_shape *s)
{
    return s->row_end ? s->row_end : s->h;
}

/* ---- 3x3 convolution, stride 1, zero "same" padding ------------------------------------------
 * x  [N, H, W, Cin]    input
 * w  [3, 3, Cin, Cout] weights (HWIO)
 * b  [Cout]            bias
 * y  [N, H, W, Cout]   output
 *
 * Forward: y[n,i,j,co] = b[co] + sum_{ky,kx,ci} x[n, i+ky-1, j+kx-1, ci] * w[ky,kx,ci,co],
 * where x outside the image is 0. With relu != 0 the result is max(0, .) (ReLU fused).
 * Forward and backward-data write output rows i of the band only; each written element is the
 * same bits whatever the band. Backward-weights sums over the band's rows i (and all n, j).
 */
typedef void cb_conv2d_fwd_fn(const cb_conv_shape *s, const float *x, const float *w,
                                  const float *b, float *y, int relu);

/* Backward-data: dx[n,i,j,ci] = sum_{ky,kx,co} dy[n, i-ky+1, j-kx+1, co] * w[ky,kx,ci,co]
 * (dy outside the image is 0). dy [N,H,W,Cout], w [3,3,Cin,Cout] -> dx [N,H,W,Cin]. */
typedef void cb_conv2d_bwd_data_fn(const cb_conv_shape *s, const float *dy, const float *w,
                                       float *dx);

/* Backward-weights: dw[ky,kx,ci,co] = sum_{n,i,j} x[n, i+ky-1, j+kx-1, ci] * dy[n,i,j,co]
 * and db[co] = sum_{n,i,j} dy[n,i,j,co]. x [N,H,W,Cin], dy [N,H,W,Cout] -> dw [3,3,Cin,Cout],
 * db [Cout]. */
typedef void cb_conv2d_bwd_weights_fn(const cb_conv_shape *s, const float *x, const float *dy,
                                          float *dw, float *db);

/* ---- ReLU ------------------------------------------------------------------------------------
 * Forward: y[i] = max(x[i], 0) over n elements; y may equal x (in place).
 * Backward: dx[i] = y[i] > 0 ? dy[i] : 0, where y is the forward *output*; dx may equal dy. */
typedef void cb_relu_fwd_fn(size_t n, const float *x, float *y);
typedef void cb_relu_bwd_fn(size_t n, const float *y, const float *dy, float *dx);

/* ---- 2x2 max-pool, stride 2 ("valid": an odd last row or column is dropped, as in Keras) -------
 * x [N, H, W, C] -> y [N, H/2, W/2, C] (integer division), H >= 2, W >= 2, and the window index
 * arg [N, H/2, W/2, C], one byte per output: which element of the output's window, 0..3 in
 * row-major window order (top-left, top-right, bottom-left, bottom-right), is the first equal to
 * the maximum, or CB_POOL_NONE when none is to get the gradient: no element equals the maximum
 * (a NaN in the first), or, with relu != 0, !(y > 0).
 * Backward routes dy [N,H/2,W/2,C] by arg alone: dx [N,H,W,C] gets dy at each window's indexed
 * element and +0 everywhere else, a dropped odd row or column included. x and y are not read:
 * a pool of pool1's size reads 2 KB of arg instead of its 32 KB input.
 * relu != 0 means x is a ReLU's output, x = max(z, 0), and the gradient is wanted with respect to
 * z: ReLU' is fused into the index (CB_POOL_NONE where y <= 0), so the training step need not
 * mask dy in a pass of its own. */
enum { CB_POOL_NONE = 4 };
typedef struct cb_pool_shape {
    int n, h, w, c; /* of the input */
    int relu;       /* != 0: arg also through the ReLU before the pool */
} cb_pool_shape;
typedef void cb_maxpool_fwd_fn(const cb_pool_shape *s, const float *x, float *y,
                                   uint8_t *arg);
typedef void cb_maxpool_bwd_fn(const cb_pool_shape *s, const uint8_t *arg, const float *dy,
                                   float *dx);

/* ---- Dense (fully connected) ----------------------------------------------------------------
 * x [N, In], w [In, Out], b [Out] -> y [N, Out]: y[n,o] = b[o] + sum_i x[n,i] * w[i,o],
 * then max(0, .) when relu != 0.
 * Backward: dy [N, Out] -> dw [In, Out] = x^T dy and db [Out] = sum_n dy[n,:], unless dw and db are
 * both NULL (the data gradient only: x is then not read); and dx [N, In] = dy w^T, unless dx is
 * NULL. Not all three NULL. */
typedef void cb_dense_fwd_fn(int n, int in, int out, const float *x, const float *w,
                                const float *b, float *y, int relu);
typedef void cb_dense_bwd_fn(int n, int in, int out, const float *x, const float *w,
                                const float *dy, float *dx, float *dw, float *db);

/* ---- Fused output activation + loss ---------------------------------------------------------
 * Each takes logits z [N, K] (the last dense layer's output, before any activation), returns the
 * mean loss and writes dz [N, K], the gradient of that mean loss with respect to z, in one pass.
 * All are finite for every finite input: the log undoes the exp analytically.
 *
 * softmax + sparse categorical cross-entropy, labels [N] in 0..K-1:
 *   loss = mean_n ( logsumexp(z[n,:]) - z[n, label[n]] ),   dz = (softmax(z) - onehot) / N
 * sigmoid + binary cross-entropy, targets t [N, K] in [0, 1] (K independent labels, K = 1 for a
 * two-class problem):
 *   loss = mean_{n,k} ( max(z,0) - z*t + log1p(exp(-|z|)) ),  dz = (sigmoid(z) - t) / (N*K)
 * linear + mean squared error, targets t [N, K]:
 *   loss = mean_{n,k} (z - t)^2,                              dz = 2 (z - t) / (N*K)
 * linear + mean absolute error, targets t [N, K]:
 *   loss = mean_{n,k} |z - t|,                                dz = sign(z - t) / (N*K), sign(0) = 0
 */
typedef float cb_softmax_xent_fn(int n, int k, const float *z, const int32_t *labels, float *dz);
typedef float cb_sigmoid_bce_fn(int n, int k, const float *z, const float *t, float *dz);
typedef float cb_mse_fn(int n, int k, const float *z, const float *t, float *dz);
typedef float cb_mae_fn(int n, int k, const float *z, const float *t, float *dz);

/* ---- Adam -----------------------------------------------------------------------------------
 * In place over n parameters p with gradient g and moments m, v (Keras' formulation):
 *   m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2;
 *   p = p - step * m / (sqrt(v) + eps)
 * where step = lr * sqrt(1 - beta2^t) / (1 - beta1^t) for update number t (see cb_adam_hparams_at). */
typedef struct cb_adam_hparams {
    float step;  /* bias-corrected learning rate for this update */
    float beta1; /* first-moment decay, Keras default 0.9 */
    float beta2; /* second-moment decay, Keras default 0.999 */
    float eps;   /* Keras default 1e-7 */
} cb_adam_hparams;
typedef void cb_adam_fn(size_t n, float *p, const float *g, float *m, float *v,
                           const cb_adam_hparams *h);

/* The hyper-parameters of update number t (1-based) for learning rate lr. */
cb_adam_hparams cb_adam_hparams_at(float lr, float beta1, float beta2, float eps, long t);

#ifdef __cplusplus
}
#endif

#endif /* CB_KERNELS_H */
