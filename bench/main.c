/*
 * main.c - cifarbench-kernels: Google Benchmark micro-benchmarks of every kernel on every ISA at
 * the reference network's shapes. See print_help for the naming and the counters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "cb_cases.h"
#include "topology.h"

static void print_help(void)
{
    printf(
        "cifarbench-kernels: every cifarbench kernel on every ISA, at the reference network's\n"
        "shapes, timed with Google Benchmark on one thread (pinned to one core).\n"
        "\n"
        "Benchmark names: <kernel>/<isa>/<layer>/N:<batch>, e.g. conv2d_fwd/avx512/conv1/N:4\n"
        "  kernel  the registry's kernels, with their layers (the cases one training step runs):\n");
    for (int k = 0; k < CB_KERNEL_COUNT; k++) {
        const cb_kernel_cases *kc = cb_kernel_cases_for(k);
        printf("          %-20s", cb_kernel_name(k));
        for (int i = 0; i < kc->count; i++)
            printf(" %s%s", kc->cases[i].layer, kc->cases[i].in_step ? "" : "*");
        printf("\n");
    }
    printf(
        "          (* measured only: the step does not make this call)\n"
        "  isa     scalar avx2 avx512. An ISA this CPU (or build) lacks is still listed, and\n"
        "          reported as an error such as \"cpu lacks avx512\"; the run still exits 0.\n"
        "  batch   the batch the step calls the case with (4: the layers run per 4-image chunk;\n"
        "          32: the losses and Adam run once per batch), and 32 and 256\n"
        "plus peak_fma/<isa>: the FMA-throughput loop (12 independent accumulators).\n"
        "\n"
        "Counters (per second of the benchmark thread's CPU time, Google Benchmark's clock):\n"
        "  FLOPS             floating-point operations per second (console: G/s = GFLOP/s)\n"
        "  bytes_per_second  tensors read + written per call, each once\n"
        "  pct_of_peak       FLOPS as a percentage of the same ISA's FMA peak, measured at\n"
        "                    start-up (best of 5 runs of ~10 ms; context: peak_gflops_<isa>)\n"
        "FLOPs per call: pixels_to_float 1 per element (the division);\n"
        "conv 2*9*Cin*Cout*H*W*N for each of fwd, bwd_data, bwd_weights;\n"
        "dense fwd 2*In*Out*N, bwd 4*In*Out*N (dW and dX); maxpool 3 (fwd) / 4 (bwd) per output;\n"
        "relu 1 per element; losses 5 (softmax), 8 (sigmoid_bce), 4 (mse, mae) per logit;\n"
        "adam 12 per parameter (kernels/cases/*_cases.c). Bias, ReLU and db are not counted.\n"
        "The scalar peak is mulss+addss pairs: baseline x86-64, like the scalar kernels, has no FMA.\n"
        "\n"
        "Examples:\n"
        "  cifarbench-kernels --benchmark_filter='conv2d_fwd/.*/conv1/N:4$'\n"
        "  cifarbench-kernels --benchmark_filter='/avx2/'\n"
        "  cifarbench-kernels --benchmark_filter='/N:32$' --benchmark_repetitions=3 \\\n"
        "      --benchmark_report_aggregates_only=true --benchmark_out=run.json\n"
        "  python3 /usr/share/benchmark/compare.py benchmarks before.json after.json\n"
        "--benchmark_min_time takes plain seconds (e.g. 0.001) in Google Benchmark 1.7.\n"
        "Exit status: 0, or 1 when the filter matches no benchmark or an argument is unknown,\n"
        "2 for a bad --cb_* option.\n"
        "\n"
        "cifarbench-kernels options:\n"
        "  --cb_skip_isa=LIST  treat these ISAs (comma-separated) as missing from the CPU:\n"
        "                      tests the skip path on any machine\n"
        "  --cb_core=N         pin the benchmark thread to core N (default 0; -1: no pinning)\n");
}

/* Removes argv[i] from the argument list. */
static void drop_arg(int *argc, char **argv, int i)
{
    memmove(&argv[i], &argv[i + 1], (size_t)(*argc - i) * sizeof *argv); /* with argv[argc] */
    (*argc)--;
}

/* Parses and removes the --cb_* options. Returns 0, or -1 after a message. */
static int parse_options(int *argc, char **argv, int *core)
{
    for (int i = 1; i < *argc;) {
        const char *a = argv[i];
        if (strncmp(a, "--cb_skip_isa=", 14) == 0) {
            for (const char *tok = a + 14; *tok;) {
                const size_t len = strcspn(tok, ",");
                char name[16];
                snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1),
                         tok);
                cb_isa isa;
                bool is_auto;
                if (len >= sizeof name || !cb_isa_parse(name, &isa, &is_auto) || is_auto) {
                    fprintf(stderr, "cifarbench-kernels: --cb_skip_isa: unknown ISA '%.*s' "
                                    "(scalar, avx2, avx512)\n", (int)len, tok);
                    return -1;
                }
                cb_bench_isa_mask(isa);
                tok += len + (tok[len] == ',');
            }
        } else if (strncmp(a, "--cb_core=", 10) == 0) {
            char *end;
            const long v = strtol(a + 10, &end, 10);
            if (end == a + 10 || *end || v < -1 || v > 1 << 20) {
                fprintf(stderr, "cifarbench-kernels: --cb_core: not a core number: '%s'\n", a + 10);
                return -1;
            }
            *core = (int)v;
        } else {
            i++;
            continue;
        }
        drop_arg(argc, argv, i);
    }
    return 0;
}

int main(int argc, char **argv)
{
    cb_gbench_init(&argc, argv, print_help);
    int core = 0;
    if (parse_options(&argc, argv, &core) != 0)
        return 2;
    if (cb_gbench_report_unrecognized(argc, argv))
        return 1;

    char binding[128] = "not pinned";
    if (core >= 0) {
        if (cb_bind_thread_to_core(core) != 0)
            fprintf(stderr, "cifarbench-kernels: cannot pin to core %d; running unpinned\n", core);
        else if (cb_thread_binding(binding, sizeof binding) != 0)
            snprintf(binding, sizeof binding, "core %d", core);
    }

    cb_peak_setup(); /* first: every kernel benchmark's pct_of_peak needs its ISA's peak */
    cb_bench_kernels();
    cb_bench_context(binding);

    const size_t ran = cb_gbench_run();
    cb_gbench_shutdown();
    cb_bench_kernels_free();
    cb_bench_free_all();
    return ran > 0 ? 0 : 1;
}
