/* figures.c - see figures.h. */
#include "figures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_data.h"

bool cb_figures_higher_better(cb_rkind kind)
{
    return kind != CB_RF_GBENCH;
}

const char *cb_figures_unit(cb_rkind kind)
{
    return cb_figures_higher_better(kind) ? "images/s" : "s";
}

void cb_figures_free(cb_figure *f, size_t n)
{
    for (size_t i = 0; f && i < n; i++)
        free(f[i].v);
    free(f);
}

const cb_figure *cb_figure_find(const cb_figure *fig, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(fig[i].name, name) == 0)
            return &fig[i];
    return NULL;
}

/* Counts m repetitions as flagged when c says so. */
static void contention(cb_figure *x, const cbr_contention *c, size_t m)
{
    if (c->flagged != 1)
        return;
    x->flagged += m;
    if (!x->reason)
        x->reason = c->reasons.n ? c->reasons.v[0] : "flagged by the harness, no reason given";
}

static int train_figures(const cbr_train *t, cb_figure *s, size_t *n)
{
    snprintf(s[0].name, sizeof s[0].name, "train images/s");
    if (!(s[0].v = malloc((t->epochs.n ? t->epochs.n : 1) * sizeof *s[0].v)))
        return -1;
    for (size_t e = 0; e < t->epochs.n; e++) {
        s[0].v[s[0].n++] = t->epochs.v[e].images_per_s;
        contention(&s[0], &t->epochs.v[e].contention, 1);
    }
    *n = 1;
    return 0;
}

static int scale_figures(const cbr_scale *sc, cb_figure *s, size_t *n)
{
    for (size_t i = 0; i < sc->scaling.n; i++) {
        const cbr_scale_point *r = &sc->scaling.v[i];
        cb_figure *x = &s[(*n)++];
        snprintf(x->name, sizeof x->name, "scale %lld thread%s images/s", r->threads, r->threads == 1 ? "" : "s");
        const size_t m = r->seconds_all.n ? r->seconds_all.n : 1;
        if (!(x->v = malloc(m * sizeof *x->v)))
            return -1;
        for (x->n = 0; x->n < m; x->n++) /* the point's images over each repetition's seconds */
            x->v[x->n] = r->images_per_s * r->seconds / (r->seconds_all.n ? r->seconds_all.v[x->n] : r->seconds);
        contention(x, &r->contention, m);
    }
    return 0;
}

static int gbench_figures(const cb_rgbench *g, cb_figure *s, size_t *n)
{
    for (size_t i = 0; i < g->n; i++) {
        const char *name = g->benchmarks[i].run_name;
        if (cb_figure_find(s, *n, name))
            continue;
        cb_figure *x = &s[*n];
        if (!(x->v = malloc(g->n * sizeof *x->v)))
            return -1;
        snprintf(x->name, sizeof x->name, "%s", name);
        if ((x->n = cb_rd_bench_times(g, name, x->v)) > 0)
            (*n)++;
        else {
            free(x->v);
            x->v = NULL;
        }
    }
    return 0;
}

int cb_figures_of(const cb_rfile *f, cb_figure **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    const size_t cap = f->kind == CB_RF_TRAIN ? 1 : f->kind == CB_RF_SCALE ? f->res.scale.scaling.n
                     : f->kind == CB_RF_GBENCH ? f->gbench.n : 0;
    cb_figure *s = calloc(cap ? cap : 1, sizeof *s);
    if (!s)
        return -1;
    size_t n = 0;
    const int rc = f->kind == CB_RF_TRAIN   ? train_figures(&f->res.train, s, &n)
                   : f->kind == CB_RF_SCALE  ? scale_figures(&f->res.scale, s, &n)
                   : f->kind == CB_RF_GBENCH ? gbench_figures(&f->gbench, s, &n)
                                             : 0;
    if (rc != 0) {
        cb_figures_free(s, cap);
        return -1;
    }
    *out = s;
    *count = n;
    return 0;
}
