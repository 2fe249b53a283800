/*
 * test_reports.c - result files and the reports: strict JSON loading (jansson) with file:line:column
 * in every message, the schema's checks when reading and when writing, write -> read round trips
 * of every kind, the Mann-Whitney U test against scipy's values, `cifarbench compare` verdicts and
 * exit codes on result files with chosen repetition times, what compare refuses as not comparable,
 * duplicate entries refused when loading, the contention flag in both commands, and `cifarbench
 * report` output (sections present, workloads grouped apart, the per-layer rows adding to the
 * epoch, malformed input refused cleanly). Inputs: tests/data/reports/ (see its
 * README.md) and files written here into a temporary directory under the working directory.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <regex.h>
#include <unistd.h>

#include "cb_result.h"
#include "cb_stats.h"
#include "compare.h"
#include "load_results.h"
#include "mann_whitney.h"
#include "report_commands.h"
#include "report_data.h"
#include "results.h"
#include "tasks.h"

#ifndef CB_SOURCE_DIR
#define CB_SOURCE_DIR "."
#endif
#define DATA CB_SOURCE_DIR "/tests/data/reports/"

static char tmpdir[256];

/* ---- helpers ---------------------------------------------------------------------------------- */

static const char *tmp_path(const char *name)
{
    static char buf[8][512];
    static int next;
    char *p = buf[next++ % 8];
    snprintf(p, 512, "%s/%s", tmpdir, name);
    return p;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    const long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Runs a command with a NULL-terminated argument list. */
static int run(int (*cmd)(int, char **), ...)
{
    char *argv[32];
    int argc = 0;
    va_list ap;
    va_start(ap, cmd);
    for (const char *a; argc < 31 && (a = va_arg(ap, const char *)) != NULL;)
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    fflush(stdout);
    const int rc = cmd(argc, argv);
    fflush(stdout);
    return rc;
}

/* Standard output into a file between capture_begin and capture_end, which returns it (free it). */
static int saved_stdout = -1;

static void capture_begin(void)
{
    fflush(stdout);
    saved_stdout = dup(1);
    const int fd = open(tmp_path("stdout.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(saved_stdout >= 0 && fd >= 0);
    dup2(fd, 1);
    close(fd);
}

static char *capture_end(void)
{
    fflush(stdout);
    dup2(saved_stdout, 1);
    close(saved_stdout);
    return read_text(tmp_path("stdout.txt"));
}

static void expect_text(const char *what, const char *text, const char *const *want, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!text || !strstr(text, want[i]))
            fail_msg("%s lacks '%s'", what, want[i]);
}

/* Loads path expecting failure; returns the message (static). */
static const char *load_error(const char *path)
{
    static char err[1024];
    cb_rfile f;
    if (cb_rfile_load(path, &f, err, sizeof err) == 0) {
        cb_rfile_free(&f);
        fail_msg("%s was accepted", path);
    }
    return err;
}

/* Writes text as a file, loads it expecting failure, and checks the message against the extended
 * regular expression want. */
static void expect_refused(const char *text, const char *want)
{
    write_text(tmp_path("bad.json"), text);
    const char *err = load_error(tmp_path("bad.json"));
    regex_t re;
    assert_int_equal(regcomp(&re, want, REG_EXTENDED | REG_NOSUB), 0);
    const int rc = regexec(&re, err, 0, NULL, 0);
    regfree(&re);
    if (rc != 0)
        fail_msg("input %.50s: message '%s' does not match '%s'", text, err, want);
}

/* ---- strict JSON and the schema when reading -------------------------------------------------- */

#define AT "/bad.json:[0-9]+:[0-9]+: "

static void json_strict_syntax(void **state)
{
    (void)state;
    /* duplicate keys, at any depth, with the position */
    expect_refused("{\"a\": 1, \"b\": 2, \"a\": 3}", "/bad.json:1:[0-9]+: duplicate object key");
    expect_refused("{\"schema\": \"cifarbench-result\",\n \"context\": {\"isa\": \"x\", \"isa\": \"y\"}}",
                   "/bad.json:2:[0-9]+: duplicate object key");
    static const char *const bad[] = {
        "", "  \n ", "{\"a\": 1", "[1, 2", "{\"a\": \"abc", "{\"a\":", "{} x", "[1]]", "42", "\"s\"",
        "{\"a\": 01}", "{\"a\": 1.}", "{\"a\": NaN}", "[Infinity]", "[1,]", "{\"a\":1,}", "{a:1}",
        "{'a': 1}", "// c\n{}", "{\"a\": \"x\ty\"}", "{\"a\": \"\\u0000\"}", "{\"a\": \"\\x\"}",
        "{\"a\": \"\xff\"}", "{\"a\": \"\\ud800\"}", "[1e999]", "\xEF\xBB\xBF{}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_refused(bad[i], AT);
    /* a valid JSON value that is not an object */
    expect_refused("[1, 2]", AT "expected a JSON object at the top level, found an array");
}

static void schema_checks_when_reading(void **state)
{
    (void)state;
    static const char head[] = "{\"schema\": \"cifarbench-result\", \"schema_version\": 1, ";
    static const struct { const char *body, *want; } cases[] = {
        {"\"command\": \"train\", \"context\": {\"isa\": \"avx2\"}}", AT "missing \"epochs\" \\(an array\\)"},
        {"\"command\": \"train\"}", AT "missing \"context\" \\(an object\\)"},
        {"\"command\": \"train\", \"context\": {}}", AT "context: missing \"isa\" \\(a string\\)"},
        {"\"command\": \"train\", \"context\": {\"isa\": 2}}", AT "context.isa: expected a string, found a number"},
        {"\"command\": \"train\", \"context\": {\"isa\": \"a\"}, \"epochs\": []}", AT "epochs: empty"},
        {"\"command\": \"train\", \"context\": {\"isa\": \"a\"}, \"epochs\": [7]}",
         AT "epochs\\[0\\]: expected an object, found a number"},
        {"\"command\": \"train\", \"context\": {\"isa\": \"a\"},\n \"epochs\": [{\"epoch\": 1.5}]}",
         "/bad.json:2:[0-9]+: epochs\\[0\\].epoch: expected a whole number, found 1.5"},
        {"\"command\": \"train\", \"context\": {\"isa\": \"a\"}, \"epochs\": [{\"epoch\": 1, \"images\": 2, "
         "\"seconds\": 0, \"images_per_s\": 1}]}", AT "epochs\\[0\\].seconds: must be greater than 0, not 0"},
        {"\"command\": \"scale\", \"context\": {\"isa\": \"a\"}, \"scaling\": [{\"threads\": 1, \"seconds\": 1, "
         "\"images_per_s\": 1, \"seconds_all\": [1, null]}]}",
         AT "scaling\\[0\\].seconds_all\\[1\\]: expected a number greater than 0, found null"},
        {"\"command\": \"train\", \"context\": {\"isa\": \"a\", \"variants\": {\"adam\": 1}}, \"epochs\": [{}]}",
         AT "context.variants.adam: expected a string, found a number"},
        {"\"command\": \"train\", \"context\": {\"isa\": \"a\", \"machine\": {\"caches\": [{\"level\": \"L1\"}]}}}",
         AT "context.machine.caches\\[0\\].level: expected a number, found a string"},
        {"\"command\": \"tune\", \"context\": {\"isa\": \"a\"}}", AT "command: \"tune\" results are not"},
        {"\"command\": \"study\", \"context\": {\"isa\": \"a\"}, \"runs\": [{\"loss\": \"mse\"}]}",
         AT "runs\\[0\\]: missing \"matched\" \\(a boolean\\)"},
        {"\"command\": \"train\", \"task\": \"regression\", \"context\": {\"isa\": \"a\"}}",
         AT "missing \"bins\" \\(an array\\)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text, "%s%s", head, cases[i].body);
        expect_refused(text, cases[i].want);
    }
    expect_refused("{\"schema\": \"other\", \"command\": \"train\", \"schema_version\": 1}",
                   "/bad.json:1:[0-9]+: schema: \"other\" is not \"cifarbench-result\"");
    /* the position is the offending value's: line 4, column 13 */
    expect_refused("{\"schema\": \"cifarbench-result\", \"schema_version\": 1, \"command\": \"train\",\n"
                   " \"context\": {\"isa\": \"a\"},\n \"epochs\": [{\"epoch\": 1, \"images\": 1, \"seconds\": 1, "
                   "\"images_per_s\": 1},\n  {\"epoch\": \"2\"}]}",
                   "/bad.json:4:13: epochs\\[1\\].epoch: expected a number, found a string");
}

/* Every proper prefix of a real result file fails, and every single-byte corruption either loads
 * or fails with a file:line:column message: never a crash, never a read past the input. */
static void json_truncations_and_corruptions(void **state)
{
    (void)state;
    char *doc = read_text(DATA "train_avx512.json");
    assert_non_null(doc);
    const size_t len = strlen(doc);
    const char *path = tmp_path("cut.json");
    for (size_t n = 0; n + 2 < len; n += 13) {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(doc, 1, n, f), n);
        assert_int_equal(fclose(f), 0);
        const char *err = load_error(path);
        assert_non_null(strstr(err, "cut.json:"));
    }
    static const char bytes[] = {'"', '\\', '{', '}', '[', ']', ',', ':', '0', 'e', '-', 't', '\x80'};
    size_t ok = 0, bad = 0;
    char err[1024];
    for (size_t i = 0; i < len; i += 17)
        for (size_t k = 0; k < sizeof bytes; k++) {
            const char saved = doc[i];
            doc[i] = bytes[k];
            write_text(path, doc);
            cb_rfile f;
            if (cb_rfile_load(path, &f, err, sizeof err) == 0) {
                ok++;
                cb_rfile_free(&f);
            } else {
                bad++;
                regex_t re;
                assert_int_equal(regcomp(&re, "cut.json:[0-9]+:[0-9]+: ", REG_EXTENDED | REG_NOSUB), 0);
                if (regexec(&re, err, 0, NULL, 0) != 0)
                    fail_msg("corruption at %zu: '%s' has no position", i, err);
                regfree(&re);
            }
            doc[i] = saved;
        }
    assert_true(bad > ok); /* most corruptions are errors */
    free(doc);
}

/* ---- Mann-Whitney ----------------------------------------------------------------------------- */

/* Reference values: scipy 1.10.1, scipy.stats.mannwhitneyu(x, y, alternative="two-sided",
 * method=...) (statistic = U of x, pvalue), printed with repr(). */
typedef struct mwu_case {
    const char *name;
    double x[20], y[20];
    size_t nx, ny;
    double u1;
    double p_auto, p_exact, p_asymptotic;
    bool auto_exact;
} mwu_case;

static const mwu_case mwu_cases[] = {
    {"separated 5/5", {1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}, 5, 5, 0.0,
     0.007936507936507936, 0.007936507936507936, 0.012185780355344813, true},
    {"overlap 4/5", {1.1, 2.2, 3.3, 4.4}, {2.5, 3.5, 4.5, 5.5, 6.5}, 4, 5, 3.0,
     0.1111111111111111, 0.1111111111111111, 0.11134688653314041, true},
    {"ties 6/6", {1, 2, 2, 3, 3, 3}, {2, 3, 4, 4, 5, 5}, 6, 6, 5.5,
     0.047967873742731204, 0.06493506493506493, 0.047967873742731204, false},
    {"10/10",
     {0.512, 0.498, 0.505, 0.520, 0.493, 0.511, 0.502, 0.509, 0.515, 0.499},
     {0.530, 0.521, 0.517, 0.541, 0.525, 0.508, 0.533, 0.527, 0.519, 0.536}, 10, 10, 7.0,
     0.0013149446697132139, 0.0004871289701011063, 0.0013149446697132139, false},
    {"3/12", {5.5, 7.25, 9.0}, {1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13}, 3, 12, 20.0,
     0.8395604395604395, 0.8395604395604395, 0.8285930752186466, true},
    {"all equal 3/3", {2, 2, 2}, {2, 2, 2}, 3, 3, 4.5, 1.0, 1.0, 1.0, false},
    {"ties 20/15",
     {0.0, 1.3, 2.6, 3.9000000000000004, 5.2, 6.5, 0.8000000000000007, 2.0999999999999996,
      3.4000000000000004, 4.700000000000001, 6.0, 0.3000000000000007, 1.6000000000000014,
      2.900000000000002, 4.199999999999999, 5.5, 6.800000000000001, 1.1000000000000014,
      2.400000000000002, 3.6999999999999993},
     {1.0, 1.9, 2.8, 3.7, 4.6, 5.5, 1.4000000000000004, 2.3, 3.2, 4.1, 5.0, 5.9,
      1.8000000000000007, 2.700000000000001, 3.5999999999999996},
     20, 15, 146.5, 0.9203387653043451, 0.9344708082884062, 0.9203387653043451, false},
};

static void assert_close(const char *what, const char *name, double got, double want)
{
    if (!(fabs(got - want) <= 1e-12 + 1e-9 * fabs(want)))
        fail_msg("%s (%s): got %.17g, scipy %.17g", what, name, got, want);
}

static void mann_whitney_matches_scipy(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof mwu_cases / sizeof mwu_cases[0]; i++) {
        const mwu_case *c = &mwu_cases[i];
        cb_mwu r;
        assert_int_equal(cb_mwu_test(c->x, c->nx, c->y, c->ny, CB_MWU_AUTO, &r), 0);
        assert_close("U", c->name, r.u1, c->u1);
        assert_close("p auto", c->name, r.p, c->p_auto);
        if (r.exact != c->auto_exact)
            fail_msg("%s: auto chose %s", c->name, r.exact ? "exact" : "asymptotic");
        assert_int_equal(cb_mwu_test(c->x, c->nx, c->y, c->ny, CB_MWU_EXACT, &r), 0);
        assert_close("p exact", c->name, r.p, c->p_exact);
        assert_int_equal(cb_mwu_test(c->x, c->nx, c->y, c->ny, CB_MWU_ASYMPTOTIC, &r), 0);
        assert_close("p asymptotic", c->name, r.p, c->p_asymptotic);
        /* the test is symmetric: swapping the samples keeps p and turns U into n1 n2 - U */
        assert_int_equal(cb_mwu_test(c->y, c->ny, c->x, c->nx, CB_MWU_AUTO, &r), 0);
        assert_close("p swapped", c->name, r.p, c->p_auto);
        assert_close("U swapped", c->name, r.u1, (double)(c->nx * c->ny) - c->u1);
    }
}

static void mann_whitney_edges(void **state)
{
    (void)state;
    const double x[] = {1, 2, 3}, bad[] = {1, NAN, 3};
    cb_mwu r;
    assert_int_equal(cb_mwu_test(x, 0, x, 3, CB_MWU_AUTO, &r), -1);
    assert_int_equal(cb_mwu_test(x, 3, bad, 3, CB_MWU_AUTO, &r), -1);
    /* the smallest two-sided p: 2 / C(n1 + n2, n1) while a side has <= 8 values */
    assert_close("min p", "2/2", cb_mwu_min_p(2, 2), 2.0 / 6);
    assert_close("min p", "3/3", cb_mwu_min_p(3, 3), 0.1);
    assert_close("min p", "4/4", cb_mwu_min_p(4, 4), 2.0 / 70);
    assert_close("min p", "5/5", cb_mwu_min_p(5, 5), mwu_cases[0].p_exact); /* = scipy's */
    assert_true(cb_mwu_min_p(20, 20) < 1e-6);
    assert_true(isnan(cb_median_of(x, 0)));
    const double even[] = {4, 1, 3, 2};
    assert_true(cb_median_of(even, 4) == 2.5);
    assert_true(cb_median_of(x, 3) == 2);
}

/* ---- compare ---------------------------------------------------------------------------------- */

/* Deterministic noise in [-1, 1]. */
static double noise(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return ((*s >> 8) & 0xFFFF) / 32767.5 - 1.0;
}

/* A minimal, valid train result with the given epoch times. */
static void write_train(const char *name, const double *seconds, size_t n)
{
    char *text = malloc(4096 + n * 256);
    assert_non_null(text);
    size_t len = (size_t)sprintf(text,
                                 "{\"schema\": \"cifarbench-result\", \"schema_version\": 1, \"command\": \"train\",\n"
                                 " \"context\": {\"machine\": {\"cpu_model\": \"Test CPU\"}, \"isa\": \"avx2\", \"threads\": 1,\n"
                                 "  \"dataset\": {\"kind\": \"synthetic\", \"source\": \"test\", \"train_images\": 1000, \"test_images\": 100}},\n"
                                 " \"config\": {\"batch\": 32, \"seed\": 1, \"epochs\": %zu},\n \"epochs\": [",
                                 n);
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(text + len,
                               "%s\n  {\"epoch\": %zu, \"images\": 1000, \"steps\": 32, \"seconds\": %.17g, "
                               "\"images_per_s\": %.17g, \"train_loss\": 2.0, \"test_accuracy\": 0.2}",
                               i ? "," : "", i + 1, seconds[i], 1000 / seconds[i]);
    sprintf(text + len, "\n ]\n}\n");
    write_text(tmp_path(name), text);
    free(text);
}

/* n epoch times around center with relative spread (deterministic). */
static void series(double *out, size_t n, double center, double spread, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        out[i] = center * (1 + spread * noise(&seed));
}

/* Writes BASE and NEW train results, compares them, and checks the verdict and exit code. */
static void compare_case(const char *name, const double *base, size_t nb, const double *new_, size_t nn,
                         cb_verdict want, bool want_tested, int want_rc)
{
    char bn[96], nn_[96];
    snprintf(bn, sizeof bn, "%s_base.json", name);
    snprintf(nn_, sizeof nn_, "%s_new.json", name);
    write_train(bn, base, nb);
    write_train(nn_, new_, nn);
    char pb[512], pn[512], err[512];
    snprintf(pb, sizeof pb, "%s", tmp_path(bn));
    snprintf(pn, sizeof pn, "%s", tmp_path(nn_));
    cb_rfile fb, fn;
    assert_int_equal(cb_rfile_load(pb, &fb, err, sizeof err), 0);
    assert_int_equal(cb_rfile_load(pn, &fn, err, sizeof err), 0);
    cb_cmp c;
    assert_int_equal(cb_compare(&fb, &fn, 5, 0.05, &c, err, sizeof err), 0);
    assert_int_equal(c.n, 1);
    char v[96];
    if (c.rows[0].verdict != want || c.rows[0].tested != want_tested)
        fail_msg("%s: verdict '%s' (p %g, change %+.1f%%), expected verdict %d tested %d", name,
                 cb_verdict_text(&c.rows[0], v, sizeof v), c.rows[0].p, c.rows[0].change_pct, (int)want,
                 (int)want_tested);
    cb_compare_free(&c);
    cb_rfile_free(&fb);
    cb_rfile_free(&fn);
    const int rc = run(cb_cmd_compare, pb, pn, NULL);
    if (rc != want_rc)
        fail_msg("%s: cifarbench compare exited %d, expected %d", name, rc, want_rc);
}

static void compare_detects_clear_slowdown(void **state)
{
    (void)state;
    double b[10], n[10];
    series(b, 10, 1.00, 0.01, 1);
    series(n, 10, 1.20, 0.01, 2);
    compare_case("slower", b, 10, n, 10, CB_VERDICT_REGRESSION, true, 1);
    /* 5 against 5 is enough for the exact test (smallest p 0.008) */
    compare_case("slower5", b, 5, n, 5, CB_VERDICT_REGRESSION, true, 1);
}

static void compare_passes_same_distribution(void **state)
{
    (void)state;
    double all[20], b[10], n[10];
    series(all, 20, 1.0, 0.03, 3);
    for (size_t i = 0; i < 10; i++) { /* one distribution, dealt alternately */
        b[i] = all[2 * i];
        n[i] = all[2 * i + 1];
    }
    compare_case("same", b, 10, n, 10, CB_VERDICT_NOT_SIGNIFICANT, true, 0);
}

static void compare_passes_faster(void **state)
{
    (void)state;
    double b[10], n[10];
    series(b, 10, 1.00, 0.01, 4);
    series(n, 10, 0.80, 0.01, 5);
    compare_case("faster", b, 10, n, 10, CB_VERDICT_FASTER, true, 0);
}

static void compare_passes_small_significant_slowdown(void **state)
{
    (void)state;
    double b[10], n[10];
    series(b, 10, 1.00, 0.002, 6);
    series(n, 10, 1.02, 0.002, 7); /* 2% slower, clearly significant, under the 5% threshold */
    compare_case("slightly_slower", b, 10, n, 10, CB_VERDICT_SLOWER_WITHIN, true, 0);
}

static void compare_passes_noisy_slowdown(void **state)
{
    (void)state;
    /* the median is 10% slower, but the spread (+-50%) makes it indistinguishable from noise */
    double b[9], n[9];
    series(b, 9, 1.00, 0.5, 8);
    for (size_t i = 0; i < 9; i++)
        n[i] = b[(i + 4) % 9] * 1.10;
    compare_case("noisy", b, 9, n, 9, CB_VERDICT_NOT_SIGNIFICANT, true, 0);
}

static void compare_too_few_repetitions(void **state)
{
    (void)state;
    const double b2[] = {1.00, 1.01}, n2[] = {1.30, 1.31}, s2[] = {1.02, 1.03};
    compare_case("few_slower", b2, 2, n2, 2, CB_VERDICT_REGRESSION, false, 1);
    compare_case("few_within", b2, 2, s2, 2, CB_VERDICT_WITHIN, false, 0);
    /* 3 against 3 cannot reach p < 0.05 (smallest p = 0.1): the median decides */
    const double b3[] = {1.00, 1.01, 0.99}, n3[] = {1.20, 1.21, 1.19}, f3[] = {0.7, 0.71, 0.69};
    compare_case("three_slower", b3, 3, n3, 3, CB_VERDICT_REGRESSION, false, 1);
    compare_case("three_faster", b3, 3, f3, 3, CB_VERDICT_FASTER, false, 0);
}

static void compare_options_and_errors(void **state)
{
    (void)state;
    double b[10], n[10];
    series(b, 10, 1.00, 0.01, 9);
    series(n, 10, 1.08, 0.01, 10);
    write_train("opt_base.json", b, 10);
    write_train("opt_new.json", n, 10);
    char pb[512], pn[512];
    snprintf(pb, sizeof pb, "%s", tmp_path("opt_base.json"));
    snprintf(pn, sizeof pn, "%s", tmp_path("opt_new.json"));
    assert_int_equal(run(cb_cmd_compare, pb, pn, NULL), 1);                       /* 8% > 5% */
    assert_int_equal(run(cb_cmd_compare, pb, pn, "--threshold", "10", NULL), 0);  /* 8% < 10% */
    assert_int_equal(run(cb_cmd_compare, pb, pn, "--threshold=10", NULL), 0);
    /* no 10-against-10 outcome reaches p < 1e-9: the median change decides, and it is 8% */
    assert_int_equal(run(cb_cmd_compare, pb, pn, "--alpha", "1e-9", NULL), 1);
    assert_int_equal(run(cb_cmd_compare, pb, pn, "--alpha", "1e-9", "--threshold", "9", NULL), 0);
    assert_int_equal(run(cb_cmd_compare, pn, pb, NULL), 0);                       /* the other way: faster */
    /* usage */
    assert_int_equal(run(cb_cmd_compare, pb, NULL), 2);
    assert_int_equal(run(cb_cmd_compare, pb, pn, pn, NULL), 2);
    assert_int_equal(run(cb_cmd_compare, pb, pn, "--threshold", "-1", NULL), 2);
    assert_int_equal(run(cb_cmd_compare, pb, pn, "--threshold", "5x", NULL), 2);
    assert_int_equal(run(cb_cmd_compare, pb, pn, "--alpha", "0", NULL), 2);
    assert_int_equal(run(cb_cmd_compare, pb, pn, "--alpha", NULL), 2);
    assert_int_equal(run(cb_cmd_compare, pb, pn, "--frobnicate", NULL), 2);
    assert_int_equal(run(cb_cmd_compare, "--help", NULL), 0);
    /* files */
    assert_int_equal(run(cb_cmd_compare, pb, DATA "truncated.json", NULL), 1);
    assert_int_equal(run(cb_cmd_compare, DATA "no-such.json", pn, NULL), 1);
    assert_int_equal(run(cb_cmd_compare, pb, DATA "scale.json", NULL), 1);        /* different kinds */
    assert_int_equal(run(cb_cmd_compare, DATA "not_a_result.json", pn, NULL), 1);
}

static void compare_scale_and_gbench_files(void **state)
{
    (void)state;
    char err[512];
    cb_rfile a, b;
    cb_cmp c;
    /* scale: one figure per thread count, the repetitions from seconds_all */
    assert_int_equal(cb_rfile_load(DATA "scale.json", &a, err, sizeof err), 0);
    assert_int_equal(cb_compare(&a, &a, 5, 0.05, &c, err, sizeof err), 0);
    assert_int_equal(c.n, a.res.scale.scaling.n);
    assert_string_equal(c.rows[0].name, "scale 1 thread images/s");
    assert_int_equal(c.rows[0].n_base, a.res.scale.scaling.v[0].seconds_all.n);
    assert_int_equal(c.regressions, 0);
    cb_compare_free(&c);
    cb_rfile_free(&a);
    assert_int_equal(run(cb_cmd_compare, DATA "scale.json", DATA "scale.json", NULL), 0);

    /* Google Benchmark: one figure per run name with 3 repetitions; errored runs are skipped */
    assert_int_equal(cb_rfile_load(DATA "kernels_gbench.json", &a, err, sizeof err), 0);
    assert_int_equal(cb_compare(&a, &a, 5, 0.05, &c, err, sizeof err), 0);
    assert_true(c.n >= 6);
    for (size_t i = 0; i < c.n; i++) {
        assert_null(strstr(c.rows[i].name, "/avx512/")); /* "cpu lacks avx512" runs */
        assert_int_equal(c.rows[i].n_base, 3);
        assert_true(c.rows[i].change_pct == 0);
    }
    cb_compare_free(&c);
    /* aggregates only: the median aggregate as one value; run names shared with the full file */
    assert_int_equal(cb_rfile_load(DATA "kernels_aggregates_only.json", &b, err, sizeof err), 0);
    assert_int_equal(cb_compare(&a, &b, 5, 0.05, &c, err, sizeof err), 0);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.rows[0].n_new, 1);
    assert_false(c.rows[0].tested);
    cb_compare_free(&c);
    cb_rfile_free(&a);
    cb_rfile_free(&b);
}

/* ---- writing: the schema's check, and write -> read round trips ----------------------------- */

static void writer_refuses_invalid_documents(void **state)
{
    (void)state;
    char err[1024];
    const char *path = tmp_path("invalid.json");
    json_t *doc = cb_result_new("train", "classify");
    cbr_set_context_isa(cbr_new_common_context(doc), "avx2");
    assert_int_equal(cb_result_write(path, doc, err, sizeof err), -1); /* no epochs */
    assert_non_null(strstr(err, "missing \"epochs\" (an array)"));
    json_t *e = cbr_add_train_epochs(doc);
    cbr_set_epoch_epoch(e, 1);
    cbr_set_epoch_images(e, 10);
    cbr_set_epoch_images_per_s(e, 5);
    json_object_set_new(e, "seconds", json_string("2")); /* a writer bug: the wrong type */
    assert_int_equal(cb_result_write(path, doc, err, sizeof err), -1);
    assert_non_null(strstr(err, "epochs[0].seconds: expected a number, found a string"));
    cbr_set_epoch_seconds(e, NAN); /* written as null: a required field missing */
    assert_int_equal(cb_result_write(path, doc, err, sizeof err), -1);
    assert_non_null(strstr(err, "epochs[0]: missing \"seconds\" (a number)"));
    assert_false(exists(path));
    cbr_set_epoch_seconds(e, 2);
    assert_int_equal(cb_result_write(path, doc, err, sizeof err), 0);
    assert_true(exists(path));
    json_decref(doc);
    doc = json_object(); /* not a result at all */
    assert_null(cb_result_text(doc, err, sizeof err));
    json_decref(doc);
    doc = cb_result_new("train", NULL); /* schema checked too */
    cbr_set_header_schema_version(doc, CBR_SCHEMA_VERSION + 1);
    assert_null(cb_result_text(doc, err, sizeof err));
    assert_non_null(strstr(err, "schema_version: 2 is not a version"));
    json_decref(doc);
}

/* Writes doc (and frees it), loads the file into f and checks its kind. */
static void write_and_load(json_t *doc, const char *name, cb_rfile *f, cb_rkind kind)
{
    char err[1024];
    if (cb_result_write(tmp_path(name), doc, err, sizeof err) != 0)
        fail_msg("%s", err);
    json_decref(doc);
    if (cb_rfile_load(tmp_path(name), f, err, sizeof err) != 0)
        fail_msg("%s", err);
    assert_int_equal(f->kind, kind);
}

static json_t *new_result(const char *command, const char *task, const char *isa)
{
    json_t *doc = cb_result_new(command, task);
    json_t *c = cbr_new_common_context(doc);
    cbr_set_context_isa(c, isa);
    cbr_set_context_threads(c, 2);
    const char *pus[] = {"0", "1-2"};
    cbr_set_context_thread_pus(c, pus, 2);
    return doc;
}

/* A scale point for t threads: 1/t seconds (3 repetitions around it), 1000 t images/s. */
static json_t *add_scale_point(json_t *doc, int t)
{
    json_t *p = cbr_add_scale_scaling(doc);
    cbr_set_scale_point_threads(p, t);
    cbr_set_scale_point_seconds(p, 1.0 / t);
    const double all[] = {1.0 / t, 1.1 / t, 0.9 / t};
    cbr_set_scale_point_seconds_all(p, all, 3);
    cbr_set_scale_point_images_per_s(p, 1000.0 * t);
    return p;
}

static void round_trip_train(void **state)
{
    (void)state;
    const double tricky = 0.1 + 0.2, tiny = 5e-324, big = 123456789012345.0;
    json_t *doc = new_result("train", "multilabel", "avx2");
    json_t *c = json_object_get(doc, "context");
    cbr_put_context_variants(c, "adam", "avx512");
    cbr_put_context_variants(c, "relu_fwd", "scalar");
    json_t *m = cbr_new_context_machine(c);
    cbr_set_machine_cpu_model(m, "Caf\xC3\xA9 \"CPU\" | \\ <x>");
    cbr_set_machine_memory_bytes(m, 17179869184.0);
    cbr_set_cache_level(cbr_add_machine_caches(m), 2);
    json_t *cfg = cbr_new_train_config(doc);
    cbr_set_train_config_batch(cfg, 32);
    cbr_set_train_config_seed(cfg, 4294967297LL);
    for (int i = 0; i < 3; i++) {
        json_t *e = cbr_add_train_epochs(doc);
        cbr_set_epoch_epoch(e, i + 1);
        cbr_set_epoch_images(e, 50000);
        cbr_set_epoch_seconds(e, tricky * (i + 1));
        cbr_set_epoch_images_per_s(e, big);
        cbr_set_epoch_train_loss(e, tiny);
        cbr_set_epoch_test_loss(e, INFINITY); /* not finite: null, read as absent */
        const double labels[] = {0.5, NAN, 1};
        cbr_set_epoch_test_label_accuracy(e, labels, 3);
    }
    json_t *l = cbr_add_train_layers(doc);
    cbr_set_layer_layer(l, "conv1");
    cbr_set_layer_seconds(l, 0.25);
    cbr_set_summary_peak_gflops(cbr_new_train_summary(doc), 117.5);
    cb_rfile f;
    write_and_load(doc, "rt_train.json", &f, CB_RF_TRAIN);
    const cb_result *r = &f.res;
    assert_string_equal(r->header.task, "multilabel");
    assert_string_equal(r->common.context.isa, "avx2");
    assert_int_equal(r->common.context.threads, 2);
    assert_int_equal(r->common.context.thread_pus.n, 2);
    assert_string_equal(r->common.context.thread_pus.v[1], "1-2");
    assert_int_equal(r->common.context.variants.n, 2);
    assert_string_equal(r->common.context.variants.v[0].key, "adam");
    assert_string_equal(r->common.context.variants.v[0].value, "avx512");
    assert_string_equal(r->common.context.machine.cpu_model, "Caf\xC3\xA9 \"CPU\" | \\ <x>");
    assert_true(r->common.context.machine.memory_bytes == 17179869184.0);
    assert_int_equal(r->common.context.machine.caches.v[0].level, 2);
    assert_true(isnan(r->common.context.machine.caches.v[0].bytes));
    assert_int_equal(r->train.config.batch, 32);
    assert_true(r->train.config.seed == 4294967297LL);
    assert_int_equal(r->train.config.epochs, -1); /* absent */
    assert_int_equal(r->train.epochs.n, 3);
    for (size_t i = 0; i < 3; i++) { /* every double exactly as written */
        const cbr_epoch *e = &r->train.epochs.v[i];
        assert_int_equal(e->epoch, (long long)i + 1);
        assert_true(e->seconds == tricky * (double)(i + 1));
        assert_true(e->images_per_s == big && e->train_loss == tiny);
        assert_true(isnan(e->test_loss) && isnan(e->gflops));
        assert_int_equal(e->test_label_accuracy.n, 3);
        assert_true(e->test_label_accuracy.v[0] == 0.5 && isnan(e->test_label_accuracy.v[1]));
    }
    assert_string_equal(r->train.layers.v[0].layer, "conv1");
    assert_null(r->train.layers.v[0].pass);
    assert_true(r->train.summary.peak_gflops == 117.5);
    assert_non_null(cb_rcontext_field(&f.ctx, "kernel variants"));
    cb_rfile_free(&f);
}

static void round_trip_scale(void **state)
{
    (void)state;
    json_t *doc = new_result("scale", "classify", "scalar");
    cbr_set_scale_config_repetitions(cbr_new_scale_config(doc), 3);
    for (int t = 1; t <= 2; t++) {
        json_t *p = add_scale_point(doc, t);
        cbr_set_scale_point_weights_identical_to_1_thread(p, t == 1);
    }
    cb_rfile f;
    write_and_load(doc, "rt_scale.json", &f, CB_RF_SCALE);
    const cbr_scale *s = &f.res.scale;
    assert_int_equal(s->config.repetitions, 3);
    assert_int_equal(s->scaling.n, 2);
    assert_int_equal(s->scaling.v[1].threads, 2);
    assert_true(s->scaling.v[1].seconds_all.v[1] == 1.1 / 2);
    assert_int_equal(s->scaling.v[0].weights_identical_to_1_thread, 1);
    assert_int_equal(s->scaling.v[1].weights_identical_to_1_thread, 0);
    assert_true(isnan(s->scaling.v[0].speedup));
    cb_cmp c;
    char err[512];
    assert_int_equal(cb_compare(&f, &f, 5, 0.05, &c, err, sizeof err), 0);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.rows[1].n_base, 3);
    cb_compare_free(&c);
    cb_rfile_free(&f);
}

static void round_trip_study_and_regression(void **state)
{
    (void)state;
    json_t *doc = new_result("study", "binary", "avx2");
    cbr_set_study_config_every(cbr_new_study_config(doc), 5);
    const double steps[] = {5, 10}, loss[] = {0.7, 0.6}, z[] = {-8, 0};
    for (int r = 0; r < 2; r++) {
        json_t *run = cbr_add_study_runs(doc);
        cbr_set_study_run_loss(run, r ? "sigmoid-mse" : "sigmoid-bce");
        cbr_set_study_run_matched(run, r == 0);
        cbr_set_study_run_step(run, steps, 2);
        cbr_set_study_run_train_loss(run, loss, 2);
        cbr_set_study_run_probe_gradient(run, z, 2);
    }
    cbr_set_study_probe_logits(doc, z, 2);
    cb_rfile f;
    write_and_load(doc, "rt_study.json", &f, CB_RF_STUDY);
    assert_string_equal(f.command, "study");
    assert_int_equal(f.res.study.runs.n, 2);
    assert_int_equal(f.res.study.runs.v[1].matched, 0);
    assert_true(f.res.study.runs.v[0].train_loss.v[1] == 0.6);
    assert_true(f.res.study.probe_logits.v[0] == -8);
    cb_rfile_free(&f);

    doc = new_result("train", "regression", "avx2");
    cbr_set_regression_config_data(cbr_new_regression_config(doc), "iris.csv");
    json_t *b = cbr_add_regression_bins(doc);
    cbr_set_regression_bin_length_from(b, 4.0);
    cbr_set_regression_bin_length_to(b, 4.5);
    cbr_set_regression_bin_rows(b, 4);
    cbr_set_regression_bin_mse_fit(b, 3.025);
    cbr_set_regression_loss_mae(cbr_new_regression_final_loss(doc), 0.26);
    write_and_load(doc, "rt_regression.json", &f, CB_RF_REGRESSION);
    assert_string_equal(f.command, "regression");
    assert_int_equal(f.res.regression.bins.v[0].rows, 4);
    assert_true(f.res.regression.bins.v[0].mse_fit == 3.025 && isnan(f.res.regression.bins.v[0].mae_fit));
    assert_true(f.res.regression.final_loss.mae == 0.26 && isnan(f.res.regression.final_loss.mse));
    cb_rfile_free(&f);
}

/* ---- loading ---------------------------------------------------------------------------------- */

static void load_real_files_and_errors(void **state)
{
    (void)state;
    char err[1024];
    cb_rfile f;
    assert_int_equal(cb_rfile_load(DATA "train_avx512.json", &f, err, sizeof err), 0);
    assert_int_equal(f.kind, CB_RF_TRAIN);
    assert_int_equal(f.res.train.epochs.n, 3);
    assert_true(f.res.train.epochs.v[0].seconds > 0);
    assert_non_null(cb_rcontext_field(&f.ctx, "CPU"));
    cb_rfile_free(&f);
    assert_int_equal(cb_rfile_load(DATA "kernels_gbench.json", &f, err, sizeof err), 0);
    assert_int_equal(f.kind, CB_RF_GBENCH);
    assert_true(f.gbench.n > 10);
    cb_rfile_free(&f);

    static const struct { const char *file, *want; } bad[] = {
        {"truncated.json", "truncated.json:"},
        {"not_a_result.json", "not a result file"},
        {"newer_schema.json", "schema_version: 2 is not a version this cifarbench reads (1): the file is newer"},
        {"bad_field_type.json", "epochs[0].seconds: expected a number, found a string"},
        {"duplicate_key.json", "duplicate_key.json:74:15: duplicate object key"},
        {"no-such-file.json", "no-such-file.json: cannot open"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, DATA "%s", bad[i].file);
        assert_int_equal(cb_rfile_load(path, &f, err, sizeof err), -1);
        if (!strstr(err, bad[i].want) || !strstr(err, bad[i].file))
            fail_msg("%s: message '%s' lacks '%s'", bad[i].file, err, bad[i].want);
    }
    /* the error names line and column */
    assert_int_equal(cb_rfile_load(DATA "bad_field_type.json", &f, err, sizeof err), -1);
    assert_non_null(strstr(err, "bad_field_type.json:76:"));
}

/* ---- report ----------------------------------------------------------------------------------- */

static void report_writes_both_files(void **state)
{
    (void)state;
    const char *out = tmp_path("report-all");
    assert_int_equal(run(cb_cmd_report, DATA "train_scalar.json", DATA "train_avx512.json",
                         DATA "scale.json", DATA "kernels_gbench.json", "--out", out, NULL),
                     0);
    char path[600];
    snprintf(path, sizeof path, "%s/report.md", out);
    char *md = read_text(path);
    assert_non_null(md);
    static const char *const md_want[] = {
        "# cifarbench report", "## Context", "## ISA comparison", "| scalar |", "| avx512 |",
        "## Per-layer breakdown", "| conv1 |", "## Thread scaling", "## Kernels: GFLOP/s against the measured peak",
        "Measured peaks: ", "avx2 ", "GFLOP/s (peak_gflops_avx2)", "| conv2d_fwd/avx2/conv1/N:32 | avx2 | 3 |",
        "## Learning", "cpu lacks avx512", "x1.00"};
    for (size_t i = 0; i < sizeof md_want / sizeof md_want[0]; i++)
        if (!strstr(md, md_want[i]))
            fail_msg("report.md lacks '%s'", md_want[i]);
    assert_null(strstr(md, "No train results"));
    free(md);
    snprintf(path, sizeof path, "%s/report.html", out);
    char *html = read_text(path);
    assert_non_null(html);
    static const char *const html_want[] = {
        "<!DOCTYPE html>", "<style>", "id=\"isa\"", "id=\"layers\"", "id=\"scaling\"", "id=\"kernels\"",
        "id=\"learning\"", "<svg", "measured peak", "ideal (linear)", "forward", "backward", "</html>"};
    for (size_t i = 0; i < sizeof html_want / sizeof html_want[0]; i++)
        if (!strstr(html, html_want[i]))
            fail_msg("report.html lacks '%s'", html_want[i]);
    /* self-contained: no scripts, no external resources */
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "src="));
    assert_null(strstr(html, "<link"));
    assert_null(strstr(html, "href=\"http"));
    assert_null(strstr(html, "url("));
    free(html);
    /* nothing but the two files: no temporary file left behind */
    DIR *d = opendir(out);
    assert_non_null(d);
    size_t entries = 0;
    for (struct dirent *de; (de = readdir(d)) != NULL;) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        entries++;
        if (strcmp(de->d_name, "report.md") != 0 && strcmp(de->d_name, "report.html") != 0)
            fail_msg("unexpected file %s in the output directory", de->d_name);
    }
    closedir(d);
    assert_int_equal(entries, 2);
}

static void report_notes_missing_sections(void **state)
{
    (void)state;
    const char *out = tmp_path("report-scale-only");
    assert_int_equal(run(cb_cmd_report, DATA "scale.json", "--out", out, NULL), 0);
    char path[600];
    snprintf(path, sizeof path, "%s/report.md", out);
    char *md = read_text(path);
    assert_non_null(md);
    assert_non_null(strstr(md, "## ISA comparison\n\n_No train results in the inputs"));
    assert_non_null(strstr(md, "## Kernels: GFLOP/s against the measured peak\n\n_No kernel benchmarks"));
    assert_non_null(strstr(md, "## Thread scaling\n\n### "));
    assert_non_null(strstr(md, "## Data-parallel over MPI ranks\n\n_No train runs over several MPI ranks in the "
                               "inputs (mpirun -np R cifarbench train --json FILE writes one)._\n"));
    free(md);
    snprintf(path, sizeof path, "%s/report.html", out);
    char *html = read_text(path);
    assert_non_null(html);
    assert_non_null(strstr(html, "No train results in the inputs"));
    free(html);
}

static void report_refuses_bad_input_cleanly(void **state)
{
    (void)state;
    const char *out = tmp_path("report-bad");
    char path[600];
    snprintf(path, sizeof path, "%s/report.md", out);
    /* one malformed file among good ones: exit 1 and nothing written */
    assert_int_equal(run(cb_cmd_report, DATA "train_avx512.json", DATA "truncated.json", "--out", out, NULL), 1);
    assert_false(exists(path));
    assert_int_equal(run(cb_cmd_report, DATA "newer_schema.json", "--out", out, NULL), 1);
    assert_int_equal(run(cb_cmd_report, DATA "not_a_result.json", "--out", out, NULL), 1);
    assert_int_equal(run(cb_cmd_report, DATA "missing.json", "--out", out, NULL), 1);
    assert_false(exists(path));
    /* --out whose parent is missing, or a file */
    assert_int_equal(run(cb_cmd_report, DATA "scale.json", "--out", tmp_path("no/such/dir"), NULL), 1);
    assert_int_equal(run(cb_cmd_report, DATA "scale.json", "--out", DATA "scale.json", NULL), 1);
    /* usage */
    assert_int_equal(run(cb_cmd_report, DATA "scale.json", NULL), 2);
    assert_int_equal(run(cb_cmd_report, "--out", out, NULL), 2);
    assert_int_equal(run(cb_cmd_report, DATA "scale.json", "--out", NULL), 2);
    assert_int_equal(run(cb_cmd_report, DATA "scale.json", "--out", out, "--bogus", NULL), 2);
    assert_int_equal(run(cb_cmd_report, "--help", NULL), 0);
}

/* Study and regression results: a section each in the report; compare refuses them with the
 * reason. */
static void study_and_regression_in_report_not_in_compare(void **state)
{
    (void)state;
    const char *out = tmp_path("report-study");
    assert_int_equal(run(cb_cmd_report, DATA "study.json", DATA "regression.json", DATA "train_avx512.json",
                         "--out", out, NULL),
                     0);
    char path[600];
    snprintf(path, sizeof path, "%s/report.md", out);
    char *md = read_text(path);
    assert_non_null(md);
    static const char *const want[] = {"## Study", "| sigmoid-bce | yes |", "| sigmoid-mse | no |",
                                       "gradient at z = -8", "## Regression", "| 4.0-4.5 | 4 |",
                                       "| result | study | regression | train |", "## ISA comparison\n\nTrain results"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(md, want[i]))
            fail_msg("report.md lacks '%s'", want[i]);
    free(md);
    snprintf(path, sizeof path, "%s/report.html", out);
    char *html = read_text(path);
    assert_non_null(html);
    assert_non_null(strstr(html, "<a href=\"#study\">"));
    assert_non_null(strstr(html, "id=\"regression\""));
    free(html);
    /* a report without them has neither section */
    md = read_text(tmp_path("report-all/report.md"));
    assert_non_null(md);
    assert_null(strstr(md, "## Study"));
    free(md);

    static const char *const kinds[][2] = {{"study.json", "study.json"}, {"regression.json", "regression.json"},
                                           {"study.json", "train_avx512.json"}, {"train_avx512.json", "regression.json"}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        char pa[512], pb[512], err[1024];
        snprintf(pa, sizeof pa, DATA "%s", kinds[i][0]);
        snprintf(pb, sizeof pb, DATA "%s", kinds[i][1]);
        cb_rfile a, b;
        assert_int_equal(cb_rfile_load(pa, &a, err, sizeof err), 0);
        assert_int_equal(cb_rfile_load(pb, &b, err, sizeof err), 0);
        cb_cmp c;
        assert_int_equal(cb_compare(&a, &b, 5, 0.05, &c, err, sizeof err), -1);
        if (!strstr(err, "not comparable: ") || !strstr(err, "holds no timings"))
            fail_msg("%s / %s: '%s'", kinds[i][0], kinds[i][1], err);
        assert_null(strstr(err, "missing"));
        cb_rfile_free(&a);
        cb_rfile_free(&b);
        assert_int_equal(run(cb_cmd_compare, pa, pb, NULL), 1);
    }
}

/* ---- duplicates, contention, comparability, workloads, the rest of the epoch ------------------ */

/* Two entries for one thread count, epoch or benchmark run are refused when the file is loaded
 * (compare once matched both to one figure and crashed), with the file, position and value;
 * repetitions of one Google Benchmark run share a name and are accepted. */
static void duplicates_refused_when_loaded(void **state)
{
    (void)state;
    static const struct { const char *file, *want; } dup[] = {
        {"scale_duplicate_threads.json",
         "scale_duplicate_threads.json:11:17: scaling[2].threads: duplicate: scaling[1] also has threads 2"},
        {"train_duplicate_epoch.json",
         "train_duplicate_epoch.json:10:15: epochs[2].epoch: duplicate: epochs[1] also has epoch 2"},
        {"gbench_duplicate.json", "gbench_duplicate.json:16:14: benchmarks[4].name: duplicate benchmark "
                                  "\"BM_twice\": benchmarks[3] has the same name and repetition_index"},
    };
    for (size_t i = 0; i < sizeof dup / sizeof dup[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, DATA "%s", dup[i].file);
        const char *err = load_error(path);
        if (!strstr(err, dup[i].want))
            fail_msg("%s: '%s' lacks '%s'", dup[i].file, err, dup[i].want);
        assert_int_equal(run(cb_cmd_compare, path, DATA "scale.json", NULL), 1);
        assert_int_equal(run(cb_cmd_compare, DATA "scale.json", path, NULL), 1);
        assert_int_equal(run(cb_cmd_report, path, "--out", tmp_path("report-dup"), NULL), 1);
    }
    /* Google Benchmark before 1.6 wrote no repetition_index: no more runs of a name than its
     * repetitions; without either, repetitions are assumed. An aggregate's name is unique. */
#define RUN(extra) "{\"name\": \"BM\", \"run_type\": \"iteration\", " extra "\"real_time\": 1, \"cpu_time\": 1}"
    expect_refused("{\"benchmarks\": [" RUN("\"repetitions\": 2, ") "," RUN("\"repetitions\": 2, ") ",\n"
                   RUN("\"repetitions\": 2, ") "]}",
                   "/bad.json:2:[0-9]+: benchmarks\\[2\\].name: duplicate benchmark \"BM\": benchmarks\\[1\\] "
                   "already makes as many runs of it as its repetitions");
    write_text(tmp_path("old.json"), "{\"benchmarks\": [" RUN("") "," RUN("") "," RUN("") "]}");
    cb_rfile f;
    char err[1024];
    assert_int_equal(cb_rfile_load(tmp_path("old.json"), &f, err, sizeof err), 0);
    cb_rfile_free(&f);
#undef RUN
    expect_refused("{\"benchmarks\": [{\"name\": \"BM_mean\", \"run_name\": \"BM\", \"run_type\": \"aggregate\", "
                   "\"aggregate_name\": \"mean\", \"real_time\": 1, \"cpu_time\": 1},\n {\"name\": \"BM_mean\", "
                   "\"run_type\": \"aggregate\", \"real_time\": 2, \"cpu_time\": 2}]}",
                   "/bad.json:2:[0-9]+: benchmarks\\[1\\].name: duplicate benchmark \"BM_mean\": benchmarks\\[0\\] is "
                   "an aggregate of the same name");
    /* the writer runs the same check */
    json_t *doc = new_result("train", "classify", "avx2");
    for (int i = 0; i < 2; i++) {
        json_t *e = cbr_add_train_epochs(doc);
        cbr_set_epoch_epoch(e, 1);
        cbr_set_epoch_images(e, 10);
        cbr_set_epoch_seconds(e, 1);
        cbr_set_epoch_images_per_s(e, 10);
    }
    assert_int_equal(cb_result_write(tmp_path("dup.json"), doc, err, sizeof err), -1);
    assert_non_null(strstr(err, "epochs[1].epoch: duplicate: epochs[0] also has epoch 1"));
    json_decref(doc);
}

/* An epoch (scaling point) the harness flagged for contention: a warning with its reasons at the
 * top of the report, a note in compare; the object is optional and checked when present. */
static void contention_in_report_and_compare(void **state)
{
    (void)state;
    static const char head[] = "{\"schema\": \"cifarbench-result\", \"schema_version\": 1, \"context\": {\"isa\": \"a\"}, ";
    static const struct { const char *body, *want; } bad[] = {
        {"\"command\": \"train\", \"epochs\": [{\"epoch\": 1, \"images\": 1, \"seconds\": 1, \"images_per_s\": 1, "
         "\"contention\": {\"flagged\": \"yes\"}}]}", AT "epochs\\[0\\].contention.flagged: expected a boolean, found a string"},
        {"\"command\": \"train\", \"epochs\": [{\"epoch\": 1, \"images\": 1, \"seconds\": 1, \"images_per_s\": 1, "
         "\"contention\": {\"reasons\": []}}]}", AT "epochs\\[0\\].contention: missing \"flagged\" \\(a boolean\\)"},
        {"\"command\": \"scale\", \"scaling\": [{\"threads\": 1, \"seconds\": 1, \"images_per_s\": 1, "
         "\"contention\": {\"flagged\": true, \"reasons\": [1]}}]}",
         AT "scaling\\[0\\].contention.reasons\\[0\\]: expected a string, found a number"},
        {"\"command\": \"scale\", \"scaling\": [{\"threads\": 1, \"seconds\": 1, \"images_per_s\": 1, "
         "\"contention\": {\"flagged\": true, \"cpu_per_wall\": \"0.5\"}}]}",
         AT "scaling\\[0\\].contention.cpu_per_wall: expected a number, found a string"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text, "%s%s", head, bad[i].body);
        expect_refused(text, bad[i].want);
    }
    const char *out = tmp_path("report-contention");
    assert_int_equal(run(cb_cmd_report, DATA "train_avx512.json", DATA "train_later.json", "--out", out, NULL), 0);
    char path[600];
    snprintf(path, sizeof path, "%s/report.md", out);
    char *md = read_text(path);
    static const char *const md_want[] = {
        "> **WARNING:** Unreliable timing: train_later.json, epoch 3, was measured while something else used the "
        "machine (contention); CPU/wall per thread 0.62; 8.0% stolen by the hypervisor; FMA peak 117.5 GFLOP/s "
        "before, 71.3 after: the process had the CPUs 62% of the wall time: its threads waited for a core; the FMA "
        "peak fell from 117.5 to 71.3 GFLOP/s during the epoch.", "not to be trusted"};
    expect_text("report.md", md, md_want, sizeof md_want / sizeof md_want[0]);
    assert_null(strstr(md, "epoch 1, was measured")); /* flagged false: no warning */
    assert_true(strstr(md, "WARNING") < strstr(md, "## Context"));
    free(md);
    snprintf(path, sizeof path, "%s/report.html", out);
    char *html = read_text(path);
    static const char *const html_want[] = {".alert{", "<p class=\"alert\">Unreliable timing: train_later.json, epoch 3"};
    expect_text("report.html", html, html_want, 2);
    free(html);
    /* compare: the figure holding the flagged epoch is called unreliable, and counted */
    capture_begin();
    const int rc = run(cb_cmd_compare, DATA "train_avx512.json", DATA "train_later.json", NULL);
    char *text = capture_end();
    assert_int_equal(rc, 0);
    static const char *const cmp_want[] = {
        "faster (median only: too few reps); unreliable",
        "note: 1 of 1 figure is unreliable: repetitions timed while something else ran (flagged for contention",
        "note:   train images/s: 0 of 3 in BASE, 1 of 3 in NEW flagged: the process had the CPUs 62%"};
    expect_text("compare's output", text, cmp_want, sizeof cmp_want / sizeof cmp_want[0]);
    free(text);
    capture_begin();
    run(cb_cmd_compare, DATA "train_avx512.json", DATA "train_scalar.json", NULL); /* refused, silent */
    run(cb_cmd_compare, DATA "kernels_gbench.json", DATA "kernels_gbench.json", NULL);
    text = capture_end();
    assert_null(strstr(text, "unreliable"));
    free(text);
}

/* The contention fields in the structs, written with the schema's setters (as the harness will),
 * for a scale result: the report warns about the point, compare counts its repetitions. */
static void contention_fields_and_writer(void **state)
{
    (void)state;
    char err[1024];
    cb_rfile f;
    assert_int_equal(cb_rfile_load(DATA "train_later.json", &f, err, sizeof err), 0);
    const cbr_contention *c = &f.res.train.epochs.v[2].contention;
    assert_int_equal(c->flagged, 1);
    assert_true(c->cpu_per_wall == 0.62 && c->steal_share == 0.08);
    assert_true(c->peak_before_gflops == 117.5 && c->peak_after_gflops == 71.3);
    assert_int_equal(c->reasons.n, 2);
    assert_int_equal(f.res.train.epochs.v[0].contention.flagged, 0);
    cb_rfile_free(&f);
    assert_int_equal(cb_rfile_load(DATA "train_avx512.json", &f, err, sizeof err), 0); /* older: none */
    assert_int_equal(f.res.train.epochs.v[0].contention.flagged, -1);
    assert_true(isnan(f.res.train.epochs.v[0].contention.cpu_per_wall));
    cb_rfile_free(&f);

    json_t *doc = new_result("scale", "classify", "avx2");
    for (int t = 1; t <= 2; t++) {
        json_t *p = add_scale_point(doc, t);
        json_t *x = cbr_new_scale_point_contention(p);
        cbr_set_contention_flagged(x, t == 2);
        cbr_set_contention_cpu_per_wall(x, t == 2 ? 0.55 : 1.0);
        cbr_set_contention_steal_share(x, t == 2 ? 0.3 : 0.0);
        cbr_set_contention_peak_before_gflops(x, 117.5);
        cbr_set_contention_peak_after_gflops(x, t == 2 ? 80.0 : 117.0);
        const char *reasons[] = {"30% of the wall time stolen by the hypervisor"};
        cbr_set_contention_reasons(x, reasons, t == 2);
    }
    write_and_load(doc, "rt_contention.json", &f, CB_RF_SCALE);
    assert_int_equal(f.res.scale.scaling.v[1].contention.flagged, 1);
    assert_string_equal(f.res.scale.scaling.v[1].contention.reasons.v[0], "30% of the wall time stolen by the hypervisor");
    assert_int_equal(f.res.scale.scaling.v[0].contention.reasons.n, 0);
    cb_cmp cmp;
    assert_int_equal(cb_compare(&f, &f, 5, 0.05, &cmp, err, sizeof err), 0);
    assert_int_equal(cmp.flagged, 1);
    assert_int_equal(cmp.rows[0].flagged_base, 0);
    assert_int_equal(cmp.rows[1].flagged_base, 3);
    assert_int_equal(cmp.rows[1].flagged_new, 3);
    assert_string_equal(cmp.rows[1].reason, "30% of the wall time stolen by the hypervisor");
    cb_compare_free(&cmp);
    cb_rfile_free(&f);
    const char *out = tmp_path("report-contention-scale");
    assert_int_equal(run(cb_cmd_report, tmp_path("rt_contention.json"), "--out", out, NULL), 0);
    char path[600];
    snprintf(path, sizeof path, "%s/report.md", out);
    char *md = read_text(path);
    static const char *const want[] = {"> **WARNING:** Unreliable timing: rt_contention.json, threads 2, was measured",
                                       "CPU/wall per thread 0.55; 30.0% stolen by the hypervisor; FMA peak 117.5 "
                                       "GFLOP/s before, 80.0 after: 30% of the wall time stolen"};
    expect_text("report.md", md, want, 2);
    assert_null(strstr(md, "threads 1, was measured"));
    free(md);
}

/* compare refuses what would make its verdict meaningless (another CPU, ISA, kernel variants,
 * threads, task, images per epoch or batch), naming every difference; another revision or
 * compiler is what it is for: compared, with a note. The figure is images/s, higher is better. */
static void compare_refuses_other_configurations(void **state)
{
    (void)state;
    char err[1024];
    cb_rfile a, b;
    cb_cmp c;
    assert_int_equal(cb_rfile_load(DATA "train_avx512.json", &a, err, sizeof err), 0);
    assert_int_equal(cb_rfile_load(DATA "train_other_workload.json", &b, err, sizeof err), 0);
    assert_int_equal(cb_compare(&a, &b, 5, 0.05, &c, err, sizeof err), -1);
    static const char *const workload[] = {"not comparable: ", "task (classify in BASE, binary in NEW)",
                                           "images per epoch (512 in BASE, 1024 in NEW)", "batch (32 in BASE, 64 in NEW)"};
    expect_text("the refusal", err, workload, 4);
    assert_null(strstr(err, "ISA"));
    assert_null(strstr(err, "CPU"));
    cb_rfile_free(&b);
    assert_int_equal(cb_rfile_load(DATA "train_scalar.json", &b, err, sizeof err), 0);
    assert_int_equal(cb_compare(&b, &a, 5, 0.05, &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "not comparable: "));
    assert_non_null(strstr(err, "ISA (scalar in BASE, avx512 in NEW)"));
    cb_rfile_free(&b);
    cb_rfile_free(&a);
    assert_int_equal(run(cb_cmd_compare, DATA "train_scalar.json", DATA "train_avx512.json", NULL), 1);
    assert_int_equal(run(cb_cmd_compare, DATA "train_other_workload.json", DATA "train_avx512.json", NULL), 1);

    /* one change each to a file compare accepts against itself */
    double t[5];
    series(t, 5, 1.0, 0.01, 11);
    write_train("cfg_base.json", t, 5);
    char *base = read_text(tmp_path("cfg_base.json"));
    assert_non_null(base);
    static const struct { const char *from, *to, *want; } change[] = {
        {"Test CPU", "Other CPU", "CPU (Test CPU in BASE, Other CPU in NEW)"},
        {"\"threads\": 1", "\"threads\": 2", "threads (1 in BASE, 2 in NEW)"},
        {"\"isa\": \"avx2\",", "\"isa\": \"avx2\", \"variants\": {\"adam\": \"scalar\"},",
         "kernel variants (none in BASE, adam scalar in NEW)"},
        {"\"command\": \"train\",", "\"command\": \"train\", \"task\": \"multilabel\",",
         "task (classify in BASE, multilabel in NEW)"},
    };
    assert_int_equal(cb_rfile_load(tmp_path("cfg_base.json"), &a, err, sizeof err), 0);
    for (size_t i = 0; i < sizeof change / sizeof change[0]; i++) {
        const char *at = strstr(base, change[i].from);
        assert_non_null(at);
        char *text = malloc(strlen(base) + 128);
        assert_non_null(text);
        sprintf(text, "%.*s%s%s", (int)(at - base), base, change[i].to, at + strlen(change[i].from));
        write_text(tmp_path("cfg_new.json"), text);
        free(text);
        assert_int_equal(cb_rfile_load(tmp_path("cfg_new.json"), &b, err, sizeof err), 0);
        assert_int_equal(cb_compare(&a, &b, 5, 0.05, &c, err, sizeof err), -1);
        if (!strstr(err, "not comparable: ") || !strstr(err, change[i].want))
            fail_msg("%s -> %s: '%s'", change[i].from, change[i].to, err);
        cb_rfile_free(&b);
    }
    cb_rfile_free(&a);
    free(base);

    /* a scale figure is per thread count: runs up to 2 and up to 4 threads compare on 1 and 2 */
    base = read_text(DATA "scale.json");
    assert_non_null(base);
    char *at = strstr(base, "\"threads\": 2,");
    assert_non_null(at);
    at[11] = '4';
    write_text(tmp_path("scale4.json"), base);
    free(base);
    assert_int_equal(cb_rfile_load(DATA "scale.json", &a, err, sizeof err), 0);
    assert_int_equal(cb_rfile_load(tmp_path("scale4.json"), &b, err, sizeof err), 0);
    assert_int_equal(cb_compare(&a, &b, 5, 0.05, &c, err, sizeof err), 0);
    assert_int_equal(c.n, 2);
    assert_non_null(strstr(c.warnings, "threads differs: 2 (bind core: PUs 0,1) in BASE, 4 (bind core"));
    cb_compare_free(&c);
    cb_rfile_free(&a);
    cb_rfile_free(&b);

    /* revision and compiler: compared, noted; images/s per epoch, higher is better */
    assert_int_equal(cb_rfile_load(DATA "train_avx512.json", &a, err, sizeof err), 0);
    assert_int_equal(cb_rfile_load(DATA "train_later.json", &b, err, sizeof err), 0);
    assert_int_equal(cb_compare(&a, &b, 5, 0.05, &c, err, sizeof err), 0);
    assert_string_equal(c.rows[0].name, "train images/s");
    assert_true(c.rows[0].base[0] == a.res.train.epochs.v[0].images_per_s); /* the epochs' images/s, sorted */
    assert_true(c.rows[0].new_[0] == 33000 && c.rows[0].new_[2] == 49500);
    assert_true(c.rows[0].change_pct > 9 && c.rows[0].change_pct < 10); /* 44,792 -> 49,000 images/s */
    assert_int_equal(c.rows[0].verdict, CB_VERDICT_FASTER);
    assert_non_null(strstr(c.warnings, "git revision differs: 3e3520f69560-dirty in BASE, 5c0ffee12345 in NEW"));
    assert_non_null(strstr(c.warnings, "compiler differs: gcc 12.2.0 in BASE, gcc 13.1.0 in NEW"));
    cb_compare_free(&c);
    assert_int_equal(cb_compare(&b, &a, 5, 0.05, &c, err, sizeof err), 0);
    assert_int_equal(c.rows[0].verdict, CB_VERDICT_REGRESSION);
    cb_compare_free(&c);
    cb_rfile_free(&a);
    cb_rfile_free(&b);
    capture_begin();
    const int rc = run(cb_cmd_compare, DATA "train_later.json", DATA "train_avx512.json", NULL);
    char *text = capture_end();
    assert_int_equal(rc, 1);
    static const char *const out[] = {"figure (images/s, higher is better)", "49,000", "44,792", "-8.6%",
                                      "note: git revision differs", "result: REGRESSION"};
    expect_text("compare's output", text, out, sizeof out / sizeof out[0]);
    free(text);
    capture_begin();
    assert_int_equal(run(cb_cmd_compare, DATA "kernels_gbench.json", DATA "kernels_gbench.json", NULL), 0);
    text = capture_end();
    assert_non_null(strstr(text, "figure (real time, lower is better)"));
    free(text);
}

/* The report keeps workloads apart (task, images per epoch, batch, then ISA), shows them in the
 * context, and its per-layer rows add up to the epoch: the rest is waiting and bookkeeping. */
static void report_groups_workloads_and_shows_the_rest(void **state)
{
    (void)state;
    const char *out = tmp_path("report-workloads");
    assert_int_equal(run(cb_cmd_report, DATA "train_avx512.json", DATA "train_other_workload.json",
                         DATA "train_later.json", "--out", out, NULL), 0);
    char path[600];
    snprintf(path, sizeof path, "%s/report.md", out);
    char *md = read_text(path);
    static const char *const want[] = {
        "| avx512 | classify | 512 | 32 | 2 | 6 | 1 |", "| avx512 | binary | 1,024 | 64 | 1 | 3 | 1 |",
        "| task | classify | binary | classify |", "| images per epoch | 512 | 1024 | 512 |",
        "| batch | 32 | 64 | 32 |",
        "| other: waiting at barriers, bookkeeping | - | - | - | 5.41 ms | 34.9% |"};
    expect_text("report.md", md, want, sizeof want / sizeof want[0]);
    free(md);
    static const char *const files[] = {"train_scalar.json", "train_avx512.json", "train_later.json"};
    for (size_t i = 0; i < 3; i++) {
        char err[1024];
        cb_rfile f;
        snprintf(path, sizeof path, DATA "%s", files[i]);
        assert_int_equal(cb_rfile_load(path, &f, err, sizeof err), 0);
        size_t n;
        cb_rd_layer *l = cb_rd_layers(&f.res.train, &n);
        assert_non_null(l);
        double sum = 0, seconds = 0;
        for (size_t k = 0; k < n; k++) {
            sum += l[k].share;
            seconds += l[k].total;
        }
        assert_string_equal(l[n - 1].layer, "other: waiting at barriers, bookkeeping");
        if (fabs(sum - 1) > 1e-12 || fabs(seconds - f.res.train.epochs.v[2].seconds) > 1e-12)
            fail_msg("%s: shares add to %.15g, seconds to %.15g", files[i], sum, seconds);
        free(l);
        cb_rfile_free(&f);
    }
}

/* A scale result of 1 and 2 threads (add_scale_point) with each point's global batch (16 per
 * thread in weak mode) and the scaling model: its inputs, its validation at 2 threads (predicted
 * `predicted` images/s against the measured 2,000) and both modes' curves to 8 threads, which differ
 * in every column (strong: efficiency 100, 95, 90, 75%, 4 threads busy at most; weak: 100, 99, 97,
 * 95%, every thread busy). */
static void write_scale_model(const char *name, bool weak, double predicted)
{
    json_t *doc = new_result("scale", "classify", "avx2");
    json_t *cfg = cbr_new_scale_config(doc);
    cbr_set_scale_config_mode(cfg, weak ? "weak" : "strong");
    cbr_set_scale_config_batch(cfg, 16);
    cbr_set_scale_config_repetitions(cfg, 3);
    for (int t = 1; t <= 2; t++) {
        json_t *p = add_scale_point(doc, t);
        cbr_set_scale_point_batch(p, weak ? 16 * t : 16);
        if (!weak)
            cbr_set_scale_point_weights_identical_to_1_thread(p, true);
    }
    json_t *m = cbr_new_scale_model(doc);
    cbr_set_scale_model_image_seconds(m, 20e-6);
    cbr_set_scale_model_block_seconds(m, 100e-9);
    cbr_set_scale_model_block_image_seconds(m, 5e-9);
    cbr_set_scale_model_blocks(m, 10);
    cbr_set_scale_model_serial_step_seconds(m, 10e-6);
    cbr_set_scale_model_barrier_seconds(m, 1.5e-6);
    cbr_set_scale_model_bandwidth_per_core(m, 12.5e9);
    cbr_set_scale_model_block_bytes_per_image(m, 200);
    cbr_set_scale_model_validation_threads(m, 2);
    cbr_set_scale_model_validation_predicted(m, predicted);
    cbr_set_scale_model_validation_measured(m, 2000);
    cbr_set_scale_model_validation_error(m, predicted / 2000 - 1);
    static const double strong_eff[] = {1, 0.95, 0.9, 0.75}, weak_eff[] = {1, 0.99, 0.97, 0.95};
    for (int i = 0, t = 1; i < 4; i++, t *= 2) {
        json_t *a = cbr_add_scale_predicted_strong(doc), *b = cbr_add_scale_predicted_weak(doc);
        cbr_set_predicted_point_threads(a, t);
        cbr_set_predicted_point_batch(a, 16);
        cbr_set_predicted_point_images_per_s(a, 1000.0 * t * strong_eff[i]);
        cbr_set_predicted_point_efficiency(a, strong_eff[i]);
        cbr_set_predicted_point_busy_threads(a, t < 4 ? t : 4);
        cbr_set_predicted_point_threads(b, t);
        cbr_set_predicted_point_batch(b, 16 * t);
        cbr_set_predicted_point_images_per_s(b, 1000.0 * t * weak_eff[i]);
        cbr_set_predicted_point_efficiency(b, weak_eff[i]);
        cbr_set_predicted_point_busy_threads(b, t);
    }
    cb_rfile f;
    write_and_load(doc, name, &f, CB_RF_SCALE);
    assert_int_equal(f.res.scale.predicted_weak.n, 4);
    assert_true(f.res.scale.model.validation_measured == 2000);
    cb_rfile_free(&f);
}

/* report.md and report.html of one input file, into *md and *html (free them). */
static void report_of(const char *input, const char *out, char **md, char **html)
{
    assert_int_equal(run(cb_cmd_report, input, "--out", out, NULL), 0);
    char path[600];
    snprintf(path, sizeof path, "%s/report.md", out);
    *md = read_text(path);
    snprintf(path, sizeof path, "%s/report.html", out);
    *html = read_text(path);
    assert_true(*md && *html);
}

/* A scale result with the scaling model: the mode in the heading, the global batch per point, the
 * predicted table of both modes, the model's inputs and its validation (flagged outside 10%), and
 * in the chart the curve of the file's own mode, called modelled. */
static void report_shows_the_scaling_model(void **state)
{
    (void)state;
    char *md, *html;
    write_scale_model("scale_weak_model.json", true, 2100);
    report_of(tmp_path("scale_weak_model.json"), tmp_path("report-weak-model"), &md, &html);
    static const char *const md_want[] = {
        "### scale_weak_model.json (avx2, weak scaling, batch 16 per thread, median of 3 repetitions)",
        "| threads | batch | PUs | s/epoch |", "| 2 | 32 | - | 500 ms | 2,000 | - | - | - | - | - | - |",
        "Predicted scaling (modelled, not measured):",
        "| threads | strong images/s | strong efficiency | weak batch | weak images/s | weak efficiency | busy in phase 1 |",
        "| 1 | 1,000 | 100% | 16 | 1,000 | 100% | 1 |", "| 2 | 1,900 | 95% | 32 | 1,980 | 99% | 2 |",
        "| 4 | 3,600 | 90% | 64 | 3,880 | 97% | 4 |", "| 8 | 6,000 | 75% | 128 | 7,600 | 95% | 4 |",
        "Model inputs: 20.00 us per image (phase 1); 10 parameter blocks at 100 ns each plus 5.00 ns per image of "
        "the batch (phase 2); 10.0 us serial per step; 1.50 us synchronisation per step at 2 threads; 12.5 GB/s "
        "memory bandwidth per core for 200 bytes per block and image.",
        "Validation, 2 threads: predicted 2,100 images/s from 1-thread inputs, measured 2,000 (median): +5.0%, "
        "within 10%."};
    expect_text("report.md", md, md_want, sizeof md_want / sizeof md_want[0]);
    assert_null(strstr(md, "**Note:** Model inputs")); /* within 10%: not flagged */
    static const char *const html_want[] = {
        "predicted (model)", "predicted (model): 8, 7600", "ideal (linear)", "is modelled, not measured",
        "weak-scaling curve", "<p>Model inputs:"};
    expect_text("report.html", html, html_want, sizeof html_want / sizeof html_want[0]);
    assert_null(strstr(html, "predicted (model): 8, 6000")); /* the strong curve is not charted */
    free(md);
    free(html);

    /* strong, the prediction 30% over the measurement: flagged */
    write_scale_model("scale_strong_model.json", false, 2600);
    report_of(tmp_path("scale_strong_model.json"), tmp_path("report-strong-model"), &md, &html);
    static const char *const strong_md[] = {
        "(avx2, strong scaling, median of 3 repetitions)", "| 2 | 16 | - | 500 ms | 2,000 | - | - | - | - | yes | - |",
        "| 8 | 6,000 | 75% | 128 | 7,600 | 95% | 4 |", "**Note:** Model inputs: 20.00 us per image",
        "measured 2,000 (median): +30.0%, outside 10%."};
    expect_text("report.md", md, strong_md, sizeof strong_md / sizeof strong_md[0]);
    static const char *const strong_html[] = {"<p class=\"warn\">Model inputs:", "predicted (model): 8, 6000",
                                              "strong-scaling curve"};
    expect_text("report.html", html, strong_html, sizeof strong_html / sizeof strong_html[0]);
    assert_null(strstr(html, "predicted (model): 8, 7600"));
    free(md);
    free(html);
}

/* A scale result from before the model and --mode: strong, no batch column, no prediction. */
static void report_scaling_without_model(void **state)
{
    (void)state;
    char *md, *html;
    report_of(DATA "scale.json", tmp_path("report-no-model"), &md, &html);
    static const char *const md_want[] = {
        "### scale.json (avx512, strong scaling, median of 3 repetitions)\n\n"
        "| threads | PUs | s/epoch | images/s | images/s/core | speed-up | efficiency | sync share | "
        "weights = 1 thread | test acc |\n",
        "| 1 | 0 | 11.5 ms | 44,563 | 44,563 | x1.00 | 100% | 0.1% | yes | 12.5% |\n"
        "| 2 | 0,1 | 5.84 ms | 87,606 | 43,803 | x1.97 | 98% | 0.3% | yes | 12.5% |\n\n## Data-parallel over MPI ranks"};
    expect_text("report.md", md, md_want, sizeof md_want / sizeof md_want[0]);
    static const char *const html_want[] = {
        "ideal (linear)", "Training throughput against threads; the dashed line is perfect linear scaling."};
    expect_text("report.html", html, html_want, sizeof html_want / sizeof html_want[0]);
    static const char *const absent[] = {"Predicted scaling", "Model inputs", "Validation", "predicted (model)",
                                         "weak scaling", "| threads | batch |", "Predicted over nodes"};
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
        if (strstr(md, absent[i]) || strstr(html, absent[i]))
            fail_msg("the report of scale.json has '%s'", absent[i]);
    free(md);
    free(html);
}

/* ---- data-parallel over MPI ranks, and the model over nodes ---------------------------------- */

/* A train result of 1,024 images per epoch at 2 threads (per rank), three epochs at 0.9, 1.3 and 1
 * times images_per_s (median: images_per_s); over ranks > 1 also the MPI fields, the last epoch's
 * exchange figures as given (the earlier epochs' twice as large) and its checksum a1b2c3d4e5f60718
 * (the earlier ones' differ). ranks 0: one process, no MPI fields; exchange NULL: a file from
 * before --exchange. */
typedef struct ranked {
    const char *name, *isa, *exchange;
    int ranks, batch;
    double images_per_s;
    bool summary;               /* write summary.images_per_s, else only the epochs have it */
    double comm_us, wait_us;    /* per step */
    double bytes_per_step;
} ranked;

static void write_ranked(const ranked *r)
{
    json_t *doc = new_result("train", "classify", r->isa);
    json_t *c = json_object_get(doc, "context");
    if (r->ranks > 1) {
        static const char *const pus[] = {"0-1", "2-3", "4-5", "6-7"};
        cbr_set_context_ranks(c, r->ranks);
        cbr_set_context_rank_thread_pus(c, pus, (size_t)r->ranks);
        if (r->exchange)
            cbr_set_context_exchange(c, r->exchange);
        cbr_set_context_network_latency_seconds(c, 1.5e-6);
        cbr_set_context_network_bytes_per_s(c, 12.5e9);
    }
    cbr_set_train_config_batch(cbr_new_train_config(doc), r->batch);
    const int steps = 1024 / r->batch;
    static const double spread[] = {0.9, 1.3, 1.0};
    for (int i = 0; i < 3; i++) {
        const double ips = r->images_per_s * spread[i], more = i < 2 ? 2 : 1;
        json_t *e = cbr_add_train_epochs(doc);
        cbr_set_epoch_epoch(e, i + 1);
        cbr_set_epoch_images(e, 1024);
        cbr_set_epoch_steps(e, steps);
        cbr_set_epoch_seconds(e, 1024 / ips);
        cbr_set_epoch_images_per_s(e, ips);
        if (r->ranks > 1) {
            cbr_set_epoch_comm_seconds(e, more * r->comm_us * 1e-6 * steps);
            cbr_set_epoch_comm_wait_seconds(e, more * r->wait_us * 1e-6 * steps);
            cbr_set_epoch_comm_bytes_per_step(e, more * r->bytes_per_step);
            cbr_set_epoch_weights_checksum(e, i < 2 ? "0000000000000bad" : "a1b2c3d4e5f60718");
        }
    }
    if (r->summary)
        cbr_set_summary_images_per_s(cbr_new_train_summary(doc), r->images_per_s);
    cb_rfile f;
    write_and_load(doc, r->name, &f, CB_RF_TRAIN);
    cb_rfile_free(&f);
}

/* One workload over 1, 2 and 4 ranks at the global batch 32 (100,000, 180,000 and 320,000
 * images/s: x1.80 90%, x3.20 80%) and at 8 images per rank (1 process 110,000 images/s, 2 ranks
 * 190,000: weak 190 / (2 x 110) = 86%; 4 ranks at batch 32: weak 320 / (4 x 110) = 73%); the same
 * over 2 ranks on another ISA, without a 1-rank file ("-"); and a one-process workload, not shown. */
static void report_shows_mpi_ranks(void **state)
{
    (void)state;
    static const ranked files[] = {
        {"mpi_r4.json", "avx2", "gather", 4, 32, 320000, true, 30, 25, 163968},
        {"mpi_r1.json", "avx2", NULL, 0, 32, 100000, false, 0, 0, 0}, /* the epochs' median */
        {"mpi_r2.json", "avx2", NULL, 2, 32, 180000, true, 40, 10, 109312},
        {"mpi_r2_b16.json", "avx2", "allreduce", 2, 16, 190000, true, 25, 5, 70984},
        {"mpi_r1_b8.json", "avx2", NULL, 0, 8, 110000, true, 0, 0, 0},
        {"mpi_other_isa.json", "avx512", "gather", 2, 32, 150000, true, 40, 10, 109312},
        {"mpi_scalar.json", "scalar", NULL, 0, 32, 20000, true, 0, 0, 0},
    };
    enum { N = sizeof files / sizeof files[0] };
    char paths[N][512];
    for (size_t i = 0; i < N; i++) {
        write_ranked(&files[i]);
        snprintf(paths[i], sizeof paths[i], "%s", tmp_path(files[i].name));
    }
    const char *out = tmp_path("report-mpi");
    assert_int_equal(run(cb_cmd_report, paths[0], paths[1], paths[2], paths[3], paths[4], paths[5], paths[6],
                         "--out", out, NULL), 0);
    char path[600];
    snprintf(path, sizeof path, "%s/report.md", out);
    char *md = read_text(path);
    static const char *const want[] = {
        "## Data-parallel over MPI ranks\n\nMeasured: train results run data-parallel over MPI ranks",
        "### classify, 1,024 images per epoch (avx2, 2 threads per rank)\n\n"
        "| file | ranks | threads/rank | exchange | batch | batch/rank | images/s | images/s/rank | speed-up | "
        "efficiency | weak efficiency | exchange us/step | wait us/step | KB received/step | exchange share |\n"
        "|:---|---:|---:|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        "| mpi_r1_b8.json | 1 | 2 | - | 8 | 8 | 110,000 | 110,000 | x1.00 | 100% | 100% | - | - | - | - |\n"
        "| mpi_r1.json | 1 | 2 | - | 32 | 32 | 100,000 | 100,000 | x1.00 | 100% | 100% | - | - | - | - |\n"
        "| mpi_r2_b16.json | 2 | 2 | allreduce | 16 | 8 | 190,000 | 95,000 | - | - | 86% | 25.0 | 5.0 | 71.0 | 29.7% |\n"
        "| mpi_r2.json | 2 | 2 | gather | 32 | 16 | 180,000 | 90,000 | x1.80 | 90% | - | 40.0 | 10.0 | 109.3 | 22.5% |\n"
        "| mpi_r4.json | 4 | 2 | gather | 32 | 8 | 320,000 | 80,000 | x3.20 | 80% | 73% | 30.0 | 25.0 | 164.0 "
        "| 30.0% |\n\n",
        "mpi_r2_b16.json, measured: 2 ranks, exchange allreduce. Bindings: rank 0: PUs 0-1; rank 1: PUs 2-3.",
        "mpi_r4.json, measured: 4 ranks, exchange gather. Bindings: rank 0: PUs 0-1; rank 1: PUs 2-3; rank 2: PUs "
        "4-5; rank 3: PUs 6-7. Network between ranks 0 and 1 (ping-pong): latency 1.50 us, 100.0 Gb/s. Weights "
        "checksum after the last epoch a1b2c3d4e5f60718, identical on all 4 ranks",
        "### classify, 1,024 images per epoch (avx512, 2 threads per rank)\n\n",
        "| mpi_other_isa.json | 2 | 2 | gather | 32 | 16 | 150,000 | 75,000 | - | - | - | 40.0 | 10.0 | 109.3 |"};
    expect_text("report.md", md, want, sizeof want / sizeof want[0]);
    static const char *const absent[] = {"(scalar, 2 threads per rank)", "| mpi_scalar.json | 1 |",
                                         "0000000000000bad", "No train runs over several MPI ranks"};
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
        if (strstr(md, absent[i]))
            fail_msg("report.md has '%s'", absent[i]);
    free(md);
}

/* Train results of one process only: the section's note instead of a table. */
static void report_notes_no_mpi_ranks(void **state)
{
    (void)state;
    char *md, *html;
    report_of(DATA "train_avx512.json", tmp_path("report-no-ranks"), &md, &html);
    assert_non_null(strstr(md, "## Data-parallel over MPI ranks\n\n_No train runs over several MPI ranks in the "
                               "inputs (mpirun -np R cifarbench train --json FILE writes one)._\n"));
    assert_null(strstr(md, "| file | ranks |"));
    assert_non_null(strstr(html, "id=\"mpi\""));
    free(md);
    free(html);
}

/* A scale result with the model's efficiency over 1, 2 and 4 nodes of 4 threads, for both exchanges
 * on two networks: at n > 1 nodes (index i = 1, 2) strong 1 - 0.1 i (2 - network) - 0.05 exchange,
 * weak 5 points more; a table per exchange, a column pair per network. */
static void report_shows_the_nodes_prediction(void **state)
{
    (void)state;
    json_t *doc = new_result("scale", "classify", "avx2");
    for (int t = 1; t <= 2; t++)
        add_scale_point(doc, t);
    static const char *const exchanges[] = {"gather", "allreduce"}, *const nets[] = {"net A (TCP)", "net B (RDMA)"};
    static const double latency[] = {15e-6, 2e-6}, bandwidth[] = {3.125e9, 12.5e9};
    for (int x = 0; x < 2; x++)
        for (int k = 0; k < 2; k++)
            for (int i = 0; i < 3; i++) {
                const double strong = i ? 1 - 0.1 * i * (2 - k) - 0.05 * x : 1, weak = i ? strong + 0.05 : 1;
                json_t *p = cbr_add_scale_predicted_nodes(doc);
                cbr_set_predicted_node_exchange(p, exchanges[x]);
                cbr_set_predicted_node_network(p, nets[k]);
                cbr_set_predicted_node_latency_seconds(p, latency[k]);
                cbr_set_predicted_node_bytes_per_s(p, bandwidth[k]);
                cbr_set_predicted_node_nodes(p, 1 << i);
                cbr_set_predicted_node_threads(p, 4);
                cbr_set_predicted_node_strong_efficiency(p, strong);
                cbr_set_predicted_node_weak_efficiency(p, weak);
            }
    cb_rfile f;
    write_and_load(doc, "scale_nodes.json", &f, CB_RF_SCALE);
    assert_int_equal(f.res.scale.predicted_nodes.n, 12);
    cb_rfile_free(&f);
    char *md, *html;
    report_of(tmp_path("scale_nodes.json"), tmp_path("report-nodes"), &md, &html);
#define HEAD "| nodes | a: strong | a: weak | b: strong | b: weak |\n|---:|---:|---:|---:|---:|\n"
#define NETS "a: net A (TCP), latency 15.0 us, 25.0 Gb/s; b: net B (RDMA), latency 2.0 us, 100.0 Gb/s.\n\n"
    static const char *const want[] = {
        "Predicted over nodes (modelled, not measured):\n\n",
        "With --exchange gather, nodes of 4 threads each, on " NETS HEAD
        "| 1 | 100.0% | 100.0% | 100.0% | 100.0% |\n| 2 | 80.0% | 85.0% | 90.0% | 95.0% |\n"
        "| 4 | 60.0% | 65.0% | 80.0% | 85.0% |\n\n",
        "With --exchange allreduce, nodes of 4 threads each, on " NETS HEAD
        "| 1 | 100.0% | 100.0% | 100.0% | 100.0% |\n| 2 | 75.0% | 80.0% | 85.0% | 90.0% |\n"
        "| 4 | 55.0% | 60.0% | 75.0% | 80.0% |\n\n"};
#undef HEAD
#undef NETS
    expect_text("report.md", md, want, sizeof want / sizeof want[0]);
    assert_non_null(strstr(html, "Predicted over nodes (modelled, not measured):"));
    assert_null(strstr(md, "Predicted scaling")); /* no curves over threads in this file */
    free(md);
    free(html);
}

/* ---- main ------------------------------------------------------------------------------------- */

static int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "test_reports_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int remove_tmpdir(void **state)
{
    (void)state;
    return nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_strict_syntax),
        cmocka_unit_test(schema_checks_when_reading),
        cmocka_unit_test(json_truncations_and_corruptions),
        cmocka_unit_test(writer_refuses_invalid_documents),
        cmocka_unit_test(round_trip_train),
        cmocka_unit_test(round_trip_scale),
        cmocka_unit_test(round_trip_study_and_regression),
        cmocka_unit_test(mann_whitney_matches_scipy),
        cmocka_unit_test(mann_whitney_edges),
        cmocka_unit_test(load_real_files_and_errors),
        cmocka_unit_test(compare_detects_clear_slowdown),
        cmocka_unit_test(compare_passes_same_distribution),
        cmocka_unit_test(compare_passes_faster),
        cmocka_unit_test(compare_passes_small_significant_slowdown),
        cmocka_unit_test(compare_passes_noisy_slowdown),
        cmocka_unit_test(compare_too_few_repetitions),
        cmocka_unit_test(compare_options_and_errors),
        cmocka_unit_test(compare_scale_and_gbench_files),
        cmocka_unit_test(report_writes_both_files),
        cmocka_unit_test(report_notes_missing_sections),
        cmocka_unit_test(report_refuses_bad_input_cleanly),
        cmocka_unit_test(study_and_regression_in_report_not_in_compare),
        cmocka_unit_test(duplicates_refused_when_loaded),
        cmocka_unit_test(contention_in_report_and_compare),
        cmocka_unit_test(contention_fields_and_writer),
        cmocka_unit_test(compare_refuses_other_configurations),
        cmocka_unit_test(report_groups_workloads_and_shows_the_rest),
        cmocka_unit_test(report_shows_the_scaling_model),
        cmocka_unit_test(report_scaling_without_model),
        cmocka_unit_test(report_shows_mpi_ranks),
        cmocka_unit_test(report_notes_no_mpi_ranks),
        cmocka_unit_test(report_shows_the_nodes_prediction),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
