/* history_db.c - see history_db.h. */
#define _DEFAULT_SOURCE /* timegm */
#include "history_db.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cb_stats.h"
#include "figures.h"

#define CB_HDB_APPLICATION_ID 0x43424844 /* "CBHD": a cifarbench history, not another SQLite file */

const char *const cb_hdb_migrations[CB_HDB_VERSION] = {
    /* 0 -> 1: runs, their figures, every repetition */
    "CREATE TABLE run (id INTEGER PRIMARY KEY, digest TEXT NOT NULL, document TEXT NOT NULL, source TEXT,"
    " kind TEXT NOT NULL, machine TEXT NOT NULL, config TEXT NOT NULL, cpu_model TEXT, isa TEXT,"
    " variants TEXT, threads INTEGER, bind TEXT, compiler TEXT, build_flags TEXT, git_revision TEXT,"
    " commit_time INTEGER, recorded_at INTEGER NOT NULL);"
    "CREATE INDEX run_digest ON run(digest);"
    "CREATE TABLE figure (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,"
    " name TEXT NOT NULL, unit TEXT NOT NULL, higher_better INTEGER NOT NULL, median REAL NOT NULL,"
    " n INTEGER NOT NULL, flagged INTEGER NOT NULL, UNIQUE (run_id, name));"
    "CREATE TABLE repetition (figure_id INTEGER NOT NULL REFERENCES figure(id) ON DELETE CASCADE,"
    " idx INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (figure_id, idx)) WITHOUT ROWID;",
    /* 1 -> 2: the spread beside the median (the trend charts' whiskers), and the series index */
    "ALTER TABLE figure ADD COLUMN lo REAL;"
    "ALTER TABLE figure ADD COLUMN hi REAL;"
    "UPDATE figure SET lo = (SELECT min(value) FROM repetition WHERE figure_id = figure.id),"
    " hi = (SELECT max(value) FROM repetition WHERE figure_id = figure.id);"
    "CREATE INDEX run_series ON run(machine, config);",
};

const char *cb_hdb_default_path(const char *explicit_path)
{
    if (explicit_path)
        return explicit_path;
    const char *env = getenv("CIFARBENCH_DB");
    return env && *env ? env : "cifarbench.db";
}

static int fail(cb_hdb *h, char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "%s: %s: %s", h->path, what, h->db ? sqlite3_errmsg(h->db) : "out of memory");
    return -1;
}

static int exec(cb_hdb *h, const char *sql, char *err, size_t errlen)
{
    return sqlite3_exec(h->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : fail(h, err, errlen, sql);
}

/* The integer a one-row, one-column statement gives; -1 on error. */
static long long pragma_int(cb_hdb *h, const char *sql)
{
    sqlite3_stmt *st;
    long long v = -1;
    if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Brings the schema to CB_HDB_VERSION in one transaction (read again inside it: another process
 * may have upgraded it meanwhile). */
static int migrate(cb_hdb *h, char *err, size_t errlen)
{
    long long v = pragma_int(h, "PRAGMA user_version");
    if (v < 0)
        return fail(h, err, errlen, "not a cifarbench history database");
    if (v == CB_HDB_VERSION)
        return 0;
    if (cb_hdb_begin(h, err, errlen) != 0)
        return -1;
    v = pragma_int(h, "PRAGMA user_version");
    const long long app = pragma_int(h, "PRAGMA application_id");
    char sql[96];
    if (v > CB_HDB_VERSION) {
        snprintf(err, errlen, "%s: history schema version %lld is newer than this cifarbench's (%d): update cifarbench",
                 h->path, v, CB_HDB_VERSION);
    } else if (v > 0 && app != CB_HDB_APPLICATION_ID) {
        snprintf(err, errlen, "%s: an SQLite database, but not a cifarbench history", h->path);
    } else if (v == 0 && pragma_int(h, "SELECT count(*) FROM sqlite_master") != 0) {
        snprintf(err, errlen, "%s: an SQLite database with tables of its own, not a cifarbench history", h->path);
    } else {
        for (; v < CB_HDB_VERSION; v++)
            if (exec(h, cb_hdb_migrations[v], err, errlen) != 0)
                goto out;
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d; PRAGMA application_id = %d", CB_HDB_VERSION,
                 CB_HDB_APPLICATION_ID);
        if (exec(h, sql, err, errlen) == 0)
            return cb_hdb_commit(h, err, errlen);
    }
out:
    cb_hdb_rollback(h);
    return -1;
}

/* Switches the journal to WAL (kept in the file: a no-op once done). The switch takes an exclusive
 * lock, and SQLite answers "busy" at once, without the busy handler, while another process holds
 * the database (a second record creating it at the same time): so retry, for up to 30 s. */
static bool set_wal(cb_hdb *h)
{
    for (int attempt = 0; attempt < 3000; attempt++) {
        sqlite3_stmt *st;
        int rc = sqlite3_prepare_v2(h->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(st);
        const bool wal = rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
        sqlite3_finalize(st);
        if (wal || (rc != SQLITE_BUSY && rc != SQLITE_LOCKED))
            return wal;
        sqlite3_sleep(10);
    }
    return false;
}

int cb_hdb_open(cb_hdb *h, const char *path, bool create, char *err, size_t errlen)
{
    h->db = NULL;
    h->path = path;
    struct stat st;
    if (stat(path, &st) != 0 && !create) {
        snprintf(err, errlen, "%s: no history database here (cifarbench record RESULT.json creates one)", path);
        return -1;
    }
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        return -1;
    }
    const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &h->db, flags, NULL) != SQLITE_OK) {
        fail(h, err, errlen, "cannot open");
        cb_hdb_close(h);
        return -1;
    }
    sqlite3_busy_timeout(h->db, 30000);
    const bool ok = set_wal(h);
    if (!ok) {
        fail(h, err, errlen, "not a cifarbench history database (cannot use its journal)");
        cb_hdb_close(h);
        return -1;
    }
    if (exec(h, "PRAGMA foreign_keys = ON", err, errlen) != 0 || migrate(h, err, errlen) != 0) {
        cb_hdb_close(h);
        return -1;
    }
    return 0;
}

void cb_hdb_close(cb_hdb *h)
{
    sqlite3_close(h->db);
    h->db = NULL;
}

int cb_hdb_begin(cb_hdb *h, char *err, size_t errlen)
{
    return exec(h, "BEGIN IMMEDIATE", err, errlen);
}

int cb_hdb_commit(cb_hdb *h, char *err, size_t errlen)
{
    return exec(h, "COMMIT", err, errlen);
}

void cb_hdb_rollback(cb_hdb *h)
{
    sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Appends "; " and the formatted text to the config b (the first part without "; "). */
static void __attribute__((format(printf, 3, 4))) config_add(char *b, size_t n, const char *fmt, ...)
{
    size_t len = strlen(b);
    if (len && len + 2 < n)
        len += (size_t)snprintf(b + len, n - len, "; ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b + len, n - len, fmt, ap);
    va_end(ap);
}

/* "2026-12-02T16:13:01Z" -> UTC seconds; -1 when it is not that form. */
static long long utc_seconds(const char *s)
{
    struct tm tm = {0};
    int len = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
               &tm.tm_sec, &len) != 6 || s[len] != '\0' || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
        tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (long long)timegm(&tm);
}

int cb_hdb_describe(const cb_rfile *f, const char *machine, cb_hrun *r, char *err, size_t errlen)
{
    const cb_rcontext *c = &f->ctx;
    if (f->kind != CB_RF_TRAIN && f->kind != CB_RF_SCALE && f->kind != CB_RF_GBENCH) {
        snprintf(err, errlen, "%s: a %s result holds no timings; record stores train, scale and Google Benchmark "
                              "results", f->path, f->command);
        return -1;
    }
    if (c->oversubscribed) {
        snprintf(err, errlen, "%s: run oversubscribed (more threads than PUs, --oversubscribe), so its "
                              "timings mean nothing; record keeps only measurements", f->path);
        return -1;
    }
    const char *env = getenv("CIFARBENCH_MACHINE");
    snprintf(r->machine, sizeof r->machine, "%s",
             machine ? machine : env && *env ? env : c->cpu_model ? c->cpu_model : "unknown CPU");
    r->config[0] = '\0';
    config_add(r->config, sizeof r->config, "%s", f->command);
    if (c->task)
        config_add(r->config, sizeof r->config, "task %s", c->task);
    if (strcmp(c->isa, "?") != 0)
        config_add(r->config, sizeof r->config, "isa %s", c->isa);
    const char *variants = cb_rcontext_field(c, "kernel variants");
    if (variants)
        config_add(r->config, sizeof r->config, "variants %s", variants);
    if (c->threads > 0 && f->kind != CB_RF_SCALE) /* a scale figure is per thread count */
        config_add(r->config, sizeof r->config, "%lld threads", (long long)c->threads);
    if (c->bind)
        config_add(r->config, sizeof r->config, "bind %s", c->bind);
    if (c->batch > 0)
        config_add(r->config, sizeof r->config, "batch %lld", (long long)c->batch);
    if (c->train_images > 0)
        config_add(r->config, sizeof r->config, "%lld images", (long long)c->train_images);
    r->revision = cb_rcontext_field(c, "git revision");
    const char *when = cb_rcontext_field(c, "git commit time");
    r->commit_time = when ? utc_seconds(when) : -1;
    if (when && r->commit_time < 0) {
        snprintf(err, errlen, "%s: git commit time '%s' is not of the form 2026-12-02T16:13:01Z", f->path, when);
        return -1;
    }
    return 0;
}

/* FNV-1a, 64 bits, as 16 hex digits: finds the candidates; the text itself decides. */
static void digest(const char *s, size_t n, char out[17])
{
    uint64_t x = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        x = (x ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    snprintf(out, 17, "%016llx", (unsigned long long)x);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static int find_same(cb_hdb *h, const char *dig, const cb_buf *text, long long *id)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h->db, "SELECT id FROM run WHERE digest = ?1 AND document = ?2", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, dig, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, text->data, (int)text->len, SQLITE_STATIC);
    const int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static int insert_run(cb_hdb *h, const cb_rfile *f, const cb_hrun *r, const char *dig, long long recorded_at)
{
    const cb_rcontext *c = &f->ctx;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h->db,
                           "INSERT INTO run (digest, document, source, kind, machine, config, cpu_model, isa, variants,"
                           " threads, bind, compiler, build_flags, git_revision, commit_time, recorded_at)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, dig, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, f->json.text.data, (int)f->json.text.len, SQLITE_STATIC);
    bind_text(st, 3, f->path);
    bind_text(st, 4, f->command);
    bind_text(st, 5, r->machine);
    bind_text(st, 6, r->config);
    bind_text(st, 7, c->cpu_model);
    bind_text(st, 8, c->isa);
    bind_text(st, 9, cb_rcontext_field(c, "kernel variants"));
    if (c->threads > 0)
        sqlite3_bind_int64(st, 10, c->threads);
    bind_text(st, 11, c->bind);
    bind_text(st, 12, cb_rcontext_field(c, "compiler"));
    bind_text(st, 13, cb_rcontext_field(c, "build flags"));
    bind_text(st, 14, r->revision);
    if (r->commit_time >= 0)
        sqlite3_bind_int64(st, 15, r->commit_time);
    sqlite3_bind_int64(st, 16, recorded_at);
    const int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* A figure and its repetitions, for run. */
static int insert_figure(cb_hdb *h, long long run, const cb_figure *g, const char *unit, bool higher_better)
{
    double *v = malloc((g->n ? g->n : 1) * sizeof *v), lo = INFINITY, hi = -INFINITY;
    if (!v)
        return -1;
    for (size_t i = 0; i < g->n; i++) {
        v[i] = g->v[i];
        lo = fmin(lo, v[i]);
        hi = fmax(hi, v[i]);
    }
    const double median = cb_median(v, g->n);
    free(v);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h->db,
                           "INSERT INTO figure (run_id, name, unit, higher_better, median, lo, hi, n, flagged)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, run);
    sqlite3_bind_text(st, 2, g->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, unit, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, higher_better);
    sqlite3_bind_double(st, 5, median);
    sqlite3_bind_double(st, 6, lo);
    sqlite3_bind_double(st, 7, hi);
    sqlite3_bind_int64(st, 8, (long long)g->n);
    sqlite3_bind_int64(st, 9, (long long)g->flagged);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return -1;
    const long long fig = sqlite3_last_insert_rowid(h->db);
    if (sqlite3_prepare_v2(h->db, "INSERT INTO repetition (figure_id, idx, value) VALUES (?1, ?2, ?3)", -1, &st,
                           NULL) != SQLITE_OK)
        return -1;
    for (size_t i = 0; i < g->n && rc == SQLITE_DONE; i++) {
        sqlite3_bind_int64(st, 1, fig);
        sqlite3_bind_int64(st, 2, (long long)i);
        sqlite3_bind_double(st, 3, g->v[i]);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int cb_hdb_record(cb_hdb *h, const cb_rfile *f, const cb_hrun *r, long long recorded_at, long long *id,
                  bool *stored, char *err, size_t errlen)
{
    char dig[17];
    digest(f->json.text.data, f->json.text.len, dig);
    *stored = false;
    const int same = find_same(h, dig, &f->json.text, id);
    if (same != 0)
        return same > 0 ? 0 : fail(h, err, errlen, "looking for the same file");
    cb_figure *fig;
    size_t n;
    if (cb_figures_of(f, &fig, &n) != 0) {
        snprintf(err, errlen, "%s: out of memory", f->path);
        return -1;
    }
    int rc = n ? 0 : -1;
    if (rc != 0)
        snprintf(err, errlen, "%s: no timed figure to record (every benchmark failed?)", f->path);
    else if ((rc = insert_run(h, f, r, dig, recorded_at)) != 0)
        fail(h, err, errlen, "storing the run");
    *id = sqlite3_last_insert_rowid(h->db);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if ((rc = insert_figure(h, *id, &fig[i], cb_figures_unit(f->kind), cb_figures_higher_better(f->kind))) != 0)
            fail(h, err, errlen, "storing a figure");
    cb_figures_free(fig, n);
    *stored = rc == 0;
    return rc;
}

static const char *column_text(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? (const char *)s : "";
}

/* Appends the row's point to the last series, starting a new one when machine, config or figure
 * differ from it. Returns 0, or -1 when memory runs out. */
static int add_point(sqlite3_stmt *st, cb_hseries **s, size_t *n, size_t *cap)
{
    cb_hseries *last = *n ? &(*s)[*n - 1] : NULL;
    if (!last || strcmp(last->machine, column_text(st, 0)) != 0 || strcmp(last->config, column_text(st, 1)) != 0 ||
        strcmp(last->figure, column_text(st, 2)) != 0) {
        if (*n == *cap) {
            const size_t c = *cap ? 2 * *cap : 16;
            cb_hseries *t = realloc(*s, c * sizeof *t);
            if (!t)
                return -1;
            *s = t;
            *cap = c;
        }
        last = &(*s)[(*n)++];
        memset(last, 0, sizeof *last);
        snprintf(last->machine, sizeof last->machine, "%s", column_text(st, 0));
        snprintf(last->config, sizeof last->config, "%s", column_text(st, 1));
        snprintf(last->figure, sizeof last->figure, "%s", column_text(st, 2));
        snprintf(last->unit, sizeof last->unit, "%s", column_text(st, 3));
        last->higher_better = sqlite3_column_int(st, 4) != 0;
    }
    if ((last->n & (last->n - 1)) == 0) { /* grow at powers of two */
        cb_hpoint *t = realloc(last->points, (last->n ? 2 * last->n : 1) * sizeof *t);
        if (!t)
            return -1;
        last->points = t;
    }
    cb_hpoint *p = &last->points[last->n++];
    p->run_id = sqlite3_column_int64(st, 5);
    snprintf(p->revision, sizeof p->revision, "%s", column_text(st, 6));
    p->commit_time = sqlite3_column_type(st, 7) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 7);
    p->recorded_at = sqlite3_column_int64(st, 8);
    p->median = sqlite3_column_double(st, 9);
    p->lo = sqlite3_column_double(st, 10);
    p->hi = sqlite3_column_double(st, 11);
    p->n = sqlite3_column_int64(st, 12);
    p->flagged = sqlite3_column_int64(st, 13);
    return 0;
}

int cb_hdb_series(cb_hdb *h, const char *machine, const char *figure, cb_hseries **out, size_t *n,
                  char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h->db,
                           "SELECT r.machine, r.config, f.name, f.unit, f.higher_better, r.id, r.git_revision,"
                           " r.commit_time, r.recorded_at, f.median, f.lo, f.hi, f.n, f.flagged"
                           " FROM figure f JOIN run r ON r.id = f.run_id"
                           " WHERE (?1 IS NULL OR r.machine = ?1) AND (?2 IS NULL OR f.name = ?2)"
                           " ORDER BY r.machine, r.config, f.name, coalesce(r.commit_time, r.recorded_at),"
                           " r.recorded_at, r.id",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(h, err, errlen, "reading the series");
    bind_text(st, 1, machine);
    bind_text(st, 2, figure);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (add_point(st, out, n, &cap) != 0) {
            rc = SQLITE_NOMEM;
            break;
        }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        cb_hdb_series_free(*out, *n);
        *out = NULL;
        *n = 0;
        return rc == SQLITE_NOMEM ? (snprintf(err, errlen, "out of memory"), -1) : fail(h, err, errlen, "reading the series");
    }
    return 0;
}

void cb_hdb_series_free(cb_hseries *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        free(s[i].points);
    free(s);
}
