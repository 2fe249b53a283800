/* scaling_model.c - the critical path of one step on T threads (scaling_model.h). */
#include "scaling_model.h"

#include <math.h>

#include "cb_network.h" /* CB_IMAGE_BANDS */
#include "model.h"      /* CB_BAND_WAITS, CB_BAND_HALO_LINES */

const char *cb_scaling_mode_name(cb_scaling_mode m)
{
    return m == CB_SCALING_WEAK ? "weak" : "strong";
}

double cb_scaling_sync(const cb_scaling_inputs *in, int threads)
{
    if (threads <= 1)
        return in->sync1_seconds;
    return in->sync2_seconds * log2((double)threads);
}

/* Units of work the slowest of `threads` threads gets under schedule(static). */
static long slowest_share(long units, int threads)
{
    return (units + threads - 1) / threads;
}

/* A block's gradient reads every image's slice; on T threads the slices of (T-1)/T of the images
 * were written by other cores and must travel. At one thread they are in this core's caches,
 * which the measured compute cost already includes. */
static double block_seconds(const cb_scaling_inputs *in, int batch, int threads)
{
    const double compute = in->block_seconds + batch * in->block_image_seconds;
    const double remote = batch * in->block_bytes_per_image * (1.0 - 1.0 / threads);
    const double memory = in->bandwidth_per_core > 0 ? remote / in->bandwidth_per_core : 0.0;
    return compute > memory ? compute : memory;
}

/* Phase 1 of `images` images on `threads` threads: runs of images, or with more threads than
 * images, bands (scaling_model.h); and the threads that have work in it. */
static double phase1_seconds(const cb_scaling_inputs *in, long images, int threads, int *busy)
{
    if (threads <= images) {
        *busy = threads;
        return (double)slowest_share(images, threads) * in->image_seconds;
    }
    const long bands = CB_IMAGE_BANDS * images;
    *busy = bands < threads ? (int)bands : threads;
    return (double)slowest_share(bands, threads) * in->band_seconds / CB_IMAGE_BANDS +
           in->band_head_seconds * (1.0 - 1.0 / CB_IMAGE_BANDS) +
           (CB_BAND_WAITS + CB_BAND_HALO_LINES) * in->handoff_seconds;
}

/* The step's parts and images/s at `threads`, without the speed-up. */
static cb_scaling_point step_at(const cb_scaling_inputs *in, cb_scaling_mode mode, int threads)
{
    cb_scaling_point p = {.threads = threads};
    p.batch = mode == CB_SCALING_WEAK ? in->batch * threads : in->batch;
    p.images_seconds = phase1_seconds(in, p.batch, threads, &p.busy_threads);
    p.blocks_seconds = (double)slowest_share(in->blocks, threads) * block_seconds(in, p.batch, threads);
    p.sync_seconds = cb_scaling_sync(in, threads);
    p.serial_seconds = in->serial_step_seconds;
    p.step_seconds = p.images_seconds + p.blocks_seconds + p.sync_seconds + p.serial_seconds;
    p.images_per_s = p.step_seconds > 0 ? p.batch / p.step_seconds : 0.0;
    return p;
}

cb_scaling_point cb_scaling_predict(const cb_scaling_inputs *in, cb_scaling_mode mode, int threads)
{
    cb_scaling_point p = step_at(in, mode, threads);
    const cb_scaling_point one = step_at(in, mode, 1);
    p.speedup = one.images_per_s > 0 ? p.images_per_s / one.images_per_s : 0.0;
    p.efficiency = p.speedup / threads;
    return p;
}

/* One step on `nodes` nodes of `threads` threads, without the speed-up. */
static cb_scaling_point nodes_step(const cb_scaling_inputs *in, cb_scaling_mode mode,
                                   cb_exchange exchange, int nodes, int threads,
                                   const cb_network *net)
{
    if (nodes == 1) {
        cb_scaling_inputs per_node = *in;
        if (mode == CB_SCALING_WEAK) /* B per thread: one node of T threads is T x B */
            per_node.batch = in->batch * threads;
        return step_at(&per_node, CB_SCALING_STRONG, threads);
    }
    cb_scaling_point p = {.threads = threads};
    p.batch = mode == CB_SCALING_WEAK ? in->batch * threads * nodes : in->batch;
    const long local = slowest_share(p.batch, nodes);
    p.images_seconds = phase1_seconds(in, local, threads, &p.busy_threads);
    /* Recursive doubling / halving: ceil(log2 nodes) rounds of latency, and (nodes - 1) / nodes of
       the data through each node's link (twice for an allreduce: reduce-scatter + allgather). */
    const double share = (double)(nodes - 1) / nodes, bw = net->bytes_per_s;
    const double rounds = ceil(log2((double)nodes)) * net->latency_seconds;
    if (exchange == CB_EXCHANGE_GATHER) {
        p.blocks_seconds = (double)slowest_share(in->blocks, threads) * block_seconds(in, p.batch, threads);
        p.comm_seconds = rounds + share * p.batch * in->exchange_bytes_per_image / bw;
    } else {
        p.blocks_seconds = (double)slowest_share(in->blocks, threads) * block_seconds(in, (int)local, threads);
        p.comm_seconds = 2 * rounds + 2 * share * in->gradient_bytes / bw + /* the gradient */
                         rounds + share * p.batch * in->result_bytes_per_image / bw; /* results */
    }
    p.sync_seconds = 2.0 * cb_scaling_sync(in, threads); /* phase 1 and phase 2: two regions */
    p.serial_seconds = in->serial_step_seconds;
    p.step_seconds = p.images_seconds + p.blocks_seconds + p.sync_seconds + p.serial_seconds +
                     p.comm_seconds;
    p.images_per_s = p.step_seconds > 0 ? p.batch / p.step_seconds : 0.0;
    return p;
}

cb_scaling_point cb_scaling_predict_nodes(const cb_scaling_inputs *in, cb_scaling_mode mode,
                                          cb_exchange exchange, int nodes, int threads,
                                          const cb_network *net)
{
    cb_scaling_point p = nodes_step(in, mode, exchange, nodes, threads, net);
    const cb_scaling_point one = nodes_step(in, mode, exchange, 1, threads, net);
    p.speedup = one.images_per_s > 0 ? p.images_per_s / one.images_per_s : 0.0;
    p.efficiency = p.speedup / nodes;
    return p;
}

/* One image's bands and band 0's head from an epoch in bands at batch 1 (one step per image): per
 * image CB_IMAGE_BANDS x CB_BAND_STAGES stage spans with one clock read each, and the head's span,
 * both of whose reads fall inside a stage's. read: one clock read's cost; f: the profile's scale. */
static void band_inputs_from(const cb_scaling_epoch *b, double read, double f,
                             cb_scaling_inputs *in)
{
    const double images = b->images > 0 ? (double)b->images : 1.0;
    const double spans = CB_IMAGE_BANDS * CB_BAND_STAGES + 2.0;
    const double band = (b->images_seconds - spans * images * read) / images;
    const double head = (b->heads_seconds - images * read) / images;
    in->band_seconds = band > 0 ? f * band : 0.0;
    in->band_head_seconds = head > 0 ? f * head : 0.0;
}

void cb_scaling_inputs_from(const cb_scaling_epoch *e, const cb_scaling_epoch *bands, int batch,
                            int blocks, cb_scaling_inputs *in)
{
    const double images = e->images > 0 ? (double)e->images : 1.0;
    const double steps = e->steps > 0 ? (double)e->steps : 1.0;
    /* Every span (an image, a block's gradient, a block's Adam, a region) took two clock reads:
     * about one inside the span, one outside it. Take them out, then scale the rest to the plain
     * epoch's median, so that the model at one thread is that epoch. */
    /* The spans inside the region: each image forward and backward, one dense run per step (one
     * thread) and the head inside it, and each block's gradient and Adam. */
    const double image_spans = 2.0 * images + steps, head_spans = steps;
    const double units = image_spans + head_spans + 2.0 * steps * blocks;
    const double read = e->clock_seconds / (2.0 * (units + steps));
    const double plain = e->profiled_seconds - e->clock_seconds;
    const double f = plain > 0 ? e->seconds / plain : 1.0;
    /* An image span holds its two reads' cost once; the head's two reads both fall inside one. */
    const double image = (e->images_seconds - (image_spans + 2.0 * head_spans) * read) / images;
    const double adam = e->adam_seconds / (steps * blocks) - read;
    const double gradient = e->blocks_seconds - steps * blocks * read; /* all blocks, all steps */
    const double region = e->region_seconds - steps * read - 2.0 * units * read;
    const double loops = region - (images * image + steps * blocks * adam + gradient) -
                         steps * in->sync1_seconds;
    in->batch = batch;
    in->blocks = blocks;
    in->image_seconds = f * image;
    if (bands)
        band_inputs_from(bands, read, f, in);
    in->block_seconds = f * (adam + (loops > 0 ? loops : 0.0) / (steps * blocks));
    /* Summed over the steps, a block's gradient ran over every image of the epoch once. */
    in->block_image_seconds = f * gradient / (images * blocks);
    const double serial = f * (plain - region) / steps;
    in->serial_step_seconds = serial > 0 ? serial : 0.0;
}
