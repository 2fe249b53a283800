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
 * batch cut in R contiguous shares, their sizes differing by at most one), every rank then
 * gathers every image's results from the others (cb_dist_allgather: each image's gradient slice,
 * pooled activations p2, dh1, loss, logits, labels), and every rank runs phase 2 over the whole
 * batch itself. Phase 2 sums over images in image order whatever R, so the weights are the same
 * bits on every rank, from run to run, and for every R and thread count.
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

/* In place over `base` [n][per] (floats, or int32 when ints): rank r's rows [lo, hi) go to every
 * rank. Counts the bytes this rank receives and the seconds spent. */
void cb_dist_allgather(void *base, size_t per, int n, bool ints);

/* What the exchanges cost this rank since the last reset. */
typedef struct cb_dist_traffic {
    double seconds;
    double bytes_received;
    long exchanges; /* steps that exchanged */
} cb_dist_traffic;
void cb_dist_traffic_reset(void);
cb_dist_traffic cb_dist_traffic_now(void);
void cb_dist_count_exchange(void); /* one step's exchange done (step.c) */

/* Whether every rank holds the same 64-bit value (e.g. a checksum of the weights). */
bool cb_dist_same(uint64_t v);

/* The largest of every rank's x, on every rank; the sum likewise. */
double cb_dist_max(double x);
double cb_dist_sum(double x);

/* Rank 0 receives every rank's string (len bytes each) into all [ranks][len]; others pass NULL. */
void cb_dist_gather_strings(const char *mine, char *all, size_t len);

/* Every rank waits for all the others. */
void cb_dist_barrier(void);

#endif /* CB_DIST_H */
