/* dist.c - the MPI world of a data-parallel run (dist.h). */
#include "dist.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_clock.h"
#include "cb_options.h"

#ifdef CB_HAVE_MPI
#include <mpi.h>
#endif

static struct {
    int rank, ranks, local_ranks;
    bool mpi;       /* MPI_Init was called */
    bool ready;     /* cb_dist_ready has run */
    int saved_fd;   /* stderr while it is buffered (ranks > 0), else -1 */
    FILE *buffered; /* what went to stderr meanwhile */
    cb_dist_traffic traffic;
    cb_exchange exchange;
} world = {.rank = 0, .ranks = 1, .local_ranks = 1, .saved_fd = -1};

/* The world size mpirun (or another PMI launcher) announces, or 0. */
static int launched_ranks(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && atoi(v) > 0)
            return atoi(v);
    }
    return getenv("PMIX_RANK") ? 1 : 0;
}

static void buffer_stderr(void)
{
    fflush(stderr);
    world.buffered = tmpfile();
    world.saved_fd = world.buffered ? dup(STDERR_FILENO) : -1;
    if (world.saved_fd >= 0)
        dup2(fileno(world.buffered), STDERR_FILENO);
}

/* Gives stderr back; copies the buffer to it, each line prefixed, when `show`. */
static void restore_stderr(bool show)
{
    if (world.saved_fd < 0)
        return;
    fflush(stderr);
    dup2(world.saved_fd, STDERR_FILENO);
    close(world.saved_fd);
    world.saved_fd = -1;
    if (show) {
        char line[4096];
        rewind(world.buffered);
        while (fgets(line, sizeof line, world.buffered))
            fprintf(stderr, "rank %d of %d: %s", world.rank, world.ranks, line);
    }
    fclose(world.buffered);
    world.buffered = NULL;
}

int cb_dist_init(int *argc, char ***argv)
{
    const int launched = launched_ranks();
#ifdef CB_HAVE_MPI
    if (launched > 0) {
        int provided = 0;
        if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
            fprintf(stderr, "cifarbench: MPI_Init_thread failed\n");
            return CB_EXIT_FAILURE;
        }
        world.mpi = true;
        MPI_Comm_rank(MPI_COMM_WORLD, &world.rank);
        MPI_Comm_size(MPI_COMM_WORLD, &world.ranks);
        MPI_Comm local;
        if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local) ==
            MPI_SUCCESS) {
            MPI_Comm_size(local, &world.local_ranks);
            MPI_Comm_free(&local);
        }
        if (world.rank > 0)
            buffer_stderr();
        if (provided < MPI_THREAD_FUNNELED && world.rank == 0)
            fprintf(stderr, "cifarbench: note: MPI gives thread level %d, below FUNNELED; only the "
                            "master thread calls MPI, between parallel regions\n", provided);
    }
#else
    (void)argc;
    (void)argv;
    if (launched > 1) {
        fprintf(stderr, "cifarbench: launched as one of %d MPI ranks, but this build has no MPI "
                        "(install libopenmpi-dev and rebuild: scripts/install-deps.sh)\n", launched);
        return CB_EXIT_USAGE;
    }
#endif
    return -1;
}

void cb_dist_finalize(void)
{
    restore_stderr(false);
#ifdef CB_HAVE_MPI
    if (world.mpi)
        MPI_Finalize();
#endif
}

int cb_dist_rank(void)
{
    return world.rank;
}

int cb_dist_local_ranks(void)
{
    return world.local_ranks;
}

int cb_dist_ranks(void)
{
    return world.ranks;
}

bool cb_dist_many(void)
{
    return world.ranks > 1;
}

bool cb_dist_built(void)
{
#ifdef CB_HAVE_MPI
    return true;
#else
    return false;
#endif
}

bool cb_dist_was_ready(void)
{
    return world.ready;
}

int cb_dist_ready(int rc)
{
    world.ready = true;
    if (!world.mpi)
        return rc;
#ifdef CB_HAVE_MPI
    int *all = malloc(sizeof(int) * (size_t)world.ranks);
    if (!all)
        MPI_Abort(MPI_COMM_WORLD, CB_EXIT_FAILURE);
    MPI_Allgather(&rc, 1, MPI_INT, all, 1, MPI_INT, MPI_COMM_WORLD);
    int worst = -1;
    for (int r = 0; r < world.ranks; r++)
        if (all[r] > worst)
            worst = all[r];
    /* Rank 0 told its own problem; a rank tells one that rank 0 did not have. */
    restore_stderr(world.rank > 0 && rc >= 0 && all[0] < 0);
    free(all);
    return worst;
#else
    return rc;
#endif
}

_Noreturn void cb_dist_abort(int code)
{
    restore_stderr(true);
    fflush(stdout);
    fflush(stderr);
#ifdef CB_HAVE_MPI
    if (world.mpi && world.ranks > 1)
        MPI_Abort(MPI_COMM_WORLD, code);
#endif
    exit(code);
}

void cb_dist_range(int n, int rank, int ranks, int *lo, int *hi)
{
    *lo = (int)((long long)n * rank / ranks);
    *hi = (int)((long long)n * (rank + 1) / ranks);
}

void cb_dist_allgather(void *base, size_t per, int n, bool ints)
{
#ifdef CB_HAVE_MPI
    if (!world.mpi || world.ranks == 1)
        return;
    enum { MAX_RANKS_ON_STACK = 256 };
    int counts_s[MAX_RANKS_ON_STACK], displs_s[MAX_RANKS_ON_STACK];
    int *counts = world.ranks <= MAX_RANKS_ON_STACK ? counts_s : malloc(sizeof(int) * (size_t)world.ranks);
    int *displs = world.ranks <= MAX_RANKS_ON_STACK ? displs_s : malloc(sizeof(int) * (size_t)world.ranks);
    if (!counts || !displs)
        cb_dist_abort(CB_EXIT_FAILURE);
    for (int r = 0; r < world.ranks; r++) {
        int lo, hi;
        cb_dist_range(n, r, world.ranks, &lo, &hi);
        counts[r] = (int)((size_t)(hi - lo) * per);
        displs[r] = (int)((size_t)lo * per);
    }
    const double t0 = cb_now();
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, base, counts, displs,
                   ints ? MPI_INT32_T : MPI_FLOAT, MPI_COMM_WORLD);
    world.traffic.seconds += cb_now() - t0;
    world.traffic.bytes_received += (double)((size_t)n * per - (size_t)counts[world.rank]) * 4.0;
    if (counts != counts_s) {
        free(counts);
        free(displs);
    }
#else
    (void)base;
    (void)per;
    (void)n;
    (void)ints;
#endif
}

void cb_dist_set_exchange(cb_exchange e)
{
    world.exchange = e;
}

cb_exchange cb_dist_exchange(void)
{
    return world.exchange;
}

const char *cb_exchange_name(cb_exchange e)
{
    return e == CB_EXCHANGE_ALLREDUCE ? "allreduce" : "gather";
}

void cb_dist_allreduce_sum(float *v, size_t n)
{
#ifdef CB_HAVE_MPI
    if (!world.mpi || world.ranks == 1)
        return;
    const double t0 = cb_now();
    MPI_Allreduce(MPI_IN_PLACE, v, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    world.traffic.seconds += cb_now() - t0;
    /* a ring's reduce-scatter and allgather each bring (R-1)/R of the vector */
    world.traffic.bytes_received += 2.0 * (world.ranks - 1) / world.ranks * (double)n * 4.0;
#else
    (void)v;
    (void)n;
#endif
}

void cb_dist_traffic_reset(void)
{
    memset(&world.traffic, 0, sizeof world.traffic);
}

cb_dist_traffic cb_dist_traffic_now(void)
{
    return world.traffic;
}

void cb_dist_exchange_begin(void)
{
    const double t0 = cb_now();
    cb_dist_barrier();
    world.traffic.wait_seconds += cb_now() - t0;
}

void cb_dist_count_exchange(void)
{
    world.traffic.exchanges++;
}

bool cb_dist_same(uint64_t v)
{
#ifdef CB_HAVE_MPI
    if (world.mpi && world.ranks > 1) {
        unsigned long long lo = v, hi = v, x = v;
        MPI_Allreduce(&x, &lo, 1, MPI_UNSIGNED_LONG_LONG, MPI_MIN, MPI_COMM_WORLD);
        MPI_Allreduce(&x, &hi, 1, MPI_UNSIGNED_LONG_LONG, MPI_MAX, MPI_COMM_WORLD);
        return lo == hi;
    }
#endif
    (void)v;
    return true;
}

static double reduce(double x, bool max)
{
#ifdef CB_HAVE_MPI
    if (world.mpi && world.ranks > 1) {
        double out = x;
        MPI_Allreduce(&x, &out, 1, MPI_DOUBLE, max ? MPI_MAX : MPI_SUM, MPI_COMM_WORLD);
        return out;
    }
#endif
    (void)max;
    return x;
}

double cb_dist_max(double x)
{
    return reduce(x, true);
}

double cb_dist_sum(double x)
{
    return reduce(x, false);
}

void cb_dist_gather_strings(const char *mine, char *all, size_t len)
{
#ifdef CB_HAVE_MPI
    if (world.mpi && world.ranks > 1) {
        char *buf = calloc(1, len);
        if (!buf)
            cb_dist_abort(CB_EXIT_FAILURE);
        snprintf(buf, len, "%s", mine);
        MPI_Gather(buf, (int)len, MPI_CHAR, all, (int)len, MPI_CHAR, 0, MPI_COMM_WORLD);
        free(buf);
        return;
    }
#endif
    if (all)
        snprintf(all, len, "%s", mine);
}

#ifdef CB_HAVE_MPI
/* The best one-way time of `bytes` between ranks 0 and 1 over 20 round trips. */
static double one_way(char *buf, int bytes)
{
    double best = INFINITY;
    for (int r = 0; r < 20; r++) {
        MPI_Barrier(MPI_COMM_WORLD);
        const double t0 = MPI_Wtime();
        if (world.rank == 0) {
            MPI_Send(buf, bytes, MPI_CHAR, 1, 0, MPI_COMM_WORLD);
            MPI_Recv(buf, bytes, MPI_CHAR, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        } else if (world.rank == 1) {
            MPI_Recv(buf, bytes, MPI_CHAR, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            MPI_Send(buf, bytes, MPI_CHAR, 0, 0, MPI_COMM_WORLD);
        }
        const double dt = (MPI_Wtime() - t0) / 2;
        if (dt < best)
            best = dt;
    }
    return best;
}
#endif

void cb_dist_measure_network(double *latency_seconds, double *bytes_per_s)
{
    *latency_seconds = *bytes_per_s = 0.0;
#ifdef CB_HAVE_MPI
    if (!world.mpi || world.ranks == 1)
        return;
    enum { BIG = 1 << 20 };
    char *buf = calloc(1, BIG);
    if (!buf)
        cb_dist_abort(CB_EXIT_FAILURE);
    const double lat = one_way(buf, 8), big = one_way(buf, BIG);
    free(buf);
    *latency_seconds = lat;
    *bytes_per_s = big > lat ? BIG / (big - lat) : 0.0;
#endif
}

void cb_dist_barrier(void)
{
#ifdef CB_HAVE_MPI
    if (world.mpi && world.ranks > 1)
        MPI_Barrier(MPI_COMM_WORLD);
#endif
}
