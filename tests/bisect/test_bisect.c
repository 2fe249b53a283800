/* test_bisect.c - bisect.h: judging a revision's values against good and bad (the U test, the
 * nearer median when both differ, undecided when neither does), the retries up to the maximum, the
 * fewest repetitions the test needs, and measuring: wall time, a figure of a result file, and the
 * messages when COMMAND, its file or the figure fails. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bisect.h"

static cb_samples samples_of(const double *v, size_t n)
{
    cb_samples s = {0};
    for (size_t i = 0; i < n; i++)
        assert_int_equal(cb_samples_add(&s, v[i]), 0);
    return s;
}

/* good around 10, bad around 60, five values each */
static const double good_v[] = {10.1, 9.8, 10.3, 10.0, 9.9};
static const double bad_v[] = {60.2, 59.7, 60.5, 60.1, 59.9};

static void classify(const double *x, size_t n, cb_bisect_class *c)
{
    cb_samples good = samples_of(good_v, 5), bad = samples_of(bad_v, 5);
    *c = cb_bisect_classify(x, n, &good, &bad, 0.05);
    cb_samples_free(&good);
    cb_samples_free(&bad);
}

static void like_good_is_good(void **state)
{
    (void)state;
    const double x[] = {10.05, 9.95, 10.2, 9.85, 10.15};
    cb_bisect_class c;
    classify(x, 5, &c);
    assert_int_equal(c.verdict, CB_BISECT_GOOD);
    assert_false(c.nearer);
    assert_true(c.p_good >= 0.05);
    assert_true(fabs(c.p_bad - 2.0 / 252) < 1e-12); /* 5 against 5, apart: the exact test's least p */
    assert_true(fabs(c.median - 10.05) < 1e-12);
}

static void like_bad_is_bad(void **state)
{
    (void)state;
    const double x[] = {60.0, 60.3, 59.8, 60.4, 60.15};
    cb_bisect_class c;
    classify(x, 5, &c);
    assert_int_equal(c.verdict, CB_BISECT_BAD);
    assert_false(c.nearer);
    assert_true(c.p_bad >= 0.05);
    assert_true(c.p_good < 0.05);
}

static void different_from_both_goes_to_the_nearer(void **state)
{
    (void)state;
    const double drifted_good[] = {14.0, 14.2, 13.9, 14.1, 14.3}; /* slower than good, far from bad */
    cb_bisect_class c;
    classify(drifted_good, 5, &c);
    assert_true(c.p_good < 0.05 && c.p_bad < 0.05);
    assert_int_equal(c.verdict, CB_BISECT_GOOD);
    assert_true(c.nearer);
    const double drifted_bad[] = {50.0, 50.2, 49.9, 50.1, 50.3};
    classify(drifted_bad, 5, &c);
    assert_int_equal(c.verdict, CB_BISECT_BAD);
    assert_true(c.nearer);
}

static void different_from_neither_is_undecided(void **state)
{
    (void)state;
    const double x[] = {10.0, 60.0}; /* two values: no test at 2 against 5 gets below 0.05 */
    cb_bisect_class c;
    classify(x, 2, &c);
    assert_int_equal(c.verdict, CB_BISECT_UNDECIDED);
    classify(x, 0, &c); /* nothing measured */
    assert_int_equal(c.verdict, CB_BISECT_UNDECIDED);
    assert_true(isnan(c.p_good) && isnan(c.p_bad));
}

static void fewest_repetitions(void **state)
{
    (void)state;
    assert_int_equal(cb_bisect_min_repetitions(0.05, 1000), 4); /* 3 a side: p >= 0.1 */
    assert_int_equal(cb_bisect_min_repetitions(0.01, 1000), 5);
    assert_int_equal(cb_bisect_min_repetitions(1e-300, 10), 0);
}

static void wall_time(void **state)
{
    (void)state;
    const cb_bisect_figure f = {"sleep 0.02", "/", NULL, NULL};
    cb_samples s = {0};
    char err[256] = "";
    assert_int_equal(cb_bisect_measure(&f, 2, &s, err, sizeof err), 0);
    assert_int_equal(s.n, 2);
    assert_true(s.v[0] >= 0.02 && s.v[1] >= 0.02);
    cb_samples_free(&s);
}

static void failing_command(void **state)
{
    (void)state;
    const cb_bisect_figure f = {"exit 3", "/", NULL, NULL};
    cb_samples s = {0};
    char err[256] = "";
    assert_int_equal(cb_bisect_measure(&f, 1, &s, err, sizeof err), -1);
    assert_string_equal(err, "COMMAND exited with status 3");
    assert_int_equal(cb_bisect_warm_up(&f, err, sizeof err), -1);
    cb_samples_free(&s);
}

/* A command writing a train result with three epochs to r.json. */
#define WRITE_TRAIN                                                                                 \
    "printf '{\"schema\": \"cifarbench-result\", \"schema_version\": 1, \"command\": \"train\", "   \
    "\"context\": {\"isa\": \"scalar\", \"threads\": 1}, \"epochs\": ["                             \
    "{\"epoch\": 1, \"images\": 512, \"seconds\": 0.5, \"images_per_s\": 1024}, "                   \
    "{\"epoch\": 2, \"images\": 512, \"seconds\": 0.25, \"images_per_s\": 2048}, "                  \
    "{\"epoch\": 3, \"images\": 512, \"seconds\": 0.125, \"images_per_s\": 4096}]}' > r.json"

static void result_figure(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_bisect.XXXXXX", path[64], err[512] = "";
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/r.json", dir);
    cb_bisect_figure f = {WRITE_TRAIN, dir, "r.json", "train images/s"};
    cb_samples s = {0};
    assert_int_equal(cb_bisect_measure(&f, 2, &s, err, sizeof err), 0);
    assert_int_equal(s.n, 6); /* every epoch of every run */
    assert_true(s.v[0] == 1024 && s.v[2] == 4096 && s.v[3] == 1024);

    f.figure = "scale 2 threads images/s";
    assert_int_equal(cb_bisect_measure(&f, 1, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "has no figure 'scale 2 threads images/s' (it has: 'train images/s')"));

    f.command = "true"; /* writes nothing: the previous run's file is removed first */
    assert_int_equal(cb_bisect_measure(&f, 1, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "COMMAND wrote no "));
    assert_int_equal(access(path, F_OK), -1);

    f.command = "echo '{\"schema\": 1}' > r.json";
    assert_int_equal(cb_bisect_measure(&f, 1, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "r.json"));
    assert_int_equal(s.n, 6);
    cb_samples_free(&s);
    unlink(path);
    rmdir(dir);
}

static void retries_up_to_the_maximum(void **state)
{
    (void)state;
    /* good and bad both spread over everything a run of `true` could take: never significant */
    const double wide[] = {1e-9, 1e3, 2e-9, 2e3, 3e-9, 3e3};
    cb_samples good = samples_of(wide, 6), bad = samples_of(wide, 6), s = {0};
    const cb_bisect_figure f = {"true", "/", NULL, NULL};
    const cb_bisect_plan plan = {.repetitions = 2, .max_repetitions = 5, .alpha = 0.05};
    cb_bisect_class c;
    int runs = 0;
    char err[256] = "";
    assert_int_equal(cb_bisect_judge(&f, &plan, &good, &bad, &s, &runs, &c, err, sizeof err), 0);
    assert_int_equal(c.verdict, CB_BISECT_UNDECIDED);
    assert_int_equal(runs, 5); /* 2, 4, then 1 more to the maximum */
    assert_int_equal(s.n, 5);  /* the warm-up run not among them */
    cb_samples_free(&good);
    cb_samples_free(&bad);
    cb_samples_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(like_good_is_good),
        cmocka_unit_test(like_bad_is_bad),
        cmocka_unit_test(different_from_both_goes_to_the_nearer),
        cmocka_unit_test(different_from_neither_is_undecided),
        cmocka_unit_test(fewest_repetitions),
        cmocka_unit_test(wall_time),
        cmocka_unit_test(failing_command),
        cmocka_unit_test(result_figure),
        cmocka_unit_test(retries_up_to_the_maximum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
