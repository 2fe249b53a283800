/* report_format.c - see report_format.h. */
#include "report_format.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
    ".alert{background:#fde7ea;border-left:6px solid #b00020;padding:8px 12px;font-weight:600}\n"
    "footer{margin-top:40px;color:#888;font-size:12px}\n"
    "@media print{main{box-shadow:none}}\n";

void cb_html_text(cb_buf *b, const char *s)
{
    for (; *s; s++) {
        const char *e = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;"
                      : *s == '"' ? "&quot;" : *s == '\'' ? "&#39;" : NULL;
        if (e)
            cb_buf_puts(b, e);
        else
            cb_buf_append(b, s, 1);
    }
}

void cb_md_text(cb_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\n' || *s == '\r' || *s == '\t')
            cb_buf_append(b, " ", 1);
        else if (strchr("|\\*`[]<>", *s))
            cb_buf_printf(b, "\\%c", *s);
        else
            cb_buf_append(b, s, 1);
    }
}

void cb_out_text(cb_out *o, const char *s)
{
    (o->html ? cb_html_text : cb_md_text)(o->b, s);
}

void cb_out_begin(cb_out *o, const char *const *paths, const char *const *kinds, size_t n,
                  const char *const *sections, size_t n_sections)
{
    const char *title = o->title ? o->title : "cifarbench report";
    if (o->html)
        cb_buf_printf(o->b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                            "<title>%s</title>\n<style>\n%s</style>\n</head>\n<body>\n"
                            "<main>\n<h1>%s</h1>\n<p class=\"sub\">",
                      title, style, title);
    else
        cb_buf_printf(o->b, "# %s\n\n", title);
    cb_buf_printf(o->b, "From %zu file%s:", n, n == 1 ? "" : "s");
    for (size_t f = 0; f < n; f++) {
        cb_buf_puts(o->b, f ? ", " : " ");
        cb_buf_puts(o->b, o->html ? "<code>" : "");
        cb_out_text(o, paths[f]);
        cb_buf_printf(o->b, "%s (%s)", o->html ? "</code>" : "", kinds[f]);
    }
    if (!o->html) {
        cb_buf_puts(o->b, ".\n\n");
        return;
    }
    cb_buf_puts(o->b, ".</p>\n<nav>");
    for (size_t i = 0; i < n_sections; i++)
        cb_buf_printf(o->b, "<a href=\"#%s\">%s</a>", sections[2 * i], sections[2 * i + 1]);
    cb_buf_puts(o->b, "</nav>\n");
}

void cb_out_end(cb_out *o)
{
    if (o->html)
        cb_buf_puts(o->b, "<footer>Written by cifarbench. Self-contained: no scripts, no "
                          "external resources.</footer>\n</main>\n</body>\n</html>\n");
}

void cb_out_section(cb_out *o, const char *id, const char *title)
{
    if (o->html)
        cb_buf_printf(o->b, "<section id=\"%s\"><h2>%s</h2>\n", id, title);
    else
        cb_buf_printf(o->b, "## %s\n\n", title);
}

void cb_out_section_end(cb_out *o)
{
    if (o->html)
        cb_buf_puts(o->b, "</section>\n");
}

void cb_out_heading(cb_out *o, const char *text, const char *sub)
{
    cb_buf_puts(o->b, o->html ? "<h3>" : "### ");
    cb_out_text(o, text);
    if (sub) {
        cb_buf_puts(o->b, o->html ? " <span class=\"sub\">(" : " (");
        cb_out_text(o, sub);
        cb_buf_puts(o->b, o->html ? ")</span>" : ")");
    }
    cb_buf_puts(o->b, o->html ? "</h3>\n" : "\n\n");
}

void cb_out_para(cb_out *o, const char *cls, const char *text)
{
    const bool note = cls && strcmp(cls, "note") == 0, warn = cls && strcmp(cls, "warn") == 0,
               alert = cls && strcmp(cls, "alert") == 0;
    if (o->html && cls)
        cb_buf_printf(o->b, "<p class=\"%s\">", cls);
    else if (o->html)
        cb_buf_puts(o->b, "<p>");
    else
        cb_buf_puts(o->b, note ? "_" : warn ? "**Note:** " : alert ? "> **WARNING:** " : "");
    cb_out_text(o, text);
    cb_buf_puts(o->b, o->html ? "</p>\n" : note ? "_\n\n" : "\n\n");
}

void cb_out_table(cb_out *o, const char *const *cols, const char *kinds)
{
    const size_t n = strlen(kinds);
    o->kinds = kinds;
    o->col = 0;
    cb_buf_puts(o->b, o->html ? "<div class=\"scroll\"><table><thead><tr>" : "|");
    for (size_t i = 0; i < n; i++) {
        if (o->html) {
            cb_buf_puts(o->b, kinds[i] == 'n' ? "<th class=\"n\">" : "<th>");
            cb_html_text(o->b, cols[i]);
            cb_buf_puts(o->b, "</th>");
        } else if (!cols[i][0]) {
            cb_buf_puts(o->b, "   |"); /* the key column's empty heading */
        } else {
            cb_buf_puts(o->b, " ");
            cb_md_text(o->b, cols[i]);
            cb_buf_puts(o->b, " |");
        }
    }
    if (o->html) {
        cb_buf_puts(o->b, "</tr></thead><tbody>\n");
        return;
    }
    cb_buf_puts(o->b, "\n|");
    for (size_t i = 0; i < n; i++)
        cb_buf_puts(o->b, kinds[i] == 'n' ? "---:|" : ":---|");
    cb_buf_puts(o->b, "\n");
}

/* Opens cell o->col (and its row), with the given HTML class (NULL: none). */
static void cell_open(cb_out *o, const char *cls, size_t span)
{
    if (o->col == 0)
        cb_buf_puts(o->b, o->html ? "<tr>" : "|");
    if (!o->html)
        cb_buf_puts(o->b, " ");
    else if (span > 1)
        cb_buf_printf(o->b, "<td class=\"%s\" colspan=\"%zu\">", cls, span);
    else if (cls)
        cb_buf_printf(o->b, "<td class=\"%s\">", cls);
    else
        cb_buf_puts(o->b, "<td>");
}

static void cell_close(cb_out *o, size_t span)
{
    cb_buf_puts(o->b, o->html ? "</td>" : " |");
    for (size_t i = 1; !o->html && i < span; i++)
        cb_buf_puts(o->b, " - |");
    o->col += span;
    if (o->kinds[o->col] == '\0') {
        cb_buf_puts(o->b, o->html ? "</tr>\n" : "\n");
        o->col = 0;
    }
}

static const char *kind_class(char kind)
{
    return kind == 'k' ? "k" : kind == 'n' ? "n" : kind == 'w' ? "wrap" : NULL;
}

void cb_out_cell(cb_out *o, const char *text)
{
    cell_open(o, kind_class(o->kinds[o->col]), 1);
    cb_out_text(o, text && *text ? text : "-");
    cell_close(o, 1);
}

void cb_out_cellf(cb_out *o, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    cb_out_cell(o, buf);
}

void cb_out_bad(cb_out *o, const char *text, size_t span)
{
    const char kind = o->kinds[o->col];
    cell_open(o, span > 1 ? "bad" : kind == 'n' ? "n bad" : "bad", span);
    cb_buf_puts(o->b, o->html ? "" : "**");
    cb_out_text(o, text);
    cb_buf_puts(o->b, o->html ? "" : "**");
    cell_close(o, span);
}

void cb_out_table_end(cb_out *o)
{
    cb_buf_puts(o->b, o->html ? "</tbody></table></div>\n" : "\n");
}
