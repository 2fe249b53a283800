/* finite_diff.c - central finite differences (finite_diff.h). */
#include "finite_diff.h"

#include <stdio.h>

#include "kernel_test.h"

double cbt_central_diff(cbt_objective_fn *f, void *ctx, double *p, double h)
{
    const double p0 = *p;
    *p = p0 + h;
    const double up = f(ctx);
    *p = p0 - h;
    const double down = f(ctx);
    *p = p0;
    return (up - down) / (2.0 * h);
}

double cbt_central_diff_f(cbt_objective_fn *f, void *ctx, float *p, float h)
{
    const float p0 = *p;
    *p = p0 + h;
    const double up = f(ctx);
    *p = p0 - h;
    const double down = f(ctx);
    *p = p0;
    return (up - down) / (2.0 * h);
}

void cbt_fd_gradient(cbt_objective_fn *f, void *ctx, double *p, size_t n, double h, double *g)
{
    for (size_t i = 0; i < n; i++)
        g[i] = cbt_central_diff(f, ctx, &p[i], h);
}

void cbt_assert_fd(const char *what, const char *shape, const float *gotf, const double *gotd,
                   const double *fd, size_t n, double tol)
{
    for (size_t i = 0; i < n; i++) {
        char name[160];
        snprintf(name, sizeof name, "%s %s[%zu]", what, shape, i);
        cbt_assert_rel(name, gotf ? (double)gotf[i] : gotd[i], fd[i], tol, 1.0);
    }
}
