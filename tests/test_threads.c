/*
 * test_threads.c - the OpenMP training step and the hwloc thread team.
 *
 * What cifarbench states (model.h): for a given ISA, results are bit-identical from run to run
 * AND for every thread count, because the step is cut into units (images, parameter blocks)
 * independent of the thread count and every float sum runs in unit order. So the tolerance
 * between 1 and 2 threads is zero:
 *
 * - repeat/2_threads: two runs with 2 threads give bit-identical step losses and weights;
 * - threads_1_vs_2/<isa>: 1 thread and 2 threads give bit-identical step losses and weights;
 * - readback/core: a 2-thread team pinned per core really has 2 threads, thread t on core t's PUs;
 * - readback/none: without pinning every thread may run on all the PUs the process had;
 * - threads_many/<isa>: 20 steps (the last a partial batch of 20 images) at 1, 2, 3, 5, 8, 16, 32
 *   and 64 threads give bit-identical step losses and final weights: the step's units are images
 *   (by runs), or with more threads than images their two row bands (64 threads at batch 32; 32
 *   and 64 on the batch of 20, where a thread's bands may straddle two images), and parameter
 *   blocks, and the sums still run in unit order. Beyond this machine's PUs the team is oversubscribed (--bind none), which is what
 *   --oversubscribe is for: correctness, not timing;
 * - check/too_many_threads: more threads than PUs, or than cores with core binding, is refused with a message;
 * - check/oversubscribe: with oversubscription any thread count up to CB_MAX_THREADS is accepted,
 *   but only with --bind none.
 * Tests that need 2 cores are skipped (visibly) on a machine with one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cifar10.h"
#include "model.h"
#include "team.h"
#include "train.h"

static cb_cifar10 data;
static cb_machine machine;
static char initial_binding[256]; /* the process's binding before any pinning */

static int setup(void **state)
{
    (void)state;
    cb_machine_describe(&machine);
    if (cb_thread_binding(initial_binding, sizeof initial_binding) != 0)
        return -1;
    cb_cifar10_synthetic(1024, 64, 3, &data);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cb_cifar10_free(&data);
    return 0;
}

static void need_cores(int n)
{
    if (machine.cores < n) {
        print_message("this machine has %d core(s); the test needs %d\n", machine.cores, n);
        skip();
    }
}

static void start_team(int threads, cb_bind bind)
{
    char err[256];
    if (cb_team_start(threads, bind, err, sizeof err) != 0)
        fail_msg("cb_team_start(%d): %s", threads, err);
}

/* Training runs of `steps` steps of 32 images, the last a partial batch of 20. */
enum { STEPS = 17, MANY_STEPS = 20, MAX_STEPS = MANY_STEPS };

typedef struct run_result {
    float losses[MAX_STEPS];
    int steps;
    float *params;
    size_t count;
} run_result;

static void train_steps(cb_isa isa, int threads, int steps, run_result *r)
{
    r->steps = steps;
    cb_train_config cfg = {.epochs = 1, .batch = 32, .seed = 9, .train_images = (steps - 1) * 32 + 20,
                           .test_images = 64, .kernels = cb_kernel_table_for(isa),
                           .threads = threads, .progress = CB_PROGRESS_NONE,
                           .step_losses = r->losses, .step_losses_cap = steps};
    const cb_model_config mc = {CB_CIFAR_CLASSES, CB_HEAD_SOFTMAX_XENT};
    cb_model m;
    cb_epoch_stats st;
    assert_int_equal(cb_model_init(&m, &mc, cb_train_max_batch(&cfg), cfg.seed), 0);
    assert_int_equal(cb_train(&cfg, &data, &m, &st), 0);
    assert_int_equal(st.steps, steps);
    r->count = m.param_count;
    r->params = malloc(m.param_count * sizeof *r->params);
    assert_non_null(r->params);
    memcpy(r->params, m.param_slab, m.param_count * sizeof *r->params);
    cb_model_free(&m);
}

static void train(cb_isa isa, int threads, run_result *r)
{
    train_steps(isa, threads, STEPS, r);
}

static void assert_same_run(const run_result *a, const run_result *b)
{
    assert_int_equal(a->steps, b->steps);
    for (int s = 0; s < a->steps; s++)
        if (memcmp(&a->losses[s], &b->losses[s], sizeof(float)) != 0)
            fail_msg("step %d: loss %.9g vs %.9g", s + 1, a->losses[s], b->losses[s]);
    assert_int_equal(a->count, b->count);
    for (size_t i = 0; i < a->count; i++)
        if (memcmp(&a->params[i], &b->params[i], sizeof(float)) != 0)
            fail_msg("parameter %zu: %.9g vs %.9g", i, a->params[i], b->params[i]);
}

static void test_repeat_2_threads(void **state)
{
    (void)state;
    need_cores(2);
    start_team(2, CB_BIND_CORE);
    run_result a, b;
    train(cb_isa_best(), 2, &a);
    train(cb_isa_best(), 2, &b);
    assert_same_run(&a, &b);
    free(a.params);
    free(b.params);
}

static void test_threads_1_vs_2(void **state)
{
    const cb_isa isa = *(const cb_isa *)*state;
    if (!cb_isa_supported(isa)) {
        print_message("%s is not supported by this CPU or build\n", cb_isa_name(isa));
        skip();
    }
    need_cores(2);
    start_team(2, CB_BIND_CORE);
    run_result one, two;
    train(isa, 1, &one);
    train(isa, 2, &two);
    assert_same_run(&one, &two);
    free(one.params);
    free(two.params);
}

static void test_threads_many(void **state)
{
    const cb_isa isa = *(const cb_isa *)*state;
    if (!cb_isa_supported(isa)) {
        print_message("%s is not supported by this CPU or build\n", cb_isa_name(isa));
        skip();
    }
    static const int counts[] = {1, 2, 3, 5, 8, 16, 32, 64};
    char err[256];
    run_result one;
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        const int t = counts[c];
        if (cb_team_check(t, CB_BIND_NONE, true, &machine, err, sizeof err) != 0)
            fail_msg("cb_team_check(%d, oversubscribe): %s", t, err);
        start_team(t, CB_BIND_NONE);
        run_result r;
        train_steps(isa, t, MANY_STEPS, c == 0 ? &one : &r);
        if (c == 0)
            continue;
        print_message("%s: %d threads%s: %d step losses and %zu weights identical to 1 thread\n",
                      cb_isa_name(isa), t, cb_team_oversubscribed(t, &machine) ? " (oversubscribed)" : "",
                      MANY_STEPS, one.count);
        assert_same_run(&one, &r);
        free(r.params);
    }
    free(one.params);
}

static void test_readback_none(void **state)
{
    (void)state;
    need_cores(2);
    start_team(2, CB_BIND_NONE);
    char b[2][64];
    assert_int_equal(cb_team_readback(2, b[0], sizeof b[0]), 2);
    for (int t = 0; t < 2; t++)
        assert_string_equal(b[t], initial_binding);
}

static void test_readback_core(void **state)
{
    (void)state;
    need_cores(2);
    start_team(2, CB_BIND_CORE);
    char b[2][64], want[64];
    assert_int_equal(cb_team_readback(2, b[0], sizeof b[0]), 2);
    for (int t = 0; t < 2; t++) {
        assert_int_equal(cb_core_pus(t, want, sizeof want), 0);
        assert_string_equal(b[t], want);
    }
    assert_string_not_equal(b[0], b[1]);
}

static void test_check_too_many(void **state)
{
    (void)state;
    char err[512] = "";
    assert_int_equal(cb_team_check(machine.pus + 1, CB_BIND_NONE, false, &machine, err, sizeof err), -1);
    assert_non_null(strstr(err, "processing units"));
    assert_non_null(strstr(err, "--oversubscribe"));
    assert_int_equal(cb_team_check(machine.cores + 1, CB_BIND_CORE, false, &machine, err, sizeof err), -1);
    assert_int_equal(cb_team_check(machine.cores, CB_BIND_CORE, false, &machine, err, sizeof err), 0);
    assert_int_equal(cb_team_check(0, CB_BIND_NONE, false, &machine, err, sizeof err), -1);
}

static void test_check_oversubscribe(void **state)
{
    (void)state;
    char err[256] = "";
    assert_int_equal(cb_team_check(64, CB_BIND_NONE, true, &machine, err, sizeof err), 0);
    assert_int_equal(cb_team_check(CB_MAX_THREADS, CB_BIND_NONE, true, &machine, err, sizeof err), 0);
    assert_int_equal(cb_team_check(CB_MAX_THREADS + 1, CB_BIND_NONE, true, &machine, err, sizeof err), -1);
    assert_int_equal(cb_team_check(2, CB_BIND_CORE, true, &machine, err, sizeof err), -1);
    assert_non_null(strstr(err, "--bind none"));
    assert_true(cb_team_oversubscribed(machine.pus + 1, &machine));
    assert_false(cb_team_oversubscribed(machine.pus, &machine));
}

static const cb_isa isas[] = {CB_ISA_SCALAR, CB_ISA_AVX2, CB_ISA_AVX512};

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* first, while the main thread still has the process's own binding */
        {"readback/none", test_readback_none, NULL, NULL, NULL},
        {"readback/core", test_readback_core, NULL, NULL, NULL},
        {"repeat/2_threads", test_repeat_2_threads, NULL, NULL, NULL},
        {"threads_1_vs_2/scalar", test_threads_1_vs_2, NULL, NULL, (void *)&isas[0]},
        {"threads_1_vs_2/avx2", test_threads_1_vs_2, NULL, NULL, (void *)&isas[1]},
        {"threads_1_vs_2/avx512", test_threads_1_vs_2, NULL, NULL, (void *)&isas[2]},
        {"threads_many/scalar", test_threads_many, NULL, NULL, (void *)&isas[0]},
        {"threads_many/avx2", test_threads_many, NULL, NULL, (void *)&isas[1]},
        {"threads_many/avx512", test_threads_many, NULL, NULL, (void *)&isas[2]},
        {"check/too_many_threads", test_check_too_many, NULL, NULL, NULL},
        {"check/oversubscribe", test_check_oversubscribe, NULL, NULL, NULL},
    };
    return cmocka_run_group_tests_name("threads", tests, setup, teardown);
}
