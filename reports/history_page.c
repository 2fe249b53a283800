/* history_page.c - see history_page.h. */
#define _POSIX_C_SOURCE 200809L /* gmtime_r */
#include "history_page.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "svg_chart.h"

const char *cb_history_change_text(char *buf, size_t n, const cb_cp *c)
{
    snprintf(buf, n, "%+.1f%%", c->change * 100);
    return buf;
}

static const char *rev(const cb_hpoint *p)
{
    return p->revision[0] ? p->revision : "unknown";
}

const char *cb_history_commits(char *buf, size_t n, const cb_hseries *s, const cb_cp *c)
{
    snprintf(buf, n, "%s..%s", rev(&s->points[c->index - 1]), rev(&s->points[c->index]));
    return buf;
}

static const char *date_text(char *buf, size_t n, long long t)
{
    if (t < 0)
        return "-";
    const time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, n, "%Y-%m-%d %H:%M", &tm);
    return buf;
}

/* The chart: medians, whiskers, the segment levels, the change points. */
static void chart(cb_out *o, const cb_hseries *s, const cb_cp_result *cp)
{
    double *v = malloc(4 * (s->n ? s->n : 1) * sizeof *v);
    const char **labels = malloc((s->n ? s->n : 1) * sizeof *labels);
    if (!v || !labels) {
        free(v);
        free(labels);
        o->b->failed = true;
        return;
    }
    double *median = v, *lo = v + s->n, *hi = v + 2 * s->n, *level = v + 3 * s->n;
    for (size_t i = 0, seg = 0; i < s->n; i++) {
        while (seg < cp->n && cp->points[seg].index <= i)
            seg++;
        median[i] = s->points[i].median;
        lo[i] = s->points[i].lo;
        hi[i] = s->points[i].hi;
        level[i] = seg < cp->n ? cp->points[seg].before : cp->n ? cp->points[cp->n - 1].after : NAN;
        labels[i] = rev(&s->points[i]);
    }
    size_t breaks[CB_CP_MAX];
    char text[CB_CP_MAX][16];
    const char *break_labels[CB_CP_MAX];
    for (size_t b = 0; b < cp->n; b++) {
        breaks[b] = cp->points[b].index;
        break_labels[b] = cb_history_change_text(text[b], sizeof text[b], &cp->points[b]);
    }
    char title[sizeof s->figure + sizeof s->machine + sizeof s->config + 8];
    snprintf(title, sizeof title, "%s on %s (%s)", s->figure, s->machine, s->config);
    const cb_svg_trend t = {title, s->unit, median, lo, hi, cp->n ? level : NULL, labels, s->n, breaks,
                            break_labels, cp->n};
    cb_svg_trend_chart(o->b, &t);
    free(v);
    free(labels);
}

static void change_table(cb_out *o, const cb_hseries *s, const cb_cp_result *cp)
{
    if (!cp->n) {
        cb_out_para(o, "note", "No change point: one level over all runs.");
        return;
    }
    static const char *const cols[] = {"first run after", "commits", "before", "after", "change", "p"};
    cb_out_table(o, cols, "ntnnnn");
    for (size_t i = 0; i < cp->n; i++) {
        const cb_cp *c = &cp->points[i];
        char b[160];
        cb_out_cellf(o, "%zu", c->index);
        cb_out_cell(o, cb_history_commits(b, sizeof b, s, c));
        cb_out_cellf(o, "%.6g %s", c->before, s->unit);
        cb_out_cellf(o, "%.6g %s", c->after, s->unit);
        cb_out_cell(o, cb_history_change_text(b, sizeof b, c));
        cb_out_cellf(o, "%.3f", c->p);
    }
    cb_out_table_end(o);
}

static void runs_table(cb_out *o, const cb_hseries *s)
{
    static const char *const cols[] = {"run", "revision", "commit time (UTC)", "median", "min", "max", "reps"};
    cb_out_table(o, cols, "nttnnnn");
    for (size_t i = 0; i < s->n; i++) {
        const cb_hpoint *p = &s->points[i];
        char d[32];
        cb_out_cellf(o, "%zu", i);
        cb_out_cell(o, rev(p));
        cb_out_cell(o, date_text(d, sizeof d, p->commit_time));
        cb_out_cellf(o, "%.6g", p->median);
        cb_out_cellf(o, "%.6g", p->lo);
        cb_out_cellf(o, "%.6g", p->hi);
        if (p->flagged)
            cb_out_cellf(o, "%lld (%lld flagged)", p->n, p->flagged);
        else
            cb_out_cellf(o, "%lld", p->n);
    }
    cb_out_table_end(o);
}

void cb_history_page(cb_out *o, const void *arg)
{
    const cb_history *h = arg;
    const char *kinds[] = {"history database"};
    static const char *const links[] = {"trends", "Trends"};
    cb_out_begin(o, &h->db_path, kinds, 1, links, 1);
    cb_out_section(o, "trends", "Trends");
    char text[512];
    snprintf(text, sizeof text,
             "Each series is one figure of one configuration on one machine, its runs in commit order. "
             "Change points: E-divisive means with a permutation test at p < %g; each is marked with the "
             "change of the median from the segment before it to the segment after it.", h->alpha);
    cb_out_para(o, "explain", text);
    if (!h->n)
        cb_out_para(o, "note", "No runs match (cifarbench record adds them; history --list shows what is there).");
    for (size_t i = 0; i < h->n; i++) {
        const cb_hseries *s = &h->series[i];
        snprintf(text, sizeof text, "%s; %s, %s is better", s->machine, s->unit, s->higher_better ? "higher" : "lower");
        cb_out_heading(o, s->figure, text);
        cb_out_para(o, NULL, s->config);
        if (o->html)
            chart(o, s, &h->changes[i]);
        change_table(o, s, &h->changes[i]);
        if (!o->html)
            runs_table(o, s);
    }
    cb_out_section_end(o);
    cb_out_end(o);
}
