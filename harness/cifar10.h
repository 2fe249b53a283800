/* cifar10.h — the CIFAR-10 data set: loading the official binary files, validating them, and a
 * deterministic CIFAR-shaped synthetic set for machines without the files.
 *
 * File format (the official "binary version"): data_batch_1.bin .. data_batch_5.bin (training) and
 * test_batch.bin (test), each a sequence of 3073-byte records: one label byte (0-9), then 1024 red,
 * 1024 green and 1024 blue bytes, each plane row-major 32x32 (planar CHW). The official files hold
 * 10,000 records each. batches.meta.txt, when present, names the classes in label order, one a line.
 *
 * In memory the images are channels-last (HWC): pixels[((i * 32 + y) * 32 + x) * 3 + c], the layout
 * the kernels take; the transposition from the file's CHW happens once, at load.
 *
 * Ownership: a cb_cifar10 owns its four arrays; cb_cifar10_free releases them. The functions that
 * fill one overwrite *out without freeing what it held, and leave it zeroed (safe to free) when they
 * fail. Nothing here keeps global state; none of it is thread-safe on the same object.
 */
#ifndef CB_CIFAR10_H
#define CB_CIFAR10_H

#include <stddef.h>
#include <stdint.h>

#include "cb_kernels.h"

#define CB_CIFAR_H 32
#define CB_CIFAR_W 32
#define CB_CIFAR_C 3
#define CB_CIFAR_PIXELS (32 * 32 * 3)          /* bytes (and floats) per image: 3072 */
#define CB_CIFAR_CLASSES 10
#define CB_CIFAR_RECORD_BYTES (1 + CB_CIFAR_PIXELS) /* one file record: 3073 */
#define CB_CIFAR_OFFICIAL_RECORDS 10000         /* records in each official file */

typedef struct cb_dataset {
    int count;       /* images */
    uint8_t *pixels; /* [count][32][32][3], channels-last (HWC), transposed from the file's planar CHW at load */
    int32_t *labels; /* [count], 0..9 (the task's class; see tasks.h) */
    float *targets;  /* [count][target_width] for sigmoid-output tasks (tasks.h), else NULL */
    int target_width;
} cb_dataset;

typedef enum { CB_DATA_FILES, CB_DATA_SYNTHETIC } cb_data_kind;

typedef struct cb_cifar10 {
    cb_dataset train, test;
    cb_data_kind kind;
    char source[4096];        /* the directory read, or a description of the synthetic set */
    char class_names[10][32]; /* from batches.meta.txt when present, else the standard names */
} cb_cifar10;

/* Reads data_batch_1..5.bin (train, in that order) and test_batch.bin (test) from dir.
 *
 * records_per_file: the exact number of records each file must hold (10000 for the official set;
 * tests pass small numbers); 0 accepts any whole number >= 1 per file. Negative is an error.
 *
 * Every file is checked before anything is allocated for the images (it must be a regular, readable
 * file of the right size), then read whole with fread and validated record by record. Files are
 * opened with cb_open_input_file (cb_atomic_file.h): a FIFO, a device (a link to /dev/zero) or a
 * directory in a file's place is refused before anything is read, and never blocks.
 * Class names come from batches.meta.txt when it is a regular file of at most 8 KiB holding at
 * least 10 non-empty lines (the first 10 are taken, trimmed, cut to 31 characters); otherwise, or
 * when it is absent (or a FIFO, a device...), the standard names.
 *
 * Returns 0 on success (out->kind = CB_DATA_FILES, out->source = dir). On error returns -1, leaves
 * *out zeroed, frees everything it allocated, and writes into err (when err != NULL and errlen > 0;
 * always NUL-terminated, truncated to fit) one line naming the file and the problem:
 *   - missing or unreadable file, or not a regular file (naming what it is: a FIFO, a device...);
 *   - wrong size, with the expected and the actual byte counts;
 *   - truncated record: a size that is not a multiple of 3073 bytes;
 *   - label outside 0-9, with the record number (0-based, within that file) and the value;
 *   - out of memory, a too-long path, or more than INT_MAX images in total. */
int cb_cifar10_load_dir(const char *dir, int records_per_file, cb_cifar10 *out, char *err, size_t errlen);

/* A deterministic CIFAR-shaped synthetic set: train_count training and test_count test images
 * (negative counts are taken as 0), 10 classes, the standard class names, kind CB_DATA_SYNTHETIC and a
 * description in out->source.
 *
 * Each class has its own mean colour and its own oriented stripe pattern (direction and period).
 * Every image adds a random colour shift, a random stripe phase, a randomly placed neutral square
 * and per-pixel noise; and in a fifth of the images the colour (independently, the stripes) is
 * taken from a random class, so the cues sometimes mislead. The reference CNN shows a learning
 * curve on it rather than 100% at once (test accuracy about 79% after one epoch, 81% after three,
 * capped near 82% by the decoys; on the real set 45% and 52%); the mean colour alone gives about
 * 50%. Labels are balanced (class counts differ by at most one; exactly count/10 when count is a
 * multiple of 10) and in random order.
 *
 * Only integer arithmetic and rng.h are used, so the same (counts, seed) gives the same bytes on
 * every machine. The training set depends only on (train_count, seed), the test set only on
 * (test_count, seed); different seeds give different sets. About 0.3 s for 50,000 + 10,000.
 *
 * On allocation failure it prints a message to stderr and leaves *out zeroed (train.count and
 * test.count 0) — callers that must know check the counts. */
void cb_cifar10_synthetic(int train_count, int test_count, uint64_t seed, cb_cifar10 *out);

/* The seed of the synthetic set cb_cifar10_open falls back to, and its size. */
#define CB_SYNTHETIC_SEED 20240601u
#define CB_SYNTHETIC_TRAIN 50000
#define CB_SYNTHETIC_TEST 10000

/* Chooses where the data comes from and loads it, in this order:
 *   1. cli_dir (from --data) when non-NULL;
 *   2. else the environment variable CIFARBENCH_DATA when set and non-empty;
 *   3. else cb_data_path("cifar-10-batches-bin") (cb_paths.h: <dir of the executable>/../share/
 *      cifarbench/cifar-10-batches-bin; in the build tree a link to ../shared/cifar10/...) when it
 *      is a directory;
 *   4. else the synthetic set: CB_SYNTHETIC_TRAIN + CB_SYNTHETIC_TEST images, seed CB_SYNTHETIC_SEED.
 * Directories are loaded with cb_cifar10_load_dir(dir, 10000, ...): the official file sizes.
 * A directory named explicitly (1 or 2) that fails to load is an error, never a silent fallback;
 * so is a default directory (3) that exists but fails to load.
 *
 * Returns 0 and writes a one-line description of the choice into note (e.g. "CIFAR-10 from DIR
 * (default location)", or "no CIFAR-10 found (..., no directory PATH): using a synthetic
 * CIFAR-shaped set of 50000+10000 images, seed ..."); or -1 with the reason in err (which names the source: --data,
 * CIFARBENCH_DATA or the default location). note and err may be NULL. */
int cb_cifar10_open(const char *cli_dir, cb_cifar10 *out, char *note, size_t notelen, char *err, size_t errlen);

/* Releases the arrays of d and zeroes it; safe on a zeroed or already freed object and on NULL. */
void cb_cifar10_free(cb_cifar10 *d);

/* Converts images idx[0..n-1] of d to float NHWC x[n][32][32][3], each byte value / 255.0f, with
 * to_float, one call per image (the registry's pixels_to_float of the run's kernel table, e.g.
 * cb_kernel_table_for(CB_ISA_SCALAR)->pixels_to_float), and copies their labels to labels[0..n-1]
 * (labels may be NULL). The indices must lie in [0, d->count). */
void cb_dataset_gather(const cb_dataset *d, const int32_t *idx, int n, float *x, int32_t *labels,
                       cb_pixels_to_float_fn *to_float);

/* Floats [lo, hi) of image i's [32][32][3] input into x[lo, hi) (x: the image's first float), by
 * to_float as cb_dataset_gather: a band of an image's rows, without its label. */
void cb_dataset_gather_span(const cb_dataset *d, int32_t i, size_t lo, size_t hi, float *x,
                            cb_pixels_to_float_fn *to_float);

/* Starts fetching image i's pixels into the caches (no wait): the step asks for the next image's
 * while it trains this one, so that the gather finds them there rather than in DRAM. */
void cb_dataset_prefetch(const cb_dataset *d, int32_t i);

/* Copies the targets of images idx[0..n-1] to targets[n][d->target_width] (d->targets non-NULL). */
void cb_dataset_gather_targets(const cb_dataset *d, const int32_t *idx, int n, float *targets);

#endif /* CB_CIFAR10_H */
