/* tune.c - see tune.h. */
#include "tune.h"

#include "cb_cases.h"
#include "cb_timing.h"

typedef struct timed_case {
    const cb_kernel_table *t;
    const cb_case_data *d;
} timed_case;

static void run_case(void *arg, long reps)
{
    const timed_case *c = arg;
    for (long r = 0; r < reps; r++)
        cb_case_run(c->t, c->d);
}

/* Whether the training step makes any of the kernel's calls. */
static bool in_step(const cb_kernel_cases *kc)
{
    for (int i = 0; i < kc->count; i++)
        if (kc->cases[i].in_step)
            return true;
    return false;
}

double cb_tune_kernel_seconds(const cb_kernel_table *t, int k)
{
    const cb_timing timing = {.samples = 5, .min_seconds = 2e-3, .clock = CB_CLOCK_WALL,
                              .warm_up = true};
    const cb_kernel_cases *kc = cb_kernel_cases_for(k);
    const bool step_only = in_step(kc);
    double total = 0;
    for (int i = 0; i < kc->count; i++) {
        const cb_case *c = &kc->cases[i];
        if (step_only && !c->in_step)
            continue;
        cb_case_data d;
        if (cb_case_prepare(&d, k, c, c->batch, CB_FILL_REAL, CB_TUNE_SEED) != 0)
            return -1;
        total += cb_time_median(&timing, run_case, &(timed_case){t, &d});
        cb_case_free(&d);
    }
    return total;
}
