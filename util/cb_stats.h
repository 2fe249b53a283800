/*
 * cb_stats.h - order statistics over repetitions: the one median every command and report uses.
 */
#ifndef CB_STATS_H
#define CB_STATS_H

#include <stddef.h>

/* Sorts v[0..n) ascending (NaNs last). */
void cb_sort_doubles(double *v, size_t n);

/* The median of v[0..n) (the mean of the two middle values when n is even); v is left sorted.
 * NaN when n == 0 or when any value is NaN. */
double cb_median(double *v, size_t n);

/* The q-quantile (0 <= q <= 1) of v[0..n) by linear interpolation between order statistics
 * (Hyndman-Fan type 7, as numpy's default): with h = (n - 1) q, v[floor h] + (h - floor h)
 * (v[floor h + 1] - v[floor h]) of the sorted values. v is left sorted. NaN when n == 0, when q is
 * outside [0, 1] or NaN, or when any value is NaN. */
double cb_quantile(double *v, size_t n, double q);

/* The median of v[0..n) without changing v (copies; NaN as cb_median, or when out of memory). */
double cb_median_of(const double *v, size_t n);

#endif /* CB_STATS_H */
