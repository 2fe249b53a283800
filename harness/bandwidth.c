/* bandwidth.c - one core's read bandwidth from memory (bandwidth.h). */
#include "bandwidth.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cb_clock.h"

enum { PASSES = 5 };

/* A sum the compiler cannot drop, over 64-bit words: the loads are the work. */
static uint64_t read_all(const uint64_t *w, size_t n)
{
    uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (size_t i = 0; i + 4 <= n; i += 4) {
        s0 += w[i];
        s1 += w[i + 1];
        s2 += w[i + 2];
        s3 += w[i + 3];
    }
    return s0 ^ s1 ^ s2 ^ s3;
}

double cb_read_bandwidth_per_core(const cb_machine *m)
{
    unsigned long long largest = 0;
    for (int i = 0; i < m->cache_kinds; i++)
        if (m->caches[i].bytes > largest)
            largest = m->caches[i].bytes;
    size_t bytes = (size_t)(4 * largest);
    if (bytes < ((size_t)64 << 20))
        bytes = (size_t)64 << 20;
    uint64_t *w = malloc(bytes);
    if (!w)
        return 0.0;
    memset(w, 1, bytes); /* touch every page before timing */
    const size_t n = bytes / sizeof *w;
    double best = 0.0;
    volatile uint64_t sink = 0;
    for (int p = 0; p < PASSES; p++) {
        const double t0 = cb_now();
        sink ^= read_all(w, n);
        const double dt = cb_now() - t0;
        if (dt > 0 && bytes / dt > best)
            best = bytes / dt;
    }
    (void)sink;
    free(w);
    return best;
}
