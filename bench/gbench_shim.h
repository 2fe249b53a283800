/*
 * gbench_shim.h - Google Benchmark for C: register, describe and run benchmarks whose bodies are
 * C functions. Implemented in gbench_shim.cc, the project's only C++ file.
 *
 * A body runs the measured work `iters` times in a loop of its own:
 *
 *   static void body(void *arg, int64_t iters)
 *   {
 *       for (int64_t i = 0; i < iters; i++)
 *           kernel(arg...);
 *   }
 *
 * The shim calls it once per timed run with exactly the iteration count Google Benchmark asked
 * for, so the only overhead per iteration is the body's own loop.
 *
 * Counters, per second of the benchmark thread's CPU time (Google Benchmark's default clock; the
 * benchmarks are single-threaded, so this is wall time minus preemption):
 *   FLOPS             flops * iterations / seconds      (console: e.g. "12.3G/s")
 *   bytes_per_second  bytes * iterations / seconds      (as State::SetBytesProcessed, 1024-based)
 *   pct_of_peak       FLOPS as a percentage of peak_gflops (a plain number, not a rate)
 *
 * Typical use:
 *   cb_gbench_init(&argc, argv, my_help);              // parses and removes --benchmark_* flags
 *   if (cb_gbench_report_unrecognized(argc, argv)) return 1;
 *   cb_gbench_register(&(cb_gbench_def){.name = "x/avx2", .body = body, .arg = a, .flops = f});
 *   cb_gbench_context("cpu_model", "...");
 *   size_t ran = cb_gbench_run();
 *   cb_gbench_shutdown();
 */
#ifndef CB_GBENCH_SHIM_H
#define CB_GBENCH_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef void cb_gbench_body_fn(void *arg, int64_t iters);

typedef struct cb_gbench_def {
    const char *name;        /* copied */
    cb_gbench_body_fn *body; /* not called when skip is set */
    void *arg;               /* passed to body; must live until cb_gbench_run returns */
    double flops;            /* per iteration; > 0 adds the FLOPS counter */
    double bytes;            /* per iteration; > 0 adds bytes_per_second */
    double peak_gflops;      /* > 0 (with flops > 0) adds pct_of_peak */
    const char *skip;        /* non-NULL: registered, but reported as SkipWithError(skip); copied */
} cb_gbench_def;

/* Parses and removes the --benchmark_* flags. --help prints help() (may be NULL), then Google
 * Benchmark's own flag list, and exits 0. */
void cb_gbench_init(int *argc, char **argv, void (*help)(void));

/* Prints every argument left after cb_gbench_init as unrecognized; returns 1 if there was one. */
int cb_gbench_report_unrecognized(int argc, char **argv);

/* Registers one benchmark. Returns 0, or -1 (with a message on stderr) when registration failed. */
int cb_gbench_register(const cb_gbench_def *def);

/* Adds key: value to the "context" of the console and JSON reports. */
void cb_gbench_context(const char *key, const char *value);

/* Runs the benchmarks that match --benchmark_filter; returns how many matched. */
size_t cb_gbench_run(void);

void cb_gbench_shutdown(void);

#ifdef __cplusplus
}
#endif

#endif /* CB_GBENCH_SHIM_H */
