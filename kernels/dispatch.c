/*
 * dispatch.c - CPU feature detection and the choice of kernel table.
 *
 * Compiled for baseline x86-64. AVX2 needs CPUID.7.0:EBX AVX2 plus CPUID.1:ECX FMA, OSXSAVE and
 * XCR0 bits 1-2 (SSE, YMM state); AVX-512 needs F, BW, DQ, VL and XCR0 bits 5-7 as well
 * (opmask, upper ZMM, ZMM16-31), i.e. (xcr0 & 0xe6) == 0xe6.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cb_kernel_impl.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static uint64_t read_xcr0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static cb_cpu_features detect(void)
{
    cb_cpu_features f;
    memset(&f, 0, sizeof f);
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return f;
    bool osxsave = (c >> 27) & 1;
    f.fma = (c >> 12) & 1;
    if (osxsave) {
        uint64_t xcr0 = read_xcr0();
        f.os_ymm = (xcr0 & 0x6) == 0x6;
        f.os_zmm = (xcr0 & 0xe6) == 0xe6;
    }
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        f.avx2 = (b >> 5) & 1;
        f.avx512f = (b >> 16) & 1;
        f.avx512dq = (b >> 17) & 1;
        f.avx512bw = (b >> 30) & 1;
        f.avx512vl = (b >> 31) & 1;
    }
    return f;
}
#else
static cb_cpu_features detect(void)
{
    cb_cpu_features f;
    memset(&f, 0, sizeof f);
    return f;
}
#endif

const cb_cpu_features *cb_cpu_features_get(void)
{
    /* Detection is idempotent, so a race between two first callers only repeats the same work. */
    static cb_cpu_features features;
    static int detected;
    if (!__atomic_load_n(&detected, __ATOMIC_ACQUIRE)) {
        features = detect();
        __atomic_store_n(&detected, 1, __ATOMIC_RELEASE);
    }
    return &features;
}

static const char *const isa_names[CB_ISA_COUNT] = {"scalar", "avx2", "avx512"};

const char *cb_isa_name(cb_isa isa)
{
    return (unsigned)isa < CB_ISA_COUNT ? isa_names[isa] : "unknown";
}

bool cb_isa_parse(const char *name, cb_isa *isa, bool *is_auto)
{
    *is_auto = false;
    if (strcmp(name, "auto") == 0) {
        *is_auto = true;
        *isa = cb_isa_best();
        return true;
    }
    for (int i = 0; i < CB_ISA_COUNT; i++) {
        if (strcmp(name, isa_names[i]) == 0) {
            *isa = (cb_isa)i;
            return true;
        }
    }
    return false;
}

const cb_kernel_table *cb_kernel_table_for(cb_isa isa)
{
    switch (isa) {
    case CB_ISA_SCALAR:
        return &cb_kernel_table_scalar;
#ifdef CB_HAVE_AVX2
    case CB_ISA_AVX2:
        return &cb_kernel_table_avx2;
#endif
#ifdef CB_HAVE_AVX512
    case CB_ISA_AVX512:
        return &cb_kernel_table_avx512;
#endif
    default:
        return NULL;
    }
}

bool cb_isa_compiled(cb_isa isa)
{
    return cb_kernel_table_for(isa) != NULL;
}

/* CIFARBENCH_MAX_ISA caps what counts as supported, to see how cifarbench behaves on a CPU
 * without AVX-512 or AVX2 (as oneDNN's ONEDNN_MAX_CPU_ISA does). Unset or unknown: no cap. */
static cb_isa max_isa(void)
{
    const char *cap = getenv("CIFARBENCH_MAX_ISA");
    for (int i = 0; cap && i < CB_ISA_COUNT; i++)
        if (strcmp(cap, isa_names[i]) == 0)
            return (cb_isa)i;
    return (cb_isa)(CB_ISA_COUNT - 1);
}

bool cb_isa_supported(cb_isa isa)
{
    const cb_cpu_features *f = cb_cpu_features_get();
    if (!cb_isa_compiled(isa) || isa > max_isa())
        return false;
    switch (isa) {
    case CB_ISA_SCALAR:
        return true;
    case CB_ISA_AVX2:
        return f->avx2 && f->fma && f->os_ymm;
    case CB_ISA_AVX512:
        return f->avx512f && f->avx512bw && f->avx512dq && f->avx512vl && f->os_zmm;
    default:
        return false;
    }
}

cb_isa cb_isa_best(void)
{
    for (int i = CB_ISA_COUNT - 1; i > 0; i--)
        if (cb_isa_supported((cb_isa)i))
            return (cb_isa)i;
    return CB_ISA_SCALAR;
}
