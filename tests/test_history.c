/*
 * test_history.c - the result history's database (reports/history_db.h).
 *
 * - upgrade: a database at schema version 1 (made with version 1's own SQL, one run of three
 *   repetitions) is opened: it is at version 2 afterwards, its figure's spread (lo, hi) is the
 *   min and max of the stored repetitions, and the run is still there; opening again changes
 *   nothing.
 * - refusals: a database of a newer version, an SQLite file of another application, an SQLite
 *   file with tables of its own, a text file: each refused with the reason, none modified.
 * - order: runs recorded out of commit order come back in commit order; a run without a commit
 *   time sorts by the time it was recorded; machines and configs are separate series.
 * - describe: the machine comes from the name given, else $CIFARBENCH_MACHINE, else the CPU
 *   model; a malformed commit time is refused.
 */
#define _DEFAULT_SOURCE /* mkdtemp, setenv */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "history_db.h"
#include "load_results.h"

static char dir[64];

static const char *path_in(const char *name)
{
    static char p[8][128];
    static int k;
    char *s = p[k++ % 8];
    snprintf(s, 128, "%s/%s", dir, name);
    return s;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A train result of revision rev committed at when ("" for none), five epochs around level. */
static const char *train_result(const char *name, const char *rev, const char *when, double level, const char *cpu)
{
    char epochs[1024] = "", commit[96] = "";
    for (int e = 1; e <= 5; e++) {
        const double ips = level * (1 + 0.001 * e);
        const size_t len = strlen(epochs);
        snprintf(epochs + len, sizeof epochs - len, "%s{\"epoch\": %d, \"images\": 1000, \"seconds\": %.6f, "
                 "\"images_per_s\": %.3f}", e > 1 ? "," : "", e, 1000 / ips, ips);
    }
    if (*when)
        snprintf(commit, sizeof commit, ", \"git_commit_time\": \"%s\"", when);
    char text[2048];
    snprintf(text, sizeof text,
             "{\"schema\": \"cifarbench-result\", \"schema_version\": 1, \"command\": \"train\", \"context\": "
             "{\"machine\": {\"cpu_model\": \"%s\"}, \"isa\": \"avx2\", \"threads\": 1, \"git_revision\": \"%s\"%s}, "
             "\"config\": {\"batch\": 32}, \"epochs\": [%s]}\n",
             cpu, rev, commit, epochs);
    const char *p = path_in(name);
    write_text(p, text);
    return p;
}

static long long query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static double query_double(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const double v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Records one file into h (its own transaction). */
static void record(cb_hdb *h, const char *path, const char *machine)
{
    char err[1024];
    cb_rfile f;
    cb_hrun r;
    long long id;
    bool stored;
    assert_int_equal(cb_rfile_load(path, &f, err, sizeof err), 0);
    assert_int_equal(cb_hdb_describe(&f, machine, &r, err, sizeof err), 0);
    assert_int_equal(cb_hdb_begin(h, err, sizeof err), 0);
    assert_int_equal(cb_hdb_record(h, &f, &r, 1000, &id, &stored, err, sizeof err), 0);
    assert_true(stored);
    assert_int_equal(cb_hdb_commit(h, err, sizeof err), 0);
    cb_rfile_free(&f);
}

static void upgrade_from_version_1(void **state)
{
    (void)state;
    const char *p = path_in("v1.db");
    sqlite3 *db;
    assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, cb_hdb_migrations[0], NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "PRAGMA user_version = 1; PRAGMA application_id = 1128417348;"
                                  "INSERT INTO run (id, digest, document, kind, machine, config, recorded_at)"
                                  " VALUES (1, '0', '{}', 'train', 'm', 'c', 5);"
                                  "INSERT INTO figure (id, run_id, name, unit, higher_better, median, n, flagged)"
                                  " VALUES (7, 1, 'train images/s', 'images/s', 1, 20, 3, 0);"
                                  "INSERT INTO repetition VALUES (7, 0, 30), (7, 1, 10), (7, 2, 20);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);

    cb_hdb h;
    char err[1024];
    for (int pass = 0; pass < 2; pass++) { /* the second open finds version 2 and changes nothing */
        assert_int_equal(cb_hdb_open(&h, p, false, err, sizeof err), 0);
        assert_int_equal(query_int(h.db, "PRAGMA user_version"), CB_HDB_VERSION);
        assert_int_equal(query_int(h.db, "SELECT count(*) FROM run"), 1);
        assert_true(query_double(h.db, "SELECT lo FROM figure WHERE id = 7") == 10);
        assert_true(query_double(h.db, "SELECT hi FROM figure WHERE id = 7") == 30);
        cb_hdb_close(&h);
    }
    cb_hseries *s;
    size_t n;
    assert_int_equal(cb_hdb_open(&h, p, false, err, sizeof err), 0);
    assert_int_equal(cb_hdb_series(&h, NULL, NULL, &s, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(s[0].n, 1);
    assert_true(s[0].points[0].median == 20 && s[0].points[0].lo == 10 && s[0].points[0].hi == 30);
    cb_hdb_series_free(s, n);
    cb_hdb_close(&h);
}

/* path must be refused with a message containing want, and keep its size. */
static void refused(const char *path, const char *want)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    const long size = ftell(f);
    fclose(f);
    cb_hdb h;
    char err[1024];
    assert_int_equal(cb_hdb_open(&h, path, true, err, sizeof err), -1);
    if (!strstr(err, want))
        fail_msg("%s: '%s' does not say '%s'", path, err, want);
    assert_null(h.db);
    f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    assert_int_equal(ftell(f), size);
    fclose(f);
}

static void sqlite_file(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void refusals(void **state)
{
    (void)state;
    sqlite_file(path_in("newer.db"), "PRAGMA user_version = 99; PRAGMA application_id = 1128417348;"
                                     "CREATE TABLE t (x)");
    refused(path_in("newer.db"), "newer than this cifarbench's");
    sqlite_file(path_in("other.db"), "PRAGMA user_version = 1; CREATE TABLE t (x)");
    refused(path_in("other.db"), "not a cifarbench history");
    sqlite_file(path_in("tables.db"), "CREATE TABLE t (x)");
    refused(path_in("tables.db"), "tables of its own");
    write_text(path_in("text.db"), "just some text, long enough to be taken for a database header........\n");
    refused(path_in("text.db"), "not a");
}

static void commit_order_and_series(void **state)
{
    (void)state;
    cb_hdb h;
    char err[1024];
    const char *p = path_in("order.db");
    assert_int_equal(cb_hdb_open(&h, p, true, err, sizeof err), 0);
    record(&h, train_result("c.json", "c", "2026-11-03T00:00:00Z", 300, "CPU A"), NULL);
    record(&h, train_result("a.json", "a", "2026-11-01T00:00:00Z", 100, "CPU A"), NULL);
    record(&h, train_result("b.json", "b", "2026-11-02T00:00:00Z", 200, "CPU A"), NULL);
    record(&h, train_result("x.json", "x", "2026-11-02T00:00:00Z", 900, "CPU B"), NULL);
    record(&h, train_result("y.json", "y", "2026-11-01T00:00:00Z", 500, "CPU A"), "named");
    cb_hseries *s;
    size_t n;
    assert_int_equal(cb_hdb_series(&h, NULL, NULL, &s, &n, err, sizeof err), 0);
    assert_int_equal(n, 3); /* CPU A, CPU B, named */
    assert_string_equal(s[0].machine, "CPU A");
    assert_int_equal(s[0].n, 3);
    assert_string_equal(s[0].points[0].revision, "a");
    assert_string_equal(s[0].points[1].revision, "b");
    assert_string_equal(s[0].points[2].revision, "c");
    assert_true(s[0].points[0].median > 100 && s[0].points[0].median < 101);
    assert_true(s[0].higher_better);
    assert_string_equal(s[0].unit, "images/s");
    assert_string_equal(s[1].machine, "CPU B");
    assert_string_equal(s[2].machine, "named");
    cb_hdb_series_free(s, n);
    assert_int_equal(cb_hdb_series(&h, "CPU B", NULL, &s, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(s[0].points[0].revision, "x");
    cb_hdb_series_free(s, n);
    assert_int_equal(cb_hdb_series(&h, NULL, "no such figure", &s, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    cb_hdb_close(&h);
}

static void describe(void **state)
{
    (void)state;
    char err[1024];
    cb_rfile f;
    cb_hrun r;
    assert_int_equal(cb_rfile_load(train_result("d.json", "d", "2026-11-01T12:30:00Z", 100, "CPU D"), &f, err,
                                   sizeof err), 0);
    unsetenv("CIFARBENCH_MACHINE");
    assert_int_equal(cb_hdb_describe(&f, NULL, &r, err, sizeof err), 0);
    assert_string_equal(r.machine, "CPU D");
    assert_int_equal(r.commit_time, 1793536200); /* 2026-11-01T12:30:00Z */
    assert_non_null(strstr(r.config, "isa avx2"));
    assert_non_null(strstr(r.config, "batch 32"));
    setenv("CIFARBENCH_MACHINE", "ci-runner-3", 1);
    assert_int_equal(cb_hdb_describe(&f, NULL, &r, err, sizeof err), 0);
    assert_string_equal(r.machine, "ci-runner-3");
    assert_int_equal(cb_hdb_describe(&f, "given", &r, err, sizeof err), 0);
    assert_string_equal(r.machine, "given");
    unsetenv("CIFARBENCH_MACHINE");
    cb_rfile_free(&f);
    assert_int_equal(cb_rfile_load(train_result("e.json", "e", "yesterday", 100, "CPU D"), &f, err, sizeof err), 0);
    assert_int_equal(cb_hdb_describe(&f, NULL, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "not of the form"));
    cb_rfile_free(&f);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/cb_history_XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(upgrade_from_version_1),
        cmocka_unit_test(refusals),
        cmocka_unit_test(commit_order_and_series),
        cmocka_unit_test(describe),
    };
    const int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return rc;
}
