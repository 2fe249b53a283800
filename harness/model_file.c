/* model_file.c - the model file: save and load a network's parameters (format in model_file.h). */
#include "model_file.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_atomic_file.h"
#include "tasks.h"

_Static_assert(sizeof(float) == sizeof(uint32_t), "the model file stores float32 values");

enum {
    TENSORS = 8,        /* tensors of the network */
    MAX_RANK = 8,       /* a larger rank in a file is a corrupt header */
    MAX_TENSORS = 64,   /* likewise a larger tensor count */
    HEADER_BYTES = 20,  /* magic, version, head, tensor count */
    CRC_BYTES = 4,
    LAST_NAMED_HEAD = CB_HEAD_SIGMOID_MSE, /* heads above have no name in messages, only a number */
};

/* Files are read whole; anything larger is not a model file of any plausible network. */
#define MAX_FILE_BYTES ((size_t)1 << 30)

static const char magic[8] = CB_MODEL_FILE_MAGIC;

static const char *const tensor_names[TENSORS] = {"conv1_w", "conv1_b", "conv2_w", "conv2_b",
                                                  "fc1_w",   "fc1_b",   "fc2_w",   "fc2_b"};

typedef struct shape {
    uint32_t rank;
    uint32_t dim[MAX_RANK];
} shape;

/* The network's tensor shapes, in slab order. */
static void network_shapes(const cb_model_config *cfg, shape s[TENSORS])
{
    const uint32_t K = (uint32_t)cfg->outputs, C = CB_CONV_C;
    const shape v[TENSORS] = {
        {4, {3, 3, CB_IN_C, C}}, {1, {C}}, {4, {3, 3, C, C}}, {1, {C}},
        {2, {CB_FLAT, CB_HIDDEN}}, {1, {CB_HIDDEN}}, {2, {CB_HIDDEN, K}}, {1, {K}},
    };
    memcpy(s, v, sizeof v);
}

static size_t shape_elements(const shape *s)
{
    size_t n = 1;
    for (uint32_t i = 0; i < s->rank; i++)
        n *= s->dim[i];
    return n;
}

static bool shape_equal(const shape *a, const shape *b)
{
    if (a->rank != b->rank)
        return false;
    for (uint32_t i = 0; i < a->rank; i++)
        if (a->dim[i] != b->dim[i])
            return false;
    return true;
}

/* "[32,10]" */
static void shape_text(const shape *s, char *buf, size_t len)
{
    size_t used = (size_t)snprintf(buf, len, "[");
    for (uint32_t i = 0; i < s->rank && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%u", i ? "," : "", s->dim[i]);
    if (used < len)
        snprintf(buf + used, len - used, "]");
}

uint32_t cb_crc32(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return crc ^ 0xFFFFFFFFu;
}

static unsigned char *put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
    return p + 4;
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t float_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float bits_float(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* The first non-finite value of the tensors (shapes s, in slab order) at v: 0, or -1 with its
 * tensor, its index in the tensor and the value. */
static int find_non_finite(const float *v, const shape s[TENSORS], int *tensor, size_t *index,
                           float *value)
{
    for (int t = 0; t < TENSORS; t++) {
        const size_t n = shape_elements(&s[t]);
        for (size_t i = 0; i < n; i++)
            if (!isfinite(v[i])) {
                *tensor = t;
                *index = i;
                *value = v[i];
                return -1;
            }
        v += n;
    }
    return 0;
}

static const char *non_finite_name(float f)
{
    return isnan(f) ? "NaN" : f > 0 ? "+inf" : "-inf";
}

int cb_model_save(const cb_model *m, const char *path, char *err, size_t errlen)
{
    shape s[TENSORS];
    network_shapes(&m->cfg, s);
    size_t count = 0, shape_bytes = 0;
    for (int t = 0; t < TENSORS; t++) {
        count += shape_elements(&s[t]);
        shape_bytes += 4 * (1 + (size_t)s[t].rank);
    }
    if (!m->param_slab || count != m->param_count) {
        snprintf(err, errlen, "cannot save %s: the model is not initialised", path);
        return -1;
    }
    int bad_t;
    size_t bad_i;
    float bad;
    if (find_non_finite(m->param_slab, s, &bad_t, &bad_i, &bad) != 0) {
        snprintf(err, errlen,
                 "not saving %s: non-finite value (%s) in layer %s at element %zu (the training "
                 "diverged)",
                 path, non_finite_name(bad), tensor_names[bad_t], bad_i);
        return -1;
    }

    const size_t len = HEADER_BYTES + shape_bytes + 4 * count + CRC_BYTES;
    unsigned char *buf = malloc(len);
    if (!buf) {
        snprintf(err, errlen, "cannot save %s: out of memory", path);
        return -1;
    }
    unsigned char *p = buf;
    memcpy(p, magic, sizeof magic);
    p += sizeof magic;
    p = put_u32(p, CB_MODEL_FILE_VERSION);
    p = put_u32(p, (uint32_t)m->cfg.head);
    p = put_u32(p, TENSORS);
    for (int t = 0; t < TENSORS; t++) {
        p = put_u32(p, s[t].rank);
        for (uint32_t d = 0; d < s[t].rank; d++)
            p = put_u32(p, s[t].dim[d]);
    }
    for (size_t i = 0; i < count; i++)
        p = put_u32(p, float_bits(m->param_slab[i]));
    p = put_u32(p, cb_crc32(buf, (size_t)(p - buf)));

    const int rc = cb_write_file_atomic(path, (const char *)buf, len, err, errlen);
    free(buf);
    return rc;
}

/* Appends to a message in err; used tracks its length (stays < errlen). */
static void append(char *err, size_t errlen, size_t *used, const char *fmt, ...)
{
    if (*used + 1 >= errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    const int n = vsnprintf(err + *used, errlen - *used, fmt, ap);
    va_end(ap);
    if (n > 0)
        *used = *used + (size_t)n < errlen ? *used + (size_t)n : errlen - 1;
}

static void head_text(uint32_t h, char *buf, size_t len)
{
    if (h <= (uint32_t)LAST_NAMED_HEAD)
        snprintf(buf, len, "%s", cb_head_name((cb_head)h));
    else
        snprintf(buf, len, "head %u (unknown)", h);
}

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(err, errlen, __VA_ARGS__);                                                        \
        return -1;                                                                                 \
    } while (0)

/* What the header of a file says: its head, its tensors' shapes, where the values start and how
 * many there are. */
typedef struct header {
    uint32_t head, count;
    shape fs[MAX_TENSORS];
    size_t off;        /* the values' offset */
    uint64_t elements; /* values of all tensors */
} header;

/* Integrity of the header: the magic, the version and shapes that describe a file of exactly
 * `size` bytes, the file's length (fstat). buf holds the file's first len bytes: all of them, or
 * at least HEADER_MAX_BYTES. Nothing past the header is needed, so a file whose header promises
 * another size is refused before its data is read. Returns 0, or -1 with the reason in err. */
static int parse_header(const char *path, const unsigned char *buf, size_t len, uint64_t size,
                        header *h, char *err, size_t errlen)
{
    if (size == 0)
        FAIL("%s: empty file, not a cifarbench model file", path);
    if (memcmp(buf, magic, len < sizeof magic ? len : sizeof magic) != 0)
        FAIL("%s: not a cifarbench model file (it does not start with the CBMODEL magic)", path);
    if (len < HEADER_BYTES)
        FAIL("%s: truncated: %zu bytes, shorter than the %d-byte header", path, len,
             (int)HEADER_BYTES);
    const uint32_t version = get_u32(buf + 8);
    if (version != CB_MODEL_FILE_VERSION)
        FAIL("%s: unsupported model file version %u (this build reads version %d)", path, version,
             (int)CB_MODEL_FILE_VERSION);
    h->head = get_u32(buf + 12);
    h->count = get_u32(buf + 16);
    if (h->count > MAX_TENSORS)
        FAIL("%s: corrupt header: %u tensors", path, h->count);

    size_t off = HEADER_BYTES;
    uint64_t elements = 0; /* of all tensors; < 2^62 */
    for (uint32_t t = 0; t < h->count; t++) {
        if (len - off < 4)
            FAIL("%s: truncated in the header (%zu bytes)", path, len);
        h->fs[t].rank = get_u32(buf + off);
        off += 4;
        if (h->fs[t].rank == 0 || h->fs[t].rank > MAX_RANK)
            FAIL("%s: corrupt header: tensor %u has rank %u", path, t, h->fs[t].rank);
        if ((len - off) / 4 < h->fs[t].rank)
            FAIL("%s: truncated in the header (%zu bytes)", path, len);
        uint64_t n = 1;
        for (uint32_t d = 0; d < h->fs[t].rank; d++, off += 4) {
            h->fs[t].dim[d] = get_u32(buf + off);
            if (n > ((uint64_t)1 << 62) / ((uint64_t)h->fs[t].dim[d] + 1))
                FAIL("%s: corrupt header: tensor %u's shape is impossibly large", path, t);
            n *= h->fs[t].dim[d];
        }
        elements += n;
        if (elements > ((uint64_t)1 << 60))
            FAIL("%s: corrupt header: impossibly many values", path);
    }
    /* The size the header promises, against the file's size: before any data is read. */
    const uint64_t want = (uint64_t)off + 4 * elements + CRC_BYTES;
    if (size < want)
        FAIL("%s: truncated: %llu bytes, but its header describes a file of %llu", path,
             (unsigned long long)size, (unsigned long long)want);
    if (size > want)
        FAIL("%s: trailing bytes: %llu bytes, but its header describes a file of %llu", path,
             (unsigned long long)size, (unsigned long long)want);
    if (want > MAX_FILE_BYTES)
        FAIL("%s: its header describes a file of %llu bytes, larger than the %zu MiB any "
             "cifarbench model file can be", path, (unsigned long long)want, MAX_FILE_BYTES >> 20);
    h->off = off;
    h->elements = elements;
    return 0;
}

/* The rest of the checks, on the whole file (buf, len bytes, whose header h describes): the
 * checksum, then the fit to the network of cfg, then the values (decoded into vals, param_count
 * floats). Returns 0, or -1 with the reason in err. */
static int parse_body(const cb_model_config *cfg, const char *path, const unsigned char *buf,
                      size_t len, const header *h, float *vals, char *err, size_t errlen)
{
    const uint32_t head = h->head, count = h->count;
    const shape *fs = h->fs;
    const size_t off = h->off;
    const uint64_t elements = h->elements;
    const uint32_t stored = get_u32(buf + len - CRC_BYTES), actual = cb_crc32(buf, len - CRC_BYTES);
    if (stored != actual)
        FAIL("%s: checksum mismatch (stored %08x, contents give %08x): the file is corrupt", path,
             stored, actual);

    /* Fit: the head, the tensor count and every shape must be this network's. */
    shape ns[TENSORS];
    network_shapes(cfg, ns);
    size_t used = 0;
    append(err, errlen, &used, "%s: saved from a different network:", path);
    const size_t intro = used;
    if (head != (uint32_t)cfg->head) {
        char a[64], b[64];
        head_text(head, a, sizeof a);
        head_text((uint32_t)cfg->head, b, sizeof b);
        append(err, errlen, &used, " head: file has %s, network has %s;", a, b);
    }
    if (count != TENSORS)
        append(err, errlen, &used, " file has %u tensors, network has %d;", count, (int)TENSORS);
    else
        for (int t = 0; t < TENSORS; t++)
            if (!shape_equal(&fs[t], &ns[t])) {
                char a[MAX_RANK * 11 + 3], b[MAX_RANK * 11 + 3];
                shape_text(&fs[t], a, sizeof a);
                shape_text(&ns[t], b, sizeof b);
                append(err, errlen, &used, " layer %s: file has %s, network has %s;",
                       tensor_names[t], a, b);
            }
    if (used > intro) {
        if (err[used - 1] == ';')
            err[used - 1] = '\0';
        return -1;
    }
    if (errlen > 0)
        err[0] = '\0';

    /* Values: decoded, and all finite. */
    const unsigned char *p = buf + off;
    for (uint64_t i = 0; i < elements; i++, p += 4)
        vals[i] = bits_float(get_u32(p));
    int bad_t;
    size_t bad_i;
    float bad;
    if (find_non_finite(vals, ns, &bad_t, &bad_i, &bad) != 0)
        FAIL("%s: non-finite value (%s) in layer %s at element %zu", path, non_finite_name(bad),
             tensor_names[bad_t], bad_i);
    return 0;
}

enum {
    /* The longest header: magic, version, head, count, then MAX_TENSORS shapes of MAX_RANK. */
    HEADER_MAX_BYTES = HEADER_BYTES + MAX_TENSORS * 4 * (1 + MAX_RANK),
};

/* Reads the whole model file at path into *buf (*len bytes) after checking its header against
 * its size (parse_header). Returns 0, or -1 with the reason in err. */
static int read_model_file(const char *path, unsigned char **buf, size_t *len, header *h,
                           char *err, size_t errlen)
{
    /* A regular file only, opened without blocking: a FIFO, /dev/zero or a directory is refused
     * before a byte is read. */
    long long size = 0;
    FILE *f = cb_open_input_file(path, &size, err, errlen);
    if (!f)
        return -1;
    unsigned char first[HEADER_MAX_BYTES];
    const size_t want_first = (unsigned long long)size < sizeof first ? (size_t)size : sizeof first;
    const size_t got_first = fread(first, 1, want_first, f);
    int rc = -1;
    if (got_first != want_first)
        snprintf(err, errlen, "%s: read error after %zu bytes%s%s", path, got_first,
                 ferror(f) ? ": " : " (the file shrank while reading)",
                 ferror(f) ? strerror(errno) : "");
    else
        rc = parse_header(path, first, got_first, (uint64_t)size, h, err, errlen);
    if (rc != 0) {
        fclose(f);
        return -1;
    }
    /* The header matches the size, which is at most MAX_FILE_BYTES: read the rest. */
    const size_t total = (size_t)size;
    unsigned char *all = malloc(total);
    if (!all) {
        snprintf(err, errlen, "%s: out of memory reading the file (%zu bytes)", path, total);
        fclose(f);
        return -1;
    }
    memcpy(all, first, got_first);
    const size_t got = got_first + fread(all + got_first, 1, total - got_first, f);
    if (got != total) {
        snprintf(err, errlen, "%s: read error after %zu of %zu bytes%s%s", path, got, total,
                 ferror(f) ? ": " : " (the file shrank while reading)",
                 ferror(f) ? strerror(errno) : "");
    } else if (fgetc(f) != EOF) {
        snprintf(err, errlen, "%s: the file grew while reading (expected %zu bytes)", path, total);
    } else {
        fclose(f);
        *buf = all;
        *len = total;
        return 0;
    }
    free(all);
    fclose(f);
    return -1;
}

int cb_model_load(cb_model *m, const char *path, char *err, size_t errlen)
{
    shape s[TENSORS];
    network_shapes(&m->cfg, s);
    size_t count = 0;
    for (int t = 0; t < TENSORS; t++)
        count += shape_elements(&s[t]);
    if (!m->param_slab || count != m->param_count) {
        snprintf(err, errlen, "cannot load %s: the model is not initialised", path);
        return -1;
    }
    size_t len = 0;
    unsigned char *buf = NULL;
    header h; /* 2.3 KiB of shapes */
    if (read_model_file(path, &buf, &len, &h, err, errlen) != 0)
        return -1;
    float *vals = malloc(count * sizeof *vals);
    int rc = -1;
    if (!vals)
        snprintf(err, errlen, "%s: out of memory", path);
    else
        rc = parse_body(&m->cfg, path, buf, len, &h, vals, err, errlen);
    if (rc == 0)
        memcpy(m->param_slab, vals, count * sizeof *vals);
    free(vals);
    free(buf);
    return rc;
}
