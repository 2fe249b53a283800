/*
 * history_page.h - the pages of `cifarbench history --out DIR`: history.html (one trend chart per
 * figure, machine and configuration: the median and spread of every run in commit order, the
 * level of each segment, the change points marked with their size) and history.md (the same as
 * tables: per series its runs, its levels and its change points with the commits around them).
 */
#ifndef CB_HISTORY_PAGE_H
#define CB_HISTORY_PAGE_H

#include "changepoint.h"
#include "history_db.h"
#include "report_format.h"

typedef struct cb_history {
    const char *db_path;
    const cb_hseries *series;
    const cb_cp_result *changes; /* per series */
    size_t n;
    double alpha;                /* the significance the change points were found at */
} cb_history;

/* Writes the page (arg: a cb_history) in o's format. */
void cb_history_page(cb_out *o, const void *arg);

/* "+5.1%" style: a change point's size, signed, in percent. */
const char *cb_history_change_text(char *buf, size_t n, const cb_cp *c);

/* The commit range a change point lies in: "abc123..def456" (the last run before, the first after). */
const char *cb_history_commits(char *buf, size_t n, const cb_hseries *s, const cb_cp *c);

#endif /* CB_HISTORY_PAGE_H */
