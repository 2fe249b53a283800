// gbench_shim.cc - the C interface to Google Benchmark declared in gbench_shim.h. The project's
// only C++ file: everything else in bench/ is C and sees Google Benchmark through these functions.
#include "gbench_shim.h"

#include <benchmark/benchmark.h>

#include <time.h>

#include <cstdio>
#include <exception>
#include <string>

namespace {

// One registered benchmark, owned by its lambda.
struct Def {
    std::string name;
    cb_gbench_body_fn *body;
    void *arg;
    double flops, bytes, peak_gflops;
    bool skipped;
    std::string skip;
};

// CPU time of the calling thread, the clock Google Benchmark's rates use by default.
double ThreadSeconds()
{
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

void Run(benchmark::State &state, const Def &d)
{
    if (d.skipped) {
        state.SkipWithError(d.skip.c_str());
        return;
    }
    // One batch of exactly the iterations the runner asked for: the body loops, not the shim.
    const benchmark::IterationCount n = state.max_iterations;
    const double t0 = ThreadSeconds();
    while (state.KeepRunningBatch(n))
        d.body(d.arg, static_cast<int64_t>(n));
    const double seconds = ThreadSeconds() - t0; // brackets the same single batch as the timer

    using C = benchmark::Counter;
    if (d.flops > 0)
        state.counters["FLOPS"] = C(d.flops, C::kIsIterationInvariantRate);
    if (d.bytes > 0)
        state.counters["bytes_per_second"] = C(d.bytes, C::kIsIterationInvariantRate, C::kIs1024);
    // A plain number rather than a rate, so that the console does not print it as "%/s".
    if (d.flops > 0 && d.peak_gflops > 0 && seconds > 0)
        state.counters["pct_of_peak"] =
            C(d.flops * static_cast<double>(n) / seconds / (d.peak_gflops * 1e9) * 100.0);
}

void (*g_help)(void);

void Help()
{
    if (g_help)
        g_help();
    std::printf("\nGoogle Benchmark options:\n");
    benchmark::PrintDefaultHelp();
}

} // namespace

extern "C" {

void cb_gbench_init(int *argc, char **argv, void (*help)(void))
{
    g_help = help;
    benchmark::Initialize(argc, argv, Help);
}

int cb_gbench_report_unrecognized(int argc, char **argv)
{
    return benchmark::ReportUnrecognizedArguments(argc, argv) ? 1 : 0;
}

int cb_gbench_register(const cb_gbench_def *def)
{
    try {
        const Def d{def->name, def->body,  def->arg, def->flops, def->bytes, def->peak_gflops,
                    def->skip != nullptr, def->skip ? def->skip : ""};
        benchmark::RegisterBenchmark(d.name.c_str(), [d](benchmark::State &s) { Run(s, d); });
        return 0;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "cannot register benchmark %s: %s\n", def->name, e.what());
        return -1;
    }
}

void cb_gbench_context(const char *key, const char *value)
{
    benchmark::AddCustomContext(key, value);
}

size_t cb_gbench_run(void)
{
    try {
        return benchmark::RunSpecifiedBenchmarks();
    } catch (const std::exception &e) {
        std::fprintf(stderr, "benchmark run failed: %s\n", e.what());
        return 0;
    }
}

void cb_gbench_shutdown(void)
{
    benchmark::Shutdown();
}

} // extern "C"
