/*
 * test_scaling_model.c - the scaling model (harness/scaling_model.h) and scale --predict's curves
 * (harness/scale_predict.h), as pure functions of given inputs.
 *
 * - predict_*: the critical path: phase 1 takes ceil(batch / T) images on the slowest thread (33
 *   images on 32 threads cost 2); beyond the batch (predict_bands) ceil(2 batch / T) half images,
 *   band 0's head and the band waits, so a strong-scaling step stops shrinking at T = 2 batch;
 *   phase 2
 *   ceil(blocks / T) blocks whose cost grows with the global batch, the memory term (the other
 *   cores' share of the slices, none at one thread) replaces a block's compute when the
 *   bandwidth is short, weak scaling keeps phase 1 constant (its
 *   efficiency is the step times' ratio); speed-up and efficiency are against one thread.
 * - sync: measured at 1 and 2 threads, sync(2) * log2(T) beyond.
 * - inputs_round_trip: an epoch built from known unit costs (the head a span inside a run's),
 *   and one in bands at batch 1 (12 stage spans and the head's per image), with clock reads and
 *   the region
 *   around the units, gives back those costs (relative 1e-9); with a profile 7% slower than the
 *   plain epoch the model at one thread is still the plain epoch's step.
 * - predict_nodes: one node is the single process; over 4 nodes, gather trains 8 images each and
 *   runs phase 2 over all 32 with log2(4) rounds and 3/4 of the bytes on the link, allreduce
 *   phase 2 over its own 8 and the gradient twice through the link; weak trains B x T x nodes.
 * - parse_*, network_parse, curve_counts, validate: --predict's list, the thread counts predicted (1, 2, the
 *   largest measured, the requested ones, sorted and unique), and the check's sign.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model.h" /* CB_BAND_WAITS, CB_BAND_HALO_LINES */
#include "scale_predict.h"
#include "scaling_model.h"

static cb_scaling_inputs inputs(void)
{
    return (cb_scaling_inputs){
        .batch = 32, .blocks = 139, .image_seconds = 20e-6, .band_seconds = 22e-6,
        .band_head_seconds = 2e-6,
        .handoff_seconds = 0.1e-6, .block_seconds = 0.1e-6,
        .block_image_seconds = 0.01e-6, .serial_step_seconds = 5e-6,
        .sync1_seconds = 0.3e-6, .sync2_seconds = 1.2e-6, .bandwidth_per_core = 0,
        .block_bytes_per_image = 500,
    };
}

static void assert_close(double got, double want, double rel)
{
    if (!(fabs(got - want) <= rel * fabs(want)))
        fail_msg("got %.12g, want %.12g (relative %.1e)", got, want, rel);
}

static void test_predict_strong(void **state)
{
    (void)state;
    const cb_scaling_inputs in = inputs();
    const double block = in.block_seconds + 32 * in.block_image_seconds;
    const cb_scaling_point one = cb_scaling_predict(&in, CB_SCALING_STRONG, 1);
    assert_close(one.step_seconds, 32 * in.image_seconds + 139 * block + in.sync1_seconds +
                                       in.serial_step_seconds, 1e-12);
    assert_close(one.images_per_s, 32 / one.step_seconds, 1e-12);
    assert_close(one.speedup, 1.0, 1e-12);
    const cb_scaling_point p8 = cb_scaling_predict(&in, CB_SCALING_STRONG, 8);
    assert_int_equal(p8.batch, 32);
    assert_close(p8.images_seconds, 4 * in.image_seconds, 1e-12);
    assert_close(p8.blocks_seconds, 18 * block, 1e-12); /* ceil(139 / 8) */
    assert_close(p8.sync_seconds, 3 * in.sync2_seconds, 1e-12);
    assert_close(p8.speedup, one.step_seconds / p8.step_seconds, 1e-12);
    assert_close(p8.efficiency, p8.speedup / 8, 1e-12);
    /* at the batch, one image each */
    const cb_scaling_point p32 = cb_scaling_predict(&in, CB_SCALING_STRONG, 32);
    assert_close(p32.images_seconds, in.image_seconds, 1e-12);
    assert_int_equal(p32.busy_threads, 32);
}

static void test_predict_bands(void **state)
{
    (void)state;
    const cb_scaling_inputs in = inputs();
    const double waits = (CB_BAND_WAITS + CB_BAND_HALO_LINES) * in.handoff_seconds;
    /* beyond the batch, images in two bands: half an image each, band 0's head alone, the waits
       and the halo's lines */
    const cb_scaling_point p64 = cb_scaling_predict(&in, CB_SCALING_STRONG, 64);
    assert_close(p64.images_seconds, in.band_seconds / 2 + in.band_head_seconds / 2 + waits, 1e-12);
    assert_int_equal(p64.busy_threads, 64);
    const cb_scaling_point p32 = cb_scaling_predict(&in, CB_SCALING_STRONG, 32);
    assert_true(p64.step_seconds < p32.step_seconds);
    /* 64 bands on 48 threads: the slowest takes two */
    const cb_scaling_point p48 = cb_scaling_predict(&in, CB_SCALING_STRONG, 48);
    assert_close(p48.images_seconds, in.band_seconds + in.band_head_seconds / 2 + waits, 1e-12);
    assert_int_equal(p48.busy_threads, 48);
    /* beyond the bands, threads idle in phase 1 */
    const cb_scaling_point p128 = cb_scaling_predict(&in, CB_SCALING_STRONG, 128);
    assert_close(p128.images_seconds, p64.images_seconds, 1e-12);
    assert_int_equal(p128.busy_threads, 64);
    assert_true(p128.efficiency < p64.efficiency);
}

static void test_predict_uneven(void **state)
{
    (void)state;
    cb_scaling_inputs in = inputs();
    in.batch = 33; /* 33 images on 32 threads: one thread takes two */
    const cb_scaling_point p = cb_scaling_predict(&in, CB_SCALING_STRONG, 32);
    assert_close(p.images_seconds, 2 * in.image_seconds, 1e-12);
    assert_int_equal(p.busy_threads, 32);
}

static void test_predict_weak(void **state)
{
    (void)state;
    const cb_scaling_inputs in = inputs();
    const cb_scaling_point p16 = cb_scaling_predict(&in, CB_SCALING_WEAK, 16);
    assert_int_equal(p16.batch, 512);
    assert_close(p16.images_seconds, 32 * in.image_seconds, 1e-12);
    assert_close(p16.blocks_seconds, 9 * (in.block_seconds + 512 * in.block_image_seconds), 1e-12);
    assert_close(p16.images_per_s, 512 / p16.step_seconds, 1e-12);
    /* 16 times the images per step: efficiency is the step time's ratio (above 1 when the fixed
       costs per step, Adam and the serial part, outweigh what phase 2 and the sync add) */
    const cb_scaling_point one = cb_scaling_predict(&in, CB_SCALING_WEAK, 1);
    assert_close(p16.efficiency, one.step_seconds / p16.step_seconds, 1e-12);
    const cb_scaling_point s16 = cb_scaling_predict(&in, CB_SCALING_STRONG, 16);
    assert_true(p16.efficiency > s16.efficiency);
}

static void test_predict_memory_bound(void **state)
{
    (void)state;
    cb_scaling_inputs in = inputs();
    in.bandwidth_per_core = 1e6; /* 1 MB/s: every block waits for its bytes */
    const cb_scaling_point p = cb_scaling_predict(&in, CB_SCALING_STRONG, 139);
    assert_close(p.blocks_seconds, 32 * in.block_bytes_per_image * (138.0 / 139) / in.bandwidth_per_core,
                 1e-12);
    /* at one thread every slice is in this core's caches: the measured compute cost stands */
    const cb_scaling_point one = cb_scaling_predict(&in, CB_SCALING_STRONG, 1);
    assert_close(one.blocks_seconds, 139 * (in.block_seconds + 32 * in.block_image_seconds), 1e-12);
    in.bandwidth_per_core = 1e15; /* plenty: compute decides */
    const cb_scaling_point q = cb_scaling_predict(&in, CB_SCALING_STRONG, 139);
    assert_close(q.blocks_seconds, in.block_seconds + 32 * in.block_image_seconds, 1e-12);
}

static void test_sync(void **state)
{
    (void)state;
    const cb_scaling_inputs in = inputs();
    assert_close(cb_scaling_sync(&in, 1), in.sync1_seconds, 1e-12);
    assert_close(cb_scaling_sync(&in, 2), in.sync2_seconds, 1e-12);
    assert_close(cb_scaling_sync(&in, 64), 6 * in.sync2_seconds, 1e-12);
}

/* An epoch of known unit costs as the profile would see it: every unit `slow` times its cost plus
 * the clock reads (two per span, one inside), the region around them with sync(1), the serial
 * part outside; the plain epoch takes exactly the unit costs. */
static cb_scaling_epoch profiled_epoch(const cb_scaling_inputs *w, long steps, double read, double slow)
{
    const long images = steps * w->batch;
    const double image_spans = 2.0 * images + steps; /* forward, backward; one dense run a step */
    const double units = image_spans + steps + 2.0 * steps * w->blocks; /* + the head in the run */
    const double work = slow * (images * w->image_seconds + steps * w->blocks * w->block_seconds +
                                (double)images * w->blocks * w->block_image_seconds);
    const double region = work + steps * w->sync1_seconds + 2 * units * read + steps * read;
    const double clock = 2 * (units + steps) * read;
    return (cb_scaling_epoch){
        .seconds = steps * (w->batch * w->image_seconds +
                            w->blocks * (w->block_seconds + w->batch * w->block_image_seconds) +
                            w->sync1_seconds + w->serial_step_seconds),
        .profiled_seconds = region + slow * steps * w->serial_step_seconds + steps * read,
        .clock_seconds = clock,
        .images_seconds = slow * images * w->image_seconds + (image_spans + 2.0 * steps) * read,
        .heads_seconds = steps * read, /* the run's head, its cost part of the images' */
        .blocks_seconds = slow * (double)images * w->blocks * w->block_image_seconds + steps * w->blocks * read,
        .adam_seconds = slow * steps * w->blocks * w->block_seconds + steps * w->blocks * read,
        .region_seconds = region,
        .steps = steps,
        .images = images,
    };
}

/* An epoch in bands at batch 1 as the profile would see it: per image every band's 6 stages a span
 * with one clock read inside, the head's span (both reads inside a stage) in band 0's. */
static cb_scaling_epoch band_epoch(const cb_scaling_inputs *w, long images, double read)
{
    return (cb_scaling_epoch){
        .images_seconds = images * w->band_seconds + images * (2.0 * 6 + 2) * read,
        .heads_seconds = images * w->band_head_seconds + images * read,
        .steps = images,
        .images = images,
    };
}

static void test_inputs_round_trip(void **state)
{
    (void)state;
    const cb_scaling_inputs want = inputs();
    const cb_scaling_epoch e = profiled_epoch(&want, 100, 25e-9, 1.0);
    const cb_scaling_epoch b = band_epoch(&want, 1000, 25e-9);
    cb_scaling_inputs got = {.sync1_seconds = want.sync1_seconds, .sync2_seconds = want.sync2_seconds};
    cb_scaling_inputs_from(&e, &b, want.batch, want.blocks, &got);
    assert_int_equal(got.batch, want.batch);
    assert_int_equal(got.blocks, want.blocks);
    assert_close(got.image_seconds, want.image_seconds, 1e-9);
    assert_close(got.band_seconds, want.band_seconds, 1e-9);
    assert_close(got.band_head_seconds, want.band_head_seconds, 1e-9);
    assert_close(got.block_seconds, want.block_seconds, 1e-9);
    assert_close(got.block_image_seconds, want.block_image_seconds, 1e-9);
    assert_close(got.serial_step_seconds, want.serial_step_seconds, 1e-9);
    /* a profiled epoch 7% slower than the plain one: the model at one thread is still the plain
       epoch's step (all but the sync is scaled back) */
    const cb_scaling_epoch slow = profiled_epoch(&want, 100, 25e-9, 1.07);
    cb_scaling_inputs_from(&slow, NULL, want.batch, want.blocks, &got);
    assert_close(cb_scaling_predict(&got, CB_SCALING_STRONG, 1).step_seconds, slow.seconds / 100, 1e-3);
}

static void test_predict_nodes(void **state)
{
    (void)state;
    cb_scaling_inputs in = inputs();
    in.exchange_bytes_per_image = 6800;
    in.result_bytes_per_image = 48;
    in.gradient_bytes = 70000;
    const cb_network net = {"test", 2e-6, 1e9};
    /* one node is the single process on its threads */
    const cb_scaling_point one = cb_scaling_predict_nodes(&in, CB_SCALING_STRONG, CB_EXCHANGE_GATHER, 1, 4, &net);
    assert_close(one.step_seconds, cb_scaling_predict(&in, CB_SCALING_STRONG, 4).step_seconds, 1e-12);
    assert_close(one.efficiency, 1.0, 1e-12);
    /* gather over 4 nodes: 8 images each, phase 2 over all 32, log2(4) = 2 rounds */
    const cb_scaling_point g = cb_scaling_predict_nodes(&in, CB_SCALING_STRONG, CB_EXCHANGE_GATHER, 4, 4, &net);
    assert_close(g.images_seconds, 2 * in.image_seconds, 1e-12);
    assert_close(g.blocks_seconds, 35 * (in.block_seconds + 32 * in.block_image_seconds), 1e-12);
    assert_close(g.comm_seconds, 2 * 2e-6 + 0.75 * 32 * 6800 / 1e9, 1e-12);
    assert_close(g.sync_seconds, 2 * cb_scaling_sync(&in, 4), 1e-12);
    /* allreduce: the node's own 8 images in phase 2, the gradient twice through the link */
    const cb_scaling_point a = cb_scaling_predict_nodes(&in, CB_SCALING_STRONG, CB_EXCHANGE_ALLREDUCE, 4, 4, &net);
    assert_close(a.blocks_seconds, 35 * (in.block_seconds + 8 * in.block_image_seconds), 1e-12);
    assert_close(a.comm_seconds, 4 * 2e-6 + 2 * 0.75 * 70000 / 1e9 + 2 * 2e-6 + 0.75 * 32 * 48 / 1e9, 1e-12);
    /* weak: B per thread, so 4 nodes of 4 threads train 512 images a step */
    const cb_scaling_point w = cb_scaling_predict_nodes(&in, CB_SCALING_WEAK, CB_EXCHANGE_ALLREDUCE, 4, 4, &net);
    assert_int_equal(w.batch, 512);
    assert_close(w.images_seconds, 32 * in.image_seconds, 1e-12);
    assert_true(w.efficiency > a.efficiency);
}

static void test_parse(void **state)
{
    (void)state;
    int c[CB_PREDICT_MAX], n = 0;
    char err[160];
    assert_true(cb_predict_parse("4,8,16,128", 1024, c, &n, err, sizeof err));
    assert_int_equal(n, 4);
    assert_int_equal(c[0], 4);
    assert_int_equal(c[3], 128);
    static const char *const bad[] = {"", "4,", ",4", "4,,8", "0", "-2", "2000", "8x", "4;8"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        if (cb_predict_parse(bad[i], 1024, c, &n, err, sizeof err))
            fail_msg("--predict '%s' accepted", bad[i]);
        assert_non_null(strstr(err, "--predict"));
    }
}

static void test_network_parse(void **state)
{
    (void)state;
    cb_network n;
    char err[160];
    assert_true(cb_network_parse("1.5:100", &n, err, sizeof err));
    assert_close(n.latency_seconds, 1.5e-6, 1e-12);
    assert_close(n.bytes_per_s, 12.5e9, 1e-12);
    static const char *const bad[] = {"", "1.5", "1.5:", ":100", "1.5:0", "-1:10", "1:10x", "a:b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (cb_network_parse(bad[i], &n, err, sizeof err))
            fail_msg("--network '%s' accepted", bad[i]);
}

static void test_curve_counts(void **state)
{
    (void)state;
    static cb_scale_prediction p;
    p.in = inputs();
    const int req[] = {64, 8, 2, 8};
    cb_scale_predict(&p, 3, req, 4, NULL);
    const int want[] = {1, 2, 3, 8, 64};
    assert_int_equal(p.n, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(p.threads[i], want[i]);
        assert_int_equal(p.strong[i].threads, want[i]);
        assert_int_equal(p.weak[i].batch, 32 * want[i]);
    }
}

static void test_validate(void **state)
{
    (void)state;
    static cb_scale_prediction p;
    p.in = inputs();
    cb_scale_predict(&p, 2, NULL, 0, NULL);
    const double predicted = p.strong[1].images_per_s;
    cb_scale_predict_validate(&p, CB_SCALING_STRONG, 2, predicted / 1.25, 5);
    assert_int_equal(p.validation_threads, 2);
    assert_int_equal(p.validation_runs, 5);
    assert_close(p.validation_error, 0.25, 1e-12);
    cb_scale_predict_validate(&p, CB_SCALING_WEAK, 2, p.weak[1].images_per_s * 2, 5);
    assert_close(p.validation_error, -0.5, 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_predict_strong),      cmocka_unit_test(test_predict_uneven),
        cmocka_unit_test(test_predict_weak),        cmocka_unit_test(test_predict_memory_bound),
        cmocka_unit_test(test_sync),                cmocka_unit_test(test_inputs_round_trip),
        cmocka_unit_test(test_parse),               cmocka_unit_test(test_curve_counts),
        cmocka_unit_test(test_validate),            cmocka_unit_test(test_predict_nodes),
        cmocka_unit_test(test_network_parse),       cmocka_unit_test(test_predict_bands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
