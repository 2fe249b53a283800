/*
 * scaling_model.h - images/s at thread counts this machine does not have, from what it measures.
 *
 * The step (step.c) is one parallel region: phase 1 shares the batch's images among the threads
 * (the slowest thread has a run of ceil(images / threads), taken through the three parts; with
 * more threads than images, ceil(bands x images / threads) bands of CB_IMAGE_BANDS per image), a
 * barrier, phase 2 shares the parameter blocks (ceil(blocks / threads) for the slowest), the
 * region's end; then the master's serial bookkeeping. So one step on T threads takes
 *
 *   phase1 + ceil(blocks / T) * block(Bg) + sync(T) + serial
 *   phase1 = ceil(Bg / T) * image                                                     (T <= Bg)
 *          = ceil(nb Bg / T) * band / nb + head (1 - 1/nb) + (waits + halo) * handoff    (T > Bg)
 *   block(n) = max(block_fixed + n * block_per_image, n * (1 - 1/T) * block_bytes_per_image / bandwidth)
 *
 * with Bg the global batch: B in strong scaling (a fixed batch), B * T in weak scaling (a fixed
 * batch per thread, the data-parallel view). image is one image's three parts, its dense layers
 * its share of a thread's run over B images. In bands (nb = CB_IMAGE_BANDS) an image's dense
 * layers run per image (N:1, with the fixed costs of a call: dense1's weights streamed, their
 * transpose formed), so a band is timed as it runs: band is one image's bands one after another
 * on one thread at batch 1. Every band does its share of it, but band 0 also the image's dense
 * layers up to dh1 (head), which the others wait for; a band waits for another at
 * waits = CB_BAND_WAITS stages and reads halo = CB_BAND_HALO_LINES cache lines that another core
 * wrote, each a handoff: the time for a line written on one core to be seen on another, measured
 * between two cores here (cb_team_handoff_seconds), taken one after another (an upper bound: a
 * core may fetch several lines at once). image, block_fixed (Adam), block_per_image and serial
 * come from one profiled epoch at one thread (CB_PROFILE_UNITS), band and head from a second in
 * bands (cb_model.bands_always) at batch 1; sync(1) and sync(2), the step's
 * fork, barriers and join, from cb_team_sync_seconds() measured on this machine; sync(T > 2) is
 * modelled as sync(2) * log2(T) (a combining-tree barrier; libgomp's is centralised, so a large
 * machine may pay more). bandwidth is one core's measured read bandwidth from memory, the bound
 * on the (1 - 1/T) of a block's image slices that other cores wrote.
 *
 * Left out: the shared L3 and DRAM bandwidth of many cores (each core is assumed to get what one
 * core gets alone), SMT (a PU is a core), the frequency drop when many cores run AVX-512, NUMA
 * and handoffs between distant cores (across a chip's core complexes or sockets: slower than
 * between the two cores measured here);
 * and what a dense run costs whatever its length (streaming dense1's weights and forming their
 * transpose: about 1.5 us, from the kernel benchmarks at N:1 and N:32), which the one-thread
 * epoch spreads over B images, so the model is optimistic by up to that per step when a thread's
 * run is one or two images.
 */
#ifndef CB_SCALING_MODEL_H
#define CB_SCALING_MODEL_H

#include "dist.h" /* cb_exchange */

typedef enum cb_scaling_mode { CB_SCALING_STRONG, CB_SCALING_WEAK } cb_scaling_mode;

const char *cb_scaling_mode_name(cb_scaling_mode m); /* "strong", "weak" */

typedef struct cb_scaling_inputs {
    int batch;                  /* B: strong, the batch; weak, the batch per thread */
    int blocks;                 /* phase 2's parameter blocks per step */
    double image_seconds;       /* phase 1: one image's unit */
    double band_seconds;        /* phase 1 in bands: one image's bands on one thread (batch 1) */
    double band_head_seconds;   /* inside it, band 0's dense layers up to dh1 (N:1) */
    double handoff_seconds;     /* one band's wait for another's stage: a cache line between cores */
    double block_seconds;       /* phase 2: one block's fixed cost (Adam) */
    double block_image_seconds; /* phase 2: one block's cost per image of the batch */
    double serial_step_seconds; /* per step, outside the parallel region */
    double sync1_seconds, sync2_seconds; /* the step's synchronisation on 1 and 2 threads */
    double bandwidth_per_core;  /* bytes/s; 0: no memory term */
    double block_bytes_per_image; /* what a block reads per image of the batch */
    double exchange_bytes_per_image; /* over nodes, gather: one image's results on the wire */
    double result_bytes_per_image;   /* over nodes, allreduce: its loss, logits and label */
    double gradient_bytes;           /* over nodes, allreduce: the whole gradient */
} cb_scaling_inputs;

typedef struct cb_scaling_point {
    int threads, batch;   /* batch: the global batch */
    int busy_threads;     /* threads with an image (or with more threads than images, a band) in
                             phase 1 */
    double images_seconds, blocks_seconds, sync_seconds, serial_seconds, step_seconds;
    double comm_seconds;  /* over nodes: the exchange */
    double images_per_s, speedup, efficiency; /* against the prediction at 1 thread */
} cb_scaling_point;

/* The step's synchronisation on `threads` threads (measured for 1 and 2, modelled beyond). */
double cb_scaling_sync(const cb_scaling_inputs *in, int threads);

/* The prediction at `threads` >= 1. */
cb_scaling_point cb_scaling_predict(const cb_scaling_inputs *in, cb_scaling_mode mode, int threads);

/* A network between nodes: an MPI message's latency and the link's bandwidth. */
typedef struct cb_network {
    const char *name;
    double latency_seconds, bytes_per_s;
} cb_network;

/* The prediction over `nodes` processes of `threads` threads each, as dist.h runs them: phase 1 on
 * the node's share of the global batch, then
 *   gather: an allgather of every image's results (recursive doubling: ceil(log2 nodes)
 *     latencies, (nodes - 1) / nodes of the batch's bytes through each node's link) and phase 2
 *     over the whole batch on every node;
 *   allreduce: phase 2's gradient over the node's own images, an allreduce of the gradient
 *     (Rabenseifner's: 2 ceil(log2 nodes) latencies, 2 (nodes - 1) / nodes of its bytes) and an
 *     allgather of the images' results, then Adam;
 * two regions' sync. Strong: the global batch is B; weak: B per thread, B x threads x nodes.
 * Speed-up and efficiency against one node of `threads` threads. */
cb_scaling_point cb_scaling_predict_nodes(const cb_scaling_inputs *in, cb_scaling_mode mode,
                                          cb_exchange exchange, int nodes, int threads,
                                          const cb_network *net);

/* The unit costs in `in` from one epoch at one thread with a CB_PROFILE_UNITS profile: its units'
 * seconds (images, blocks, adam, the regions), steps and images, without the clock reads' cost and
 * scaled to an unprofiled epoch of `seconds`. What the region holds beyond its units and sync(1)
 * (the loops' own work) is charged to the blocks, which share it among the threads; what lies
 * outside the region is the serial part. band and band_head come from `bands`, a second such
 * epoch in bands at batch 1 (its images and heads columns; NULL: left 0), with the clock reads
 * taken out and the same scale. in->sync1_seconds must be set first. */
typedef struct cb_scaling_epoch {
    double seconds;          /* an unprofiled epoch at one thread (the measured median) */
    double profiled_seconds; /* the profiled epoch */
    double clock_seconds;    /* what its clock reads cost, all of them */
    double images_seconds;   /* phase 1 */
    double heads_seconds;    /* phase 1's dense layers up to dh1, inside images_seconds */
    double blocks_seconds, adam_seconds;
    double region_seconds;   /* the parallel regions, fork to join */
    long steps, images;
} cb_scaling_epoch;
void cb_scaling_inputs_from(const cb_scaling_epoch *e, const cb_scaling_epoch *bands, int batch,
                            int blocks, cb_scaling_inputs *in);

#endif /* CB_SCALING_MODEL_H */
