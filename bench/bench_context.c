/* bench_context.c - the run's context in the report: what ran, where, built how. */
#include <stdio.h>
#include <string.h>

#include "bench_common.h"
#include "cb_build_info.h"
#include "topology.h"


/* The ISAs for which keep(isa) holds, comma-separated ("none" when there is none). */
static void isa_list(char *buf, size_t len, int (*keep)(cb_isa))
{
    buf[0] = '\0';
    for (int i = 0; i < CB_ISA_COUNT; i++)
        if (keep((cb_isa)i))
            snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? "," : "",
                     cb_isa_name((cb_isa)i));
    if (!buf[0])
        snprintf(buf, len, "none");
}

static int is_compiled(cb_isa isa) { return cb_isa_compiled(isa); }
static int is_supported(cb_isa isa) { return cb_isa_supported(isa); }
static int is_measured(cb_isa isa) { return cb_bench_isa_skip_reason(isa) == NULL; }

void cb_bench_context(const char *binding)
{
    cb_machine m;
    cb_machine_describe(&m);
    cb_gbench_context("cpu_model", m.cpu_model);
    cb_gbench_context("cpu_vendor", m.cpu_vendor);

    char buf[256];
    isa_list(buf, sizeof buf, is_supported);
    cb_gbench_context("isa_supported", buf);
    isa_list(buf, sizeof buf, is_compiled);
    cb_gbench_context("isa_compiled", buf);
    isa_list(buf, sizeof buf, is_measured);
    cb_gbench_context("isa_measured", buf);

    cb_gbench_context("threads", "1");
    cb_gbench_context("thread_binding", binding);
    cb_gbench_context("compiler", cb_build_compiler());
    cb_gbench_context("build_flags", cb_build_flags());
    cb_gbench_context("git_revision", cb_build_git_revision());
    cb_gbench_context("git_commit_time", cb_build_git_commit_time());
    snprintf(buf, sizeof buf, "%u", CB_BENCH_SEED);
    cb_gbench_context("data_seed", buf);

    for (int i = 0; i < CB_ISA_COUNT; i++) {
        const cb_isa isa = (cb_isa)i;
        const char *skip = cb_bench_isa_skip_reason(isa);
        char key[64];
        snprintf(key, sizeof key, "peak_gflops_%s", cb_isa_name(isa));
        if (skip || cb_bench_peak(isa) <= 0)
            snprintf(buf, sizeof buf, "n/a (%s)", skip ? skip : "FMA loop not compiled in");
        else
            snprintf(buf, sizeof buf, "%.2f", cb_bench_peak(isa));
        cb_gbench_context(key, buf);
    }
}
