/* svg_chart.c - see svg_chart.h. Coordinates are in SVG user units; the viewBox makes the chart
 * scale with the page. Text widths are estimated (no font metrics without a browser). */
#include "svg_chart.h"

#include "report_format.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { WIDTH = 760 };
static const double CHAR_W = 6.6; /* average width of a 12px sans-serif character */

static const char *const palette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759",
                                      "#76b7b2", "#edc948", "#b07aa1", "#9c755f"};

/* The palette's colour i (cycled), as "#rrggbb". */
static const char *palette_color(int i)
{
    const int n = (int)(sizeof palette / sizeof palette[0]);
    return palette[((i % n) + n) % n];
}

/* A "nice" axis: a step of 1, 2 or 5 times a power of ten so that 0..*max has about `ticks`
 * intervals; *max is rounded up to a multiple of the step. Returns the step. */
static double nice_axis(double *max, int ticks)
{
    if (!(*max > 0) || !isfinite(*max))
        *max = 1;
    const double raw = *max / (ticks > 0 ? ticks : 1);
    const double mag = pow(10, floor(log10(raw)));
    const double f = raw / mag;
    const double step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
    *max = ceil(*max / step - 1e-9) * step;
    return step;
}

static void format_tick(char *buf, size_t n, double v)
{
    const double a = fabs(v);
    if (a >= 1e6)
        snprintf(buf, n, "%gM", v / 1e6);
    else if (a >= 1e4)
        snprintf(buf, n, "%gk", v / 1e3);
    else
        snprintf(buf, n, "%g", fabs(v) < 1e-12 ? 0.0 : v);
}

/* Past the first n characters (UTF-8) of s, or its end. */
static const char *skip_chars(const char *s, size_t n)
{
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80 && n-- == 0)
            break;
    return s;
}

/* Writes s as SVG text content, cut to at most max_chars characters (with an ellipsis). */
static void put_text(cb_buf *out, const char *s, size_t max_chars)
{
    if (!*skip_chars(s, max_chars)) {
        cb_html_text(out, s);
        return;
    }
    char cut[512]; /* one character fewer, then the ellipsis */
    snprintf(cut, sizeof cut, "%.*s", (int)(skip_chars(s, max_chars - 1) - s), s);
    cb_html_text(out, cut);
    cb_buf_puts(out, "\xE2\x80\xA6");
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void svg_open(cb_buf *out, double height, const char *title)
{
    cb_buf_printf(out,
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %.0f\" "
                 "class=\"chart\" role=\"img\" font-family=\"sans-serif\" font-size=\"12\">\n<title>",
                 WIDTH, height);
    cb_html_text(out, title ? title : "chart");
    cb_buf_puts(out, "</title>\n");
}

enum { LEGEND_ROW = 18 };

/* Draws the legend from (x, y), wrapping to a new row at the chart's right edge; with out NULL
 * only measures. Returns the number of rows. */
static int legend(cb_buf *out, double x, double y, const char *const *names, const bool *dashed,
                  int n)
{
    const double x0 = x;
    int rows = n > 0;
    for (int i = 0; i < n; i++) {
        const char *name = names[i] ? names[i] : "";
        const size_t chars = utf8_chars(name) < 50 ? utf8_chars(name) : 50;
        const double w = 18 + CHAR_W * (double)chars + 18;
        if (x > x0 && x + w > WIDTH - 8) {
            x = x0;
            y += LEGEND_ROW;
            rows++;
        }
        if (out) {
            if (dashed && dashed[i])
                cb_buf_printf(out,
                             "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                             "stroke-width=\"2\" stroke-dasharray=\"5 3\"/>\n",
                             x, y - 4, x + 14, y - 4, palette_color(i));
            else
                cb_buf_printf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>\n",
                             x, y - 10, palette_color(i));
            cb_buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\">", x + 18, y);
            put_text(out, name, 50);
            cb_buf_puts(out, "</text>\n");
        }
        x += w;
    }
    return rows;
}

/* A horizontal grid line across the plot at pixel row y, labelled with the value v on the left. */
static void y_gridline(cb_buf *out, double left, double plot_w, double y, double v)
{
    char lab[32];
    format_tick(lab, sizeof lab, v);
    cb_buf_printf(out,
                 "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n"
                 "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555\">%s</text>\n",
                 left, y, left + plot_w, y, left - 6, y + 4, lab);
}

/* The y axis' label, turned to run up the left edge, centred on pixel row y; none when NULL. */
static void y_axis_label(cb_buf *out, const char *label, double y)
{
    if (!label)
        return;
    cb_buf_printf(out, "<text transform=\"translate(14 %.1f) rotate(-90)\" text-anchor=\"middle\" fill=\"#333\">", y);
    cb_html_text(out, label);
    cb_buf_puts(out, "</text>\n");
}

void cb_svg_bar_chart(cb_buf *out, const cb_svg_bars *c)
{
    const int nseg = c->n_segments < 1 ? 1 : c->n_segments > CB_SVG_MAX_SEGMENTS ? CB_SVG_MAX_SEGMENTS : c->n_segments;
    size_t label_chars = 4, note_chars = 0;
    double max = 0;
    for (size_t i = 0; i < c->n_bars; i++) {
        const cb_svg_bar *b = &c->bars[i];
        const size_t lc = utf8_chars(b->label ? b->label : "");
        if (lc > label_chars)
            label_chars = lc;
        const size_t nc = utf8_chars(b->note);
        if (nc > note_chars)
            note_chars = nc;
        double total = 0;
        for (int s = 0; s < nseg; s++)
            if (isfinite(b->values[s]) && b->values[s] > 0)
                total += b->values[s];
        if (total > max)
            max = total;
    }
    if (isfinite(c->ref_value) && c->ref_value > max)
        max = c->ref_value;
    if (label_chars > 44)
        label_chars = 44;
    if (note_chars > 34)
        note_chars = 34;
    const double left = 10 + CHAR_W * (double)label_chars + 8;
    const double right = 12 + CHAR_W * (double)note_chars + 6;
    const int legend_rows = nseg > 1 ? legend(NULL, left, 16, c->segment_names, NULL, nseg) : 0;
    const double top = (nseg > 1 ? 8 + LEGEND_ROW * legend_rows : 6) + (isfinite(c->ref_value) ? 18 : 0);
    const double row = 24, bar_h = 16;
    const double plot_h = row * (double)(c->n_bars ? c->n_bars : 1);
    const double height = top + plot_h + 40;
    const double plot_w = WIDTH - left - right;
    const double step = nice_axis(&max, 5);
    const double scale = plot_w / max;

    svg_open(out, height, c->title);
    if (nseg > 1)
        legend(out, left, 16, c->segment_names, NULL, nseg);
    /* grid and ticks */
    for (double t = 0; t <= max + step / 2; t += step) {
        const double x = left + t * scale;
        char lab[32];
        format_tick(lab, sizeof lab, t);
        cb_buf_printf(out,
                     "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n"
                     "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#555\">%s</text>\n",
                     x, top, x, top + plot_h, x, top + plot_h + 14, lab);
    }
    cb_buf_printf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>\n",
                 left, top, left, top + plot_h);
    if (c->axis_label) {
        cb_buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#333\">",
                     left + plot_w / 2, top + plot_h + 32);
        cb_html_text(out, c->axis_label);
        cb_buf_puts(out, "</text>\n");
    }
    /* the reference line first, so that bars and their values are drawn over it */
    if (isfinite(c->ref_value)) {
        const double x = left + c->ref_value * scale;
        cb_buf_printf(out,
                     "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#c00\" "
                     "stroke-width=\"1.5\" stroke-dasharray=\"6 3\"/>\n",
                     x, top - 4, x, top + plot_h);
        /* the label sits above the plot, kept inside the chart */
        const char *lab = c->ref_label ? c->ref_label : "reference";
        const double w = CHAR_W * (double)utf8_chars(lab);
        const char *anchor = x + w / 2 > WIDTH - 4 ? "end" : x - w / 2 < 4 ? "start" : "middle";
        cb_buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" fill=\"#c00\">", x,
                     top - 8, anchor);
        cb_html_text(out, lab);
        cb_buf_puts(out, "</text>\n");
    }
    for (size_t i = 0; i < c->n_bars; i++) {
        const cb_svg_bar *b = &c->bars[i];
        const double y = top + row * (double)i + (row - bar_h) / 2;
        cb_buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", left - 8, y + 12);
        put_text(out, b->label ? b->label : "", label_chars);
        if (b->label && utf8_chars(b->label) > label_chars) {
            cb_buf_puts(out, "<title>");
            cb_html_text(out, b->label);
            cb_buf_puts(out, "</title>");
        }
        cb_buf_puts(out, "</text>\n");
        double x = left;
        for (int s = 0; s < nseg; s++) {
            const double v = b->values[s];
            if (!isfinite(v) || v <= 0)
                continue;
            const double w = v * scale;
            const int color = nseg > 1 ? s : (b->color >= 0 ? b->color : 0);
            cb_buf_printf(out,
                         "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                         "<title>",
                         x, y, w < 0.5 ? 0.5 : w, bar_h, palette_color(color));
            cb_html_text(out, b->label ? b->label : "");
            if (nseg > 1 && c->segment_names[s]) {
                cb_buf_puts(out, " ");
                cb_html_text(out, c->segment_names[s]);
            }
            cb_buf_printf(out, ": %.4g</title></rect>\n", v);
            x += w;
        }
        if (b->note[0]) {
            cb_buf_printf(out,
                         "<text x=\"%.1f\" y=\"%.1f\" fill=\"#333\" stroke=\"#fff\" "
                         "stroke-width=\"3\" paint-order=\"stroke\">",
                         x + 6, y + 12);
            put_text(out, b->note, note_chars);
            cb_buf_puts(out, "</text>\n");
        }
    }
    cb_buf_puts(out, "</svg>\n");
}

void cb_svg_line_chart(cb_buf *out, const cb_svg_lines *c)
{
    double xmin = INFINITY, xmax = -INFINITY, ymax = 0;
    for (size_t s = 0; s < c->n_series; s++)
        for (size_t i = 0; i < c->series[s].n; i++) {
            const double x = c->series[s].x[i], y = c->series[s].y[i];
            if (!isfinite(x) || !isfinite(y))
                continue;
            xmin = fmin(xmin, x);
            xmax = fmax(xmax, x);
            ymax = fmax(ymax, y);
        }
    if (!isfinite(xmin)) {
        xmin = 0;
        xmax = 1;
    }
    if (c->x_integer) {
        xmin = floor(xmin);
        xmax = ceil(xmax);
    }
    if (xmax <= xmin)
        xmax = xmin + 1;
    const char *names[16];
    bool dashed[16];
    const int nleg = (int)(c->n_series < 16 ? c->n_series : 16);
    for (int i = 0; i < nleg; i++) {
        names[i] = c->series[i].name;
        dashed[i] = c->series[i].dashed;
    }
    const double left = 64, right = 20, bottom = 46;
    const double top = 16 + LEGEND_ROW * legend(NULL, left, 16, names, dashed, nleg);
    const double plot_h = 260, height = top + plot_h + bottom, plot_w = WIDTH - left - right;
    const double ystep = nice_axis(&ymax, 5);
    double xstep = (xmax - xmin) / 8;
    if (c->x_integer) {
        xstep = xstep <= 1 ? 1 : ceil(xstep);
    } else {
        double span = xmax - xmin;
        xstep = nice_axis(&span, 8);
    }
    const double sx = plot_w / (xmax - xmin), sy = plot_h / ymax;
#define PX(v) (left + ((v) - xmin) * sx)
#define PY(v) (top + plot_h - (v) * sy)

    svg_open(out, height, c->title);
    legend(out, left, 16, names, dashed, nleg);
    for (double t = 0; t <= ymax + ystep / 2; t += ystep)
        y_gridline(out, left, plot_w, PY(t), t);
    for (double t = xmin; t <= xmax + xstep / 2; t += xstep) {
        char lab[32];
        format_tick(lab, sizeof lab, t);
        cb_buf_printf(out,
                     "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>\n"
                     "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#555\">%s</text>\n",
                     PX(t), top + plot_h, PX(t), top + plot_h + 4, PX(t), top + plot_h + 17, lab);
    }
    cb_buf_printf(out,
                 "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>\n"
                 "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>\n",
                 left, top, left, top + plot_h, left, top + plot_h, left + plot_w, top + plot_h);
    if (c->x_label) {
        cb_buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#333\">",
                     left + plot_w / 2, height - 8);
        cb_html_text(out, c->x_label);
        cb_buf_puts(out, "</text>\n");
    }
    y_axis_label(out, c->y_label, top + plot_h / 2);
    for (size_t s = 0; s < c->n_series; s++) {
        const cb_svg_series *se = &c->series[s];
        const char *color = palette_color((int)s);
        cb_buf_printf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"",
                     color, se->dashed ? " stroke-dasharray=\"6 4\"" : "");
        for (size_t i = 0; i < se->n; i++)
            if (isfinite(se->x[i]) && isfinite(se->y[i]))
                cb_buf_printf(out, "%.1f,%.1f ", PX(se->x[i]), PY(se->y[i]));
        cb_buf_puts(out, "\"/>\n");
        if (se->dashed)
            continue;
        for (size_t i = 0; i < se->n; i++) {
            if (!isfinite(se->x[i]) || !isfinite(se->y[i]))
                continue;
            cb_buf_printf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"><title>",
                         PX(se->x[i]), PY(se->y[i]), color);
            cb_html_text(out, se->name ? se->name : "");
            cb_buf_printf(out, ": %g, %.4g</title></circle>\n", se->x[i], se->y[i]);
        }
    }
#undef PX
#undef PY
    cb_buf_puts(out, "</svg>\n");
}

void cb_svg_trend_chart(cb_buf *out, const cb_svg_trend *t)
{
    double ymin = INFINITY, ymax = -INFINITY;
    for (size_t i = 0; i < t->n; i++) {
        ymin = fmin(ymin, fmin(t->lo[i], t->median[i]));
        ymax = fmax(ymax, fmax(t->hi[i], t->median[i]));
    }
    if (!isfinite(ymin) || !isfinite(ymax))
        ymin = 0, ymax = 1;
    double span = (ymax - ymin) * 1.2 + fabs(ymax) * 1e-3 + 1e-12; /* 10% air each side */
    const double ystep = nice_axis(&span, 5);
    const double y0 = floor((ymin - (span - (ymax - ymin)) / 2) / ystep) * ystep;
    const double y1 = y0 + ceil((ymax - y0) / ystep + 1e-9) * ystep;
    const double left = 70, right = 20, top = 26, plot_h = 220, bottom = 50;
    const double height = top + plot_h + bottom, plot_w = WIDTH - left - right;
    const double sx = plot_w / (double)(t->n > 1 ? t->n : 2), sy = plot_h / (y1 - y0);
#define PX(i) (left + ((double)(i) + 0.5) * sx)
#define PY(v) (top + plot_h - ((v) - y0) * sy)
    svg_open(out, height, t->title);
    for (double v = y0; v <= y1 + ystep / 2; v += ystep)
        y_gridline(out, left, plot_w, PY(v), v);
    cb_buf_printf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>\n", left,
                 top + plot_h, left + plot_w, top + plot_h);
    const size_t every = t->n > 8 ? (t->n + 7) / 8 : 1; /* at most about 8 revision ticks */
    for (size_t i = 0; i < t->n; i += every) {
        cb_buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#555\">", PX(i),
                     top + plot_h + 16);
        put_text(out, t->labels[i], 12);
        cb_buf_puts(out, "</text>\n");
    }
    cb_buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#333\">runs in commit order</text>\n",
                 left + plot_w / 2, height - 10);
    y_axis_label(out, t->y_label, top + plot_h / 2);
    for (size_t b = 0; b < t->n_breaks; b++) {
        const double x = PX(t->breaks[b]) - sx / 2;
        cb_buf_printf(out,
                     "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#c00\" stroke-width=\"1.5\" "
                     "stroke-dasharray=\"6 3\"/>\n<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#c00\">",
                     x, top - 4, x, top + plot_h, x, top - 8);
        cb_html_text(out, t->break_labels[b]);
        cb_buf_puts(out, "</text>\n");
    }
    if (t->level) {
        cb_buf_printf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", palette_color(1));
        for (size_t i = 0; i < t->n; i++)
            cb_buf_printf(out, "%.1f,%.1f %.1f,%.1f ", PX(i) - sx / 2, PY(t->level[i]), PX(i) + sx / 2, PY(t->level[i]));
        cb_buf_puts(out, "\"/>\n");
    }
    for (size_t i = 0; i < t->n; i++) {
        cb_buf_printf(out,
                     "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n"
                     "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>",
                     PX(i), PY(t->lo[i]), PX(i), PY(t->hi[i]), palette_color(0), PX(i), PY(t->median[i]),
                     palette_color(0));
        cb_html_text(out, t->labels[i]);
        cb_buf_printf(out, ": median %.6g (%.6g .. %.6g)</title></circle>\n", t->median[i], t->lo[i], t->hi[i]);
    }
#undef PX
#undef PY
    cb_buf_puts(out, "</svg>\n");
}
