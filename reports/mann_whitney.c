/* mann_whitney.c - see mann_whitney.h. */
#include "mann_whitney.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { EXACT_MAX_SMALL = 8, EXACT_MAX_LARGE = 1000 };

static int compare_doubles(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct tagged {
    double v;
    int from_x;
} tagged;

static int compare_tagged(const void *a, const void *b)
{
    return compare_doubles(&((const tagged *)a)->v, &((const tagged *)b)->v);
}

/* P(U' >= k) for U' the U statistic of samples of sizes m and n with no ties: counts of
 * arrangements by the recurrence f(m, n, u) = f(m - 1, n, u - n) + f(m, n - 1, u) (the largest
 * value is an x, beating all n y's, or a y), over n with one row per m' <= m. */
static double exact_sf(long k, size_t m, size_t n)
{
    if (m > n) {
        const size_t t = m;
        m = n;
        n = t;
    }
    const size_t umax = m * n;
    if (k <= 0)
        return 1.0;
    if ((size_t)k > umax)
        return 0.0;
    double *f = calloc((m + 1) * (umax + 1), sizeof *f);
    if (!f)
        return NAN;
    for (size_t r = 0; r <= m; r++)
        f[r * (umax + 1)] = 1.0; /* zero y's: U = 0 */
    for (size_t nn = 1; nn <= n; nn++)
        for (size_t r = 1; r <= m; r++) {
            double *row = f + r * (umax + 1);
            const double *prev = f + (r - 1) * (umax + 1); /* already f(r - 1, nn) */
            for (size_t u = r * nn; u >= nn; u--) {
                row[u] += prev[u - nn];
                if (u == nn)
                    break;
            }
        }
    const double *row = f + m * (umax + 1);
    double total = 0, tail = 0;
    for (size_t u = 0; u <= umax; u++) {
        total += row[u];
        if (u >= (size_t)k)
            tail += row[u];
    }
    free(f);
    return tail / total;
}

int cb_mwu_test(const double *x, size_t nx, const double *y, size_t ny, cb_mwu_method method,
                cb_mwu *out)
{
    memset(out, 0, sizeof *out);
    out->p = NAN;
    if (nx == 0 || ny == 0)
        return -1;
    const size_t n = nx + ny;
    tagged *all = malloc(n * sizeof *all);
    if (!all)
        return -1;
    for (size_t i = 0; i < nx; i++) {
        if (!isfinite(x[i]))
            goto fail;
        all[i] = (tagged){x[i], 1};
    }
    for (size_t i = 0; i < ny; i++) {
        if (!isfinite(y[i]))
            goto fail;
        all[nx + i] = (tagged){y[i], 0};
    }
    qsort(all, n, sizeof *all, compare_tagged);
    double r1 = 0, tie_term = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && all[j].v == all[i].v)
            j++;
        const double rank = 0.5 * (double)(i + 1 + j); /* the average of ranks i+1 .. j */
        const double t = (double)(j - i);
        tie_term += t * t * t - t;
        for (size_t q = i; q < j; q++)
            if (all[q].from_x)
                r1 += rank;
        i = j;
    }
    free(all);

    const double n1 = (double)nx, n2 = (double)ny;
    out->u1 = r1 - n1 * (n1 + 1) / 2;
    out->ties = tie_term > 0;
    const double u = fmax(out->u1, n1 * n2 - out->u1);
    const size_t small = nx < ny ? nx : ny, large = nx < ny ? ny : nx;
    bool exact = method == CB_MWU_EXACT;
    if (method == CB_MWU_AUTO)
        exact = small <= EXACT_MAX_SMALL && large <= EXACT_MAX_LARGE && !out->ties;
    double p;
    if (exact) {
        p = 2 * exact_sf((long)floor(u), nx, ny);
        if (isnan(p))
            return -1;
    } else {
        const double s = sqrt(n1 * n2 / 12 * (((double)n + 1) - tie_term / ((double)n * (double)(n - 1))));
        const double num = u - n1 * n2 / 2 - 0.5;
        /* s == 0 only when every value is the same: num is then -1/2, z = -inf, p = 1 */
        p = s > 0 ? erfc(num / s / sqrt(2.0)) : 2.0; /* 2 * P(Z >= z) */
    }
    out->exact = exact;
    out->p = p < 0 ? 0 : p > 1 ? 1 : p;
    return 0;
fail:
    free(all);
    return -1;
}

double cb_mwu_min_p(size_t nx, size_t ny)
{
    if (nx == 0 || ny == 0)
        return 1.0;
    const size_t small = nx < ny ? nx : ny, large = nx < ny ? ny : nx;
    if (small <= EXACT_MAX_SMALL && large <= EXACT_MAX_LARGE) {
        /* 2 / C(nx + ny, small): only the two most extreme arrangements reach U = n1 n2 */
        double c = 1;
        for (size_t i = 1; i <= small; i++)
            c = c * (double)(large + i) / (double)i;
        const double p = 2 / c;
        return p > 1 ? 1 : p;
    }
    const double n1 = (double)nx, n2 = (double)ny, n = n1 + n2;
    const double s = sqrt(n1 * n2 / 12 * (n + 1));
    const double p = erfc((n1 * n2 / 2 - 0.5) / s / sqrt(2.0));
    return p > 1 ? 1 : p;
}
