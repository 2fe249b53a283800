/* compare.c - see compare.h. */
#include "compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_stats.h"
#include "figures.h"
#include "mann_whitney.h"
#include "report_data.h"

/* Appends "what (a in BASE, b in NEW)" to buf, "; "-separated, when a and b differ. NULL is
 * unknown, which differs from nothing; with both, NULL is "none", which differs from a value. */
static void differ(char *buf, size_t n, const char *what, const char *a, const char *b, bool both)
{
    const size_t len = strlen(buf);
    if ((a && b) ? strcmp(a, b) == 0 : !both || a == b)
        return;
    snprintf(buf + len, n - len, "%s%s (%s in BASE, %s in NEW)", len ? "; " : "", what, a ? a : "none",
             b ? b : "none");
}

static const char *num(char *buf, long long x)
{
    if (x <= 0)
        return NULL;
    snprintf(buf, 24, "%lld", x);
    return buf;
}

/* What makes a and b different configurations (into refuse) and what is only noted (c->warnings). */
static void differences(cb_cmp *c, const cb_rfile *a, const cb_rfile *b, char *refuse, size_t n)
{
    const cb_rcontext *x = &a->ctx, *y = &b->ctx;
    char p[24], q[24];
    refuse[0] = '\0';
    differ(refuse, n, "CPU", x->cpu_model, y->cpu_model, false);
    differ(refuse, n, "ISA", x->isa, y->isa, false);
    differ(refuse, n, "kernel variants", cb_rcontext_field(x, "kernel variants"),
           cb_rcontext_field(y, "kernel variants"), true);
    if (a->kind != CB_RF_SCALE) /* a scale figure is per thread count */
        differ(refuse, n, "threads", num(p, x->threads), num(q, y->threads), false);
    differ(refuse, n, "task", x->task, y->task, false);
    differ(refuse, n, "images per epoch", num(p, x->train_images), num(q, y->train_images), false);
    differ(refuse, n, "batch", num(p, x->batch), num(q, y->batch), false);
    differ(refuse, n, "scaling mode", cb_rcontext_field(x, "scaling mode"),
           cb_rcontext_field(y, "scaling mode"), true);
    static const char *const noted[] = {"threads", "git revision", "compiler", "build flags"};
    for (size_t i = 0; i < sizeof noted / sizeof noted[0]; i++) {
        const char *u = cb_rcontext_field(x, noted[i]), *v = cb_rcontext_field(y, noted[i]);
        const size_t len = strlen(c->warnings);
        if (u && v && strcmp(u, v) != 0) /* "threads": the binding, or the most a scale result ran */
            snprintf(c->warnings + len, sizeof c->warnings - len, "%s differs: %s in BASE, %s in NEW\n",
                     noted[i], u, v);
    }
}

static const char *kind_name(cb_rkind k)
{
    static const char *const names[] = {
        [CB_RF_TRAIN] = "a train result", [CB_RF_SCALE] = "a scale result",
        [CB_RF_STUDY] = "a study result (loss curves of the matched and the mismatched loss)",
        [CB_RF_REGRESSION] = "a regression result (iris fits per length bin)",
        [CB_RF_GBENCH] = "Google Benchmark JSON"};
    return names[k];
}

static void judge(cb_cmp_row *r, bool higher_better, double threshold_pct, double alpha)
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
    const double worse = higher_better ? -r->change_pct : r->change_pct; /* percent slower */
    const bool slower = worse > threshold_pct, faster = worse < -threshold_pct;
    if (!r->tested)
        r->verdict = slower ? CB_VERDICT_REGRESSION : faster ? CB_VERDICT_FASTER : CB_VERDICT_WITHIN;
    else if (!(r->p < alpha))
        r->verdict = CB_VERDICT_NOT_SIGNIFICANT;
    else if (worse > 0)
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
    const cb_rfile *both[2] = {base, new_};
    for (size_t i = 0; i < 2; i++)
        if (both[i]->kind == CB_RF_STUDY || both[i]->kind == CB_RF_REGRESSION) {
            snprintf(err, errlen, "not comparable: %s is %s, which holds no timings; compare reads train, "
                                  "scale and Google Benchmark results", both[i]->path, kind_name(both[i]->kind));
            return -1;
        } else if (both[i]->ctx.oversubscribed) {
            snprintf(err, errlen, "not comparable: %s was run oversubscribed (more threads than PUs, "
                                  "--oversubscribe), so its timings mean nothing", both[i]->path);
            return -1;
        }
    if (base->kind != new_->kind) {
        snprintf(err, errlen, "%s is %s but %s is %s: compare needs two results of the same kind",
                 base->path, kind_name(base->kind), new_->path, kind_name(new_->kind));
        return -1;
    }
    char refuse[768];
    differences(out, base, new_, refuse, sizeof refuse);
    if (refuse[0]) {
        snprintf(err, errlen, "not comparable: %s and %s differ in %s; compare checks one configuration "
                              "against itself (cifarbench report shows different ones side by side)",
                 base->path, new_->path, refuse);
        return -1;
    }
    out->higher_better = cb_figures_higher_better(base->kind);
    out->what = out->higher_better ? "images/s, higher is better" : "real time, lower is better";
    size_t nb = 0, nn = 0;
    cb_figure *sb = NULL, *sn = NULL;
    const bool loaded = cb_figures_of(base, &sb, &nb) == 0 && cb_figures_of(new_, &sn, &nn) == 0;
    out->rows = loaded ? calloc(nb ? nb : 1, sizeof *out->rows) : NULL;
    bool *matched = out->rows ? calloc(nn ? nn : 1, sizeof *matched) : NULL;
    if (!matched) {
        snprintf(err, errlen, "out of memory");
        free(out->rows);
        cb_figures_free(sb, nb);
        cb_figures_free(sn, nn);
        return -1;
    }
    for (size_t i = 0; i < nb; i++) {
        size_t k = 0; /* each figure of NEW once (the loader refuses duplicates) */
        while (k < nn && (matched[k] || strcmp(sn[k].name, sb[i].name) != 0))
            k++;
        if (k == nn) {
            out->only_base++;
            continue;
        }
        matched[k] = true;
        cb_cmp_row *r = &out->rows[out->n++];
        snprintf(r->name, sizeof r->name, "%s", sb[i].name);
        r->base = sb[i].v;
        r->n_base = sb[i].n;
        r->new_ = sn[k].v;
        r->n_new = sn[k].n;
        sb[i].v = sn[k].v = NULL; /* owned by the row now */
        r->flagged_base = sb[i].flagged;
        r->flagged_new = sn[k].flagged;
        r->reason = sb[i].reason ? sb[i].reason : sn[k].reason;
        r->base_median = cb_median(r->base, r->n_base);
        r->new_median = cb_median(r->new_, r->n_new);
        r->change_pct = (r->new_median - r->base_median) / r->base_median * 100;
        judge(r, out->higher_better, threshold_pct, alpha);
        out->regressions += r->verdict == CB_VERDICT_REGRESSION;
        out->untested += !r->tested;
        out->flagged += r->flagged_base || r->flagged_new;
    }
    for (size_t k = 0; k < nn; k++)
        out->only_new += !matched[k];
    free(matched);
    cb_figures_free(sb, nb);
    cb_figures_free(sn, nn);
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
