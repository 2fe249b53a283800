/* profile.c - the per-layer profile of the training step: phase names and per-thread seconds
 * (model.h). The step (step.c) adds to it. */
#include "model.h"

#include <stdlib.h>
#include <string.h>

_Static_assert((int)CB_COL_COUNT <= (int)CB_PROFILE_STRIDE, "a thread's row holds every column");

static const char *const phase_names[CB_PHASE_COUNT][2] = {
    {"input", "step"},     {"conv1", "forward"},  {"pool1", "forward"},  {"conv2", "forward"},
    {"pool2", "forward"},  {"dense1", "forward"}, {"dense2", "forward"}, {"loss", "step"},
    {"dense2", "backward"}, {"dense1", "backward"}, {"pool2", "backward"}, {"conv2", "backward"},
    {"pool1", "backward"}, {"conv1", "backward"}, {"grad_sum", "step"},  {"adam", "step"},
};

const char *cb_phase_layer(cb_phase p)
{
    return phase_names[p][0];
}

const char *cb_phase_pass(cb_phase p)
{
    return phase_names[p][1];
}

int cb_profile_init(cb_profile *p, int threads, bool layers)
{
    p->threads = threads;
    p->layers = layers;
    p->seconds = calloc((size_t)threads, sizeof *p->seconds);
    return p->seconds ? 0 : -1;
}

void cb_profile_reset(cb_profile *p)
{
    memset(p->seconds, 0, (size_t)p->threads * sizeof *p->seconds);
}

void cb_profile_free(cb_profile *p)
{
    free(p->seconds);
    p->seconds = NULL;
}

static double profile_column(const cb_profile *p, int col)
{
    double sum = 0.0;
    for (int t = 0; t < p->threads; t++)
        sum += p->seconds[t][col];
    return sum;
}

double cb_profile_phase(const cb_profile *p, cb_phase ph)
{
    return profile_column(p, ph);
}

double cb_profile_timer_reads(const cb_profile *p)
{
    return profile_column(p, CB_COL_TIMER_READS);
}

double cb_profile_units(const cb_profile *p, cb_profile_column c)
{
    return profile_column(p, c);
}
