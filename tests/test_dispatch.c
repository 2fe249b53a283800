/*
 * test_dispatch.c - CPU feature detection and the choice of kernel table (kernels/dispatch.c).
 *
 * - features_match_gcc_builtin: cb_cpu_features_get() against GCC's __builtin_cpu_supports for
 *   avx2, fma, avx512f, avx512bw, avx512dq, avx512vl. dispatch.c reports the raw CPUID bits and
 *   the OS state (XCR0) separately (os_ymm, os_zmm). Since GCC 8 and 7.4 (PR 85100) libgcc sets
 *   avx2/fma only when XCR0 enables SSE+YMM state and the avx512* features only when it enables
 *   opmask+ZMM too, exactly dispatch.c's os_ymm / os_zmm; older libgcc reported the raw CPUID
 *   bits without looking at XGETBV. So the test checks, for each feature, (cpuid bit && OS state)
 *   => builtin => cpuid bit: right under either libgcc, and equality whenever the OS enables the
 *   state (as on any current Linux).
 *   Also: os_zmm implies os_ymm, and detection runs once (the same object every call).
 * - isa_supported_follows_features / isa_best_is_highest_supported: supported = compiled &&
 *   scalar, or GCC's __builtin_cpu_supports avx2 && fma, or avx512f/bw/dq/vl (libgcc's own
 *   detection, which checks the OS state too, not a copy of dispatch.c's rule); best = the
 *   highest such.
 * - isa_names_round_trip / isa_parse_auto / isa_parse_rejects_others: cb_isa_parse accepts exactly
 *   the names cb_isa_name gives, and "auto" (-> *is_auto, cb_isa_best()). Matching is exact and
 *   case-sensitive (strcmp), so "", "AVX2", "Scalar", "AVX512", "Auto", "sse", "avx", " avx2",
 *   "avx2 ", "avx5120", "avx512f", "autox", "scalar\n" are all rejected (return false, *is_auto
 *   false). NULL is not a valid argument (the header promises nothing for it, strcmp would crash,
 *   and the only caller, harness/cli.c, never passes NULL), so it is not tested.
 *   cb_isa_name of an out-of-range value is "unknown"; its table is NULL and it is not supported.
 * - max_isa_caps_support: CIFARBENCH_MAX_ISA = scalar / avx2 / avx512 caps cb_isa_supported,
 *   cb_isa_best and "auto"; "" and unknown names ("bogus", "AVX2") cap nothing (dispatch.c: "Unset
 *   or unknown: no cap"; the command line rejects them before that). Feature detection is cached
 *   but the variable is read on every call, so setenv between calls takes effect: the test sets it
 *   after detection has run and checks that unsetting it restores the uncapped answers.
 * - unsupported_isa_is_skipped_not_passed: reruns this executable with CIFARBENCH_MAX_ISA=scalar
 *   (and =avx2) on a probe group of CBT_PER_ISA tests that each call a kernel through cbt_table();
 *   an ISA above the cap (or missing from the CPU) must be reported "[  SKIPPED ]" and never run
 *   nor counted as passed, while the allowed ones run and pass. A build without an ISA takes the
 *   same skip() path in cbt_table (cb_isa_compiled is checked first); this build has all three.
 *
 * CIFARBENCH_MAX_ISA from the caller's environment is removed for the group and restored after.
 */
#define _POSIX_C_SOURCE 200809L /* setenv, unsetenv, strdup, fork, pipe, dup2, execv, waitpid */

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel_test.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char cap_var[] = "CIFARBENCH_MAX_ISA";
static char *saved_cap;       /* the caller's CIFARBENCH_MAX_ISA, restored after the group */
static const char *self_path; /* argv[0], to rerun this executable if /proc/self/exe fails */
static const char probe_arg[] = "--skip-probe";

static int unset_cap(void **state)
{
    (void)state;
    return unsetenv(cap_var);
}

static int group_setup(void **state)
{
    const char *cap = getenv(cap_var);
    saved_cap = cap ? strdup(cap) : NULL;
    return unset_cap(state);
}

static int group_teardown(void **state)
{
    (void)state;
    int rc = saved_cap ? setenv(cap_var, saved_cap, 1) : 0;
    free(saved_cap);
    saved_cap = NULL;
    return rc;
}

/* ---- features ------------------------------------------------------------------------------- */

typedef struct feature_case {
    const char *name;
    bool builtin; /* __builtin_cpu_supports(name) */
    bool cpuid;   /* dispatch.c's CPUID bit */
    bool os;      /* the XCR0 state the feature needs, as dispatch.c read it */
} feature_case;

/* __builtin_cpu_supports needs a string literal, hence a macro (#field is one). */
#define FEATURE(field, os_field)                                                                   \
    {#field, __builtin_cpu_supports(#field) != 0, f->field, f->os_field}

static void features_match_gcc_builtin(void **state)
{
    (void)state;
    __builtin_cpu_init();
    const cb_cpu_features *f = cb_cpu_features_get();
    const feature_case cases[] = {
        FEATURE(avx2, os_ymm),     FEATURE(fma, os_ymm),      FEATURE(avx512f, os_zmm),
        FEATURE(avx512bw, os_zmm), FEATURE(avx512dq, os_zmm), FEATURE(avx512vl, os_zmm),
    };
    print_message("XCR0 state: ymm %d, zmm %d\n", f->os_ymm, f->os_zmm);
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        const feature_case *c = &cases[i];
        print_message("%-9s cpuid %d, gcc builtin %d\n", c->name, c->cpuid, c->builtin);
        if (c->cpuid && c->os && !c->builtin)
            fail_msg("%s: CPUID bit and OS state set, but __builtin_cpu_supports says no", c->name);
        if (c->builtin && !c->cpuid)
            fail_msg("%s: __builtin_cpu_supports says yes, but dispatch.c's CPUID bit is clear",
                     c->name);
    }
    if (f->os_zmm && !f->os_ymm)
        fail_msg("XCR0 ZMM state enabled without YMM state");
}

static void features_are_detected_once(void **state)
{
    (void)state;
    const cb_cpu_features *a = cb_cpu_features_get(), *b = cb_cpu_features_get();
    assert_ptr_equal(a, b);
}

/* ---- which ISA is supported, and the best one ------------------------------------------------ */

/* What cb_isa_supported must say without a cap, from GCC's own detection rather than a copy of
 * dispatch.c's rule: libgcc (GCC >= 8) reports avx2/fma only with the OS's YMM state and the
 * avx512* features only with its ZMM state, which is what dispatch.c must require too. */
static bool expected_supported(cb_isa isa)
{
    __builtin_cpu_init();
    if (!cb_isa_compiled(isa))
        return false;
    switch (isa) {
    case CB_ISA_SCALAR:
        return true;
    case CB_ISA_AVX2:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case CB_ISA_AVX512:
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
    default:
        return false;
    }
}

static void isa_supported_follows_features(void **state)
{
    (void)state;
    assert_true(cb_isa_compiled(CB_ISA_SCALAR));
    for (int i = 0; i < CB_ISA_COUNT; i++) {
        const cb_isa isa = (cb_isa)i;
        print_message("%-6s compiled %d, supported %d\n", cb_isa_name(isa), cb_isa_compiled(isa),
                      cb_isa_supported(isa));
        if (cb_isa_supported(isa) != expected_supported(isa))
            fail_msg("%s: cb_isa_supported %d, features say %d", cb_isa_name(isa),
                     cb_isa_supported(isa), expected_supported(isa));
    }
}

/* The highest ISA for which supported(isa, cap) holds (scalar always does). */
static cb_isa highest(bool (*supported)(cb_isa isa, cb_isa cap), cb_isa cap)
{
    cb_isa best = CB_ISA_SCALAR;
    for (int i = 0; i < CB_ISA_COUNT; i++)
        if (supported((cb_isa)i, cap))
            best = (cb_isa)i;
    return best;
}

static bool expected_supported_capped(cb_isa isa, cb_isa cap)
{
    return isa <= cap && expected_supported(isa);
}

static void isa_best_is_highest_supported(void **state)
{
    (void)state;
    const cb_isa want = highest(expected_supported_capped, CB_ISA_COUNT);
    assert_string_equal(cb_isa_name(cb_isa_best()), cb_isa_name(want));
    assert_true(cb_isa_supported(cb_isa_best()));
}

/* ---- names ---------------------------------------------------------------------------------- */

static void isa_names_round_trip(void **state)
{
    (void)state;
    static const char *const names[CB_ISA_COUNT] = {"scalar", "avx2", "avx512"};
    for (int i = 0; i < CB_ISA_COUNT; i++) {
        assert_string_equal(cb_isa_name((cb_isa)i), names[i]);
        cb_isa isa = (cb_isa)((i + 1) % CB_ISA_COUNT);
        bool is_auto = true;
        assert_true(cb_isa_parse(cb_isa_name((cb_isa)i), &isa, &is_auto));
        assert_int_equal(isa, i);
        assert_false(is_auto);
    }
}

static void isa_parse_auto(void **state)
{
    (void)state;
    cb_isa isa = CB_ISA_COUNT;
    bool is_auto = false;
    assert_true(cb_isa_parse("auto", &isa, &is_auto));
    assert_true(is_auto);
    assert_int_equal(isa, cb_isa_best());
}

static void isa_parse_rejects_others(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "AVX2", "Scalar", "AVX512", "Auto", "sse", "avx", " avx2", "avx2 ", "avx5120",
        "avx512f", "autox", "scalar\n",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        cb_isa isa = CB_ISA_AVX2;
        bool is_auto = true;
        if (cb_isa_parse(bad[i], &isa, &is_auto))
            fail_msg("cb_isa_parse accepted \"%s\" (as %s, auto %d)", bad[i], cb_isa_name(isa),
                     is_auto);
        assert_false(is_auto);
    }
}

static void isa_out_of_range(void **state)
{
    (void)state;
    static const int outside[] = {CB_ISA_COUNT, CB_ISA_COUNT + 1, -1};
    for (size_t i = 0; i < ARRAY_LEN(outside); i++) {
        const cb_isa isa = (cb_isa)outside[i];
        assert_string_equal(cb_isa_name(isa), "unknown");
        assert_null(cb_kernel_table_for(isa));
        assert_false(cb_isa_compiled(isa));
        assert_false(cb_isa_supported(isa));
    }
}

/* ---- CIFARBENCH_MAX_ISA ---------------------------------------------------------------------- */

typedef struct cap_case {
    const char *value;
    cb_isa cap; /* CB_ISA_COUNT: no cap */
} cap_case;

static const cap_case cap_cases[] = {
    {"scalar", CB_ISA_SCALAR}, {"avx2", CB_ISA_AVX2},  {"avx512", CB_ISA_AVX512},
    {"", CB_ISA_COUNT},        {"bogus", CB_ISA_COUNT}, {"AVX2", CB_ISA_COUNT},
};

/* Every answer that depends on the cap, against the uncapped features and the cap. */
static void check_cap(const char *value, cb_isa cap)
{
    for (int i = 0; i < CB_ISA_COUNT; i++) {
        const cb_isa isa = (cb_isa)i;
        if (cb_isa_supported(isa) != expected_supported_capped(isa, cap))
            fail_msg("%s=\"%s\": cb_isa_supported(%s) = %d, want %d", cap_var,
                     value ? value : "(unset)", cb_isa_name(isa), cb_isa_supported(isa),
                     expected_supported_capped(isa, cap));
    }
    const cb_isa want = highest(expected_supported_capped, cap);
    if (cb_isa_best() != want)
        fail_msg("%s=\"%s\": cb_isa_best() = %s, want %s", cap_var, value ? value : "(unset)",
                 cb_isa_name(cb_isa_best()), cb_isa_name(want));
    cb_isa isa;
    bool is_auto;
    assert_true(cb_isa_parse("auto", &isa, &is_auto));
    assert_int_equal(isa, want);
}

static void max_isa_caps_support(void **state)
{
    (void)state;
    (void)cb_cpu_features_get(); /* detection has run (and is cached) before any cap is set */
    check_cap(NULL, CB_ISA_COUNT);
    for (size_t i = 0; i < ARRAY_LEN(cap_cases); i++) {
        assert_int_equal(setenv(cap_var, cap_cases[i].value, 1), 0);
        check_cap(cap_cases[i].value, cap_cases[i].cap);
    }
    assert_int_equal(unsetenv(cap_var), 0);
    check_cap(NULL, CB_ISA_COUNT);
}

/* ---- skipped, never passed ------------------------------------------------------------------- */

/* The probe group, run in a child process: calls a kernel through cbt_table, which must skip()
 * before the call when the ISA is not available. */
static void probe(void **state)
{
    const cb_kernel_table *k = cbt_table(state);
    float x[3] = {-1.0f, 0.0f, 2.0f}, y[3];
    k->relu_fwd(3, x, y);
    assert_true(y[0] == 0.0f && y[1] == 0.0f && y[2] == 2.0f);
    printf("PROBE RAN %s\n", cb_isa_name(cbt_isa(state)));
}

static int run_probe_group(void)
{
    const struct CMUnitTest probes[] = {CBT_PER_ISA(probe)};
    return cmocka_run_group_tests_name("probe", probes, NULL, NULL);
}

/* Reruns this executable as the probe with CIFARBENCH_MAX_ISA=cap; returns its output (malloc'd,
 * NUL-terminated) and its exit status. */
static char *run_probe_child(const char *cap, int *status)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    const pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        setenv(cap_var, cap, 1);
        unsetenv("CMOCKA_MESSAGE_OUTPUT"); /* the default format, which the parent parses */
        unsetenv("CMOCKA_XML_FILE");
        unsetenv("CMOCKA_TEST_ABORT");
        char *const argv[] = {(char *)self_path, (char *)probe_arg, NULL};
        execv("/proc/self/exe", argv);
        execv(self_path, argv);
        _exit(127);
    }
    close(fds[1]);
    size_t len = 0, cap_bytes = 4096;
    char *out = malloc(cap_bytes);
    assert_non_null(out);
    for (;;) {
        if (len + 1 == cap_bytes) {
            out = realloc(out, cap_bytes *= 2);
            assert_non_null(out);
        }
        const ssize_t got = read(fds[0], out + len, cap_bytes - 1 - len);
        if (got <= 0)
            break;
        len += (size_t)got;
    }
    out[len] = '\0';
    close(fds[0]);
    assert_int_equal(waitpid(pid, status, 0), pid);
    return out;
}

static void expect_in_output(const char *out, const char *cap, const char *line, bool present)
{
    if ((strstr(out, line) != NULL) != present)
        fail_msg("probe with %s=%s: \"%s\" %s in its output:\n%s", cap_var, cap, line,
                 present ? "missing" : "present", out);
}

static void unsupported_isa_is_skipped_not_passed(void **state)
{
    (void)state;
    static const cap_case caps[] = {{"scalar", CB_ISA_SCALAR}, {"avx2", CB_ISA_AVX2}};
    char line[64];
    for (size_t c = 0; c < ARRAY_LEN(caps); c++) {
        int status;
        char *out = run_probe_child(caps[c].value, &status);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fail_msg("probe with %s=%s: exit status 0x%x (cmocka: failed tests), output:\n%s",
                     cap_var, caps[c].value, status, out);
        int ran = 0;
        for (int i = 0; i < CB_ISA_COUNT; i++) {
            const cb_isa isa = (cb_isa)i;
            const bool runs = expected_supported_capped(isa, caps[c].cap);
            ran += runs;
            snprintf(line, sizeof line, "[  SKIPPED ] probe/%s", cb_isa_name(isa));
            expect_in_output(out, caps[c].value, line, !runs);
            snprintf(line, sizeof line, "[       OK ] probe/%s", cb_isa_name(isa));
            expect_in_output(out, caps[c].value, line, runs);
            snprintf(line, sizeof line, "PROBE RAN %s\n", cb_isa_name(isa));
            expect_in_output(out, caps[c].value, line, runs);
        }
        snprintf(line, sizeof line, "[  PASSED  ] %d test(s).", ran);
        expect_in_output(out, caps[c].value, line, true);
        free(out);
    }
}

int main(int argc, char **argv)
{
    self_path = argv[0];
    if (argc == 2 && strcmp(argv[1], probe_arg) == 0)
        return run_probe_group();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(features_match_gcc_builtin),
        cmocka_unit_test(features_are_detected_once),
        cmocka_unit_test(isa_supported_follows_features),
        cmocka_unit_test(isa_best_is_highest_supported),
        cmocka_unit_test(isa_names_round_trip),
        cmocka_unit_test(isa_parse_auto),
        cmocka_unit_test(isa_parse_rejects_others),
        cmocka_unit_test(isa_out_of_range),
        cmocka_unit_test_teardown(max_isa_caps_support, unset_cap),
        cmocka_unit_test(unsupported_isa_is_skipped_not_passed),
    };
    return cmocka_run_group_tests_name("dispatch", tests, group_setup, group_teardown);
}
