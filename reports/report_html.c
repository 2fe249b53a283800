/* report_html.c - see report_html.h. */
#include "report_html.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_data.h"
#include "svg_chart.h"

static const char style[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#222;"
    "background:#fafafa;margin:0;line-height:1.45}\n"
    "main{max-width:1100px;margin:0 auto;padding:24px 28px 48px;background:#fff;"
    "box-shadow:0 0 12px rgba(0,0,0,.06)}\n"
    "h1{margin:0 0 4px;font-size:28px}h2{margin:36px 0 10px;padding-bottom:4px;"
    "border-bottom:2px solid #e4e4e4;font-size:22px}h3{margin:22px 0 8px;font-size:16px}\n"
    ".sub{color:#555;margin:0 0 12px}nav a{margin-right:14px;color:#2a5db0;text-decoration:none}\n"
    ".scroll{overflow-x:auto;margin:8px 0 14px}\n"
    "table{border-collapse:collapse;font-size:13.5px}th,td{padding:4px 8px;"
    "border-bottom:1px solid #e6e6e6;text-align:left;vertical-align:top}\n"
    "th{background:#f3f5f8;font-weight:600;vertical-align:bottom}td.n,th.n{text-align:right;"
    "font-variant-numeric:tabular-nums}td.n{white-space:nowrap}\n"
    "tr:nth-child(even) td{background:#fbfbfc}td.k{font-weight:600;white-space:nowrap}\n"
    "td.wrap{max-width:420px;overflow-wrap:anywhere}\n"
    "figure{margin:10px 0 18px}figcaption,.explain{font-size:13px;color:#555;margin-top:2px}\n"
    "svg.chart{width:100%;height:auto;max-width:900px;display:block}\n"
    ".note{color:#666;font-style:italic}.warn{background:#fff6e0;border-left:4px solid #f0b400;"
    "padding:6px 10px}.bad{color:#b00020;font-weight:600}\n"
    "footer{margin-top:40px;color:#888;font-size:12px}\n"
    "@media print{main{box-shadow:none}}\n";

/* ---- small table helpers ---------------------------------------------------------------------- */

static void th(cb_sb *o, const char *s, bool numeric)
{
    cb_sb_put(o, numeric ? "<th class=\"n\">" : "<th>");
    cb_sb_html(o, s);
    cb_sb_put(o, "</th>");
}

static void td(cb_sb *o, const char *s, const char *cls)
{
    if (cls)
        cb_sb_printf(o, "<td class=\"%s\">", cls);
    else
        cb_sb_put(o, "<td>");
    cb_sb_html(o, s && *s ? s : "-");
    cb_sb_put(o, "</td>");
}

static void tdn(cb_sb *o, const char *s) { td(o, s, "n"); }

/* The first n_left columns are text (left-aligned), the rest numbers, except that a column
 * named in text_cols (a bit mask) is text too. */
static void table_open_mask(cb_sb *o, const char *const *cols, size_t n, size_t n_left, unsigned text_cols)
{
    cb_sb_put(o, "<div class=\"scroll\"><table><thead><tr>");
    for (size_t i = 0; i < n; i++)
        th(o, cols[i], i >= n_left && !(text_cols >> i & 1u));
    cb_sb_put(o, "</tr></thead><tbody>\n");
}

static void table_open(cb_sb *o, const char *const *cols, size_t n, size_t n_left)
{
    table_open_mask(o, cols, n, n_left, 0);
}

static void table_close(cb_sb *o) { cb_sb_put(o, "</tbody></table></div>\n"); }

static void note(cb_sb *o, const char *text)
{
    cb_sb_put(o, "<p class=\"note\">");
    cb_sb_html(o, text);
    cb_sb_put(o, "</p>\n");
}

static void file_heading(cb_sb *o, const cb_rfile *f, const char *extra)
{
    cb_sb_put(o, "<h3>");
    cb_sb_html(o, cb_rd_file_label(f));
    cb_sb_put(o, " <span class=\"sub\">(");
    cb_sb_html(o, f->ctx.isa);
    if (extra && *extra) {
        cb_sb_put(o, ", ");
        cb_sb_html(o, extra);
    }
    cb_sb_put(o, ")</span></h3>\n");
}

static void figure_open(cb_sb *o) { cb_sb_put(o, "<figure>\n"); }

static void figure_close(cb_sb *o, const char *caption)
{
    if (caption) {
        cb_sb_put(o, "<figcaption>");
        cb_sb_html(o, caption);
        cb_sb_put(o, "</figcaption>\n");
    }
    cb_sb_put(o, "</figure>\n");
}

static size_t count_kind(const cb_rfile *files, size_t n, cb_rkind k)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += files[i].kind == k;
    return c;
}

static int isa_color(const char *isa)
{
    if (strcmp(isa, "scalar") == 0)
        return 7;
    if (strcmp(isa, "avx2") == 0)
        return 0;
    if (strcmp(isa, "avx512") == 0)
        return 1;
    return 4;
}

/* ---- sections --------------------------------------------------------------------------------- */

/* One group's context: the fields every file shares, then what differs, a column per file. */
static void context_group(cb_sb *o, const cb_rfile *files, size_t n, bool gbench)
{
    cb_rd_context c;
    cb_rd_context_build(files, n, gbench, &c);
    if (c.n_files == 0)
        return;
    if (gbench)
        cb_sb_put(o, "<h3>Kernel benchmark runs (Google Benchmark)</h3>\n");
    size_t n_common = 0;
    for (size_t k = 0; k < c.n; k++)
        n_common += c.common[k] != NULL;
    if (n_common) {
        const char *cols[] = {"", c.n_files > 1 ? "all files" : "value"};
        table_open(o, cols, 2, 2);
        for (size_t k = 0; k < c.n; k++)
            if (c.common[k]) {
                cb_sb_put(o, "<tr>");
                td(o, c.labels[k], "k");
                td(o, c.common[k], "wrap");
                cb_sb_put(o, "</tr>\n");
            }
        table_close(o);
    }
    if ((c.n_files == 1 && !gbench) || (c.n_files == 1 && n_common == c.n))
        return;
    if (c.n_files > 1)
        cb_sb_put(o, "<p>What differs between the files:</p>\n");
    cb_sb_put(o, "<div class=\"scroll\"><table><thead><tr><th></th>");
    for (size_t f = 0; f < n; f++)
        if (cb_rd_in_group(&files[f], &c))
            th(o, cb_rd_file_label(&files[f]), false);
    cb_sb_put(o, "</tr></thead><tbody>\n");
    if (!gbench) {
        cb_sb_put(o, "<tr><td class=\"k\">result</td>");
        for (size_t f = 0; f < n; f++)
            if (cb_rd_in_group(&files[f], &c))
                td(o, files[f].command, NULL);
        cb_sb_put(o, "</tr>\n");
    }
    for (size_t k = 0; k < c.n; k++) {
        if (c.common[k])
            continue;
        cb_sb_put(o, "<tr>");
        td(o, c.labels[k], "k");
        for (size_t f = 0; f < n; f++)
            if (cb_rd_in_group(&files[f], &c))
                td(o, cb_rcontext_field(&files[f].ctx, c.labels[k]), "wrap");
        cb_sb_put(o, "</tr>\n");
    }
    table_close(o);
}

static void section_context(cb_sb *o, const cb_rfile *files, size_t n)
{
    cb_sb_put(o, "<section id=\"context\"><h2>Context</h2>\n");
    context_group(o, files, n, false);
    context_group(o, files, n, true);
    cb_sb_put(o, "</section>\n");
}

static void section_isa(cb_sb *o, const cb_rfile *files, size_t n)
{
    cb_sb_put(o, "<section id=\"isa\"><h2>ISA comparison</h2>\n");
    char nt[256];
    size_t ng;
    cb_rd_isa *g = cb_rd_isa_compare(files, n, &ng, nt, sizeof nt);
    if (!g || ng == 0) {
        note(o, CB_RD_NOTE_NO_TRAIN);
        cb_sb_put(o, "</section>\n");
        free(g);
        return;
    }
    if (nt[0]) {
        cb_sb_put(o, "<p class=\"warn\">");
        cb_sb_html(o, nt);
        cb_sb_put(o, "</p>\n");
    }
    cb_svg_bar *bars = calloc(ng, sizeof *bars);
    char(*notes)[64] = calloc(ng, sizeof *notes);
    if (bars && notes) {
        for (size_t k = 0; k < ng; k++) {
            char a[32];
            snprintf(notes[k], sizeof notes[k], "%s img/s  x%.2f", cb_fmt_count(a, sizeof a, g[k].images_per_s),
                     g[k].vs_slowest);
            bars[k] = (cb_svg_bar){g[k].isa, {g[k].images_per_s, NAN, NAN, NAN}, notes[k], isa_color(g[k].isa)};
        }
        const cb_svg_bars chart = {"Training throughput by ISA", "images per second (median epoch)", 1,
                                   {NULL}, bars, ng, NAN, NULL};
        figure_open(o);
        cb_svg_bar_chart(o, &chart);
        figure_close(o, "Training throughput per ISA (median over epochs); xN: speed-up over the slowest ISA.");
    }
    free(bars);
    free(notes);
    static const char *const cols[] = {"ISA", "files", "epochs", "threads", "images/epoch",
                                       "median s/epoch", "images/s", "images/s/core", "GFLOP/s",
                                       "% of peak", "vs slowest", "vs scalar"};
    table_open(o, cols, sizeof cols / sizeof cols[0], 1);
    for (size_t k = 0; k < ng; k++) {
        const cb_rd_isa *r = &g[k];
        char a[64];
        cb_sb_put(o, "<tr>");
        td(o, r->isa, "k");
        snprintf(a, sizeof a, "%zu", r->files);
        tdn(o, a);
        snprintf(a, sizeof a, "%zu", r->epochs);
        tdn(o, a);
        if (r->threads)
            snprintf(a, sizeof a, "%d", r->threads);
        else
            snprintf(a, sizeof a, "mixed");
        tdn(o, a);
        tdn(o, cb_fmt_count(a, sizeof a, r->images_per_epoch));
        tdn(o, cb_fmt_seconds(a, sizeof a, r->median_seconds));
        tdn(o, cb_fmt_count(a, sizeof a, r->images_per_s));
        tdn(o, cb_fmt_count(a, sizeof a, r->images_per_s_per_core));
        tdn(o, cb_fmt_fixed(a, sizeof a, r->gflops, 2));
        if (isfinite(r->percent_of_peak))
            snprintf(a, sizeof a, "%.1f%%", r->percent_of_peak);
        else
            snprintf(a, sizeof a, "-");
        tdn(o, a);
        snprintf(a, sizeof a, "x%.2f", r->vs_slowest);
        tdn(o, a);
        if (isfinite(r->vs_scalar))
            snprintf(a, sizeof a, "x%.2f", r->vs_scalar);
        else
            snprintf(a, sizeof a, "-");
        tdn(o, a);
        cb_sb_put(o, "</tr>\n");
    }
    table_close(o);
    cb_sb_put(o, "<p class=\"explain\">Medians over every epoch of the group; \"vs slowest\" and \"vs "
                 "scalar\" are this group's images/s over that group's.</p>\n</section>\n");
    free(g);
}

static void section_layers(cb_sb *o, const cb_rfile *files, size_t n)
{
    cb_sb_put(o, "<section id=\"layers\"><h2>Per-layer breakdown</h2>\n");
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
        cb_svg_bar *bars = calloc(nl, sizeof *bars);
        char(*notes)[64] = calloc(nl, sizeof *notes);
        if (bars && notes) {
            /* the axis in s, ms or us, whichever keeps its numbers readable */
            double max = 0;
            for (size_t k = 0; k < nl; k++)
                max = fmax(max, l[k].total);
            const double scale = max >= 1 ? 1 : max >= 1e-3 ? 1e3 : 1e6;
            for (size_t k = 0; k < nl; k++) {
                char a[32], b[32];
                snprintf(notes[k], sizeof notes[k], "%s  %s", cb_fmt_percent(a, sizeof a, l[k].share, 1),
                         cb_fmt_seconds(b, sizeof b, l[k].total));
                bars[k] = (cb_svg_bar){l[k].layer,
                                       {l[k].forward * scale, l[k].backward * scale, l[k].other * scale, NAN},
                                       notes[k], -1};
            }
            const cb_svg_bars chart = {"Time per layer",
                                       scale == 1 ? "seconds" : scale == 1e3 ? "milliseconds" : "microseconds",
                                       3, {"forward", "backward", "update / other"}, bars, nl, NAN, NULL};
            figure_open(o);
            cb_svg_bar_chart(o, &chart);
            figure_close(o, "Time per layer and pass, with each layer's share of the training step.");
        }
        free(bars);
        free(notes);
        static const char *const cols[] = {"layer", "forward", "backward", "other", "total", "share"};
        table_open(o, cols, 6, 1);
        for (size_t k = 0; k < nl; k++) {
            char a[32];
            cb_sb_put(o, "<tr>");
            td(o, l[k].layer, "k");
            tdn(o, l[k].forward > 0 ? cb_fmt_seconds(a, sizeof a, l[k].forward) : "-");
            tdn(o, l[k].backward > 0 ? cb_fmt_seconds(a, sizeof a, l[k].backward) : "-");
            tdn(o, l[k].other > 0 ? cb_fmt_seconds(a, sizeof a, l[k].other) : "-");
            tdn(o, cb_fmt_seconds(a, sizeof a, l[k].total));
            tdn(o, cb_fmt_percent(a, sizeof a, l[k].share, 1));
            cb_sb_put(o, "</tr>\n");
        }
        table_close(o);
        free(l);
    }
    if (!shown)
        note(o, count_kind(files, n, CB_RF_TRAIN) ? CB_RD_NOTE_NO_LAYERS : CB_RD_NOTE_NO_TRAIN);
    cb_sb_put(o, "</section>\n");
}

static void section_scaling(cb_sb *o, const cb_rfile *files, size_t n)
{
    cb_sb_put(o, "<section id=\"scaling\"><h2>Thread scaling</h2>\n");
    if (!count_kind(files, n, CB_RF_SCALE))
        note(o, CB_RD_NOTE_NO_SCALE);
    for (size_t f = 0; f < n; f++) {
        if (files[f].kind != CB_RF_SCALE)
            continue;
        const cb_rscale *s = &files[f].scale;
        char extra[96] = "";
        if (s->repetitions > 0)
            snprintf(extra, sizeof extra, "median of %ld repetition%s", s->repetitions,
                     s->repetitions == 1 ? "" : "s");
        file_heading(o, &files[f], extra);
        double *x = calloc(s->n_rows, sizeof *x), *y = calloc(s->n_rows, sizeof *y),
               *ideal = calloc(s->n_rows, sizeof *ideal);
        if (x && y && ideal) {
            /* ideal: linear from the smallest thread count */
            size_t base = 0;
            for (size_t i = 1; i < s->n_rows; i++)
                if (s->rows[i].threads < s->rows[base].threads)
                    base = i;
            for (size_t i = 0; i < s->n_rows; i++) {
                x[i] = s->rows[i].threads;
                y[i] = s->rows[i].images_per_s;
                ideal[i] = s->rows[base].images_per_s * s->rows[i].threads / s->rows[base].threads;
            }
            const cb_svg_series series[2] = {{"measured images/s", x, y, s->n_rows, false},
                                             {"ideal (linear)", x, ideal, s->n_rows, true}};
            const cb_svg_lines chart = {"Images per second against threads", "threads", "images/s",
                                        series, 2, true};
            figure_open(o);
            cb_svg_line_chart(o, &chart);
            figure_close(o, "Training throughput against threads; the dashed line is perfect linear scaling.");
        }
        free(x);
        free(y);
        free(ideal);
        static const char *const cols[] = {"threads", "PUs", "s/epoch", "images/s", "images/s/core",
                                           "speed-up", "efficiency", "sync share",
                                           "weights = 1 thread", "test acc"};
        table_open(o, cols, 10, 0);
        for (size_t i = 0; i < s->n_rows; i++) {
            const cb_rscale_row *r = &s->rows[i];
            char a[32];
            cb_sb_put(o, "<tr>");
            snprintf(a, sizeof a, "%d", r->threads);
            tdn(o, a);
            tdn(o, r->thread_pus);
            tdn(o, cb_fmt_seconds(a, sizeof a, r->seconds));
            tdn(o, cb_fmt_count(a, sizeof a, r->images_per_s));
            tdn(o, cb_fmt_count(a, sizeof a, r->images_per_s_per_core));
            if (isfinite(r->speedup))
                snprintf(a, sizeof a, "x%.2f", r->speedup);
            else
                snprintf(a, sizeof a, "-");
            tdn(o, a);
            tdn(o, cb_fmt_percent(a, sizeof a, r->efficiency, 0));
            tdn(o, cb_fmt_percent(a, sizeof a, r->sync_share, 1));
            if (r->weights_identical == 0)
                cb_sb_put(o, "<td class=\"n bad\">no</td>");
            else
                tdn(o, r->weights_identical == 1 ? "yes" : "-");
            tdn(o, cb_fmt_percent(a, sizeof a, r->test_accuracy, 1));
            cb_sb_put(o, "</tr>\n");
        }
        table_close(o);
    }
    cb_sb_put(o, "</section>\n");
}

static void kernel_chart(cb_sb *o, const cb_rd_kernel *k, size_t nk, const char *isa)
{
    cb_svg_bar *bars = calloc(nk, sizeof *bars);
    char(*notes)[64] = calloc(nk, sizeof *notes);
    size_t nb = 0;
    double peak = NAN;
    for (size_t i = 0; bars && notes && i < nk; i++) {
        if (k[i].is_peak || k[i].error || strcmp(k[i].isa, isa) != 0 || !(k[i].gflops > 0))
            continue;
        if (!isfinite(peak))
            peak = k[i].peak_gflops;
        if (isfinite(k[i].percent_of_peak))
            snprintf(notes[nb], sizeof notes[nb], "%.2f GFLOP/s (%.1f%%)", k[i].gflops, k[i].percent_of_peak);
        else
            snprintf(notes[nb], sizeof notes[nb], "%.2f GFLOP/s", k[i].gflops);
        bars[nb] = (cb_svg_bar){k[i].name, {k[i].gflops, NAN, NAN, NAN}, notes[nb], isa_color(isa)};
        nb++;
    }
    if (nb) {
        char title[96], ref[96];
        snprintf(title, sizeof title, "Kernel GFLOP/s (%s)", isa[0] ? isa : "unknown ISA");
        snprintf(ref, sizeof ref, "measured peak %.1f GFLOP/s", peak);
        const cb_svg_bars chart = {title, "GFLOP/s", 1, {NULL}, bars, nb, peak, ref};
        cb_sb_put(o, "<h3>");
        cb_sb_html(o, isa[0] ? isa : "ISA not named");
        cb_sb_put(o, "</h3>\n");
        figure_open(o);
        cb_svg_bar_chart(o, &chart);
        figure_close(o, isfinite(peak) ? "Achieved GFLOP/s per kernel (median over repetitions); the dashed "
                                         "line is the measured FMA peak of this ISA."
                                       : "Achieved GFLOP/s per kernel (median over repetitions); no measured peak "
                                         "for this ISA in the inputs.");
    }
    free(bars);
    free(notes);
}

static void section_kernels(cb_sb *o, const cb_rfile *files, size_t n)
{
    cb_sb_put(o, "<section id=\"kernels\"><h2>Kernels: GFLOP/s against the measured peak</h2>\n");
    if (!count_kind(files, n, CB_RF_GBENCH))
        note(o, CB_RD_NOTE_NO_KERNELS);
    for (size_t f = 0; f < n; f++) {
        if (files[f].kind != CB_RF_GBENCH)
            continue;
        size_t nk;
        cb_rd_kernel *k = cb_rd_kernels(&files[f], files, n, &nk);
        if (!k)
            continue;
        cb_sb_put(o, "<h3>");
        cb_sb_html(o, cb_rd_file_label(&files[f]));
        cb_sb_put(o, "</h3>\n");
        /* one chart per ISA, in the order the ISAs first appear */
        char seen[8][16];
        size_t nseen = 0;
        bool any_gflops = false;
        for (size_t i = 0; i < nk; i++) {
            any_gflops |= !k[i].is_peak && k[i].gflops > 0;
            bool dup = false;
            for (size_t s = 0; s < nseen && !dup; s++)
                dup = strcmp(seen[s], k[i].isa) == 0;
            if (dup || nseen == 8)
                continue;
            snprintf(seen[nseen++], 16, "%s", k[i].isa);
            kernel_chart(o, k, nk, k[i].isa);
        }
        if (!any_gflops)
            note(o, "The benchmarks carry no GFLOP/s counter: times only.");
        static const char *const cols[] = {"benchmark", "ISA", "reps", "time (median)", "GFLOP/s",
                                           "peak GFLOP/s", "% of peak", "peak from"};
        table_open_mask(o, cols, 8, 2, 1u << 7);
        for (size_t i = 0; i < nk; i++) {
            const cb_rd_kernel *x = &k[i];
            char a[64];
            cb_sb_put(o, "<tr>");
            td(o, x->name, "k");
            td(o, x->isa, NULL);
            if (x->error) {
                cb_sb_put(o, "<td class=\"bad\" colspan=\"6\">error: ");
                cb_sb_html(o, x->error_message ? x->error_message : "(no message)");
                cb_sb_put(o, "</td></tr>\n");
                continue;
            }
            if (x->repetitions)
                snprintf(a, sizeof a, "%zu", x->repetitions);
            else
                snprintf(a, sizeof a, "aggregate");
            tdn(o, a);
            tdn(o, cb_fmt_seconds(a, sizeof a, x->real_time));
            tdn(o, cb_fmt_fixed(a, sizeof a, x->gflops, 2));
            tdn(o, cb_fmt_fixed(a, sizeof a, x->peak_gflops, 1));
            if (isfinite(x->percent_of_peak))
                snprintf(a, sizeof a, "%.1f%%", x->percent_of_peak);
            else
                snprintf(a, sizeof a, "-");
            tdn(o, a);
            td(o, x->peak_source, NULL);
            cb_sb_put(o, "</tr>\n");
        }
        table_close(o);
        free(k);
    }
    cb_sb_put(o, "</section>\n");
}

/* One line per train file: the train loss (mean over each epoch) or the test accuracy (%). */
static void learning_chart(cb_sb *o, const cb_rfile *files, size_t n, bool accuracy)
{
    const size_t nt = count_kind(files, n, CB_RF_TRAIN);
    cb_svg_series *series = calloc(nt, sizeof *series);
    double **bufs = calloc(2 * nt, sizeof *bufs);
    char(*names)[160] = calloc(nt, sizeof *names);
    size_t ns = 0, nb = 0;
    for (size_t f = 0; series && bufs && names && f < n; f++) {
        if (files[f].kind != CB_RF_TRAIN)
            continue;
        const cb_rtrain *t = &files[f].train;
        double *x = calloc(t->n_epochs, sizeof *x), *y = calloc(t->n_epochs, sizeof *y);
        bufs[nb++] = x;
        bufs[nb++] = y;
        if (!x || !y)
            continue;
        for (size_t e = 0; e < t->n_epochs; e++) {
            x[e] = t->epochs[e].epoch;
            y[e] = accuracy ? 100 * t->epochs[e].test_accuracy : t->epochs[e].train_loss;
        }
        snprintf(names[ns], sizeof names[ns], "%s (%s)", files[f].ctx.isa, cb_rd_file_label(&files[f]));
        series[ns] = (cb_svg_series){names[ns], x, y, t->n_epochs, false};
        ns++;
    }
    if (ns) {
        const cb_svg_lines chart = {accuracy ? "Test accuracy by epoch" : "Train loss by epoch", "epoch",
                                    accuracy ? "test accuracy %" : "train loss", series, ns, true};
        figure_open(o);
        cb_svg_line_chart(o, &chart);
        figure_close(o, accuracy ? "Accuracy on the test images after each epoch. Lines that coincide "
                                   "(the same seed learns alike on every ISA) hide one another."
                                 : "Training loss, the mean over each epoch's batches. Lines that coincide "
                                   "(the same seed learns alike on every ISA) hide one another.");
    }
    for (size_t i = 0; i < nb; i++)
        free(bufs[i]);
    free(bufs);
    free(series);
    free(names);
}

static void section_learning(cb_sb *o, const cb_rfile *files, size_t n)
{
    cb_sb_put(o, "<section id=\"learning\"><h2>Learning</h2>\n");
    if (!count_kind(files, n, CB_RF_TRAIN)) {
        note(o, CB_RD_NOTE_NO_TRAIN);
        cb_sb_put(o, "</section>\n");
        return;
    }
    learning_chart(o, files, n, false);
    learning_chart(o, files, n, true);
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
        table_open(o, cols, 9, 0);
        for (size_t i = 0; i < t->n_epochs; i++) {
            const cb_repoch *e = &t->epochs[i];
            char a[32];
            cb_sb_put(o, "<tr>");
            snprintf(a, sizeof a, "%d", e->epoch);
            tdn(o, a);
            tdn(o, cb_fmt_count(a, sizeof a, (double)e->images));
            tdn(o, cb_fmt_seconds(a, sizeof a, e->seconds));
            tdn(o, cb_fmt_count(a, sizeof a, e->images_per_s));
            tdn(o, cb_fmt_fixed(a, sizeof a, e->gflops, 2));
            tdn(o, cb_fmt_fixed(a, sizeof a, e->train_loss, 4));
            tdn(o, cb_fmt_percent(a, sizeof a, e->train_accuracy, 1));
            tdn(o, cb_fmt_fixed(a, sizeof a, e->test_loss, 4));
            tdn(o, cb_fmt_percent(a, sizeof a, e->test_accuracy, 1));
            cb_sb_put(o, "</tr>\n");
        }
        table_close(o);
    }
    cb_sb_put(o, "</section>\n");
}

void cb_report_html(cb_sb *o, const cb_rfile *files, size_t n)
{
    cb_sb_put(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                 "<title>cifarbench report</title>\n<style>\n");
    cb_sb_put(o, style);
    cb_sb_put(o, "</style>\n</head>\n<body>\n<main>\n<h1>cifarbench report</h1>\n<p class=\"sub\">");
    cb_sb_printf(o, "From %zu result file%s:", n, n == 1 ? "" : "s");
    for (size_t f = 0; f < n; f++) {
        cb_sb_put(o, f ? ", " : " ");
        cb_sb_put(o, "<code>");
        cb_sb_html(o, files[f].path);
        cb_sb_put(o, "</code>");
        cb_sb_printf(o, " (%s)", files[f].command);
    }
    cb_sb_put(o, ".</p>\n<nav><a href=\"#context\">Context</a><a href=\"#isa\">ISA comparison</a>"
                 "<a href=\"#layers\">Layers</a><a href=\"#scaling\">Thread scaling</a>"
                 "<a href=\"#kernels\">Kernels</a><a href=\"#learning\">Learning</a></nav>\n");
    section_context(o, files, n);
    section_isa(o, files, n);
    section_layers(o, files, n);
    section_scaling(o, files, n);
    section_kernels(o, files, n);
    section_learning(o, files, n);
    cb_sb_put(o, "<footer>Written by cifarbench report. Self-contained: no scripts, no external "
                 "resources.</footer>\n</main>\n</body>\n</html>\n");
}
