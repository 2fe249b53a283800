/* report.c - see report.h. Charts appear in HTML only; everything else in both formats. */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_stats.h"
#include "report_data.h"
#include "svg_chart.h"

static size_t count_kind(const cb_rfile *files, size_t n, cb_rkind k)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += files[i].kind == k;
    return c;
}

static int isa_color(const char *isa)
{
    return strcmp(isa, "scalar") == 0 ? 7 : strcmp(isa, "avx2") == 0 ? 0 : strcmp(isa, "avx512") == 0 ? 1 : 4;
}

static void file_heading(cb_out *o, const cb_rfile *f, const char *extra)
{
    char sub[320];
    snprintf(sub, sizeof sub, "%s%s%s", f->ctx.isa, extra && *extra ? ", " : "", extra ? extra : "");
    cb_out_heading(o, cb_rd_file_label(f), sub);
}

/* A number by fmt, or "-" when it is not finite. */
static void cell_num(cb_out *o, const char *fmt, double x)
{
    if (isfinite(x))
        cb_out_cellf(o, fmt, x);
    else
        cb_out_cell(o, "-");
}

static void cell_fmt(cb_out *o, const char *(*fmt)(char *, size_t, double), double x)
{
    char a[64];
    cb_out_cell(o, fmt(a, sizeof a, x));
}

/* A paragraph built in t, which is freed; out of memory fails the report. */
static void para_buf(cb_out *o, const char *cls, cb_buf *t)
{
    if (t->failed)
        o->b->failed = true;
    else
        cb_out_para(o, cls, cb_buf_str(t));
    cb_buf_free(t);
}

/* An MPI exchange's name (dist.h); files from before --exchange had only the gather. */
static const char *exchange_name(const char *exchange)
{
    return exchange ? exchange : "gather";
}

/* An HTML figure: a bar chart (bars) or a line chart, with its caption. */
static void figure(cb_out *o, const cb_svg_bars *bars, const cb_svg_lines *lines, const char *caption)
{
    cb_buf_puts(o->b, "<figure>\n");
    if (bars)
        cb_svg_bar_chart(o->b, bars);
    else
        cb_svg_line_chart(o->b, lines);
    cb_buf_puts(o->b, "<figcaption>");
    cb_html_text(o->b, caption);
    cb_buf_puts(o->b, "</figcaption>\n</figure>\n");
}

/* ---- context ---------------------------------------------------------------------------------- */

/* One group's context: the fields every file shares, then what differs, a column per file. */
static void context_group(cb_out *o, const cb_rfile *files, size_t n, bool gbench)
{
    cb_rd_context c;
    cb_rd_context_build(files, n, gbench, &c);
    if (c.n_files == 0)
        return;
    if (gbench)
        cb_out_heading(o, "Kernel benchmark runs (Google Benchmark)", NULL);
    size_t n_common = 0;
    for (size_t k = 0; k < c.n; k++)
        n_common += c.common[k] != NULL;
    if (n_common) {
        const char *cols[] = {"", c.n_files > 1 ? "all files" : "value"};
        cb_out_table(o, cols, "kw");
        for (size_t k = 0; k < c.n; k++)
            if (c.common[k]) {
                cb_out_cell(o, c.labels[k]);
                cb_out_cell(o, c.common[k]);
            }
        cb_out_table_end(o);
    }
    if (c.n_files == 1 && (!gbench || n_common == c.n))
        return;
    if (c.n_files > 1)
        cb_out_para(o, NULL, "What differs between the files:");
    const char **cols = calloc(c.n_files + 1, sizeof *cols);
    char *kinds = calloc(c.n_files + 2, 1);
    if (!cols || !kinds) {
        o->b->failed = true;
    } else {
        cols[0] = "";
        kinds[0] = 'k';
        for (size_t f = 0, i = 1; f < n; f++)
            if (cb_rd_in_group(&files[f], &c)) {
                cols[i] = cb_rd_file_label(&files[f]);
                kinds[i++] = 'w';
            }
        cb_out_table(o, cols, kinds);
        for (size_t k = 0; k <= c.n; k++) {
            if ((k == 0 && gbench) || (k > 0 && c.common[k - 1]))
                continue;
            cb_out_cell(o, k ? c.labels[k - 1] : "result");
            for (size_t f = 0; f < n; f++)
                if (cb_rd_in_group(&files[f], &c))
                    cb_out_cell(o, k ? cb_rcontext_field(&files[f].ctx, c.labels[k - 1]) : files[f].command);
        }
        cb_out_table_end(o);
    }
    free(cols);
    free(kinds);
}

/* ---- ISA comparison --------------------------------------------------------------------------- */

static void isa_chart(cb_out *o, const cb_rd_isa *g, size_t ng)
{
    cb_svg_bar *bars = calloc(ng, sizeof *bars);
    if (bars) {
        for (size_t k = 0; k < ng; k++) {
            char a[32];
            bars[k] = (cb_svg_bar){g[k].label, {g[k].images_per_s, NAN, NAN, NAN}, "", isa_color(g[k].isa)};
            snprintf(bars[k].note, sizeof bars[k].note, "%s img/s  x%.2f",
                     cb_fmt_count(a, sizeof a, g[k].images_per_s), g[k].vs_slowest);
        }
        const cb_svg_bars chart = {"Training throughput by ISA", "images per second (median epoch)", 1,
                                   {NULL}, bars, ng, NAN, NULL};
        figure(o, &chart, NULL, "Training throughput per ISA (median over epochs); xN: speed-up over the slowest ISA "
                                "of the same workload.");
    }
    free(bars);
}

static void section_isa(cb_out *o, const cb_rfile *files, size_t n)
{
    char note[256];
    size_t ng;
    cb_rd_isa *g = cb_rd_isa_compare(files, n, &ng, note, sizeof note);
    if (!g || ng == 0) {
        cb_out_para(o, "note", CB_RD_NOTE_NO_TRAIN);
        free(g);
        return;
    }
    if (note[0])
        cb_out_para(o, "warn", note);
    if (o->html)
        isa_chart(o, g, ng);
    cb_out_para(o, "explain", "Train results grouped by workload (task, images per epoch, batch) and the ISA "
                              "that ran; medians over every epoch of the group. \"vs slowest\" and \"vs scalar\" "
                              "are this group's images/s over that group's of the same workload.");

    static const char *const cols[] = {"ISA", "task", "images/epoch", "batch", "files", "epochs", "threads",
                                       "median s/epoch", "images/s", "images/s/core", "GFLOP/s",
                                       "% of peak", "vs slowest", "vs scalar"};
    cb_out_table(o, cols, "ktnnnnnnnnnnnn");
    for (size_t k = 0; k < ng; k++) {
        const cb_rd_isa *r = &g[k];
        cb_out_cell(o, r->isa);
        cb_out_cell(o, r->task);
        cell_fmt(o, cb_fmt_count, r->images >= 0 ? (double)r->images : NAN);
        cell_num(o, "%.0f", r->batch > 0 ? (double)r->batch : NAN);
        cb_out_cellf(o, "%zu", r->files);
        cb_out_cellf(o, "%zu", r->epochs);
        if (r->threads)
            cb_out_cellf(o, "%d", r->threads);
        else
            cb_out_cell(o, "mixed");
        cell_fmt(o, cb_fmt_seconds, r->median_seconds);
        cell_fmt(o, cb_fmt_count, r->images_per_s);
        cell_fmt(o, cb_fmt_count, r->images_per_s_per_core);
        cell_num(o, "%.2f", r->gflops);
        cell_num(o, "%.1f%%", r->percent_of_peak);
        cell_num(o, "x%.2f", r->vs_slowest);
        cell_num(o, "x%.2f", r->vs_scalar);
    }
    cb_out_table_end(o);
    free(g);
}

/* ---- per-layer breakdown ---------------------------------------------------------------------- */

static void layer_chart(cb_out *o, const cb_rd_layer *l, size_t nl)
{
    cb_svg_bar *bars = calloc(nl, sizeof *bars);
    if (bars) {
        /* the axis in s, ms or us, whichever keeps its numbers readable */
        double max = 0;
        for (size_t k = 0; k < nl; k++)
            max = fmax(max, l[k].total);
        const double scale = max >= 1 ? 1 : max >= 1e-3 ? 1e3 : 1e6;
        for (size_t k = 0; k < nl; k++) {
            char a[32], b[32];
            bars[k] = (cb_svg_bar){l[k].layer,
                                   {l[k].forward * scale, l[k].backward * scale, l[k].step * scale,
                                    l[k].rest * scale}, "", -1};
            snprintf(bars[k].note, sizeof bars[k].note, "%s  %s", cb_fmt_percent(a, sizeof a, l[k].share, 1),
                     cb_fmt_seconds(b, sizeof b, l[k].total));
        }
        const cb_svg_bars chart = {"Time per layer",
                                   scale == 1 ? "seconds" : scale == 1e3 ? "milliseconds" : "microseconds",
                                   4, {"forward", "backward", "step", "other"}, bars, nl, NAN, NULL};
        figure(o, &chart, NULL, "Time per layer and pass (seconds per thread), with each row's share of the epoch.");
    }
    free(bars);
}

static void section_layers(cb_out *o, const cb_rfile *files, size_t n)
{
    size_t shown = 0;
    for (size_t f = 0; f < n; f++) {
        size_t nl = 0;
        cb_rd_layer *l = files[f].kind == CB_RF_TRAIN ? cb_rd_layers(&files[f].res.train, &nl) : NULL;
        if (nl) {
            shown++;
            file_heading(o, &files[f], NULL);
            if (o->html)
                layer_chart(o, l, nl);
            cb_out_para(o, "explain", "The last epoch, in seconds per thread: forward and backward of each layer, "
                                      "the step's own phases (input gather, loss, gradient sum, Adam), and the rest "
                                      "of the epoch, spent waiting at barriers, on bookkeeping and on most of the "
                                      "profile's own clock reads (train prints their cost). Shares are of the epoch "
                                      "and add to 100%.");
            static const char *const cols[] = {"layer", "forward", "backward", "step", "total", "share"};
            cb_out_table(o, cols, "knnnnn");
            for (size_t k = 0; k < nl; k++) {
                char a[32];
                cb_out_cell(o, l[k].layer);
                cb_out_cell(o, l[k].forward > 0 ? cb_fmt_seconds(a, sizeof a, l[k].forward) : "-");
                cb_out_cell(o, l[k].backward > 0 ? cb_fmt_seconds(a, sizeof a, l[k].backward) : "-");
                cb_out_cell(o, l[k].step > 0 ? cb_fmt_seconds(a, sizeof a, l[k].step) : "-");
                cell_fmt(o, cb_fmt_seconds, l[k].total);
                cell_num(o, "%.1f%%", 100 * l[k].share);
            }
            cb_out_table_end(o);
        }
        free(l);
    }
    if (!shown)
        cb_out_para(o, "note", count_kind(files, n, CB_RF_TRAIN) ? CB_RD_NOTE_NO_LAYERS : CB_RD_NOTE_NO_TRAIN);
}

/* ---- thread scaling --------------------------------------------------------------------------- */

/* A list of predicted points: predicted_strong or predicted_weak (their list structs are distinct
 * types). */
typedef struct predicted {
    const cbr_predicted_point *v;
    size_t n;
} predicted;

/* The model's curve for a mode; n == 0 when the file has none. */
static predicted predicted_curve(const cbr_scale *s, bool weak)
{
    return weak ? (predicted){s->predicted_weak.v, s->predicted_weak.n}
                : (predicted){s->predicted_strong.v, s->predicted_strong.n};
}

/* The point of p at `threads`, or NULL. */
static const cbr_predicted_point *predicted_at(predicted p, long long threads)
{
    for (size_t i = 0; i < p.n; i++)
        if (p.v[i].threads == threads)
            return &p.v[i];
    return NULL;
}

/* Measured images/s, the ideal line and, when the file has one, the model's curve for its own mode;
 * the ideal line spans the measured and the predicted thread counts. */
static void scale_chart(cb_out *o, const cbr_scale *s, bool weak)
{
    const size_t n = s->scaling.n;
    const predicted p = predicted_curve(s, weak);
    const size_t np = n + p.n; /* x and y: the measured points, then the predicted ones */
    double *x = calloc(np, sizeof *x), *y = calloc(np, sizeof *y), *ideal = calloc(np, sizeof *ideal);
    if (x && y && ideal) {
        size_t base = 0; /* ideal: linear from the smallest thread count */
        for (size_t i = 1; i < n; i++)
            if (s->scaling.v[i].threads < s->scaling.v[base].threads)
                base = i;
        for (size_t i = 0; i < np; i++) {
            x[i] = (double)(i < n ? s->scaling.v[i].threads : p.v[i - n].threads);
            y[i] = i < n ? s->scaling.v[i].images_per_s : p.v[i - n].images_per_s;
            /* on one straight line, so the order of the points does not matter */
            ideal[i] = s->scaling.v[base].images_per_s * x[i] / (double)s->scaling.v[base].threads;
        }
        const cb_svg_series series[3] = {{"measured images/s", x, y, n, false},
                                         {"ideal (linear)", x, ideal, np, true},
                                         {"predicted (model)", x + n, y + n, p.n, false}};
        const cb_svg_lines chart = {"Images per second against threads", "threads", "images/s", series,
                                    p.n ? 3 : 2, true};
        char caption[512];
        if (p.n)
            snprintf(caption, sizeof caption,
                     "Training throughput against threads: \"measured images/s\" is measured (the median of "
                     "each thread count); \"predicted (model)\" is modelled, not measured: the scaling model's "
                     "%s-scaling curve from inputs measured at 1 thread. The dashed line is perfect linear "
                     "scaling from the smallest measured thread count.", weak ? "weak" : "strong");
        else
            snprintf(caption, sizeof caption,
                     "Training throughput against threads; the dashed line is perfect linear scaling.");
        figure(o, NULL, &chart, caption);
    }
    free(x);
    free(y);
    free(ideal);
}

/* The measured points, with the global batch when the points have it. */
static void scale_points(cb_out *o, const cbr_scale *s)
{
    bool batch = false;
    for (size_t i = 0; i < s->scaling.n; i++)
        batch |= s->scaling.v[i].batch > 0;
    static const char *const all[] = {"threads", "batch", "PUs", "s/epoch", "images/s", "images/s/core",
                                      "speed-up", "efficiency", "sync share", "weights = 1 thread", "test acc"};
    enum { N_COLS = sizeof all / sizeof all[0] };
    const char *cols[N_COLS];
    size_t nc = 0;
    for (size_t k = 0; k < N_COLS; k++)
        if (k != 1 || batch)
            cols[nc++] = all[k];
    char kinds[N_COLS + 1] = "";
    memset(kinds, 'n', nc); /* every column a number */
    cb_out_table(o, cols, kinds);
    for (size_t i = 0; i < s->scaling.n; i++) {
        const cbr_scale_point *r = &s->scaling.v[i];
        cb_out_cellf(o, "%lld", r->threads);
        if (batch)
            cell_num(o, "%.0f", r->batch > 0 ? (double)r->batch : NAN);
        cb_out_cell(o, r->thread_pus);
        cell_fmt(o, cb_fmt_seconds, r->seconds);
        cell_fmt(o, cb_fmt_count, r->images_per_s);
        cell_fmt(o, cb_fmt_count, r->images_per_s_per_core);
        cell_num(o, "x%.2f", r->speedup);
        cell_num(o, "%.0f%%", 100 * r->efficiency);
        cell_num(o, "%.1f%%", 100 * r->sync_share);
        /* absent (-1) in weak mode, where the batch differs from 1 thread's */
        if (r->weights_identical_to_1_thread == 0)
            cb_out_bad(o, "no", 1);
        else
            cb_out_cell(o, r->weights_identical_to_1_thread == 1 ? "yes" : "-");
        cell_num(o, "%.1f%%", 100 * r->test_accuracy);
    }
    cb_out_table_end(o);
}

/* Both modes' predicted curves side by side, a row per thread count of the strong curve (of the
 * weak one when the file has no strong curve). */
static void predicted_table(cb_out *o, const cbr_scale *s)
{
    const predicted strong = predicted_curve(s, false), weak = predicted_curve(s, true);
    const predicted rows = strong.n ? strong : weak;
    cb_out_para(o, NULL, "Predicted scaling (modelled, not measured):");
    cb_out_para(o, "explain", "The scaling model's images/s for both modes from inputs measured at 1 thread: "
                              "strong keeps the batch, weak gives every thread the batch (its global batch is "
                              "shown). Efficiency is against the model's own 1-thread figure; \"busy in phase "
                              "1\" counts the threads that get an image of the strong batch.");
    static const char *const cols[] = {"threads", "strong images/s", "strong efficiency", "weak batch",
                                       "weak images/s", "weak efficiency", "busy in phase 1"};
    cb_out_table(o, cols, "nnnnnnn");
    for (size_t i = 0; i < rows.n; i++) {
        const long long t = rows.v[i].threads;
        const cbr_predicted_point *a = predicted_at(strong, t), *b = predicted_at(weak, t);
        cb_out_cellf(o, "%lld", t);
        cell_fmt(o, cb_fmt_count, a ? a->images_per_s : NAN);
        cell_num(o, "%.0f%%", a ? 100 * a->efficiency : NAN);
        cell_num(o, "%.0f", b && b->batch > 0 ? (double)b->batch : NAN);
        cell_fmt(o, cb_fmt_count, b ? b->images_per_s : NAN);
        cell_num(o, "%.0f%%", b ? 100 * b->efficiency : NAN);
        cell_num(o, "%.0f", a && a->busy_threads > 0 ? (double)a->busy_threads : NAN);
    }
    cb_out_table_end(o);
}

/* What makes an item of predicted_nodes the first of its kind: its exchange, or its network or
 * its node count within that exchange. */
typedef enum { NODE_EXCHANGE, NODE_NETWORK, NODE_COUNT } node_key;

static bool node_first(const cbr_predicted_node *v, size_t i, node_key k)
{
    for (size_t j = 0; j < i; j++)
        if (strcmp(exchange_name(v[j].exchange), exchange_name(v[i].exchange)) == 0 &&
            (k == NODE_EXCHANGE || (k == NODE_NETWORK ? strcmp(v[j].network, v[i].network) == 0
                                                      : v[j].nodes == v[i].nodes)))
            return false;
    return true;
}

/* The item of predicted_nodes of like's exchange and network at `nodes`, or NULL. */
static const cbr_predicted_node *node_at(const cbr_scale *s, const cbr_predicted_node *like, long long nodes)
{
    for (size_t i = 0; i < s->predicted_nodes.n; i++) {
        const cbr_predicted_node *x = &s->predicted_nodes.v[i];
        if (x->nodes == nodes && strcmp(x->network, like->network) == 0 &&
            strcmp(exchange_name(x->exchange), exchange_name(like->exchange)) == 0)
            return x;
    }
    return NULL;
}

enum { MAX_NETWORKS = 8 }; /* networks shown per exchange */

/* The predicted efficiency over nodes of item e's exchange: a paragraph lettering its networks a,
 * b, ... with their latency and bandwidth, then a row per node count with a strong and a weak
 * column per network. */
static void nodes_table(cb_out *o, const cbr_scale *s, size_t e)
{
    const cbr_predicted_node *v = s->predicted_nodes.v, *nets[MAX_NETWORKS];
    const char *ex = exchange_name(v[e].exchange);
    size_t nn = 0;
    cb_buf t;
    cb_buf_init(&t);
    cb_buf_printf(&t, "With --exchange %s", ex);
    if (v[e].threads > 0)
        cb_buf_printf(&t, ", nodes of %lld thread%s each", v[e].threads, v[e].threads == 1 ? "" : "s");
    for (size_t i = e; i < s->predicted_nodes.n && nn < MAX_NETWORKS; i++)
        if (strcmp(exchange_name(v[i].exchange), ex) == 0 && node_first(v, i, NODE_NETWORK)) {
            cb_buf_printf(&t, "%s %c: %s", nn ? ";" : ", on", 'a' + (int)nn, v[i].network);
            if (isfinite(v[i].latency_seconds) && isfinite(v[i].bytes_per_s))
                cb_buf_printf(&t, ", latency %.1f us, %.1f Gb/s", 1e6 * v[i].latency_seconds,
                              8e-9 * v[i].bytes_per_s);
            nets[nn++] = &v[i];
        }
    cb_buf_puts(&t, ".");
    para_buf(o, NULL, &t);
    const char *cols[1 + 2 * MAX_NETWORKS] = {"nodes"};
    char names[2 * MAX_NETWORKS][16], kinds[2 + 2 * MAX_NETWORKS] = "n";
    for (size_t k = 0; k < 2 * nn; k++) {
        snprintf(names[k], sizeof names[k], "%c: %s", 'a' + (int)(k / 2), k % 2 ? "weak" : "strong");
        cols[1 + k] = names[k];
        kinds[1 + k] = 'n';
    }
    kinds[1 + 2 * nn] = '\0';
    cb_out_table(o, cols, kinds);
    for (size_t i = e; i < s->predicted_nodes.n; i++) {
        if (strcmp(exchange_name(v[i].exchange), ex) != 0 || !node_first(v, i, NODE_COUNT))
            continue;
        cb_out_cellf(o, "%lld", v[i].nodes);
        for (size_t k = 0; k < nn; k++) {
            const cbr_predicted_node *x = node_at(s, nets[k], v[i].nodes);
            cell_num(o, "%.1f%%", x ? 100 * x->strong_efficiency : NAN);
            cell_num(o, "%.1f%%", x ? 100 * x->weak_efficiency : NAN);
        }
    }
    cb_out_table_end(o);
}

/* The model's efficiency over MPI nodes (scale --predict): one table per exchange, in the order
 * first seen. */
static void predicted_nodes_tables(cb_out *o, const cbr_scale *s)
{
    cb_out_para(o, NULL, "Predicted over nodes (modelled, not measured):");
    cb_out_para(o, "explain", "The scaling model's parallel efficiency over MPI nodes, data-parallel as mpirun "
                              "-np N cifarbench train runs them: each node's step on its share of the batch, "
                              "from inputs measured on this machine, plus the exchange over a network of the "
                              "given latency and bandwidth. Strong keeps the global batch, weak gives every "
                              "thread of every node the batch; efficiency is against one node.");
    for (size_t i = 0; i < s->predicted_nodes.n; i++)
        if (node_first(s->predicted_nodes.v, i, NODE_EXCHANGE))
            nodes_table(o, s, i);
}

/* The model's inputs and its check against a measured point, one paragraph; flagged ("warn") when
 * the prediction is more than 10% off the measurement. */
static void model_para(cb_out *o, const cbr_scale_model *m)
{
    char t[1024], a[32], b[32];
    size_t w = (size_t)snprintf(t, sizeof t, "Model inputs: %.2f us per image (phase 1)", 1e6 * m->image_seconds);
#define ADD(...) (w += w < sizeof t ? (size_t)snprintf(t + w, sizeof t - w, __VA_ARGS__) : 0)
    if (m->blocks > 0 && isfinite(m->block_seconds) && isfinite(m->block_image_seconds))
        ADD("; %lld parameter blocks at %s each plus %s per image of the batch (phase 2)", m->blocks,
            cb_fmt_seconds(a, sizeof a, m->block_seconds), cb_fmt_seconds(b, sizeof b, m->block_image_seconds));
    if (isfinite(m->serial_step_seconds))
        ADD("; %s serial per step", cb_fmt_seconds(a, sizeof a, m->serial_step_seconds));
    if (isfinite(m->barrier_seconds))
        ADD("; %.2f us synchronisation per step at 2 threads", 1e6 * m->barrier_seconds);
    if (isfinite(m->band_seconds) && isfinite(m->band_head_seconds) && isfinite(m->handoff_seconds))
        ADD("; beyond one thread per image, bands: %s per image's bands (%s of it band 0's dense "
            "layers), %.3f us per wait between bands", cb_fmt_seconds(a, sizeof a, m->band_seconds),
            cb_fmt_seconds(b, sizeof b, m->band_head_seconds), 1e6 * m->handoff_seconds);
    if (m->bandwidth_per_core > 0)
        ADD("; %.1f GB/s memory bandwidth per core", m->bandwidth_per_core / 1e9);
    if (isfinite(m->block_bytes_per_image))
        ADD(" for %.0f bytes per block and image", m->block_bytes_per_image);
    ADD(".");
    const bool checked = m->validation_threads > 0 && isfinite(m->validation_predicted) &&
                         isfinite(m->validation_measured) && isfinite(m->validation_error);
    const bool outside = checked && fabs(m->validation_error) > 0.10;
    if (checked)
        ADD(" Validation, %lld threads: predicted %s images/s from 1-thread inputs, measured %s (median): %+.1f%%, "
            "%s 10%%.", m->validation_threads, cb_fmt_count(a, sizeof a, m->validation_predicted),
            cb_fmt_count(b, sizeof b, m->validation_measured), 100 * m->validation_error,
            outside ? "outside" : "within");
#undef ADD
    cb_out_para(o, outside ? "warn" : NULL, t);
}

static void section_scaling(cb_out *o, const cb_rfile *files, size_t n)
{
    if (!count_kind(files, n, CB_RF_SCALE))
        cb_out_para(o, "note", CB_RD_NOTE_NO_SCALE);
    for (size_t f = 0; f < n; f++) {
        if (files[f].kind != CB_RF_SCALE)
            continue;
        const cbr_scale *s = &files[f].res.scale;
        const bool weak = files[f].ctx.weak;
        char extra[160];
        int w = weak && s->config.batch > 0
                    ? snprintf(extra, sizeof extra, "weak scaling, batch %lld per thread", s->config.batch)
                    : snprintf(extra, sizeof extra, "%s scaling", weak ? "weak" : "strong");
        if (s->config.repetitions > 0)
            snprintf(extra + w, sizeof extra - (size_t)w, ", median of %lld repetition%s", s->config.repetitions,
                     s->config.repetitions == 1 ? "" : "s");
        file_heading(o, &files[f], extra);
        if (o->html)
            scale_chart(o, s, weak);
        scale_points(o, s);
        if (s->predicted_strong.n || s->predicted_weak.n)
            predicted_table(o, s);
        if (s->predicted_nodes.n)
            predicted_nodes_tables(o, s);
        if (isfinite(s->model.image_seconds))
            model_para(o, &s->model);
    }
}

/* ---- data-parallel over MPI ranks ------------------------------------------------------------- */

/* A train file of the MPI section: its ranks (1 for one process), global batch and images/s. */
typedef struct rank_row {
    const cb_rfile *f;
    long long ranks, batch; /* batch: config.batch, -1 when unknown */
    double images_per_s;    /* the summary's median, else the epochs' median */
} rank_row;

/* The last epoch: the one the exchange's figures and the checksum are shown of. */
static const cbr_epoch *last_epoch(const cbr_train *t)
{
    return &t->epochs.v[t->epochs.n - 1];
}

/* Whether two train files ran one workload over ranks: task, images per epoch, ISA, threads per
 * rank. */
static bool same_rank_workload(const cb_rcontext *a, const cb_rcontext *b)
{
    return strcmp(a->task, b->task) == 0 && a->train_images == b->train_images && strcmp(a->isa, b->isa) == 0 &&
           a->threads == b->threads;
}

/* The summary's median images/s, else the epochs' (files without a summary). */
static double train_images_per_s(const cbr_train *t)
{
    if (isfinite(t->summary.images_per_s))
        return t->summary.images_per_s;
    double *v = malloc(t->epochs.n * sizeof *v);
    for (size_t e = 0; v && e < t->epochs.n; e++)
        v[e] = t->epochs.v[e].images_per_s;
    const double m = v ? cb_median(v, t->epochs.n) : NAN;
    free(v);
    return m;
}

/* The rows of the workload whose first train file is files[first], sorted by ranks, then batch,
 * then as given; 0 when files[first] is not such a file. rows: room for n. */
static size_t rank_group(const cb_rfile *files, size_t n, size_t first, rank_row *rows)
{
    const cb_rcontext *w = &files[first].ctx;
    if (files[first].kind != CB_RF_TRAIN)
        return 0;
    for (size_t f = 0; f < first; f++)
        if (files[f].kind == CB_RF_TRAIN && same_rank_workload(&files[f].ctx, w))
            return 0;
    size_t nr = 0;
    for (size_t f = first; f < n; f++) {
        if (files[f].kind != CB_RF_TRAIN || !same_rank_workload(&files[f].ctx, w))
            continue;
        const long long ranks = files[f].res.common.context.ranks;
        const rank_row r = {&files[f], ranks > 1 ? ranks : 1, files[f].res.train.config.batch,
                            train_images_per_s(&files[f].res.train)};
        size_t j = nr++;
        for (; j > 0 && (rows[j - 1].ranks > r.ranks ||
                         (rows[j - 1].ranks == r.ranks && rows[j - 1].batch > r.batch)); j--)
            rows[j] = rows[j - 1];
        rows[j] = r;
    }
    return nr;
}

/* The group's first 1-rank row of global batch `batch`, or NULL (always when the batch is unknown). */
static const rank_row *one_rank_at(const rank_row *rows, size_t n, long long batch)
{
    for (size_t i = 0; batch > 0 && i < n && rows[i].ranks == 1; i++) /* sorted: 1 rank first */
        if (rows[i].batch == batch)
            return &rows[i];
    return NULL;
}

/* A rank's share of the global batch; "16-17" when the shares differ by one (dist.h). */
static void cell_batch_per_rank(cb_out *o, const rank_row *r)
{
    if (r->batch <= 0)
        cb_out_cell(o, "-");
    else if (r->batch % r->ranks == 0)
        cb_out_cellf(o, "%lld", r->batch / r->ranks);
    else
        cb_out_cellf(o, "%lld-%lld", r->batch / r->ranks, r->batch / r->ranks + 1);
}

/* The group's heading: the workload. */
static void rank_heading(cb_out *o, const cb_rcontext *c)
{
    char text[160], sub[96], a[32];
    snprintf(text, sizeof text, "%s, %s images per epoch", c->task,
             cb_fmt_count(a, sizeof a, (double)c->train_images));
    if (c->threads > 0)
        snprintf(sub, sizeof sub, "%s, %d thread%s per rank", c->isa, c->threads, c->threads == 1 ? "" : "s");
    else
        snprintf(sub, sizeof sub, "%s", c->isa);
    cb_out_heading(o, text, sub);
}

/* A row per file: what ran, images/s, its ratios to the 1-rank files and the last epoch's
 * exchanges on rank 0. */
static void rank_table(cb_out *o, const rank_row *rows, size_t n)
{
    static const char *const cols[] = {"file", "ranks", "threads/rank", "exchange", "batch", "batch/rank",
                                       "images/s", "images/s/rank", "speed-up", "efficiency", "weak efficiency",
                                       "exchange us/step", "wait us/step", "KB received/step", "exchange share"};
    cb_out_table(o, cols, "knntnnnnnnnnnnn");
    for (size_t i = 0; i < n; i++) {
        const rank_row *r = &rows[i];
        const cbr_epoch *e = last_epoch(&r->f->res.train);
        const rank_row *strong = one_rank_at(rows, n, r->batch),
                       *weak = r->batch % r->ranks == 0 ? one_rank_at(rows, n, r->batch / r->ranks) : NULL;
        const double speedup = strong ? r->images_per_s / strong->images_per_s : NAN,
                     steps = e->steps > 0 ? (double)e->steps : NAN;
        cb_out_cell(o, cb_rd_file_label(r->f));
        cb_out_cellf(o, "%lld", r->ranks);
        cell_num(o, "%.0f", r->f->ctx.threads > 0 ? (double)r->f->ctx.threads : NAN);
        cb_out_cell(o, r->ranks > 1 ? exchange_name(r->f->res.common.context.exchange) : "-");
        cell_num(o, "%.0f", r->batch > 0 ? (double)r->batch : NAN);
        cell_batch_per_rank(o, r);
        cell_fmt(o, cb_fmt_count, r->images_per_s);
        cell_fmt(o, cb_fmt_count, r->images_per_s / (double)r->ranks);
        cell_num(o, "x%.2f", speedup);
        cell_num(o, "%.0f%%", 100 * speedup / (double)r->ranks);
        cell_num(o, "%.0f%%", weak ? 100 * r->images_per_s / ((double)r->ranks * weak->images_per_s) : NAN);
        cell_num(o, "%.1f", 1e6 * e->comm_seconds / steps);
        cell_num(o, "%.1f", 1e6 * e->comm_wait_seconds / steps);
        cell_num(o, "%.1f", e->comm_bytes_per_step / 1e3);
        cell_num(o, "%.1f%%", 100 * e->comm_seconds / e->seconds);
    }
    cb_out_table_end(o);
}

/* A ranked file's placement, network and weights, one paragraph. */
static void rank_para(cb_out *o, const rank_row *r)
{
    const cbr_context *c = &r->f->res.common.context;
    const char *sum = last_epoch(&r->f->res.train)->weights_checksum;
    cb_buf t;
    cb_buf_init(&t);
    cb_buf_printf(&t, "%s, measured: %lld ranks, exchange %s.", cb_rd_file_label(r->f), r->ranks,
                  exchange_name(c->exchange));
    for (size_t k = 0; k < c->rank_thread_pus.n; k++)
        cb_buf_printf(&t, "%s rank %zu: PUs %s", k ? ";" : " Bindings:", k, c->rank_thread_pus.v[k]);
    if (c->rank_thread_pus.n)
        cb_buf_puts(&t, ".");
    if (isfinite(c->network_latency_seconds) && isfinite(c->network_bytes_per_s))
        cb_buf_printf(&t, " Network between ranks 0 and 1 (ping-pong): latency %.2f us, %.1f Gb/s.",
                      1e6 * c->network_latency_seconds, 8e-9 * c->network_bytes_per_s);
    if (sum)
        cb_buf_printf(&t, " Weights checksum after the last epoch %s, identical on all %lld ranks (the run "
                          "compares the ranks' checksums and stops when they differ).", sum, r->ranks);
    para_buf(o, NULL, &t);
}

static void section_mpi(cb_out *o, const cb_rfile *files, size_t n)
{
    rank_row *rows = calloc(n ? n : 1, sizeof *rows);
    if (!rows) {
        o->b->failed = true;
        return;
    }
    size_t shown = 0;
    for (size_t f = 0; f < n; f++) {
        const size_t nr = rank_group(files, n, f, rows);
        if (nr == 0 || rows[nr - 1].ranks == 1)
            continue;
        if (shown++ == 0)
            cb_out_para(o, "explain",
                        "Measured: train results run data-parallel over MPI ranks (mpirun -np R cifarbench "
                        "train), grouped by workload (task, images per epoch, ISA, threads per rank), one "
                        "process counting as 1 rank; a row per file, by ranks, then global batch. Speed-up and "
                        "efficiency are against the group's 1-rank file of the same global batch (strong); weak "
                        "efficiency is images/s / (ranks x images/s of the 1-rank file whose batch is this "
                        "file's batch per rank); \"-\": no such file. The exchange columns are rank 0's in the "
                        "last epoch: its time in the exchanges and its wait for the other ranks before them, "
                        "per step, the KB each rank receives per step, and the exchanges' share of the epoch.");
        rank_heading(o, &files[f].ctx);
        rank_table(o, rows, nr);
        for (size_t i = 0; i < nr; i++)
            if (rows[i].ranks > 1)
                rank_para(o, &rows[i]);
    }
    if (!shown)
        cb_out_para(o, "note", CB_RD_NOTE_NO_RANKS);
    free(rows);
}

/* ---- kernels ---------------------------------------------------------------------------------- */

static void kernel_chart(cb_out *o, const cb_rd_kernel *k, size_t nk, const char *isa)
{
    cb_svg_bar *bars = calloc(nk, sizeof *bars);
    size_t nb = 0;
    double peak = NAN;
    for (size_t i = 0; bars && i < nk; i++) {
        if (k[i].is_peak || k[i].error || strcmp(k[i].isa, isa) != 0 || !(k[i].gflops > 0))
            continue;
        if (!isfinite(peak))
            peak = k[i].peak_gflops;
        bars[nb] = (cb_svg_bar){k[i].name, {k[i].gflops, NAN, NAN, NAN}, "", isa_color(isa)};
        if (isfinite(k[i].percent_of_peak))
            snprintf(bars[nb].note, sizeof bars[nb].note, "%.2f GFLOP/s (%.1f%%)", k[i].gflops, k[i].percent_of_peak);
        else
            snprintf(bars[nb].note, sizeof bars[nb].note, "%.2f GFLOP/s", k[i].gflops);
        nb++;
    }
    if (nb) {
        char title[96], ref[96];
        snprintf(title, sizeof title, "Kernel GFLOP/s (%s)", isa[0] ? isa : "unknown ISA");
        snprintf(ref, sizeof ref, "measured peak %.1f GFLOP/s", peak);
        const cb_svg_bars chart = {title, "GFLOP/s", 1, {NULL}, bars, nb, peak, ref};
        cb_out_heading(o, isa[0] ? isa : "ISA not named", NULL);
        figure(o, &chart, NULL,
               isfinite(peak) ? "Achieved GFLOP/s per kernel (median over repetitions); the dashed line is the "
                                "measured FMA peak of this ISA."
                              : "Achieved GFLOP/s per kernel (median over repetitions); no measured peak for "
                                "this ISA in the inputs.");
    }
    free(bars);
}

/* One chart per ISA (in the order the ISAs first appear), the peaks measured against, the table. */
static void kernel_file(cb_out *o, const cb_rd_kernel *k, size_t nk)
{
    char seen[8][16], peaks[1024] = "";
    size_t nseen = 0, len = 0;
    bool any_gflops = false;
    for (size_t i = 0; i < nk; i++) {
        any_gflops |= !k[i].is_peak && k[i].gflops > 0;
        bool dup = false;
        for (size_t s = 0; s < nseen && !dup; s++)
            dup = strcmp(seen[s], k[i].isa) == 0;
        if (!dup && nseen < 8 && o->html)
            kernel_chart(o, k, nk, k[i].isa);
        if (!dup && nseen < 8)
            snprintf(seen[nseen++], 16, "%s", k[i].isa);
        bool first = isfinite(k[i].peak_gflops); /* the peak of each ISA, once */
        for (size_t j = 0; j < i && first; j++)
            first = strcmp(k[j].isa, k[i].isa) != 0 || !isfinite(k[j].peak_gflops);
        if (first && len < sizeof peaks)
            len += (size_t)snprintf(peaks + len, sizeof peaks - len, "%s%s %.1f GFLOP/s (%s)",
                                    len ? "; " : "Measured peaks: ", k[i].isa[0] ? k[i].isa : "(no ISA)",
                                    k[i].peak_gflops, k[i].peak_source ? k[i].peak_source : "?");
    }
    if (!any_gflops)
        cb_out_para(o, "note", "The benchmarks carry no GFLOP/s counter: times only.");
    if (len && len + 1 < sizeof peaks)
        cb_out_para(o, NULL, strcat(peaks, "."));
    static const char *const cols[] = {"benchmark", "ISA", "reps", "time (median)", "GFLOP/s",
                                       "peak GFLOP/s", "% of peak", "peak from"};
    cb_out_table(o, cols, "ktnnnnnt");
    for (size_t i = 0; i < nk; i++) {
        const cb_rd_kernel *x = &k[i];
        cb_out_cell(o, x->name);
        cb_out_cell(o, x->isa);
        if (x->error) {
            char msg[512];
            snprintf(msg, sizeof msg, "error: %s", x->error_message ? x->error_message : "(no message)");
            cb_out_bad(o, msg, 6);
            continue;
        }
        if (x->repetitions)
            cb_out_cellf(o, "%zu", x->repetitions);
        else
            cb_out_cell(o, "aggregate");
        cell_fmt(o, cb_fmt_seconds, x->real_time);
        cell_num(o, "%.2f", x->gflops);
        cell_num(o, "%.1f", x->peak_gflops);
        cell_num(o, "%.1f%%", x->percent_of_peak);
        cb_out_cell(o, x->peak_source);
    }
    cb_out_table_end(o);
}

static void section_kernels(cb_out *o, const cb_rfile *files, size_t n)
{
    if (!count_kind(files, n, CB_RF_GBENCH))
        cb_out_para(o, "note", CB_RD_NOTE_NO_KERNELS);
    for (size_t f = 0; f < n; f++) {
        size_t nk;
        cb_rd_kernel *k = files[f].kind == CB_RF_GBENCH ? cb_rd_kernels(&files[f], files, n, &nk) : NULL;
        if (k) {
            cb_out_heading(o, cb_rd_file_label(&files[f]), NULL);
            kernel_file(o, k, nk);
        }
        free(k);
    }
}

/* ---- learning --------------------------------------------------------------------------------- */

/* One line per train file: the train loss (mean over each epoch) or the test accuracy (%). */
static void learning_chart(cb_out *o, const cb_rfile *files, size_t n, bool accuracy)
{
    const size_t nt = count_kind(files, n, CB_RF_TRAIN);
    cb_svg_series *series = calloc(nt, sizeof *series);
    double **bufs = calloc(2 * nt, sizeof *bufs);
    char(*names)[160] = calloc(nt, sizeof *names);
    size_t ns = 0, nb = 0;
    for (size_t f = 0; series && bufs && names && f < n; f++) {
        if (files[f].kind != CB_RF_TRAIN)
            continue;
        const cbr_train *t = &files[f].res.train;
        double *x = calloc(t->epochs.n, sizeof *x), *y = calloc(t->epochs.n, sizeof *y);
        bufs[nb++] = x;
        bufs[nb++] = y;
        if (!x || !y)
            continue;
        for (size_t e = 0; e < t->epochs.n; e++) {
            x[e] = (double)t->epochs.v[e].epoch;
            y[e] = accuracy ? 100 * t->epochs.v[e].test_accuracy : t->epochs.v[e].train_loss;
        }
        snprintf(names[ns], sizeof names[ns], "%s (%s)", files[f].ctx.isa, cb_rd_file_label(&files[f]));
        series[ns] = (cb_svg_series){names[ns], x, y, t->epochs.n, false};
        ns++;
    }
    if (ns) {
        const cb_svg_lines chart = {accuracy ? "Test accuracy by epoch" : "Train loss by epoch", "epoch",
                                    accuracy ? "test accuracy %" : "train loss", series, ns, true};
        figure(o, NULL, &chart,
               accuracy ? "Accuracy on the test images after each epoch. Lines that coincide (the same seed "
                          "learns alike on every ISA) hide one another."
                        : "Training loss, the mean over each epoch's batches. Lines that coincide (the same "
                          "seed learns alike on every ISA) hide one another.");
    }
    for (size_t i = 0; i < nb; i++)
        free(bufs[i]);
    free(bufs);
    free(series);
    free(names);
}

static void section_learning(cb_out *o, const cb_rfile *files, size_t n)
{
    if (!count_kind(files, n, CB_RF_TRAIN)) {
        cb_out_para(o, "note", CB_RD_NOTE_NO_TRAIN);
        return;
    }
    if (o->html) {
        learning_chart(o, files, n, false);
        learning_chart(o, files, n, true);
    }
    for (size_t f = 0; f < n; f++) {
        if (files[f].kind != CB_RF_TRAIN)
            continue;
        const cbr_train *t = &files[f].res.train;
        char extra[160] = "";
        if (t->config.batch > 0)
            snprintf(extra, sizeof extra, "batch %lld, seed %lld", t->config.batch, t->config.seed);
        file_heading(o, &files[f], extra);
        static const char *const cols[] = {"epoch", "images", "seconds", "images/s", "GFLOP/s",
                                           "train loss", "train acc", "test loss", "test acc"};
        cb_out_table(o, cols, "nnnnnnnnn");
        for (size_t i = 0; i < t->epochs.n; i++) {
            const cbr_epoch *e = &t->epochs.v[i];
            cb_out_cellf(o, "%lld", e->epoch);
            cell_fmt(o, cb_fmt_count, (double)e->images);
            cell_fmt(o, cb_fmt_seconds, e->seconds);
            cell_fmt(o, cb_fmt_count, e->images_per_s);
            cell_num(o, "%.2f", e->gflops);
            cell_num(o, "%.4f", e->train_loss);
            cell_num(o, "%.1f%%", 100 * e->train_accuracy);
            cell_num(o, "%.4f", e->test_loss);
            cell_num(o, "%.1f%%", 100 * e->test_accuracy);
        }
        cb_out_table_end(o);
    }
}

/* ---- study and regression --------------------------------------------------------------------- */

static double last(const cb_nums *a) { return a->n ? a->v[a->n - 1] : NAN; }

static void study_file(cb_out *o, const cb_rfile *f)
{
    const cbr_study *s = &f->res.study;
    char extra[160], names[8][48];
    snprintf(extra, sizeof extra, "task %s, a point every %lld steps", f->res.header.task ? f->res.header.task : "?",
             s->config.every);
    file_heading(o, f, extra);
    cb_svg_series series[4];
    const size_t nr = s->runs.n < 4 ? s->runs.n : 4, np = s->probe_logits.n < 8 ? s->probe_logits.n : 8;
    for (size_t r = 0; r < nr; r++) {
        const cbr_study_run *x = &s->runs.v[r];
        series[r] = (cb_svg_series){x->loss, x->step.v, x->train_loss.v,
                                    x->step.n < x->train_loss.n ? x->step.n : x->train_loss.n, false};
    }
    if (o->html)
        figure(o, NULL, &(cb_svg_lines){"Training loss by step", "step", "train loss", series, nr, true},
               "Training loss of each run, from the same seed and data order.");
    const char *cols[14] = {"loss", "matched", "test acc", "last train loss", "last train acc", "last mean |gradient|"};
    char kinds[15] = "ktnnnn";
    for (size_t i = 0; i < np; i++) {
        snprintf(names[i], sizeof names[i], "gradient at z = %g", s->probe_logits.v[i]);
        cols[6 + i] = names[i];
        kinds[6 + i] = 'n';
    }
    kinds[6 + np] = '\0';
    cb_out_table(o, cols, kinds);
    for (size_t r = 0; r < s->runs.n; r++) {
        const cbr_study_run *x = &s->runs.v[r];
        cb_out_cell(o, x->loss);
        cb_out_cell(o, x->matched ? "yes" : "no");
        cell_num(o, "%.1f%%", 100 * x->test_accuracy);
        cell_num(o, "%.4f", last(&x->train_loss));
        cell_num(o, "%.1f%%", 100 * last(&x->train_accuracy));
        cell_num(o, "%.4f", last(&x->gradient));
        for (size_t i = 0; i < np; i++)
            cell_num(o, "%.6f", i < x->probe_gradient.n ? x->probe_gradient.v[i] : NAN);
    }
    cb_out_table_end(o);
}

static void regression_file(cb_out *o, const cb_rfile *f)
{
    const cbr_regression *g = &f->res.regression;
    char extra[96];
    int w = snprintf(extra, sizeof extra, "final loss");
    if (isfinite(g->final_loss.mse))
        w += snprintf(extra + w, sizeof extra - (size_t)w, " MSE %.4f", g->final_loss.mse);
    if (isfinite(g->final_loss.mae))
        snprintf(extra + w, sizeof extra - (size_t)w, " MAE %.4f", g->final_loss.mae);
    file_heading(o, f, extra);
    cb_out_para(o, "explain", "Sepal width against sepal length, per length bin: the MSE fit follows the bin "
                              "means, the MAE fit the medians.");
    static const char *const cols[] = {"length (cm)", "rows", "mean", "median", "MSE fit", "MAE fit"};
    cb_out_table(o, cols, "tnnnnn");
    for (size_t i = 0; i < g->bins.n; i++) {
        const cbr_regression_bin *b = &g->bins.v[i];
        cb_out_cellf(o, "%.1f-%.1f", b->length_from, b->length_to);
        cb_out_cellf(o, "%lld", b->rows);
        cell_num(o, "%.3f", b->mean);
        cell_num(o, "%.3f", b->median);
        cell_num(o, "%.3f", b->mse_fit);
        cell_num(o, "%.3f", b->mae_fit);
    }
    cb_out_table_end(o);
}

static void section_context(cb_out *o, const cb_rfile *files, size_t n)
{
    context_group(o, files, n, false);
    context_group(o, files, n, true);
}

/* ---- contention: a warning at the top for every epoch or point the harness flagged ----------- */

static void contention_alerts(cb_out *o, const cb_rfile *files, size_t n)
{
    for (size_t f = 0; f < n; f++) {
        if (files[f].ctx.oversubscribed) {
            char t[512];
            snprintf(t, sizeof t, "Not a measurement: %s ran more threads than the machine has "
                     "processing units (--oversubscribe, for correctness checks); its timings "
                     "are not meaningful.", cb_rd_file_label(&files[f]));
            cb_out_para(o, "alert", t);
        }
        const bool train = files[f].kind == CB_RF_TRAIN;
        const size_t m = train ? files[f].res.train.epochs.n : files[f].kind == CB_RF_SCALE ? files[f].res.scale.scaling.n : 0;
        for (size_t i = 0; i < m; i++) {
            const cbr_contention *c = train ? &files[f].res.train.epochs.v[i].contention
                                            : &files[f].res.scale.scaling.v[i].contention;
            if (c->flagged != 1)
                continue;
            char t[1024];
            size_t w = (size_t)snprintf(t, sizeof t, "Unreliable timing: %s, %s %lld, was measured while something "
                                        "else used the machine (contention)", cb_rd_file_label(&files[f]),
                                        train ? "epoch" : "threads",
                                        train ? files[f].res.train.epochs.v[i].epoch : files[f].res.scale.scaling.v[i].threads);
#define ADD(...) (w += w < sizeof t ? (size_t)snprintf(t + w, sizeof t - w, __VA_ARGS__) : 0)
            if (isfinite(c->cpu_per_wall))
                ADD("; CPU/wall per thread %.2f", c->cpu_per_wall);
            if (isfinite(c->steal_share))
                ADD("; %.1f%% stolen by the hypervisor", 100 * c->steal_share);
            if (isfinite(c->peak_before_gflops) && isfinite(c->peak_after_gflops))
                ADD("; FMA peak %.1f GFLOP/s before, %.1f after", c->peak_before_gflops, c->peak_after_gflops);
            for (size_t r = 0; r < c->reasons.n; r++)
                ADD("%s%s", r ? "; " : ": ", c->reasons.v[r]);
            ADD(". Its figures, and the medians and ratios that include them, are not to be trusted.");
#undef ADD
            cb_out_para(o, "alert", t);
        }
    }
}

/* ---- the report ------------------------------------------------------------------------------- */

static const struct {
    const char *id, *link, *title;
    void (*all)(cb_out *, const cb_rfile *, size_t); /* from every file, or */
    void (*each)(cb_out *, const cb_rfile *);        /* per file of kind `only` */
    int only; /* the kind the section needs in the inputs to appear; -1: always */
} sections[] = {
    {"context", "Context", "Context", section_context, NULL, -1},
    {"isa", "ISA comparison", "ISA comparison", section_isa, NULL, -1},
    {"layers", "Layers", "Per-layer breakdown", section_layers, NULL, -1},
    {"scaling", "Thread scaling", "Thread scaling", section_scaling, NULL, -1},
    {"mpi", "MPI ranks", "Data-parallel over MPI ranks", section_mpi, NULL, -1},
    {"kernels", "Kernels", "Kernels: GFLOP/s against the measured peak", section_kernels, NULL, -1},
    {"learning", "Learning", "Learning", section_learning, NULL, -1},
    {"study", "Study", "Study: the matched against the mismatched loss", NULL, study_file, CB_RF_STUDY},
    {"regression", "Regression", "Regression: fits per length bin", NULL, regression_file, CB_RF_REGRESSION},
};
enum { N_SECTIONS = sizeof sections / sizeof sections[0] };

void cb_report(cb_out *o, const cb_rfile *files, size_t n)
{
    const char **names = calloc(2 * n + 1, sizeof *names), *links[2 * N_SECTIONS];
    bool shown[N_SECTIONS];
    size_t nl = 0;
    for (size_t s = 0; s < N_SECTIONS; s++) {
        shown[s] = sections[s].only < 0 || count_kind(files, n, (cb_rkind)sections[s].only);
        if (shown[s]) {
            links[2 * nl] = sections[s].id;
            links[2 * nl++ + 1] = sections[s].link;
        }
    }
    if (!names) {
        o->b->failed = true;
        return;
    }
    for (size_t f = 0; f < n; f++) {
        names[f] = files[f].path;
        names[n + f] = files[f].command;
    }
    cb_out_begin(o, names, names + n, n, links, nl);
    contention_alerts(o, files, n);
    for (size_t s = 0; s < N_SECTIONS; s++)
        if (shown[s]) {
            cb_out_section(o, sections[s].id, sections[s].title);
            for (size_t f = 0; sections[s].each && f < n; f++)
                if (files[f].kind == (cb_rkind)sections[s].only)
                    sections[s].each(o, &files[f]);
            if (sections[s].all)
                sections[s].all(o, files, n);
            cb_out_section_end(o);
        }
    cb_out_end(o);
    free(names);
}
