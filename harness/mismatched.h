/*
 * mismatched.h - output activations paired with a loss that does NOT undo them, for teaching
 * (`--loss softmax-mse|sigmoid-mse`, `cifarbench study`). Plain C in every ISA: they exist to be
 * compared with the matched, fused kernels, not to be fast. Same contract as the fused kernels
 * (cb_kernels.h): logits z [N,K] in, mean loss returned, dz [N,K] written.
 *
 *   softmax + MSE, labels [N]:  p = softmax(z_n);  loss = mean_n sum_k (p_k - onehot_k)^2
 *       dz_nj = (2/N) p_j (e_j - sum_k p_k e_k),  e = p - onehot   (the softmax Jacobian)
 *   sigmoid + MSE, targets [N,K]:  p = sigmoid(z);  loss = mean_{n,k} (p - t)^2
 *       dz = 2 (p - t) p (1 - p) / (N K)
 *
 * The factor p (1 - p) (or the Jacobian) is what the matched pairs cancel: when the output
 * saturates on the wrong side (p near 0 for a true class), dz vanishes and learning stalls.
 */
#ifndef CB_MISMATCHED_H
#define CB_MISMATCHED_H

#include <stdint.h>

float cb_softmax_mse(int n, int k, const float *z, const int32_t *labels, float *dz);
float cb_sigmoid_mse(int n, int k, const float *z, const float *t, float *dz);

#endif /* CB_MISMATCHED_H */
