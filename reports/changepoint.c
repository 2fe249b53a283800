/* changepoint.c - see changepoint.h.
 *
 * Cost. One evaluation of Q at every split of a segment of length L takes O(L log L), not the
 * O(L^2) of the distance matrix: sweeping the split t from left to right moves one value z from Y
 * into X, and the three distance sums change by z's distances to X (r) and to the rest of Y (c):
 *
 *   within X += r,   within Y -= c,   between += c - r.
 *
 * r comes from a Fenwick tree over the ranks of the values already in X (their count and sum below
 * and above z's rank); r + c is z's distance to the whole segment, which does not depend on the
 * order, so it is worked out once per segment from the sorted values. A permutation only reorders
 * the ranks, so the permutation test shuffles an array of ranks and re-sweeps: O(P L log L) for P
 * permutations (499 of a 1000-point segment: a few milliseconds).
 */
#include "changepoint.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_stats.h"
#include "rng.h"

cb_cp_options cb_cp_defaults(void)
{
    return (cb_cp_options){.alpha = 0.01, .permutations = 499, .min_size = 3, .seed = 1};
}

/* A value and its position in the segment, to sort by value (ties by position, so the ranks do not
 * depend on the C library's qsort). */
typedef struct tagged {
    double v;
    int32_t at;
} tagged;

static int compare_tagged(const void *pa, const void *pb)
{
    const tagged *a = pa, *b = pb;
    if (a->v != b->v)
        return (a->v > b->v) - (a->v < b->v);
    return (a->at > b->at) - (a->at < b->at);
}

/* Scratch for one segment at a time, every array sized for the whole series (n values). */
typedef struct work {
    double *z;        /* the scaled series [n] */
    size_t min_size;
    tagged *tag;      /* [n] the segment's values with their positions, sorted */
    double *sorted;   /* [n] the segment's values ascending */
    double *dist;     /* [n] dist[r] = sum over the segment of |sorted[r] - value| */
    int32_t *rank;    /* [n] rank (index into sorted) of each value, in series order */
    int32_t *perm;    /* [n] a permutation of rank */
    double *fen_sum;  /* [n + 1] Fenwick tree over ranks: sum of the values in X */
    int32_t *fen_cnt; /* [n + 1] and their count */
    double *scratch;  /* [n] medians */
} work;

/* A segment [begin, end) of the current partition, its proposed split and, for every segment but
 * the first, the test that accepted the change point at begin. */
typedef struct segment {
    size_t begin, end;
    int has_split; /* 0 when shorter than 2 min_size */
    size_t split;  /* the split maximising Q */
    double q;      /* Q there */
    double cp_p, cp_q;
} segment;

/* Sorts the segment z[begin, end) and fills w->sorted, w->rank and w->dist: O(L log L). */
static void prepare_segment(work *w, size_t begin, size_t end)
{
    const size_t len = end - begin;
    for (size_t i = 0; i < len; i++)
        w->tag[i] = (tagged){.v = w->z[begin + i], .at = (int32_t)i};
    qsort(w->tag, len, sizeof *w->tag, compare_tagged);
    double total = 0;
    for (size_t r = 0; r < len; r++) {
        w->sorted[r] = w->tag[r].v;
        w->rank[w->tag[r].at] = (int32_t)r;
        total += w->sorted[r];
    }
    /* dist[r] = (r v - sum below) + (sum above - (len - 1 - r) v) */
    double below = 0;
    for (size_t r = 0; r < len; r++) {
        const double v = w->sorted[r], above = total - below - v;
        w->dist[r] = ((double)r * v - below) + (above - (double)(len - 1 - r) * v);
        below += v;
    }
}

/* Adds rank k (value sorted[k]) to the Fenwick tree of len ranks. */
static void fenwick_add(work *w, size_t len, int32_t k)
{
    const double v = w->sorted[k];
    for (size_t i = (size_t)k + 1; i <= len; i += i & (~i + 1)) {
        w->fen_cnt[i]++;
        w->fen_sum[i] += v;
    }
}

/* The count and sum of the values in the tree with a rank below k. */
static void fenwick_below(const work *w, int32_t k, size_t *count, double *sum)
{
    size_t c = 0;
    double s = 0;
    for (size_t i = (size_t)k; i > 0; i -= i & (~i + 1)) {
        c += (size_t)w->fen_cnt[i];
        s += w->fen_sum[i];
    }
    *count = c;
    *sum = s;
}

/* Q at the split n | m from the three distance sums. */
static double q_of(double between, double within_x, double within_y, size_t n, size_t m)
{
    const double dn = (double)n, dm = (double)m;
    const double e = 2.0 * between / (dn * dm) - within_x / (dn * (dn - 1) / 2) -
                     within_y / (dm * (dm - 1) / 2);
    return dn * dm / (dn + dm) * e;
}

/* The best split of a segment of len values given by their ranks rk[0, len) (prepare_segment
 * first): *at (min_size <= *at <= len - min_size, the first on ties) and Q there. O(len log len). */
static double best_q(work *w, const int32_t *rk, size_t len, size_t *at)
{
    memset(w->fen_cnt, 0, (len + 1) * sizeof *w->fen_cnt);
    memset(w->fen_sum, 0, (len + 1) * sizeof *w->fen_sum);
    double within_x = 0, within_y = 0, between = 0, sum_x = 0;
    for (size_t i = 0; i < len; i++)
        within_y += w->dist[i];
    within_y /= 2; /* every pair counted from both ends */
    double best = -INFINITY;
    *at = w->min_size;
    for (size_t t = 0; t + w->min_size <= len; t++) {
        if (t >= w->min_size) {
            const double q = q_of(between, within_x, within_y, t, len - t);
            if (q > best) {
                best = q;
                *at = t;
            }
        }
        /* move value t (rank rk[t]) from Y into X */
        const int32_t k = rk[t];
        const double v = w->sorted[k];
        size_t n_below;
        double s_below;
        fenwick_below(w, k, &n_below, &s_below);
        const size_t n_above = t - n_below;
        const double r = ((double)n_below * v - s_below) + ((sum_x - s_below) - (double)n_above * v);
        const double c = w->dist[k] - r;
        within_x += r;
        within_y -= c;
        between += c - r;
        sum_x += v;
        fenwick_add(w, len, k);
    }
    return best;
}

/* Fills s->has_split, s->split and s->q for the segment [s->begin, s->end). */
static void propose(work *w, segment *s)
{
    const size_t len = s->end - s->begin;
    s->has_split = len >= 2 * w->min_size;
    if (!s->has_split)
        return;
    prepare_segment(w, s->begin, s->end);
    size_t at;
    s->q = best_q(w, w->rank, len, &at);
    s->split = s->begin + at;
}

/* The permutation p-value of segment s's best split: (1 + #{best Q of a permutation >= s->q}) /
 * (1 + permutations). O(permutations L log L). */
static double permutation_p(work *w, const segment *s, cb_rng *rng, int permutations)
{
    const size_t len = s->end - s->begin;
    prepare_segment(w, s->begin, s->end);
    memcpy(w->perm, w->rank, len * sizeof *w->perm);
    int at_least = 0;
    for (int k = 0; k < permutations; k++) {
        cb_rng_shuffle_i32(rng, w->perm, (int)len);
        size_t at;
        at_least += best_q(w, w->perm, len, &at) >= s->q;
    }
    return (1.0 + at_least) / (1.0 + permutations);
}

/* The index of the segment with the largest proposed Q (the first on ties), or -1 when none has a
 * split. */
static int best_segment(const segment *seg, int count)
{
    int best = -1;
    for (int i = 0; i < count; i++)
        if (seg[i].has_split && (best < 0 || seg[i].q > seg[best].q))
            best = i;
    return best;
}

/* The series divided by its median absolute value (1 when that is 0; the largest absolute value
 * when the median one is so small that the distance sums could overflow). Q is proportional to
 * the scale, so this changes only the reported q. */
static void scale_series(const double *x, size_t n, double *z, double *scratch)
{
    double largest = 0;
    for (size_t i = 0; i < n; i++) {
        scratch[i] = fabs(x[i]);
        largest = fmax(largest, scratch[i]);
    }
    double s = cb_median(scratch, n);
    if (!(s > 0))
        s = 1;
    if (largest / s > 1e100)
        s = largest;
    for (size_t i = 0; i < n; i++)
        z[i] = x[i] / s;
}

static double median_of_range(const work *w, const double *x, size_t begin, size_t end)
{
    memcpy(w->scratch, x + begin, (end - begin) * sizeof *x);
    return cb_median(w->scratch, end - begin);
}

/* The change points of the final partition seg[0, count) into out, with their medians. */
static void report(const work *w, const double *x, const segment *seg, int count, cb_cp_result *out)
{
    out->n = 0;
    for (int i = 1; i < count; i++) {
        cb_cp *p = &out->points[out->n++];
        p->index = seg[i].begin;
        p->p = seg[i].cp_p;
        p->q = seg[i].cp_q;
        p->before = median_of_range(w, x, seg[i - 1].begin, seg[i - 1].end);
        p->after = median_of_range(w, x, seg[i].begin, seg[i].end);
        p->change = p->before != 0 ? (p->after - p->before) / p->before : NAN;
    }
}

/* Bisection: the segment with the largest Q is tested; a significant split replaces it by its two
 * halves (which then propose theirs), the first non-significant one ends the search. */
static void bisect(work *w, size_t n, const cb_cp_options *o, segment *seg, int *count)
{
    cb_rng rng;
    cb_rng_seed(&rng, o->seed);
    seg[0] = (segment){.begin = 0, .end = n};
    *count = 1;
    propose(w, &seg[0]);
    while (*count <= CB_CP_MAX) {
        const int b = best_segment(seg, *count);
        if (b < 0)
            break;
        const double p = permutation_p(w, &seg[b], &rng, o->permutations);
        if (p >= o->alpha)
            break;
        memmove(&seg[b + 2], &seg[b + 1], (size_t)(*count - b - 1) * sizeof *seg);
        seg[b + 1] = (segment){.begin = seg[b].split, .end = seg[b].end, .cp_p = p, .cp_q = seg[b].q};
        seg[b].end = seg[b].split;
        ++*count;
        propose(w, &seg[b]);
        propose(w, &seg[b + 1]);
    }
}

static int options_ok(const cb_cp_options *o)
{
    return o->alpha > 0 && o->alpha < 1 && o->permutations >= 1 && o->min_size >= 2;
}

static int all_finite(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return 0;
    return 1;
}

static void free_work(work *w)
{
    free(w->z);
    free(w->tag);
    free(w->sorted);
    free(w->dist);
    free(w->rank);
    free(w->perm);
    free(w->fen_sum);
    free(w->fen_cnt);
    free(w->scratch);
}

int cb_changepoints(const double *x, size_t n, const cb_cp_options *o, cb_cp_result *out)
{
    if (!out)
        return -1;
    out->n = 0;
    if (!o || (n > 0 && !x) || !options_ok(o) || !all_finite(x, n) || n > INT32_MAX)
        return -1;
    if (n / 2 < o->min_size)
        return 0; /* shorter than 2 min_size */
    work w = {.min_size = o->min_size};
    w.z = malloc(n * sizeof *w.z);
    w.tag = malloc(n * sizeof *w.tag);
    w.sorted = malloc(n * sizeof *w.sorted);
    w.dist = malloc(n * sizeof *w.dist);
    w.rank = malloc(n * sizeof *w.rank);
    w.perm = malloc(n * sizeof *w.perm);
    w.fen_sum = malloc((n + 1) * sizeof *w.fen_sum);
    w.fen_cnt = malloc((n + 1) * sizeof *w.fen_cnt);
    w.scratch = malloc(n * sizeof *w.scratch);
    if (!w.z || !w.tag || !w.sorted || !w.dist || !w.rank || !w.perm || !w.fen_sum || !w.fen_cnt ||
        !w.scratch) {
        free_work(&w);
        return -1;
    }
    scale_series(x, n, w.z, w.scratch);
    segment seg[CB_CP_MAX + 1];
    int count;
    bisect(&w, n, o, seg, &count);
    report(&w, x, seg, count, out);
    free_work(&w);
    return 0;
}
