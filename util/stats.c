/* stats.c - order statistics over repetitions (cb_stats.h): sorting, median, quantiles. */
#include "cb_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Ascending, NaNs after every number. */
static int compare_doubles(const void *pa, const void *pb)
{
    const double a = *(const double *)pa, b = *(const double *)pb;
    if (isnan(a) || isnan(b))
        return isnan(a) - isnan(b);
    return (a > b) - (a < b);
}

void cb_sort_doubles(double *v, size_t n)
{
    if (n > 1)
        qsort(v, n, sizeof *v, compare_doubles);
}

double cb_median(double *v, size_t n)
{
    if (n == 0)
        return NAN;
    cb_sort_doubles(v, n);
    if (isnan(v[n - 1]))
        return NAN;
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double cb_quantile(double *v, size_t n, double q)
{
    if (n == 0 || !(q >= 0.0 && q <= 1.0))
        return NAN;
    cb_sort_doubles(v, n);
    if (isnan(v[n - 1]))
        return NAN;
    const double h = (double)(n - 1) * q;
    const size_t lo = (size_t)h;
    const double frac = h - (double)lo;
    return frac == 0.0 ? v[lo] : v[lo] + frac * (v[lo + 1] - v[lo]);
}

double cb_median_of(const double *v, size_t n)
{
    if (n == 0)
        return NAN;
    double *copy = malloc(n * sizeof *copy);
    if (!copy)
        return NAN;
    memcpy(copy, v, n * sizeof *copy);
    const double m = cb_median(copy, n);
    free(copy);
    return m;
}
