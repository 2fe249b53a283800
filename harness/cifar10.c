/* cifar10.c — CIFAR-10 loading (official binary format), validation, and the synthetic default.
   See cifar10.h for the contract. */
#define _POSIX_C_SOURCE 200809L /* stat */

#include "cifar10.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cb_atomic_file.h"
#include "cb_paths.h"
#include "rng.h"

enum { N_TRAIN_FILES = 5, N_FILES = 6, PLANE = CB_CIFAR_H * CB_CIFAR_W };

static const char *const file_names[N_FILES] = {
    "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
    "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin",
};

static const char *const standard_names[CB_CIFAR_CLASSES] = {
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
};

/* snprintf into a caller's buffer that may be NULL or empty; always NUL-terminated. */
static void set_msg(char *buf, size_t len, const char *fmt, ...)
{
    if (!buf || len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

static void copy_str(char *dst, size_t len, const char *src)
{
    set_msg(dst, len, "%s", src);
}

static void set_standard_names(cb_cifar10 *d)
{
    for (int k = 0; k < CB_CIFAR_CLASSES; k++)
        copy_str(d->class_names[k], sizeof d->class_names[k], standard_names[k]);
}

void cb_cifar10_free(cb_cifar10 *d)
{
    if (!d)
        return;
    free(d->train.pixels);
    free(d->train.labels);
    free(d->train.targets);
    free(d->test.pixels);
    free(d->test.labels);
    free(d->test.targets);
    memset(d, 0, sizeof *d);
}

/* Joins dir and name with one '/'; returns 0, or -1 when the result does not fit. */
static int join_path(char *out, size_t len, const char *dir, const char *name)
{
    const size_t dl = strlen(dir);
    const char *sep = (dl > 0 && dir[dl - 1] == '/') ? "" : "/";
    const int n = snprintf(out, len, "%s%s%s", dir, sep, name);
    return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

/* Class names from batches.meta.txt: the first 10 non-empty lines, trimmed. Falls back to the
   standard names when the file is absent, unreadable, too large or has fewer than 10 names. */
static void read_class_names(const char *dir, cb_cifar10 *d)
{
    set_standard_names(d);
    char path[4200];
    if (join_path(path, sizeof path, dir, "batches.meta.txt") != 0)
        return;
    /* Not fopen: a FIFO there would block the open; only a regular file is read. */
    char why[4400];
    FILE *f = cb_open_input_file(path, NULL, why, sizeof why);
    if (!f)
        return;
    char text[8192];
    const size_t n = fread(text, 1, sizeof text - 1, f);
    const int too_big = !feof(f) && fgetc(f) != EOF;
    fclose(f);
    if (too_big)
        return;
    text[n] = '\0';

    char names[CB_CIFAR_CLASSES][32];
    int found = 0;
    size_t i = 0;
    while (i < n && found < CB_CIFAR_CLASSES) {
        size_t end = i;
        while (end < n && text[end] != '\n')
            end++;
        size_t a = i, b = end;
        while (a < b && (text[a] == ' ' || text[a] == '\t' || text[a] == '\r' || text[a] == '\0'))
            a++;
        while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t' || text[b - 1] == '\r' ||
                         text[b - 1] == '\0'))
            b--;
        if (b > a) {
            size_t len = b - a;
            if (len > sizeof names[0] - 1)
                len = sizeof names[0] - 1;
            for (size_t k = 0; k < len; k++) {
                const unsigned char c = (unsigned char)text[a + k];
                names[found][k] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
            }
            names[found][len] = '\0';
            found++;
        }
        i = end + 1;
    }
    if (found == CB_CIFAR_CLASSES)
        memcpy(d->class_names, names, sizeof names);
}

int cb_cifar10_load_dir(const char *dir, int records_per_file, cb_cifar10 *out, char *err, size_t errlen)
{
    set_msg(err, errlen, "%s", "");
    if (!out) {
        set_msg(err, errlen, "cb_cifar10_load_dir: no output object");
        return -1;
    }
    memset(out, 0, sizeof *out);
    if (!dir || !dir[0]) {
        set_msg(err, errlen, "CIFAR-10 directory: empty path");
        return -1;
    }
    if (records_per_file < 0) {
        set_msg(err, errlen, "%s: invalid records_per_file %d", dir, records_per_file);
        return -1;
    }
    if (strlen(dir) >= sizeof out->source) {
        set_msg(err, errlen, "CIFAR-10 directory path too long (%zu bytes; the limit is %zu)",
                strlen(dir), sizeof out->source - 1);
        return -1;
    }

    struct stat dst;
    if (stat(dir, &dst) == 0 && !S_ISDIR(dst.st_mode)) {
        set_msg(err, errlen, "%s: not a directory (a CIFAR-10 set is a directory of batch files)",
                dir);
        return -1;
    }

    FILE *files[N_FILES] = {0};
    long long records[N_FILES] = {0};
    char path[N_FILES][4200];
    uint8_t *buf = NULL;
    int rc = -1;
    const unsigned long long rec_bytes = CB_CIFAR_RECORD_BYTES;

    /* 1. Open every file and check its size, before allocating anything big. */
    long long train_records = 0, test_records = 0;
    unsigned long long max_bytes = 0;
    for (int f = 0; f < N_FILES; f++) {
        if (join_path(path[f], sizeof path[f], dir, file_names[f]) != 0) {
            set_msg(err, errlen, "%s/%s: path too long", dir, file_names[f]);
            goto done;
        }
        /* Opened without blocking and checked with fstat before a byte is read: a FIFO, a
           device (a link to /dev/zero) or a directory is refused at once. */
        long long file_size = 0;
        char why[4400];
        files[f] = cb_open_input_file(path[f], &file_size, why, sizeof why);
        if (!files[f]) {
            set_msg(err, errlen, "%s", why);
            goto done;
        }
        const unsigned long long size = (unsigned long long)file_size;
        const unsigned long long whole = size / rec_bytes, rest = size % rec_bytes;
        if (records_per_file > 0) {
            const unsigned long long expect = (unsigned long long)records_per_file * rec_bytes;
            if (rest != 0) {
                set_msg(err, errlen,
                        "%s: truncated record: size %llu bytes is not a multiple of %llu "
                        "(%llu whole records + %llu bytes); expected %llu bytes (%d records)",
                        path[f], size, rec_bytes, whole, rest, expect, records_per_file);
                goto done;
            }
            if (size != expect) {
                set_msg(err, errlen,
                        "%s: wrong size: expected %llu bytes (%d records of %llu), got %llu bytes "
                        "(%llu records)",
                        path[f], expect, records_per_file, rec_bytes, size, whole);
                goto done;
            }
        } else {
            if (size == 0) {
                set_msg(err, errlen, "%s: wrong size: empty file (0 bytes); expected at least one "
                        "record of %llu bytes", path[f], rec_bytes);
                goto done;
            }
            if (rest != 0) {
                set_msg(err, errlen,
                        "%s: truncated record: size %llu bytes is not a multiple of %llu "
                        "(%llu whole records + %llu bytes)",
                        path[f], size, rec_bytes, whole, rest);
                goto done;
            }
        }
        if (whole > (unsigned long long)INT_MAX) {
            set_msg(err, errlen, "%s: too many records (%llu)", path[f], whole);
            goto done;
        }
        records[f] = (long long)whole;
        if (f < N_TRAIN_FILES)
            train_records += records[f];
        else
            test_records += records[f];
        if (size > max_bytes)
            max_bytes = size;
    }
    if (train_records > INT_MAX || test_records > INT_MAX ||
        (unsigned long long)train_records > SIZE_MAX / CB_CIFAR_PIXELS ||
        max_bytes > (unsigned long long)SIZE_MAX) {
        set_msg(err, errlen, "%s: too many images (%lld train, %lld test)", dir, train_records,
                test_records);
        goto done;
    }

    /* 2. Allocate the sets and one read buffer the size of the largest file. */
    out->train.count = (int)train_records;
    out->test.count = (int)test_records;
    out->train.pixels = malloc((size_t)train_records * CB_CIFAR_PIXELS);
    out->train.labels = malloc((size_t)train_records * sizeof(int32_t));
    out->test.pixels = malloc((size_t)test_records * CB_CIFAR_PIXELS);
    out->test.labels = malloc((size_t)test_records * sizeof(int32_t));
    buf = malloc((size_t)max_bytes);
    if (!out->train.pixels || !out->train.labels || !out->test.pixels || !out->test.labels || !buf) {
        set_msg(err, errlen, "%s: out of memory loading %lld + %lld images (%.1f MB)", dir,
                train_records, test_records,
                (double)(train_records + test_records) * (CB_CIFAR_PIXELS + 4) / 1e6 +
                    (double)max_bytes / 1e6);
        goto done;
    }

    /* 3. Read each file whole, validate its labels, transpose CHW -> HWC. */
    long long base = 0;
    for (int f = 0; f < N_FILES; f++) {
        if (f == N_TRAIN_FILES)
            base = 0;
        cb_dataset *set = f < N_TRAIN_FILES ? &out->train : &out->test;
        const size_t bytes = (size_t)records[f] * CB_CIFAR_RECORD_BYTES;
        const size_t got = fread(buf, 1, bytes, files[f]);
        if (got != bytes) {
            set_msg(err, errlen, "%s: read error after %zu of %zu bytes%s%s", path[f], got, bytes,
                    ferror(files[f]) ? ": " : " (file shrank while reading)",
                    ferror(files[f]) ? strerror(errno) : "");
            goto done;
        }
        if (fgetc(files[f]) != EOF) {
            set_msg(err, errlen, "%s: wrong size: file grew while reading (expected %zu bytes)",
                    path[f], bytes);
            goto done;
        }
        for (long long r = 0; r < records[f]; r++) {
            const uint8_t *rec = buf + (size_t)r * CB_CIFAR_RECORD_BYTES;
            if (rec[0] >= CB_CIFAR_CLASSES) {
                set_msg(err, errlen, "%s: record %lld (0-based, byte offset %llu) has label %d, "
                        "outside 0-9", path[f], r, (unsigned long long)r * rec_bytes, (int)rec[0]);
                goto done;
            }
            const size_t i = (size_t)(base + r);
            set->labels[i] = rec[0];
            const uint8_t *red = rec + 1, *green = red + PLANE, *blue = green + PLANE;
            uint8_t *dst = set->pixels + i * CB_CIFAR_PIXELS;
            for (int p = 0; p < PLANE; p++) {
                dst[3 * p + 0] = red[p];
                dst[3 * p + 1] = green[p];
                dst[3 * p + 2] = blue[p];
            }
        }
        base += records[f];
    }

    out->kind = CB_DATA_FILES;
    copy_str(out->source, sizeof out->source, dir);
    read_class_names(dir, out);
    rc = 0;

done:
    for (int f = 0; f < N_FILES; f++)
        if (files[f])
            fclose(files[f]);
    free(buf);
    if (rc != 0)
        cb_cifar10_free(out);
    return rc;
}

/* ---- synthetic set ------------------------------------------------------------------------ */

/* Per class: mean colour (R, G, B), stripe direction (dx, dy) and stripe period. The colours are
   loosely those of the class (sky-blue airplanes, green frogs...), the ten directions differ. */
static const struct {
    int r, g, b, dx, dy, period;
} synth_class[CB_CIFAR_CLASSES] = {
    {120, 160, 210, 1, 0, 6},   /* airplane */
    {190, 60, 60, 0, 1, 5},     /* automobile */
    {140, 130, 80, 1, 1, 7},    /* bird */
    {200, 140, 90, 1, -1, 6},   /* cat */
    {150, 110, 70, 2, 1, 8},    /* deer */
    {130, 120, 110, 1, 2, 5},   /* dog */
    {80, 150, 70, 2, -1, 7},    /* frog */
    {110, 75, 50, 1, -2, 6},    /* horse */
    {60, 90, 150, 3, 1, 8},     /* ship */
    {170, 170, 175, 1, 3, 7},   /* truck */
};

/* Tuned so that the reference CNN shows a learning curve rather than 100% at once: about 79% test
   accuracy after one epoch of 50,000 and 81% after three (the decoys cap any model near 82%),
   about 67% after 256 steps of 32 on 2048 images (tests/test_training.c wants > 50%); the nearest
   class-mean colour alone gets about 50%. */
enum {
    SYN_STRIPE_AMP = 40, /* stripe contrast: +-40 levels */
    SYN_JITTER = 48,     /* per-image colour shift: +-48 levels per channel */
    SYN_NOISE_SHIFT = 3, /* per-pixel noise: (byte >> 3) - 16, i.e. -16..15 */
    SYN_DECOY = 20,      /* percent of images whose colour (and, independently, stripes) come
                            from a random class */
};

static void synth_set(cb_dataset *set, uint64_t seed)
{
    cb_rng rng;
    cb_rng_seed(&rng, seed);
    for (int i = 0; i < set->count; i++)
        set->labels[i] = i % CB_CIFAR_CLASSES;
    cb_rng_shuffle_i32(&rng, set->labels, set->count);

    for (int i = 0; i < set->count; i++) {
        /* Colour and stripes each come from the image's class, or with probability
           SYN_DECOY % from a random class (decoys), so the two cues sometimes disagree. */
        const int c = set->labels[i];
        const int cc = cb_rng_below(&rng, 100) < SYN_DECOY ? (int)cb_rng_below(&rng, 10) : c;
        const int sc = cb_rng_below(&rng, 100) < SYN_DECOY ? (int)cb_rng_below(&rng, 10) : c;
        const int dx = synth_class[sc].dx, dy = synth_class[sc].dy, period = synth_class[sc].period;
        const int phase = (int)cb_rng_below(&rng, (uint32_t)period);
        const int base[3] = {
            synth_class[cc].r + (int)cb_rng_below(&rng, 2 * SYN_JITTER + 1) - SYN_JITTER,
            synth_class[cc].g + (int)cb_rng_below(&rng, 2 * SYN_JITTER + 1) - SYN_JITTER,
            synth_class[cc].b + (int)cb_rng_below(&rng, 2 * SYN_JITTER + 1) - SYN_JITTER,
        };
        /* A neutral (class-independent) square that hides part of the pattern. */
        const int side = 6 + (int)cb_rng_below(&rng, 9);
        const int sx = (int)cb_rng_below(&rng, (uint32_t)(CB_CIFAR_W - side + 1));
        const int sy = (int)cb_rng_below(&rng, (uint32_t)(CB_CIFAR_H - side + 1));
        const int grey = 40 + (int)cb_rng_below(&rng, 176);

        /* Stripe profile: a triangle wave over t = (dx*x + dy*y + phase) mod period, in
           [-AMP, AMP], added to the image's colour; precomputed per residue and channel. */
        int16_t stripe[8][3];
        for (int t = 0; t < period; t++) {
            const int tri = abs(2 * t - period); /* 0..period */
            const int wave = (2 * tri - period) * SYN_STRIPE_AMP / period;
            for (int ch = 0; ch < 3; ch++)
                stripe[t][ch] = (int16_t)(base[ch] + wave);
        }
        /* dx*x + dy*y >= -2*31 = -62; adding 16*period (>= 80) keeps the % operand non-negative. */
        const int offset = 16 * period + phase;

        uint8_t *px = set->pixels + (size_t)i * CB_CIFAR_PIXELS;
        for (int y = 0; y < CB_CIFAR_H; y++) {
            /* One row: colour + stripes, the square over it, then noise and clamping. */
            int16_t row[CB_CIFAR_W * 3];
            int t = (dy * y + offset) % period; /* = (dx*x + dy*y + offset) % period at x = 0 */
            for (int x = 0; x < CB_CIFAR_W; x++) {
                row[3 * x + 0] = stripe[t][0];
                row[3 * x + 1] = stripe[t][1];
                row[3 * x + 2] = stripe[t][2];
                t += dx; /* 0 <= dx < period */
                if (t >= period)
                    t -= period;
            }
            if (y >= sy && y < sy + side)
                for (int k = 3 * sx; k < 3 * (sx + side); k++)
                    row[k] = (int16_t)grey;
            /* Per-pixel noise, 8 bytes per draw, taken out by shifts so the bytes do not
               depend on the machine's endianness: (byte >> 3) - 16, i.e. -16..15. */
            uint8_t noise[CB_CIFAR_W * 3];
            for (int k = 0; k < CB_CIFAR_W * 3; k += 8) {
                const uint64_t bits = cb_rng_u64(&rng);
                for (int b = 0; b < 8; b++)
                    noise[k + b] = (uint8_t)(bits >> (8 * b));
            }
            for (int k = 0; k < CB_CIFAR_W * 3; k++) {
                int v = row[k] + (noise[k] >> SYN_NOISE_SHIFT) - (128 >> SYN_NOISE_SHIFT);
                v = v < 0 ? 0 : v;
                v = v > 255 ? 255 : v;
                px[k] = (uint8_t)v;
            }
            px += CB_CIFAR_W * 3;
        }
    }
}

void cb_cifar10_synthetic(int train_count, int test_count, uint64_t seed, cb_cifar10 *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    if (train_count < 0)
        train_count = 0;
    if (test_count < 0)
        test_count = 0;
    out->train.count = train_count;
    out->test.count = test_count;
    /* malloc(0) may return NULL: allocate at least one element so NULL always means failure. */
    out->train.pixels = malloc((size_t)(train_count ? train_count : 1) * CB_CIFAR_PIXELS);
    out->train.labels = malloc((size_t)(train_count ? train_count : 1) * sizeof(int32_t));
    out->test.pixels = malloc((size_t)(test_count ? test_count : 1) * CB_CIFAR_PIXELS);
    out->test.labels = malloc((size_t)(test_count ? test_count : 1) * sizeof(int32_t));
    if (!out->train.pixels || !out->train.labels || !out->test.pixels || !out->test.labels) {
        fprintf(stderr, "cifarbench: out of memory generating a synthetic set of %d + %d images\n",
                train_count, test_count);
        cb_cifar10_free(out);
        return;
    }
    /* Independent streams: the training set depends only on (train_count, seed), the test set
       only on (test_count, seed). */
    uint64_t s = seed;
    const uint64_t train_seed = cb_splitmix64(&s);
    const uint64_t test_seed = cb_splitmix64(&s) ^ 0x7e57da7a7e57da7aULL;
    synth_set(&out->train, train_seed);
    synth_set(&out->test, test_seed);
    out->kind = CB_DATA_SYNTHETIC;
    set_standard_names(out);
    set_msg(out->source, sizeof out->source,
            "synthetic CIFAR-shaped set: %d train + %d test images, 10 classes, seed %llu",
            train_count, test_count, (unsigned long long)seed);
}

/* ---- choosing the source ------------------------------------------------------------------ */

static bool is_directory(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int cb_cifar10_open(const char *cli_dir, cb_cifar10 *out, char *note, size_t notelen, char *err, size_t errlen)
{
    set_msg(note, notelen, "%s", "");
    set_msg(err, errlen, "%s", "");
    if (!out) {
        set_msg(err, errlen, "cb_cifar10_open: no output object");
        return -1;
    }
    char msg[8400];
    const char *dir = NULL, *why = NULL;
    if (cli_dir) {
        dir = cli_dir;
        why = "--data";
    } else {
        const char *env = getenv("CIFARBENCH_DATA");
        if (env && env[0]) {
            dir = env;
            why = "CIFARBENCH_DATA";
        }
    }
    char shipped[4096];
    if (!dir) {
        const bool located = cb_data_path("cifar-10-batches-bin", shipped, sizeof shipped) == 0;
        if (located && is_directory(shipped)) {
            dir = shipped;
            why = "default location";
        } else {
            cb_cifar10_synthetic(CB_SYNTHETIC_TRAIN, CB_SYNTHETIC_TEST, CB_SYNTHETIC_SEED, out);
            if (out->train.count != CB_SYNTHETIC_TRAIN || out->test.count != CB_SYNTHETIC_TEST) {
                set_msg(err, errlen, "out of memory generating the synthetic data set");
                return -1;
            }
            set_msg(note, notelen,
                    "no CIFAR-10 found (no --data, CIFARBENCH_DATA unset, no directory %s): using "
                    "a synthetic CIFAR-shaped set of %d+%d images, seed %u",
                    located ? shipped : "<dir of cifarbench>/../share/cifarbench/cifar-10-batches-bin",
                    CB_SYNTHETIC_TRAIN, CB_SYNTHETIC_TEST, (unsigned)CB_SYNTHETIC_SEED);
            return 0;
        }
    }
    if (!dir[0]) {
        memset(out, 0, sizeof *out);
        set_msg(err, errlen, "an empty CIFAR-10 directory name was given (%s)", why);
        return -1;
    }
    if (cb_cifar10_load_dir(dir, CB_CIFAR_OFFICIAL_RECORDS, out, msg, sizeof msg) != 0) {
        set_msg(err, errlen, "cannot use the CIFAR-10 data in %s (%s): %s", dir, why, msg);
        return -1;
    }
    set_msg(note, notelen, "CIFAR-10 from %s (%s): %d train + %d test images", dir, why,
            out->train.count, out->test.count);
    return 0;
}

/* ---- batches ------------------------------------------------------------------------------ */

void cb_dataset_gather_span(const cb_dataset *d, int32_t i, size_t lo, size_t hi, float *x,
                            cb_pixels_to_float_fn *to_float)
{
    assert(i >= 0 && i < d->count && lo <= hi && hi <= CB_CIFAR_PIXELS);
    to_float(hi - lo, d->pixels + (size_t)i * CB_CIFAR_PIXELS + lo, x + lo);
}

void cb_dataset_gather(const cb_dataset *d, const int32_t *idx, int n, float *x, int32_t *labels,
                       cb_pixels_to_float_fn *to_float)
{
    for (int k = 0; k < n; k++) {
        cb_dataset_gather_span(d, idx[k], 0, CB_CIFAR_PIXELS, x + (size_t)k * CB_CIFAR_PIXELS,
                               to_float);
        if (labels)
            labels[k] = d->labels[idx[k]];
    }
}

void cb_dataset_prefetch(const cb_dataset *d, int32_t i)
{
    const char *src = (const char *)(d->pixels + (size_t)i * CB_CIFAR_PIXELS);
    for (int off = 0; off < CB_CIFAR_PIXELS; off += 64)
        __builtin_prefetch(src + off, 0, 1);
}

void cb_dataset_gather_targets(const cb_dataset *d, const int32_t *idx, int n, float *targets)
{
    const size_t w = (size_t)d->target_width;
    for (int k = 0; k < n; k++)
        memcpy(targets + (size_t)k * w, d->targets + (size_t)idx[k] * w, w * sizeof *targets);
}
