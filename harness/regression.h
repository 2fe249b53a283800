/*
 * regression.h - `cifarbench train --task regression`: linear output + MSE or MAE on iris.
 *
 * Predicts sepal width from sepal length (data/iris.csv, 150 rows). The length enters as a one-hot
 * code of its 0.5-cm bin ([4.0,4.5) ... [7.5,8.0)), so the network (one-hot 8 -> dense 16 + ReLU
 * -> dense 1, linear) can give each bin its own value, and the loss alone decides which value:
 * mean squared error is minimised by the bin's mean, mean absolute error by its median. Training
 * is full-batch Adam (5,000 steps: lr 1e-2, then 1e-3 for the last 2,000) with the selected ISA's
 * dense, ReLU, loss and Adam kernels. The output puts both fits next to each bin's mean and median.
 */
#ifndef CB_REGRESSION_H
#define CB_REGRESSION_H

#include <stddef.h>
#include <stdint.h>

#include "cb_dispatch.h"

enum { CB_IRIS_ROWS = 150, CB_IRIS_BINS = 8 };

typedef struct cb_iris {
    float length[CB_IRIS_ROWS], width[CB_IRIS_ROWS]; /* sepal, cm */
} cb_iris;

/* Reads the iris CSV (header, then species,sepal_length,sepal_width,petal_length,petal_width),
 * a regular file (a FIFO, a device or a directory is refused before anything is read). Lines are
 * read whole, however long, so line numbers in messages are the file's. Returns 0, or -1 with
 * file, line and problem in err. */
int cb_iris_load(const char *path, cb_iris *d, char *err, size_t errlen);

/* The 0.5-cm bin of a sepal length, 0 .. CB_IRIS_BINS-1 (lengths outside [4, 8) are clamped). */
int cb_iris_bin(float length);

typedef enum cb_regression_loss { CB_REG_MSE, CB_REG_MAE } cb_regression_loss;

/* Trains the network on d with the loss and returns its prediction for each bin in fit[]; the
 * final training loss in *loss. Deterministic for a seed. Returns 0, or -1 when memory is short. */
int cb_regression_fit(const cb_iris *d, cb_regression_loss loss, const cb_kernel_table *kt,
                      uint64_t seed, float fit[CB_IRIS_BINS], float *final_loss);

#endif /* CB_REGRESSION_H */
