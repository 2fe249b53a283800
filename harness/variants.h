/*
 * variants.h - a kernel table mixed from several ISAs: which ISA runs each kernel.
 *
 * `cifarbench tune` times every ISA's version of every kernel on this CPU and writes the fastest
 * choice per kernel as a variant file; `train --variants FILE` runs with it. The file is text:
 *
 *   # cifarbench variants 2          <- required first line (format version)
 *   # any other line starting with # is a comment
 *   conv2d_fwd avx512               <- one line per kernel: name, ISA
 *   ...
 *
 * Every kernel of the registry (cb_registry.h) must appear exactly once, under its registry name.
 * Lines are read whole however long (a long comment stays one comment); blank lines are skipped.
 * The file must be a regular one: a FIFO, a device or a directory is refused before it is read.
 * Version 1 files (older kernel names) are refused with a request to run tune again.
 */
#ifndef CB_VARIANTS_H
#define CB_VARIANTS_H

#include <stddef.h>

#include "cb_dispatch.h"

typedef struct cb_variants {
    cb_isa isa[CB_KERNEL_COUNT]; /* per kernel, in the registry's order (cb_registry.h) */
} cb_variants;

/* Every kernel from one ISA. */
void cb_variants_uniform(cb_variants *v, cb_isa isa);

/* The table that runs kernel k with v->isa[k]'s version. Every ISA in v must be compiled. */
cb_kernel_table cb_variants_table(const cb_variants *v);

/* Reads a variant file. Returns 0, or -1 with the reason in err (file, line and problem: unknown
 * kernel or ISA, a kernel missing or twice, an ISA this CPU or build cannot run). */
int cb_variants_load(const char *path, cb_variants *v, char *err, size_t errlen);

/* The file's text for v, with `comment` (may be NULL; may hold several lines) after the header. */
int cb_variants_format(const cb_variants *v, const char *comment, char *buf, size_t len);

/* "mixed" or the one ISA's name when all kernels use the same. */
const char *cb_variants_summary(const cb_variants *v);

#endif /* CB_VARIANTS_H */
