/*
 * history_db.h - the result history: one SQLite database of runs, as asv keeps results per commit.
 *
 * A run is one result file (train, scale or Google Benchmark JSON), stored whole (its text) with
 * what groups and orders it:
 *   machine   a name for where it ran: record's --machine, else $CIFARBENCH_MACHINE, else the
 *             file's CPU model
 *   config    what ran, e.g. "train classify; isa avx2; 2 threads; bind core; batch 32; 50000
 *             images": runs are compared only within one machine and one config
 *   the fingerprint (CPU model, ISA, kernel variants, threads, bind, compiler, build flags), the
 *   git revision and its commit time (UTC seconds; the order of a series), the time recorded
 * and its figures (figures.h), each with every repetition, the median and the spread (min, max).
 *
 * Tables (schema version CB_HDB_VERSION, kept in PRAGMA user_version):
 *   run(id, digest, document, source, kind, machine, config, cpu_model, isa, variants, threads,
 *       bind, compiler, build_flags, git_revision, commit_time, recorded_at)
 *   figure(id, run_id -> run, name, unit, higher_better, median, lo, hi, n, flagged)
 *   repetition(figure_id -> figure, idx, value)
 * Version history (cb_hdb_migrations): 1 the three tables; 2 each figure's spread (lo, hi) kept
 * beside its median, filled in from the repetitions for runs recorded by version 1, and an index
 * for the series queries. An older database is upgraded in place when opened; a newer one is
 * refused.
 *
 * Concurrency: WAL journal and a 30-s busy timeout, and every write in one IMMEDIATE transaction,
 * so two `record`s at once both land, one after the other.
 */
#ifndef CB_HISTORY_DB_H
#define CB_HISTORY_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <sqlite3.h>

#include "load_results.h"

enum { CB_HDB_VERSION = 2 };

/* The SQL that takes a database from version i to i + 1 (index i = 0 .. CB_HDB_VERSION - 1). */
extern const char *const cb_hdb_migrations[CB_HDB_VERSION];

typedef struct cb_hdb {
    sqlite3 *db;
    const char *path;
} cb_hdb;

/* The database path: explicit (--db), else $CIFARBENCH_DB, else "cifarbench.db". */
const char *cb_hdb_default_path(const char *explicit_path);

/* Opens path (creating it when create, else it must exist), sets WAL and the busy timeout, and
 * upgrades an older schema. Returns 0, or -1 with the reason in err (the handle is then closed). */
int cb_hdb_open(cb_hdb *h, const char *path, bool create, char *err, size_t errlen);
void cb_hdb_close(cb_hdb *h);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. Return 0, or -1 with the reason in err. */
int cb_hdb_begin(cb_hdb *h, char *err, size_t errlen);
int cb_hdb_commit(cb_hdb *h, char *err, size_t errlen);
void cb_hdb_rollback(cb_hdb *h);

/* What record stores of a loaded file (filled by cb_hdb_describe). */
typedef struct cb_hrun {
    char machine[160];
    char config[512];
    long long commit_time;  /* UTC seconds; -1 when the file has none */
    const char *revision;   /* NULL when unknown */
} cb_hrun;

/* The machine and config a file is grouped under (machine: the name given, or NULL for the
 * default). Returns 0, or -1 with the reason in err (a kind without timings, a bad commit time). */
int cb_hdb_describe(const cb_rfile *f, const char *machine, cb_hrun *r, char *err, size_t errlen);

/* Stores f (loaded from its file, whose text f->json.text holds) as a run, inside the caller's
 * transaction. *id is the run's id; *stored is false when an identical file is there already
 * (nothing is added). Returns 0, or -1 with the reason in err. */
int cb_hdb_record(cb_hdb *h, const cb_rfile *f, const cb_hrun *r, long long recorded_at, long long *id,
                  bool *stored, char *err, size_t errlen);

/* One run of a series. */
typedef struct cb_hpoint {
    long long run_id;
    char revision[64];      /* "" when unknown */
    long long commit_time;  /* -1 when unknown */
    long long recorded_at;
    double median, lo, hi;
    long long n, flagged;   /* repetitions, of which flagged for contention */
} cb_hpoint;

/* One figure of one config on one machine: its runs in commit order (commit time, then the time
 * recorded, then the order recorded). */
typedef struct cb_hseries {
    char machine[160], config[512], figure[160], unit[16];
    bool higher_better;
    cb_hpoint *points;
    size_t n;
} cb_hseries;

/* Every series whose machine and figure match (NULL: any), ordered by machine, config and figure.
 * Returns 0, or -1 with the reason in err. */
int cb_hdb_series(cb_hdb *h, const char *machine, const char *figure, cb_hseries **out, size_t *n,
                  char *err, size_t errlen);
void cb_hdb_series_free(cb_hseries *s, size_t n);

#endif /* CB_HISTORY_DB_H */
