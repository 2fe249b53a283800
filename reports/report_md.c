/* report_md.c - see report_md.h. GitHub-flavoured Markdown tables; every value from a file is
 * escaped so that a '|' in a CPU name cannot break a table. */
#include "report_md.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_data.h"

static void cell(cb_sb *o, const char *s)
{
    cb_sb_put(o, " ");
    cb_sb_md(o, s && *s ? s : "-");
    cb_sb_put(o, " |");
}

static void header(cb_sb *o, const char *const *cols, size_t n, size_t n_left)
{
    cb_sb_put(o, "|");
    for (size_t i = 0; i < n; i++) {
        if (cols[i][0])
            cell(o, cols[i]);
        else
            cb_sb_put(o, "   |"); /* the label column's empty heading */
    }
    cb_sb_put(o, "\n|");
    for (size_t i = 0; i < n; i++)
        cb_sb_put(o, i < n_left ? ":---|" : "---:|");
    cb_sb_put(o, "\n");
}

static void file_heading(cb_sb *o, const cb_rfile *f, const char *extra)
{
    cb_sb_put(o, "### ");
    cb_sb_md(o, cb_rd_file_label(f));
    cb_sb_put(o, " (");
    cb_sb_md(o, f->ctx.isa);
    if (extra && *extra) {
        cb_sb_put(o, ", ");
        cb_sb_md(o, extra);
    }
    cb_sb_put(o, ")\n\n");
}

static size_t count_kind(const cb_rfile *files, size_t n, cb_rkind k)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += files[i].kind == k;
    return c;
}

/* One group's context: the fields every file shares, then what differs, a column per file. */
static void context_group(cb_sb *o, const cb_rfile *files, size_t n, bool gbench)
{
    cb_rd_context c;
    cb_rd_context_build(files, n, gbench, &c);
    if (c.n_files == 0)
        return;
    if (gbench)
        cb_sb_put(o, "### Kernel benchmark runs (Google Benchmark)\n\n");
    size_t n_common = 0;
    for (size_t k = 0; k < c.n; k++)
        n_common += c.common[k] != NULL;
    if (n_common) {
        const char *hdr[] = {"", c.n_files > 1 ? "all files" : "value"};
        header(o, hdr, 2, 2);
        for (size_t k = 0; k < c.n; k++)
            if (c.common[k]) {
                cb_sb_put(o, "|");
                cell(o, c.labels[k]);
                cell(o, c.common[k]);
                cb_sb_put(o, "\n");
            }
        cb_sb_put(o, "\n");
    }
    if (c.n_files == 1 && !gbench)
        return;
    if (c.n_files == 1 && n_common == c.n)
        return;
    cb_sb_put(o, "|   |");
    for (size_t f = 0; f < n; f++)
        if (cb_rd_in_group(&files[f], &c))
            cell(o, cb_rd_file_label(&files[f]));
    cb_sb_put(o, "\n|:---|");
    for (size_t f = 0; f < c.n_files; f++)
        cb_sb_put(o, ":---|");
    cb_sb_put(o, "\n");
    if (!gbench) {
        cb_sb_put(o, "|");
        cell(o, "result");
        for (size_t f = 0; f < n; f++)
            if (cb_rd_in_group(&files[f], &c))
                cell(o, files[f].command);
        cb_sb_put(o, "\n");
    }
    for (size_t k = 0; k < c.n; k++) {
        if (c.common[k])
            continue;
        cb_sb_put(o, "|");
        cell(o, c.labels[k]);
        for (size_t f = 0; f < n; f++)
            if (cb_rd_in_group(&files[f], &c))
                cell(o, cb_rcontext_field(&files[f].ctx, c.labels[k]));
        cb_sb_put(o, "\n");
    }
    cb_sb_put(o, "\n");
}

static void section_context(cb_sb *o, const cb_rfile *files, size_t n)
{
    cb_sb_put(o, "## Context\n\n");
    context_group(o, files, n, false);
    context_group(o, files, n, true);
}

static void section_isa(cb_sb *o, const cb_rfile *files, size_t n)
{
    cb_sb_put(o, "## ISA comparison\n\n");
    char note[256];
    size_t ng;
    cb_rd_isa *g = cb_rd_isa_compare(files, n, &ng, note, sizeof note);
    if (!g || ng == 0) {
        cb_sb_put(o, "_" CB_RD_NOTE_NO_TRAIN "_\n\n");
        free(g);
        return;
    }
    cb_sb_put(o, "Train results grouped by the ISA that ran; medians over every epoch of the group. "
                 "\"vs slowest\" and \"vs scalar\" are this group's images/s over "
                 "that group's.\n\n");
    static const char *const cols[] = {"ISA", "files", "epochs", "threads", "images/epoch",
                                       "median s/epoch", "images/s", "images/s/core", "GFLOP/s",
                                       "% of peak", "vs slowest", "vs scalar"};
    header(o, cols, sizeof cols / sizeof cols[0], 1);
    for (size_t k = 0; k < ng; k++) {
        const cb_rd_isa *r = &g[k];
        char a[64];
        cb_sb_put(o, "|");
        cell(o, r->isa);
        cb_sb_printf(o, " %zu | %zu |", r->files, r->epochs);
        if (r->threads)
            cb_sb_printf(o, " %d |", r->threads);
        else
            cb_sb_put(o, " mixed |");
        cb_sb_printf(o, " %s |", cb_fmt_count(a, sizeof a, r->images_per_epoch));
        cb_sb_printf(o, " %s |", cb_fmt_seconds(a, sizeof a, r->median_seconds));
        cb_sb_printf(o, " %s |", cb_fmt_count(a, sizeof a, r->images_per_s));
        cb_sb_printf(o, " %s |", cb_fmt_count(a, sizeof a, r->images_per_s_per_core));
        cb_sb_printf(o, " %s |", cb_fmt_fixed(a, sizeof a, r->gflops, 2));
        cb_sb_printf(o, " %s |", isfinite(r->percent_of_peak) ? (snprintf(a, sizeof a, "%.1f%%", r->percent_of_peak), a) : "-");
        cb_sb_printf(o, " %s |", isfinite(r->vs_slowest) ? (snprintf(a, sizeof a, "x%.2f", r->vs_slowest), a) : "-");
        cb_sb_printf(o, " %s |\n", isfinite(r->vs_scalar) ? (snprintf(a, sizeof a, "x%.2f", r->vs_scalar), a) : "-");
    }
    cb_sb_put(o, "\n");
    if (note[0])
        cb_sb_printf(o, "**Note:** %s\n\n", note);
    free(g);
}

static void section_layers(cb_sb *o, const cb_rfile *files, size_t n)
{
    cb_sb_put(o, "## Per-layer breakdown\n\n");
    if (!count_kind(files, n, CB_RF_TRAIN)) {
        cb_sb_put(o, "_" CB_RD_NOTE_NO_TRAIN "_\n\n");
        return;
    }
    size_t shown = 0;
    for (size_t f = 0; f < n; f++) {
        if (files[f].kind != CB_RF_TRAIN)
            continue;
        size_t nl;
        cb_rd_layer *l = cb_rd_layers(&files[f].train, &nl);
        if (!l || nl == 0) {
            free(l);
            continue;
        }
        shown++;
        file_heading(o, &files[f], NULL);
        static const char *const cols[] = {"layer", "forward", "backward", "other", "total", "share"};
        header(o, cols, 6, 1);
        for (size_t k = 0; k < nl; k++) {
            char a[5][32];
            cb_sb_put(o, "|");
            cell(o, l[k].layer);
            cb_sb_printf(o, " %s | %s | %s | %s | %s |\n",
                         l[k].forward > 0 ? cb_fmt_seconds(a[0], 32, l[k].forward) : "-",
                         l[k].backward > 0 ? cb_fmt_seconds(a[1], 32, l[k].backward) : "-",
                         l[k].other > 0 ? cb_fmt_seconds(a[2], 32, l[k].other) : "-",
                         cb_fmt_seconds(a[3], 32, l[k].total),
                         cb_fmt_percent(a[4], 32, l[k].share, 1));
        }
        cb_sb_put(o, "\n");
        free(l);
    }
    if (!shown)
        cb_sb_put(o, "_" CB_RD_NOTE_NO_LAYERS "_\n\n");
}

static void section_scaling(cb_sb *o, const cb_rfile *files, size_t n)
{
    cb_sb_put(o, "## Thread scaling\n\n");
    if (!count_kind(files, n, CB_RF_SCALE)) {
        cb_sb_put(o, "_" CB_RD_NOTE_NO_SCALE "_\n\n");
        return;
    }
    for (size_t f = 0; f < n; f++) {
        if (files[f].kind != CB_RF_SCALE)
            continue;
        const cb_rscale *s = &files[f].scale;
        char extra[96] = "";
        if (s->repetitions > 0)
            snprintf(extra, sizeof extra, "median of %ld repetition%s", s->repetitions,
                     s->repetitions == 1 ? "" : "s");
        file_heading(o, &files[f], extra);
        static const char *const cols[] = {"threads", "PUs", "s/epoch", "images/s", "images/s/core",
                                           "speed-up", "efficiency", "sync share",
                                           "weights = 1 thread", "test acc"};
        header(o, cols, 10, 2);
        for (size_t i = 0; i < s->n_rows; i++) {
            const cb_rscale_row *r = &s->rows[i];
            char a[7][32];
            cb_sb_printf(o, "| %d |", r->threads);
            cell(o, r->thread_pus);
            cb_sb_printf(o, " %s | %s | %s | %s | %s | %s | %s | %s |\n",
                         cb_fmt_seconds(a[0], 32, r->seconds), cb_fmt_count(a[1], 32, r->images_per_s),
                         cb_fmt_count(a[2], 32, r->images_per_s_per_core),
                         isfinite(r->speedup) ? (snprintf(a[3], 32, "x%.2f", r->speedup), a[3]) : "-",
                         cb_fmt_percent(a[4], 32, r->efficiency, 0),
                         cb_fmt_percent(a[5], 32, r->sync_share, 1),
                         r->weights_identical == 1 ? "yes" : r->weights_identical == 0 ? "**no**" : "-",
                         cb_fmt_percent(a[6], 32, r->test_accuracy, 1));
        }
        cb_sb_put(o, "\n");
    }
}

static void section_kernels(cb_sb *o, const cb_rfile *files, size_t n)
{
    cb_sb_put(o, "## Kernels: GFLOP/s against the measured peak\n\n");
    if (!count_kind(files, n, CB_RF_GBENCH)) {
        cb_sb_put(o, "_" CB_RD_NOTE_NO_KERNELS "_\n\n");
        return;
    }
    for (size_t f = 0; f < n; f++) {
        if (files[f].kind != CB_RF_GBENCH)
            continue;
        size_t nk;
        cb_rd_kernel *k = cb_rd_kernels(&files[f], files, n, &nk);
        if (!k)
            continue;
        cb_sb_put(o, "### ");
        cb_sb_md(o, cb_rd_file_label(&files[f]));
        cb_sb_put(o, "\n\n");
        /* the peak each ISA is measured against, once per ISA */
        size_t shown = 0;
        for (size_t i = 0; i < nk; i++) {
            bool first = isfinite(k[i].peak_gflops);
            for (size_t j = 0; j < i && first; j++)
                first = strcmp(k[j].isa, k[i].isa) != 0 || !isfinite(k[j].peak_gflops);
            if (!first)
                continue;
            cb_sb_put(o, shown++ ? "; " : "Measured peaks: ");
            cb_sb_md(o, k[i].isa[0] ? k[i].isa : "(no ISA)");
            cb_sb_printf(o, " %.1f GFLOP/s (", k[i].peak_gflops);
            cb_sb_md(o, k[i].peak_source ? k[i].peak_source : "?");
            cb_sb_put(o, ")");
        }
        if (shown)
            cb_sb_put(o, ".\n\n");
        static const char *const cols[] = {"benchmark", "ISA", "reps", "time (median)", "GFLOP/s",
                                           "peak GFLOP/s", "% of peak"};
        header(o, cols, 7, 2);
        for (size_t i = 0; i < nk; i++) {
            const cb_rd_kernel *x = &k[i];
            char a[4][32];
            cb_sb_put(o, "|");
            cell(o, x->name);
            cell(o, x->isa);
            if (x->error) {
                cb_sb_put(o, " - | error: ");
                cb_sb_md(o, x->error_message ? x->error_message : "(no message)");
                cb_sb_put(o, " | - | - | - |\n");
                continue;
            }
            if (x->repetitions)
                cb_sb_printf(o, " %zu |", x->repetitions);
            else
                cb_sb_put(o, " aggregate |");
            cb_sb_printf(o, " %s | %s | %s | %s |\n", cb_fmt_seconds(a[0], 32, x->real_time),
                         cb_fmt_fixed(a[1], 32, x->gflops, 2), cb_fmt_fixed(a[2], 32, x->peak_gflops, 1),
                         isfinite(x->percent_of_peak) ? (snprintf(a[3], 32, "%.1f%%", x->percent_of_peak), a[3]) : "-");
        }
        cb_sb_put(o, "\n");
        free(k);
    }
}

static void section_learning(cb_sb *o, const cb_rfile *files, size_t n)
{
    cb_sb_put(o, "## Learning\n\n");
    if (!count_kind(files, n, CB_RF_TRAIN)) {
        cb_sb_put(o, "_" CB_RD_NOTE_NO_TRAIN "_\n\n");
        return;
    }
    for (size_t f = 0; f < n; f++) {
        if (files[f].kind != CB_RF_TRAIN)
            continue;
        const cb_rtrain *t = &files[f].train;
        char extra[160] = "";
        if (t->batch > 0)
            snprintf(extra, sizeof extra, "batch %ld, seed %ld", t->batch, t->seed);
        file_heading(o, &files[f], extra);
        static const char *const cols[] = {"epoch", "images", "seconds", "images/s", "GFLOP/s",
                                           "train loss", "train acc", "test loss", "test acc"};
        header(o, cols, 9, 0);
        for (size_t i = 0; i < t->n_epochs; i++) {
            const cb_repoch *e = &t->epochs[i];
            char a[8][32];
            cb_sb_printf(o, "| %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", e->epoch,
                         cb_fmt_count(a[0], 32, (double)e->images), cb_fmt_seconds(a[1], 32, e->seconds),
                         cb_fmt_count(a[2], 32, e->images_per_s), cb_fmt_fixed(a[3], 32, e->gflops, 2),
                         cb_fmt_fixed(a[4], 32, e->train_loss, 4), cb_fmt_percent(a[5], 32, e->train_accuracy, 1),
                         cb_fmt_fixed(a[6], 32, e->test_loss, 4), cb_fmt_percent(a[7], 32, e->test_accuracy, 1));
        }
        cb_sb_put(o, "\n");
    }
}

void cb_report_md(cb_sb *o, const cb_rfile *files, size_t n)
{
    cb_sb_put(o, "# cifarbench report\n\n");
    cb_sb_printf(o, "From %zu result file%s:", n, n == 1 ? "" : "s");
    for (size_t f = 0; f < n; f++) {
        cb_sb_put(o, f ? ", " : " ");
        cb_sb_md(o, files[f].path);
        cb_sb_printf(o, " (%s)", files[f].command);
    }
    cb_sb_put(o, ".\n\n");
    section_context(o, files, n);
    section_isa(o, files, n);
    section_layers(o, files, n);
    section_scaling(o, files, n);
    section_kernels(o, files, n);
    section_learning(o, files, n);
}
