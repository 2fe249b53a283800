/*
 * test_reports.c - the reports: the strict JSON reader, the Mann-Whitney U test against scipy's
 * values, `cifarbench compare` verdicts and exit codes on result files with chosen repetition
 * times, and `cifarbench report` output (sections present, malformed input refused cleanly).
 * Inputs: tests/data/reports/ (see its README.md) and files written here into a temporary
 * directory under the working directory.
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
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compare.h"
#include "json_reader.h"
#include "load_results.h"
#include "mann_whitney.h"
#include "report_commands.h"

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

/* Parses text expecting failure; checks the message contains want and the position. */
static void expect_error(const char *text, size_t len, const char *want, int line, int column)
{
    cb_jerror e;
    cb_jvalue *v = cb_jparse(text, len, &e);
    if (v) {
        cb_jfree(v);
        fail_msg("accepted malformed JSON: %.60s", text);
    }
    if (!strstr(e.message, want))
        fail_msg("input %.40s: message '%s' lacks '%s'", text, e.message, want);
    if (line && (e.line != line || e.column != column))
        fail_msg("input %.40s: error at %d:%d, expected %d:%d (%s)", text, e.line, e.column, line,
                 column, e.message);
}

#define EXPECT_ERROR(text, want, line, col) expect_error(text, sizeof(text) - 1, want, line, col)

/* ---- JSON reader ------------------------------------------------------------------------------ */

static void json_valid_document(void **state)
{
    (void)state;
    static const char doc[] =
        "\xEF\xBB\xBF{\n"
        "  \"s\": \"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t\",\n"
        "  \"n\": [0, -0.5e3, 1E+2, 123456789012, 2.5e-310, -0],\n"
        "  \"b\": [true, false, null],\n"
        "  \"empty\": {\"o\": {}, \"a\": []},\n"
        "  \"raw\": \"\xC3\xA9\xE2\x82\xAC\"\n"
        "}\n";
    cb_jerror e;
    cb_jvalue *v = cb_jparse(doc, sizeof doc - 1, &e);
    if (!v)
        fail_msg("%s", e.message);
    assert_int_equal(v->type, CB_JOBJECT);
    assert_int_equal(v->u.obj.n, 5);
    const cb_jvalue *s = cb_jget(v, "s");
    assert_non_null(s);
    assert_string_equal(s->u.str.s, "caf\xC3\xA9 \xF0\x9F\x98\x80 \"q\" \\ / \b\f\n\r\t");
    assert_int_equal(s->line, 2);
    assert_int_equal(s->column, 8);
    const cb_jvalue *n = cb_jget(v, "n");
    assert_int_equal(n->u.arr.n, 6);
    assert_true(cb_jat(n, 0)->u.number == 0);
    assert_true(cb_jat(n, 1)->u.number == -500);
    assert_true(cb_jat(n, 2)->u.number == 100);
    assert_true(cb_jat(n, 3)->u.number == 123456789012.0);
    assert_true(cb_jat(n, 4)->u.number > 0 && cb_jat(n, 4)->u.number < 1e-300); /* subnormal */
    assert_null(cb_jat(n, 6));
    const cb_jvalue *b = cb_jget(v, "b");
    assert_int_equal(cb_jat(b, 0)->type, CB_JBOOL);
    assert_true(cb_jat(b, 0)->u.boolean);
    assert_false(cb_jat(b, 1)->u.boolean);
    assert_int_equal(cb_jat(b, 2)->type, CB_JNULL);
    assert_int_equal(cb_jget(cb_jget(v, "empty"), "o")->type, CB_JOBJECT);
    assert_int_equal(cb_jget(cb_jget(v, "empty"), "a")->u.arr.n, 0);
    assert_string_equal(cb_jget(v, "raw")->u.str.s, "\xC3\xA9\xE2\x82\xAC");
    assert_null(cb_jget(v, "missing"));
    assert_null(cb_jget(n, "s")); /* not an object */
    cb_jfree(v);

    /* a string with an escaped NUL keeps its length */
    v = cb_jparse("\"a\\u0000b\"", 10, &e);
    assert_non_null(v);
    assert_int_equal(v->u.str.len, 3);
    cb_jfree(v);
    /* scalars at the top level */
    v = cb_jparse(" 42 ", 4, &e);
    assert_non_null(v);
    assert_true(v->u.number == 42);
    cb_jfree(v);
}

static void json_malformed_inputs(void **state)
{
    (void)state;
    EXPECT_ERROR("", "empty input", 1, 1);
    EXPECT_ERROR("  \n ", "empty input", 2, 2);
    /* truncated */
    EXPECT_ERROR("{\"a\": 1", "unterminated object", 1, 1);
    EXPECT_ERROR("[1, 2", "unterminated array", 1, 1);
    EXPECT_ERROR("{\"a\": \"abc", "unterminated string", 1, 7);
    EXPECT_ERROR("{\"a\":", "unexpected end of input", 1, 6);
    EXPECT_ERROR("\"ab\\", "end of input after '\\'", 1, 5);
    EXPECT_ERROR("\"\\u12", "end of input in a \\u escape", 1, 6);
    EXPECT_ERROR("tr", "invalid literal", 1, 1);
    /* bad escapes */
    EXPECT_ERROR("{\"a\": \"\\x\"}", "invalid escape '\\x'", 1, 9);
    EXPECT_ERROR("\"\\u12G4\"", "4 hex digits", 1, 6);
    EXPECT_ERROR("\"\\ud800\"", "not followed by a low surrogate", 1, 2);
    EXPECT_ERROR("\"\\ud800\\u0041\"", "not followed by a low surrogate", 1, 2);
    EXPECT_ERROR("\"\\udc00\"", "lone low surrogate", 1, 2);
    EXPECT_ERROR("\"a\tb\"", "control character 0x09", 1, 3);
    EXPECT_ERROR("\"a\nb\"", "control character 0x0a", 1, 3);
    EXPECT_ERROR("\"\xff\"", "invalid UTF-8", 1, 2);
    EXPECT_ERROR("\"\xC0\xAF\"", "invalid UTF-8", 1, 2);         /* overlong '/' */
    EXPECT_ERROR("\"\xED\xA0\x80\"", "invalid UTF-8", 1, 2);     /* UTF-8-encoded surrogate */
    EXPECT_ERROR("\"\xE2\x82\"", "invalid UTF-8", 1, 2);         /* cut sequence */
    /* trailing garbage */
    EXPECT_ERROR("{} x", "unexpected 'x' after the end of the JSON value", 1, 4);
    EXPECT_ERROR("[1]]", "unexpected ']' after the end", 1, 4);
    EXPECT_ERROR("1 2", "unexpected '2' after the end", 1, 3);
    expect_error("{}\0", 3, "unexpected byte 0x00 after the end", 1, 3);
    EXPECT_ERROR("truex", "invalid literal", 1, 1);
    /* syntax */
    EXPECT_ERROR("[1,]", "trailing comma before ']'", 1, 4);
    EXPECT_ERROR("{\"a\":1,}", "trailing comma before '}'", 1, 8);
    EXPECT_ERROR("[1 2]", "expected ',' or ']'", 1, 4);
    EXPECT_ERROR("{\"a\" 1}", "expected ':'", 1, 6);
    EXPECT_ERROR("{\"a\":1 \"b\":2}", "expected ',' or '}'", 1, 8);
    EXPECT_ERROR("{a:1}", "expected a string key", 1, 2);
    EXPECT_ERROR("'x'", "double quotes", 1, 1);
    EXPECT_ERROR("// c\n1", "comments", 1, 1);
    EXPECT_ERROR("NaN", "invalid literal", 1, 1);
    EXPECT_ERROR("[Infinity]", "invalid literal", 1, 2);
    EXPECT_ERROR("\n\n  ]", "expected a value, found ']'", 3, 3);
    EXPECT_ERROR("{\"a\":1,\"b\":2,\"a\":3}", "duplicate key \"a\" in an object (first given at 1:6)", 1, 18);
    /* numbers */
    EXPECT_ERROR("01", "leading zeros", 1, 1);
    EXPECT_ERROR("-", "'-' must be followed by a digit", 1, 1);
    EXPECT_ERROR("+1", "expected a value", 1, 1);
    EXPECT_ERROR("1.", "'.' must be followed by a digit", 1, 1);
    EXPECT_ERROR(".5", "expected a value", 1, 1);
    EXPECT_ERROR("1e", "exponent needs digits", 1, 1);
    EXPECT_ERROR("1e+", "exponent needs digits", 1, 1);
    EXPECT_ERROR("[1e999]", "out of range", 1, 2);
    EXPECT_ERROR("0x10", "unexpected 'x' after the end", 1, 2);
    /* columns count characters, not bytes */
    EXPECT_ERROR("[\"\xC3\xA9\xC3\xA9\" x]", "expected ',' or ']'", 1, 7);
}

static void json_nesting_limit(void **state)
{
    (void)state;
    char buf[2 * (CB_JMAX_DEPTH + 1) + 1];
    /* exactly the limit: accepted */
    memset(buf, '[', CB_JMAX_DEPTH);
    memset(buf + CB_JMAX_DEPTH, ']', CB_JMAX_DEPTH);
    cb_jerror e;
    cb_jvalue *v = cb_jparse(buf, 2 * CB_JMAX_DEPTH, &e);
    if (!v)
        fail_msg("%s", e.message);
    cb_jfree(v);
    /* one deeper: refused at the offending bracket */
    memset(buf, '[', CB_JMAX_DEPTH + 1);
    memset(buf + CB_JMAX_DEPTH + 1, ']', CB_JMAX_DEPTH + 1);
    expect_error(buf, 2 * (CB_JMAX_DEPTH + 1), "nesting deeper than 64 levels", 1, CB_JMAX_DEPTH + 1);
    /* very deep, unbalanced, mixed: refused without exhausting the stack */
    const size_t n = 1000000;
    char *deep = malloc(n);
    assert_non_null(deep);
    for (size_t i = 0; i < n; i++)
        deep[i] = i % 2 ? '[' : '{';
    deep[0] = '[';
    v = cb_jparse(deep, n, &e);
    assert_null(v);
    assert_non_null(strstr(e.message, "expected a string key"));
    for (size_t i = 0; i < n; i++)
        deep[i] = '[';
    v = cb_jparse(deep, n, &e);
    assert_null(v);
    assert_non_null(strstr(e.message, "nesting deeper"));
    free(deep);
}

/* Every proper prefix of a real result file fails, and every single-byte corruption either
 * parses or fails with a message: never a crash, never a read past the input. */
static void json_truncations_and_corruptions(void **state)
{
    (void)state;
    char *doc = read_text(DATA "train_avx512.json");
    assert_non_null(doc);
    const size_t len = strlen(doc);
    size_t end = len;
    while (end > 0 && doc[end - 1] != '}')
        end--;
    cb_jerror e;
    for (size_t n = 0; n < end; n++) {
        char *copy = malloc(n ? n : 1); /* exactly n bytes: a read past them is caught by tools */
        assert_non_null(copy);
        memcpy(copy, doc, n);
        cb_jvalue *v = cb_jparse(copy, n, &e);
        free(copy);
        if (v) {
            cb_jfree(v);
            fail_msg("a prefix of %zu bytes parsed", n);
        }
        assert_true(e.message[0] != '\0');
    }
    static const char bytes[] = {'"', '\\', '{', '}', '[', ']', ',', ':', '0', 'e', '-', '\0', '\x80'};
    size_t ok = 0, bad = 0;
    for (size_t i = 0; i < len; i += 3)
        for (size_t k = 0; k < sizeof bytes; k++) {
            const char saved = doc[i];
            doc[i] = bytes[k];
            cb_jvalue *v = cb_jparse(doc, len, &e);
            if (v) {
                ok++;
                cb_jfree(v);
            } else {
                bad++;
                assert_true(e.line >= 1 && e.column >= 1);
            }
            doc[i] = saved;
        }
    assert_true(bad > ok); /* most corruptions are errors */
    free(doc);
}

static void json_file_errors(void **state)
{
    (void)state;
    cb_jerror e;
    assert_null(cb_jparse_file(DATA "no-such-file.json", &e));
    assert_non_null(strstr(e.message, "cannot open"));
    assert_null(cb_jparse_file(DATA "truncated.json", &e));
    assert_non_null(strstr(e.message, "unterminated"));
    cb_jvalue *v = cb_jparse_file(DATA "kernels_gbench.json", &e);
    if (!v)
        fail_msg("%s", e.message);
    assert_non_null(cb_jget(v, "benchmarks"));
    cb_jfree(v);
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
    assert_true(isnan(cb_median(x, 0)));
    const double even[] = {4, 1, 3, 2};
    assert_true(cb_median(even, 4) == 2.5);
    assert_true(cb_median(x, 3) == 2);
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
    assert_int_equal(c.n, a.scale.n_rows);
    assert_string_equal(c.rows[0].name, "scale 1 thread s/epoch");
    assert_int_equal(c.rows[0].n_base, a.scale.rows[0].n_seconds_all);
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

/* ---- loading ---------------------------------------------------------------------------------- */

static void load_real_files_and_errors(void **state)
{
    (void)state;
    char err[1024];
    cb_rfile f;
    assert_int_equal(cb_rfile_load(DATA "train_avx512.json", &f, err, sizeof err), 0);
    assert_int_equal(f.kind, CB_RF_TRAIN);
    assert_int_equal(f.train.n_epochs, 3);
    assert_true(f.train.epochs[0].seconds > 0);
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
        cmocka_unit_test(json_valid_document),
        cmocka_unit_test(json_malformed_inputs),
        cmocka_unit_test(json_nesting_limit),
        cmocka_unit_test(json_truncations_and_corruptions),
        cmocka_unit_test(json_file_errors),
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
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
