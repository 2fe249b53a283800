/*
 * dist.h - data-parallel training over MPI ranks: who this process is, and what the ranks share.
 *
 * Launched by mpirun (Open MPI's OMPI_COMM_WORLD_SIZE, or PMI_SIZE / PMIX_RANK), the process
 * initialises MPI (MPI_THREAD_FUNNELED: only the master thread calls MPI, between parallel
 * regions) and is one rank of the world; started any other way it is the only rank and MPI is
 * never touched. Built without MPI (no libopenmpi-dev), every call here is the one-rank case, and
 * a launch by mpirun with more than one rank is refused.
 *
 * A step over R ranks (step.c): rank r trains images [lo, hi) of the batch (cb_dist_range: the
 * batch cut in R contiguous shares, their sizes differing by at most one), then one of two
 * exchanges (--exchange):
 *   gather (the default): every rank gathers every image's results from the others
 *     (cb_dist_allgather: each image's gradient slice, pooled activations p2, dh1, loss, logits,
 *     labels) and runs phase 2 over the whole batch itself. Phase 2 sums over images in image
 *     order whatever R, so the weights are the same bits on every rank, from run to run, and for
 *     every R and thread count. It costs about 6.8 KB per image and phase 2 on every rank.
 *   allreduce: every rank sums its own images' gradients (phase 2 on its share), MPI_Allreduce
 *     adds the ranks' sums (the 70 KB gradient, whatever the batch), then every rank runs Adam. The
 *     sum's order depends on R (and on the MPI library's algorithm), so R = 1, 2, 4 give
 *     different bits; for one R and one placement the run repeats bit for bit.
 *
 * Before any work every rank calls cb_dist_ready() exactly once with its verdict: the ranks then
 * go on together or stop together, with one message (main.c calls it for a command that returned
 * before reaching it).
 */
#ifndef CB_DIST_H
#define CB_DIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Joins the MPI world when launched by mpirun. Returns -1 to go on, else the exit code (the
 * problem reported): launched with several ranks in a build without MPI, or MPI_Init failed. */
int cb_dist_init(int *argc, char ***argv);
void cb_dist_finalize(void);

int cb_dist_rank(void);   /* 0 .. ranks - 1 */
int cb_dist_local_ranks(void); /* the ranks on this machine (MPI_COMM_TYPE_SHARED), this one too */
int cb_dist_ranks(void);  /* 1 when not under mpirun */
bool cb_dist_many(void);  /* more than one rank */
bool cb_dist_built(void); /* built with MPI */

/* Ranks other than 0 keep their stderr in a buffer from cb_dist_init until cb_dist_ready, so
 * that a problem every rank finds is told once, by rank 0. */

/* Every rank's verdict before the work: rc -1 means ready, else an exit code with its reason
 * already written to stderr. Returns -1 when every rank is ready, else the largest exit code of
 * all; a rank whose own problem rank 0 did not share prints its buffered reason, prefixed
 * "rank r of R:". Call exactly once per process. */
int cb_dist_ready(int rc);
bool cb_dist_was_ready(void); /* cb_dist_ready has run */

/* Stops every rank at once (MPI_Abort) after a failure in the middle of the work, when the
 * others would wait for this one forever; exit(code) with one rank. */
_Noreturn void cb_dist_abort(int code);

/* Rank r's share [lo, hi) of n images. */
void cb_dist_range(int n, int rank, int ranks, int *lo, int *hi);

typedef enum cb_exchange { CB_EXCHANGE_GATHER, CB_EXCHANGE_ALLREDUCE } cb_exchange;
void cb_dist_set_exchange(cb_exchange e);
cb_exchange cb_dist_exchange(void);
const char *cb_exchange_name(cb_exchange e); /* "gather", "allreduce" */

/* The sum over the ranks of every rank's v [n], in place on every rank (MPI_Allreduce). */
void cb_dist_allreduce_sum(float *v, size_t n);

/* In place over `base` [n][per] (floats, or int32 when ints): rank r's rows [lo, hi) go to every
 * rank. Counts the bytes this rank receives and the seconds spent. */
void cb_dist_allgather(void *base, size_t per, int n, bool ints);

/* What the exchanges cost this rank since the last reset. */
typedef struct cb_dist_traffic {
    double wait_seconds; /* at the barrier before each step's exchange: the slower ranks' lead */
    double seconds;      /* in the exchanges themselves */
    double bytes_received;
    long exchanges; /* steps that exchanged */
} cb_dist_traffic;
void cb_dist_traffic_reset(void);
cb_dist_traffic cb_dist_traffic_now(void);
void cb_dist_exchange_begin(void); /* a step's exchange: waits at a barrier for every rank, timed */
void cb_dist_count_exchange(void); /* one step's exchange done (step.c) */

/* Whether every rank holds the same 64-bit value (e.g. a checksum of the weights). */
bool cb_dist_same(uint64_t v);

/* The largest of every rank's x, on every rank; the sum likewise. */
double cb_dist_max(double x);
double cb_dist_sum(double x);

/* Rank 0 receives every rank's string (len bytes each) into all [ranks][len]; others pass NULL. */
void cb_dist_gather_strings(const char *mine, char *all, size_t len);

/* The network between ranks 0 and 1, measured by ping-pong (every rank calls it; the others
 * wait): one message's latency (8 bytes) and the bandwidth of 1 MiB messages, the best of 20
 * round trips each. Both 0 with one rank. */
void cb_dist_measure_network(double *latency_seconds, double *bytes_per_s);

/* Every rank waits for all the others. */
void cb_dist_barrier(void);

#endif /* CB_DIST_H */
