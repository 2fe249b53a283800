/* mismatched.c - see mismatched.h. Double inside, so the teaching figures are not rounding. */
#include "mismatched.h"

#include <math.h>
#include <stddef.h>

float cb_softmax_mse(int n, int k, const float *z, const int32_t *labels, float *dz)
{
    double total = 0.0;
    for (int r = 0; r < n; r++) {
        const float *zr = z + (size_t)r * k;
        float *dr = dz + (size_t)r * k;
        double m = zr[0], sum = 0.0, pe = 0.0;
        for (int c = 1; c < k; c++)
            m = zr[c] > m ? zr[c] : m;
        for (int c = 0; c < k; c++)
            sum += exp(zr[c] - m);
        double p[64], e[64]; /* k <= 64: the heads here have 10 outputs */
        for (int c = 0; c < k; c++) {
            p[c] = exp(zr[c] - m) / sum;
            e[c] = p[c] - (c == labels[r]);
            total += e[c] * e[c];
            pe += p[c] * e[c];
        }
        for (int c = 0; c < k; c++)
            dr[c] = (float)(2.0 / n * p[c] * (e[c] - pe));
    }
    return (float)(total / n);
}

float cb_sigmoid_mse(int n, int k, const float *z, const float *t, float *dz)
{
    const size_t count = (size_t)n * k;
    double total = 0.0;
    for (size_t i = 0; i < count; i++) {
        const double p = 1.0 / (1.0 + exp(-(double)z[i]));
        const double e = p - t[i];
        total += e * e;
        dz[i] = (float)(2.0 * e * p * (1.0 - p) / (double)count);
    }
    return (float)(total / (double)count);
}
