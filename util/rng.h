/* rng.h — cifarbench's one deterministic pseudo-random number generator (header-only).
 *
 * xoshiro256** (Blackman & Vigna, 2018) seeded through splitmix64. Only integer arithmetic on
 * fixed-width types, so the same seed gives the same sequence on every machine, compiler and ISA.
 * Not for cryptography. Everything is static inline; there is no global state: each user keeps its
 * own cb_rng (weights initialisation, epoch shuffling and the synthetic data set each seed theirs).
 *
 *   cb_rng r;
 *   cb_rng_seed(&r, 42);                      any 64-bit seed, 0 included
 *   uint64_t a = cb_rng_u64(&r);              64 uniform bits
 *   uint32_t b = cb_rng_u32(&r);              32 uniform bits (the high half of the next u64)
 *   float    u = cb_rng_uniform(&r);          uniform in [0, 1): a 24-bit integer times 2^-24, exact
 *   uint32_t k = cb_rng_below(&r, n);         uniform integer in [0, n), unbiased; 0 when n == 0
 *   cb_rng_shuffle_i32(&r, a, n);             Fisher-Yates: every permutation of a[0..n-1] equally likely
 */
#ifndef CB_RNG_H
#define CB_RNG_H

#include <stdint.h>

typedef struct cb_rng {
    uint64_t s[4]; /* xoshiro256** state; never all zero after cb_rng_seed */
} cb_rng;

/* One step of splitmix64: advances *x and returns a well-mixed 64-bit value. */
static inline uint64_t cb_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Seeds the state from four consecutive splitmix64 outputs of seed (never the all-zero state). */
static inline void cb_rng_seed(cb_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = cb_splitmix64(&x);
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
        r->s[0] = 1; /* cannot happen with splitmix64, kept as a guard */
}

static inline uint64_t cb_rng_rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* 64 uniformly distributed bits. */
static inline uint64_t cb_rng_u64(cb_rng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = cb_rng_rotl64(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = cb_rng_rotl64(s[3], 45);
    return result;
}

/* 32 uniformly distributed bits (the high half, the better-mixed one). */
static inline uint32_t cb_rng_u32(cb_rng *r)
{
    return (uint32_t)(cb_rng_u64(r) >> 32);
}

/* Uniform float in [0, 1): the top 24 bits as an integer times 2^-24, so every value is exact
   and 1.0f is never returned. */
static inline float cb_rng_uniform(cb_rng *r)
{
    return (float)(cb_rng_u64(r) >> 40) * (1.0f / 16777216.0f);
}

/* Uniform integer in [0, n) without modulo bias (Lemire's multiply-and-reject); 0 when n == 0. */
static inline uint32_t cb_rng_below(cb_rng *r, uint32_t n)
{
    if (n == 0)
        return 0;
    uint64_t m = (uint64_t)cb_rng_u32(r) * n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        const uint32_t threshold = (uint32_t)(-n) % n; /* 2^32 mod n */
        while (low < threshold) {
            m = (uint64_t)cb_rng_u32(r) * n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

/* Shuffles a[0..n-1] in place (Fisher-Yates, from the end); does nothing when n < 2. */
static inline void cb_rng_shuffle_i32(cb_rng *r, int32_t *a, int n)
{
    for (int i = n - 1; i > 0; i--) {
        const int j = (int)cb_rng_below(r, (uint32_t)i + 1u);
        const int32_t t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

#endif /* CB_RNG_H */
