/* compare.c - see compare.h. */
#include "compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mann_whitney.h"

typedef struct sample {
    char name[160];
    double *v;
    size_t n;
} sample;

static void free_samples(sample *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        free(s[i].v);
    free(s);
}

/* The figures of one file; NULL when out of memory (count 0 is possible for an all-error
 * benchmark file). */
static sample *figures(const cb_rfile *f, size_t *count)
{
    *count = 0;
    const size_t cap = f->kind == CB_RF_TRAIN ? 1 : f->kind == CB_RF_SCALE ? f->scale.n_rows : f->gbench.n;
    sample *s = calloc(cap ? cap : 1, sizeof *s);
    if (!s)
        return NULL;
    size_t n = 0;
    if (f->kind == CB_RF_TRAIN) {
        snprintf(s[0].name, sizeof s[0].name, "train s/epoch");
        s[0].v = malloc(f->train.n_epochs * sizeof *s[0].v);
        if (!s[0].v)
            goto oom;
        for (size_t e = 0; e < f->train.n_epochs; e++)
            s[0].v[s[0].n++] = f->train.epochs[e].seconds;
        n = 1;
    } else if (f->kind == CB_RF_SCALE) {
        for (size_t i = 0; i < f->scale.n_rows; i++) {
            const cb_rscale_row *r = &f->scale.rows[i];
            sample *x = &s[n++];
            snprintf(x->name, sizeof x->name, "scale %d thread%s s/epoch", r->threads, r->threads == 1 ? "" : "s");
            const size_t m = r->n_seconds_all ? r->n_seconds_all : 1;
            x->v = malloc(m * sizeof *x->v);
            if (!x->v)
                goto oom;
            if (r->n_seconds_all)
                memcpy(x->v, r->seconds_all, m * sizeof *x->v);
            else
                x->v[0] = r->seconds;
            x->n = m;
        }
    } else {
        const cb_rgbench *g = &f->gbench;
        for (size_t i = 0; i < g->n; i++) {
            const cb_rbench *b = &g->benchmarks[i];
            if (b->error || !isfinite(b->real_time))
                continue;
            size_t k = 0;
            while (k < n && strcmp(s[k].name, b->run_name) != 0)
                k++;
            if (k == n) {
                snprintf(s[n].name, sizeof s[n].name, "%s", b->run_name);
                s[n].v = malloc(g->n * sizeof *s[n].v);
                if (!s[n].v)
                    goto oom;
                n++;
            }
            if (!b->aggregate)
                s[k].v[s[k].n++] = b->real_time;
        }
        /* only aggregates written (--benchmark_report_aggregates_only): the median, else the mean */
        for (size_t k = 0; k < n; k++) {
            if (s[k].n)
                continue;
            static const char *const aggs[] = {"median", "mean"};
            for (size_t a = 0; a < 2 && !s[k].n; a++)
                for (size_t i = 0; i < g->n && !s[k].n; i++) {
                    const cb_rbench *b = &g->benchmarks[i];
                    if (b->aggregate && !b->error && b->aggregate_name &&
                        strcmp(b->aggregate_name, aggs[a]) == 0 && strcmp(b->run_name, s[k].name) == 0 &&
                        isfinite(b->real_time))
                        s[k].v[s[k].n++] = b->real_time;
                }
        }
        /* drop names with nothing usable (e.g. only stddev aggregates) */
        size_t w = 0;
        for (size_t k = 0; k < n; k++) {
            if (s[k].n)
                s[w++] = s[k];
            else
                free(s[k].v);
        }
        n = w;
    }
    *count = n;
    return s;
oom:
    free_samples(s, cap);
    return NULL;
}

static void warn(cb_cmp *c, const char *what, const char *a, const char *b)
{
    const size_t len = strlen(c->warnings);
    snprintf(c->warnings + len, sizeof c->warnings - len, "%s differs: %s in BASE, %s in NEW\n", what,
             a ? a : "?", b ? b : "?");
}

static void context_warnings(cb_cmp *c, const cb_rfile *a, const cb_rfile *b)
{
    if (a->ctx.cpu_model && b->ctx.cpu_model && strcmp(a->ctx.cpu_model, b->ctx.cpu_model) != 0)
        warn(c, "CPU", a->ctx.cpu_model, b->ctx.cpu_model);
    if (strcmp(a->ctx.isa, b->ctx.isa) != 0)
        warn(c, "ISA", a->ctx.isa, b->ctx.isa);
    char x[32], y[32];
    if (a->ctx.threads && b->ctx.threads && a->ctx.threads != b->ctx.threads) {
        snprintf(x, sizeof x, "%d", a->ctx.threads);
        snprintf(y, sizeof y, "%d", b->ctx.threads);
        warn(c, "threads", x, y);
    }
    if (a->ctx.train_images > 0 && b->ctx.train_images > 0 && a->ctx.train_images != b->ctx.train_images) {
        snprintf(x, sizeof x, "%ld", a->ctx.train_images);
        snprintf(y, sizeof y, "%ld", b->ctx.train_images);
        warn(c, "images per epoch (times are not comparable)", x, y);
    }
    const long ba = a->kind == CB_RF_TRAIN ? a->train.batch : a->kind == CB_RF_SCALE ? a->scale.batch : -1;
    const long bb = b->kind == CB_RF_TRAIN ? b->train.batch : b->kind == CB_RF_SCALE ? b->scale.batch : -1;
    if (ba > 0 && bb > 0 && ba != bb) {
        snprintf(x, sizeof x, "%ld", ba);
        snprintf(y, sizeof y, "%ld", bb);
        warn(c, "batch", x, y);
    }
}

static const char *kind_name(cb_rkind k)
{
    return k == CB_RF_TRAIN ? "a train result" : k == CB_RF_SCALE ? "a scale result" : "Google Benchmark JSON";
}

static void judge(cb_cmp_row *r, double threshold_pct, double alpha)
{
    r->p = NAN;
    r->tested = r->n_base >= CB_CMP_MIN_REPS && r->n_new >= CB_CMP_MIN_REPS &&
                cb_mwu_min_p(r->n_base, r->n_new) < alpha;
    cb_mwu u;
    if (r->tested && cb_mwu_test(r->base, r->n_base, r->new_, r->n_new, CB_MWU_AUTO, &u) == 0) {
        r->p = u.p;
        r->exact = u.exact;
    } else {
        r->tested = false;
    }
    const bool slower = r->change_pct > threshold_pct, faster = r->change_pct < -threshold_pct;
    if (!r->tested)
        r->verdict = slower ? CB_VERDICT_REGRESSION : faster ? CB_VERDICT_FASTER : CB_VERDICT_WITHIN;
    else if (!(r->p < alpha))
        r->verdict = CB_VERDICT_NOT_SIGNIFICANT;
    else if (r->new_median > r->base_median)
        r->verdict = slower ? CB_VERDICT_REGRESSION : CB_VERDICT_SLOWER_WITHIN;
    else
        r->verdict = faster ? CB_VERDICT_FASTER : CB_VERDICT_FASTER_WITHIN;
}

int cb_compare(const cb_rfile *base, const cb_rfile *new_, double threshold_pct, double alpha,
               cb_cmp *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->threshold_pct = threshold_pct;
    out->alpha = alpha;
    if (base->kind != new_->kind) {
        snprintf(err, errlen, "%s is %s but %s is %s: compare needs two results of the same kind",
                 base->path, kind_name(base->kind), new_->path, kind_name(new_->kind));
        return -1;
    }
    size_t nb, nn;
    sample *sb = figures(base, &nb), *sn = figures(new_, &nn);
    if (!sb || !sn) {
        snprintf(err, errlen, "out of memory");
        free_samples(sb, nb);
        free_samples(sn, nn);
        return -1;
    }
    out->rows = calloc(nb ? nb : 1, sizeof *out->rows);
    if (!out->rows) {
        snprintf(err, errlen, "out of memory");
        free_samples(sb, nb);
        free_samples(sn, nn);
        return -1;
    }
    bool *matched = calloc(nn ? nn : 1, sizeof *matched);
    for (size_t i = 0; i < nb; i++) {
        size_t k = 0;
        while (k < nn && strcmp(sn[k].name, sb[i].name) != 0)
            k++;
        if (k == nn) {
            out->only_base++;
            continue;
        }
        if (matched)
            matched[k] = true;
        cb_cmp_row *r = &out->rows[out->n++];
        snprintf(r->name, sizeof r->name, "%s", sb[i].name);
        r->base = sb[i].v;
        r->n_base = sb[i].n;
        r->new_ = sn[k].v;
        r->n_new = sn[k].n;
        sb[i].v = sn[k].v = NULL; /* owned by the row now */
        r->base_median = cb_median(r->base, r->n_base);
        r->new_median = cb_median(r->new_, r->n_new);
        r->change_pct = (r->new_median - r->base_median) / r->base_median * 100;
        judge(r, threshold_pct, alpha);
        out->regressions += r->verdict == CB_VERDICT_REGRESSION;
        out->untested += !r->tested;
    }
    for (size_t k = 0; k < nn; k++)
        out->only_new += matched && !matched[k];
    free(matched);
    free_samples(sb, nb);
    free_samples(sn, nn);
    context_warnings(out, base, new_);
    if (out->n == 0) {
        snprintf(err, errlen, "%s and %s have no figure in common (%zu only in BASE, %zu only in NEW)",
                 base->path, new_->path, out->only_base, out->only_new);
        cb_compare_free(out);
        return -1;
    }
    return 0;
}

void cb_compare_free(cb_cmp *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->rows[i].base);
        free(c->rows[i].new_);
    }
    free(c->rows);
    c->rows = NULL;
    c->n = 0;
}

const char *cb_verdict_text(const cb_cmp_row *r, char *buf, size_t n)
{
    const char *t = "?";
    switch (r->verdict) {
    case CB_VERDICT_REGRESSION: t = "REGRESSION"; break;
    case CB_VERDICT_SLOWER_WITHIN: t = "slower, within threshold"; break;
    case CB_VERDICT_NOT_SIGNIFICANT: t = "no significant change"; break;
    case CB_VERDICT_WITHIN: t = "within threshold"; break;
    case CB_VERDICT_FASTER_WITHIN: t = "faster, within threshold"; break;
    case CB_VERDICT_FASTER: t = "faster"; break;
    }
    snprintf(buf, n, "%s%s", t, r->tested ? "" : " (median only: too few reps)");
    return buf;
}
