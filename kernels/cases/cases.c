/* cases.c - preparing, running and freeing the registry's cases (cb_cases.h), and the lookup of
 * each kernel's cases, expanded from the registry. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_cases.h"

#define CB_CASES_DECLARE_(a, name, family) extern const cb_kernel_cases cb_cases_##name;
CB_KERNELS(CB_CASES_DECLARE_, ~)
#undef CB_CASES_DECLARE_

static const cb_kernel_cases *const all_cases[CB_KERNEL_COUNT] = {
#define CB_CASES_ROW_(a, name, family) &cb_cases_##name,
    CB_KERNELS(CB_CASES_ROW_, ~)
#undef CB_CASES_ROW_
};

const cb_kernel_cases *cb_kernel_cases_for(int k)
{
    return all_cases[k];
}

/* The guard pattern: a float no kernel computes from these fills. */
static const float guard_value = -12345.678f;

float *cb_case_buffer_add(cb_case_data *d, const char *name, size_t n, bool output)
{
    if (d->nbuf == CB_CASE_MAX_BUFFERS)
        return NULL;
    const size_t bytes = ((n + CB_CASE_GUARD) * sizeof(float) + 63) / 64 * 64;
    float *p = aligned_alloc(64, bytes);
    if (!p)
        return NULL;
    for (size_t i = 0; i < n; i++)
        p[i] = output ? NAN : 0.0f;
    for (size_t i = n; i < n + CB_CASE_GUARD; i++)
        p[i] = guard_value;
    d->buf[d->nbuf++] = (cb_case_buffer){.name = name, .p = p, .n = n, .output = output};
    return p;
}

void cb_case_fill(cb_case_data *d, float *p, size_t n, float lo, float hi)
{
    for (size_t i = 0; i < n; i++) {
        if (d->fill == CB_FILL_REAL)
            p[i] = lo + (hi - lo) * cb_rng_uniform(&d->rng);
        else
            p[i] = (float)((int)cb_rng_below(&d->rng, lo >= 0 ? 4 : 7) - (lo >= 0 ? 0 : 3));
    }
}

int cb_case_prepare(cb_case_data *d, int k, const cb_case *c, int batch, cb_fill fill,
                    uint64_t seed)
{
    memset(d, 0, sizeof *d);
    d->kernel = k;
    d->c = c;
    d->batch = batch;
    d->fill = fill;
    cb_rng_seed(&d->rng, seed);
    if (cb_kernel_cases_for(k)->prepare(d) != 0) {
        cb_case_free(d);
        return -1;
    }
    return 0;
}

void cb_case_free(cb_case_data *d)
{
    for (int i = 0; i < d->nbuf; i++)
        free(d->buf[i].p);
    free(d->labels);
    d->nbuf = 0;
    d->labels = NULL;
}

float cb_case_run(const cb_kernel_table *t, const cb_case_data *d)
{
    return cb_kernel_cases_for(d->kernel)->run(t, d);
}

bool cb_case_guards_intact(const cb_case_data *d)
{
    for (int i = 0; i < d->nbuf; i++)
        for (size_t j = 0; j < CB_CASE_GUARD; j++)
            if (memcmp(&d->buf[i].p[d->buf[i].n + j], &guard_value, sizeof guard_value) != 0)
                return false;
    return true;
}
