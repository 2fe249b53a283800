/* regression.c - see regression.h. */
#define _POSIX_C_SOURCE 200809L /* getline */
#include "regression.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_atomic_file.h"
#include "rng.h"

enum { HIDDEN = 16, STEPS = 5000, FINE_STEPS = 2000 };

int cb_iris_load(const char *path, cb_iris *d, char *err, size_t errlen)
{
    /* Not fopen: a FIFO would block the open; only a regular file is read. */
    FILE *f = cb_open_input_file(path, NULL, err, errlen);
    if (!f)
        return -1;
    /* Whole lines, however long (getline): a long line is parsed whole, never split into pieces
     * that would be taken for lines of their own and shift the line numbers. */
    char *line = NULL;
    size_t cap = 0;
    int rows = 0, lineno = 1, rc = 0;
    if (getline(&line, &cap, f) < 0 || strncmp(line, "species,sepal_length,sepal_width", 32) != 0) {
        snprintf(err, errlen, "%s:1: expected the header 'species,sepal_length,sepal_width,...'",
                 path);
        rc = -1;
    }
    for (ssize_t got; rc == 0 && (got = getline(&line, &cap, f)) >= 0;) {
        lineno++;
        char species[64];
        float v[4];
        char extra;
        if ((size_t)got != strlen(line)) {
            snprintf(err, errlen, "%s:%d: a NUL byte in the line: not a CSV text file", path,
                     lineno);
            rc = -1;
        } else if (sscanf(line, "%63[^,],%f,%f,%f,%f %c", species, &v[0], &v[1], &v[2], &v[3],
                          &extra) != 5 ||
                   !(v[0] > 0 && v[0] < 20 && v[1] > 0 && v[1] < 20)) {
            snprintf(err, errlen, "%s:%d: expected 'species,sepal_length,sepal_width,...' with "
                     "lengths in cm", path, lineno);
            rc = -1;
        } else if (rows == CB_IRIS_ROWS) {
            snprintf(err, errlen, "%s:%d: more than %d rows", path, lineno, CB_IRIS_ROWS);
            rc = -1;
        } else {
            d->length[rows] = v[0];
            d->width[rows] = v[1];
            rows++;
        }
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "%s: read error", path);
        rc = -1;
    }
    free(line);
    fclose(f);
    if (rc == 0 && rows != CB_IRIS_ROWS) {
        snprintf(err, errlen, "%s: %d rows, expected %d", path, rows, CB_IRIS_ROWS);
        rc = -1;
    }
    return rc;
}

int cb_iris_bin(float length)
{
    const int b = (int)floorf((length - 4.0f) / 0.5f + 1e-4f);
    return b < 0 ? 0 : b >= CB_IRIS_BINS ? CB_IRIS_BINS - 1 : b;
}

/* Parameters in one slab: w1 [BINS][HIDDEN], b1 [HIDDEN], w2 [HIDDEN][1], b2 [1]. */
enum { W1 = 0, B1 = W1 + CB_IRIS_BINS * HIDDEN, W2 = B1 + HIDDEN, B2 = W2 + HIDDEN, PARAMS = B2 + 1 };

int cb_regression_fit(const cb_iris *d, cb_regression_loss loss, const cb_kernel_table *kt,
                      uint64_t seed, float fit[CB_IRIS_BINS], float *final_loss)
{
    const int n = CB_IRIS_ROWS;
    /* one slab for the state, one for the activations: x [n][BINS], h, dh [n][HIDDEN], z, dz, t */
    float *state = calloc(4 * PARAMS, sizeof(float));
    float *acts = calloc((size_t)n * (CB_IRIS_BINS + 2 * HIDDEN + 3), sizeof(float));
    if (!state || !acts) {
        free(state);
        free(acts);
        return -1;
    }
    float *p = state, *g = state + PARAMS, *m = state + 2 * PARAMS, *v = state + 3 * PARAMS;
    float *x = acts, *h = x + n * CB_IRIS_BINS, *dh = h + n * HIDDEN, *z = dh + n * HIDDEN;
    float *dz = z + n, *t = dz + n;
    for (int i = 0; i < n; i++) {
        x[i * CB_IRIS_BINS + cb_iris_bin(d->length[i])] = 1.0f;
        t[i] = d->width[i];
    }
    cb_rng rng;
    cb_rng_seed(&rng, seed);
    const float l1 = sqrtf(6.0f / (CB_IRIS_BINS + HIDDEN)), l2 = sqrtf(6.0f / (HIDDEN + 1));
    for (int i = 0; i < CB_IRIS_BINS * HIDDEN; i++)
        p[W1 + i] = (2.0f * cb_rng_uniform(&rng) - 1.0f) * l1; /* Glorot uniform, zero biases */
    for (int i = 0; i < HIDDEN; i++)
        p[W2 + i] = (2.0f * cb_rng_uniform(&rng) - 1.0f) * l2;

    float value = NAN;
    for (int step = 1; step <= STEPS; step++) {
        kt->dense_fwd(n, CB_IRIS_BINS, HIDDEN, x, p + W1, p + B1, h, 1);
        kt->dense_fwd(n, HIDDEN, 1, h, p + W2, p + B2, z, 0);
        value = loss == CB_REG_MSE ? kt->mse(n, 1, z, t, dz) : kt->mae(n, 1, z, t, dz);
        kt->dense_bwd(n, HIDDEN, 1, h, p + W2, dz, dh, g + W2, g + B2);
        kt->relu_bwd((size_t)n * HIDDEN, h, dh, dh);
        kt->dense_bwd(n, CB_IRIS_BINS, HIDDEN, x, p + W1, dh, NULL, g + W1, g + B1);
        const float lr = step <= STEPS - FINE_STEPS ? 1e-2f : 1e-3f;
        const cb_adam_hparams hp = cb_adam_hparams_at(lr, 0.9f, 0.999f, 1e-7f, step);
        kt->adam(PARAMS, p, g, m, v, &hp);
    }
    /* The prediction of each bin: the network on that bin's one-hot code. */
    memset(x, 0, sizeof(float) * CB_IRIS_BINS * CB_IRIS_BINS);
    for (int b = 0; b < CB_IRIS_BINS; b++)
        x[b * CB_IRIS_BINS + b] = 1.0f;
    kt->dense_fwd(CB_IRIS_BINS, CB_IRIS_BINS, HIDDEN, x, p + W1, p + B1, h, 1);
    kt->dense_fwd(CB_IRIS_BINS, HIDDEN, 1, h, p + W2, p + B2, fit, 0);
    *final_loss = value;
    free(state);
    free(acts);
    return 0;
}
