/*
 * test_model_file.c - the model file (model_file.h): save, load, and every way a file is refused.
 *
 * - crc32: the checksum is the standard CRC-32 ("123456789" -> 0xCBF43926).
 * - round_trip: a model saved and loaded into a model with other parameters gets them bit for bit;
 *   only the parameter slab changes (Adam moments and step untouched); saving twice gives the same
 *   bytes.
 * - format_matches_spec: the saved bytes equal the ones this file builds on its own from the format
 *   documented in model_file.h (little-endian fields, shapes, values, CRC-32), so the format is
 *   what the header says, not just whatever save and load agree on.
 * - Refusals: each bad file makes cb_model_load return -1 with the file's name and the expected
 *   words in err and leaves every parameter unchanged: not a model file (text, empty), an
 *   unsupported version, another head, another tensor count, a tensor of another shape (and rank),
 *   truncated files (in the data, in the shapes, in the header, inside the magic), trailing bytes,
 *   a checksum mismatch (a flipped value bit, a flipped checksum bit), non-finite values, a missing
 *   file; a 1-output sigmoid model's file loaded into the 10-output softmax model; /dev/zero, a
 *   FIFO (without blocking), a directory and a dangling link (not regular files: refused before
 *   a byte is read); a good file followed by 1 GiB of sparse zeros (the header's size against
 *   the file's, before the data is read) and a header promising more values than the file has.
 * - save_refuses_non_finite: a diverged model is not saved, and no file appears.
 */
#define _DEFAULT_SOURCE /* mkstemp, mkdtemp, mkfifo, symlink, truncate */
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "model.h"
#include "model_file.h"
#include "test_alarm.h"

static const cb_model_config cfg10 = {10, CB_HEAD_SOFTMAX_XENT};

enum { TENSORS = 8 };

/* A file as the format describes it, built here independently of model_file.c. */
typedef struct spec {
    uint32_t version, head, count;
    uint32_t rank[TENSORS], dim[TENSORS][4];
    const float *values;
    size_t nvalues;
} spec;

/* The spec of a correct file for a network of K outputs and head, with these values. */
static spec network_spec(int K, cb_head head, const float *values)
{
    spec s = {.version = 1, .head = (uint32_t)head, .count = TENSORS,
              .rank = {4, 1, 4, 1, 2, 1, 2, 1},
              .dim = {{3, 3, 3, 8}, {8}, {3, 3, 8, 8}, {8}, {512, 32}, {32}, {32, (uint32_t)K},
                      {(uint32_t)K}},
              .values = values};
    s.nvalues = 216 + 8 + 576 + 8 + 512 * 32 + 32 + 32 * (size_t)K + (size_t)K;
    return s;
}

typedef struct bytes {
    unsigned char *p;
    size_t len;
} bytes;

static void put32(bytes *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b->p[b->len++] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Bitwise reference CRC-32, written out again here. */
static uint32_t ref_crc32(const unsigned char *p, size_t len)
{
    uint32_t c = 0xFFFFFFFFu;
    while (len--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ 0xEDB88320u : c >> 1;
    }
    return ~c;
}

/* Rewrites the last 4 bytes as the CRC-32 of the others. */
static void fix_crc(bytes *b)
{
    const uint32_t c = ref_crc32(b->p, b->len - 4);
    b->len -= 4;
    put32(b, c);
}

static bytes build(const spec *s)
{
    bytes b = {malloc(64 + 4 * TENSORS * 5 + 4 * s->nvalues), 0};
    assert_non_null(b.p);
    memcpy(b.p, "CBMODEL", 8);
    b.len = 8;
    put32(&b, s->version);
    put32(&b, s->head);
    put32(&b, s->count);
    for (uint32_t t = 0; t < s->count && t < TENSORS; t++) {
        put32(&b, s->rank[t]);
        for (uint32_t d = 0; d < s->rank[t]; d++)
            put32(&b, s->dim[t][d]);
    }
    for (size_t i = 0; i < s->nvalues; i++) {
        uint32_t u;
        memcpy(&u, &s->values[i], 4);
        put32(&b, u);
    }
    put32(&b, 0);
    fix_crc(&b);
    return b;
}

/* A new file in /tmp holding len bytes of data; its name in path (free with unlink). */
static void write_temp(char path[64], const void *data, size_t len)
{
    strcpy(path, "/tmp/test_model_file_XXXXXX");
    const int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    assert_int_equal(close(fd), 0);
}

static bytes read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    bytes b = {malloc(1 << 20), 0};
    assert_non_null(b.p);
    b.len = fread(b.p, 1, 1 << 20, f);
    assert_int_equal(fclose(f), 0);
    return b;
}

/* The 10-class model every test loads into. */
static void init10(cb_model *m, uint64_t seed)
{
    assert_int_equal(cb_model_init(m, &cfg10, 4, seed), 0);
}

/* Loading path into a fresh 10-class model fails, err names the file and holds every one of the
 * NULL-terminated words, and no parameter changes. */
static void expect_refused_path(const char *path, ...)
{
    cb_model m;
    init10(&m, 99);
    const size_t n = m.param_count * sizeof(float);
    float *before = malloc(n);
    assert_non_null(before);
    memcpy(before, m.param_slab, n);
    const long step = m.step;

    char err[4400] = "";
    assert_int_equal(cb_model_load(&m, path, err, sizeof err), -1);
    print_message("    refused: %s\n", err);
    assert_non_null(strstr(err, path));
    va_list ap;
    va_start(ap, path);
    for (const char *w; (w = va_arg(ap, const char *)) != NULL;)
        if (!strstr(err, w))
            fail_msg("expected \"%s\" in \"%s\"", w, err);
    va_end(ap);
    assert_memory_equal(m.param_slab, before, n);
    assert_int_equal(m.step, step);
    free(before);
    cb_model_free(&m);
}

#define expect_refused(path, ...) expect_refused_path(path, __VA_ARGS__, (const char *)NULL)

/* Writes data to a temporary file and expects it refused with the words. */
#define expect_bytes_refused(data, len, ...)                                                       \
    do {                                                                                           \
        char path_[64];                                                                            \
        write_temp(path_, data, len);                                                              \
        expect_refused(path_, __VA_ARGS__);                                                        \
        unlink(path_);                                                                             \
    } while (0)

/* A correct 10-class file (values of the model with seed 1), as bytes. */
static bytes good_file(cb_model *src)
{
    init10(src, 1);
    const spec s = network_spec(10, CB_HEAD_SOFTMAX_XENT, src->param_slab);
    return build(&s);
}

/* ---- tests ----------------------------------------------------------------------------------- */

static void crc32(void **state)
{
    (void)state;
    assert_int_equal(cb_crc32("123456789", 9), 0xCBF43926u);
    assert_int_equal(cb_crc32("", 0), 0u);
}

static void round_trip(void **state)
{
    (void)state;
    cb_model a, b;
    init10(&a, 1);
    init10(&b, 2);
    const size_t n = a.param_count * sizeof(float);
    assert_true(memcmp(a.param_slab, b.param_slab, n) != 0); /* else the test proves nothing */
    /* Some values that must survive exactly: subnormal, negative zero, extremes. */
    a.params.fc2_b[0] = 1e-40f;
    a.params.fc2_b[1] = -0.0f;
    a.params.fc2_b[2] = 3.4028235e38f;
    a.params.fc2_b[3] = -1.17549435e-38f;
    for (size_t i = 0; i < a.param_count; i++)
        b.m_slab[i] = b.v_slab[i] = 0.5f; /* as if b had trained */
    b.step = 7;

    char path[64], err[4400] = "";
    write_temp(path, "", 0);
    assert_int_equal(cb_model_save(&a, path, err, sizeof err), 0);
    const bytes first = read_all(path);
    assert_int_equal(cb_model_load(&b, path, err, sizeof err), 0);
    assert_memory_equal(a.param_slab, b.param_slab, n);
    assert_true(signbit(b.params.fc2_b[1]));
    for (size_t i = 0; i < b.param_count; i++) {
        assert_true(b.m_slab[i] == 0.5f);
        assert_true(b.v_slab[i] == 0.5f);
    }
    assert_int_equal(b.step, 7);
    /* The loaded model saves to the same bytes. */
    assert_int_equal(cb_model_save(&b, path, err, sizeof err), 0);
    const bytes second = read_all(path);
    assert_int_equal(first.len, second.len);
    assert_memory_equal(first.p, second.p, first.len);

    free(first.p);
    free(second.p);
    unlink(path);
    cb_model_free(&a);
    cb_model_free(&b);
}

static void format_matches_spec(void **state)
{
    (void)state;
    cb_model a;
    init10(&a, 3);
    char path[64], err[4400] = "";
    write_temp(path, "", 0);
    assert_int_equal(cb_model_save(&a, path, err, sizeof err), 0);
    const bytes got = read_all(path);
    const spec s = network_spec(10, CB_HEAD_SOFTMAX_XENT, a.param_slab);
    const bytes want = build(&s);
    assert_int_equal(got.len, 70336); /* the size model_file.h states */
    assert_int_equal(got.len, want.len);
    assert_memory_equal(got.p, want.p, want.len);
    /* A few fields read back by hand: magic, version, head, count, first rank and dims, CRC. */
    assert_memory_equal(got.p, "CBMODEL\0", 8);
    assert_int_equal(get32(got.p + 8), 1);
    assert_int_equal(get32(got.p + 12), CB_HEAD_SOFTMAX_XENT);
    assert_int_equal(get32(got.p + 16), 8);
    assert_int_equal(get32(got.p + 20), 4);
    assert_int_equal(get32(got.p + 24), 3);
    assert_int_equal(get32(got.p + 36), 8);
    assert_int_equal(get32(got.p + got.len - 4), ref_crc32(got.p, got.len - 4));
    float f0;
    const uint32_t u0 = get32(got.p + 20 + 96); /* first value: conv1_w[0] */
    memcpy(&f0, &u0, 4);
    assert_true(f0 == a.params.conv1_w[0]);
    free(got.p);
    free(want.p);
    unlink(path);
    cb_model_free(&a);
}

static void refuses_not_a_model_file(void **state)
{
    (void)state;
    const char text[] = "conv2d_fwd avx512\nthis is not a model\n";
    expect_bytes_refused(text, sizeof text - 1, "not a cifarbench model file", "magic");
    expect_bytes_refused("", 0, "empty file", "not a cifarbench model file");
    expect_bytes_refused("CBMODEX\0rest of it", 18, "not a cifarbench model file");
}

static void refuses_unsupported_version(void **state)
{
    (void)state;
    cb_model src;
    bytes b = good_file(&src);
    b.p[8] = 2;
    fix_crc(&b);
    expect_bytes_refused(b.p, b.len, "unsupported model file version 2", "version 1");
    free(b.p);
    cb_model_free(&src);
}

static void refuses_other_head(void **state)
{
    (void)state;
    cb_model src;
    init10(&src, 1);
    spec s = network_spec(10, CB_HEAD_SIGMOID_BCE, src.param_slab);
    bytes b = build(&s);
    expect_bytes_refused(b.p, b.len, "different network", "head: file has sigmoid-bce",
                         "network has softmax-xent");
    free(b.p);
    s.head = 1000;
    b = build(&s);
    expect_bytes_refused(b.p, b.len, "head: file has head 1000 (unknown)");
    free(b.p);
    cb_model_free(&src);
}

static void refuses_other_tensor_count(void **state)
{
    (void)state;
    cb_model src;
    init10(&src, 1);
    spec s = network_spec(10, CB_HEAD_SOFTMAX_XENT, src.param_slab);
    s.count = 7; /* no fc2_b: a self-consistent file of 7 tensors */
    s.nvalues -= 10;
    bytes b = build(&s);
    expect_bytes_refused(b.p, b.len, "file has 7 tensors, network has 8");
    free(b.p);
    cb_model_free(&src);
}

static void refuses_other_shape(void **state)
{
    (void)state;
    cb_model src;
    init10(&src, 1);
    spec s = network_spec(10, CB_HEAD_SOFTMAX_XENT, src.param_slab);
    s.dim[4][0] = 32; /* fc1_w transposed: as many values, another shape */
    s.dim[4][1] = 512;
    s.rank[1] = 2; /* conv1_b as [1,8] */
    s.dim[1][0] = 1;
    s.dim[1][1] = 8;
    bytes b = build(&s);
    expect_bytes_refused(b.p, b.len, "layer conv1_b: file has [1,8], network has [8]",
                         "layer fc1_w: file has [32,512], network has [512,32]");
    free(b.p);
    cb_model_free(&src);
}

/* A binary (1 output, sigmoid) model's file in the 10-class softmax model. */
static void refuses_one_output_file(void **state)
{
    (void)state;
    const cb_model_config cfg1 = {1, CB_HEAD_SIGMOID_BCE};
    cb_model one;
    assert_int_equal(cb_model_init(&one, &cfg1, 4, 5), 0);
    char path[64], err[4400] = "";
    write_temp(path, "", 0);
    assert_int_equal(cb_model_save(&one, path, err, sizeof err), 0);
    expect_refused(path, "head: file has sigmoid-bce, network has softmax-xent",
                   "layer fc2_w: file has [32,1], network has [32,10]",
                   "layer fc2_b: file has [1], network has [10]");
    /* And the same with the head matched: only the layers differ. */
    const cb_model_config cfg1s = {1, CB_HEAD_SOFTMAX_XENT};
    cb_model one_s;
    assert_int_equal(cb_model_init(&one_s, &cfg1s, 4, 5), 0);
    assert_int_equal(cb_model_save(&one_s, path, err, sizeof err), 0);
    expect_refused(path, "layer fc2_w: file has [32,1], network has [32,10]");
    /* The other way round: a 10-class file in a 1-output model. */
    cb_model ten;
    init10(&ten, 6);
    assert_int_equal(cb_model_save(&ten, path, err, sizeof err), 0);
    assert_int_equal(cb_model_load(&one_s, path, err, sizeof err), -1);
    assert_non_null(strstr(err, "layer fc2_w: file has [32,10], network has [32,1]"));
    unlink(path);
    cb_model_free(&one);
    cb_model_free(&one_s);
    cb_model_free(&ten);
}

static void refuses_truncated(void **state)
{
    (void)state;
    cb_model src;
    const bytes b = good_file(&src);
    const size_t cuts[] = {b.len - 1, b.len - 4, b.len / 2, 20 + 96, 40, 20, 19, 12, 5};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++)
        expect_bytes_refused(b.p, cuts[i], "truncated");
    free(b.p);
    cb_model_free(&src);
}

static void refuses_trailing_bytes(void **state)
{
    (void)state;
    cb_model src;
    bytes b = good_file(&src);
    b.p = realloc(b.p, b.len + 1);
    assert_non_null(b.p);
    b.p[b.len] = '\n';
    expect_bytes_refused(b.p, b.len + 1, "trailing bytes", "70337 bytes", "70336");
    free(b.p);
    cb_model_free(&src);
}

static void refuses_checksum_mismatch(void **state)
{
    (void)state;
    cb_model src;
    bytes b = good_file(&src);
    b.p[20 + 96 + 4 * 1000] ^= 0x01; /* one bit of a conv2_w value */
    expect_bytes_refused(b.p, b.len, "checksum mismatch", "corrupt");
    b.p[20 + 96 + 4 * 1000] ^= 0x01;
    b.p[b.len - 1] ^= 0x80; /* one bit of the checksum itself */
    expect_bytes_refused(b.p, b.len, "checksum mismatch");
    free(b.p);
    cb_model_free(&src);
}

static void refuses_non_finite(void **state)
{
    (void)state;
    cb_model src;
    init10(&src, 1);
    src.params.fc1_w[17] = NAN;
    spec s = network_spec(10, CB_HEAD_SOFTMAX_XENT, src.param_slab);
    bytes b = build(&s);
    expect_bytes_refused(b.p, b.len, "non-finite value (NaN) in layer fc1_w at element 17");
    free(b.p);
    src.params.fc1_w[17] = 0.0f;
    src.params.fc2_b[3] = -INFINITY;
    b = build(&s);
    expect_bytes_refused(b.p, b.len, "non-finite value (-inf) in layer fc2_b at element 3");
    free(b.p);
    cb_model_free(&src);
}

static void refuses_missing_file(void **state)
{
    (void)state;
    expect_refused("/tmp/test_model_file_no_such_dir/model.bin", "No such file");
}

/* Not a regular file: refused before a byte is read, naming what it is. /dev/zero used to be read
 * for 1 GiB before it was refused as too large; a FIFO without a writer blocked the open (alarm
 * turns such a hang into a failure). */
static void refuses_special_files(void **state)
{
    (void)state;
    expect_refused("/dev/zero", "character device", "not a regular file");
    char dir[64] = "/tmp/test_model_file_dir_XXXXXX", fifo[128], link[128];
    assert_non_null(mkdtemp(dir));
    snprintf(fifo, sizeof fifo, "%s/model.fifo", dir);
    snprintf(link, sizeof link, "%s/dangling.cbm", dir);
    assert_int_equal(mkfifo(fifo, 0644), 0);
    assert_int_equal(symlink("no-such-model.cbm", link), 0);
    cbt_arm_alarm(10);
    expect_refused(fifo, "FIFO", "not a regular file");
    cbt_arm_alarm(0);
    expect_refused(dir, "directory", "not a regular file");
    expect_refused(link, "dangling symbolic link");
    assert_int_equal(unlink(fifo), 0);
    assert_int_equal(unlink(link), 0);
    assert_int_equal(rmdir(dir), 0);
}

/* The size the header promises is checked against the file's size (fstat) before the data is
 * read: a good file followed by 1 GiB of (sparse) zeros is refused as "trailing bytes" at once,
 * where the whole gigabyte used to be read first and then refused as too large. */
static void refuses_size_mismatch_before_reading(void **state)
{
    (void)state;
    cb_model src;
    const bytes b = good_file(&src);
    char path[64];
    write_temp(path, b.p, b.len);
    const off_t size = ((off_t)1 << 30) + (off_t)b.len;
    assert_int_equal(truncate(path, size), 0); /* sparse: no disk, no memory */
    expect_refused(path, "trailing bytes", "1073812160 bytes", "describes a file of 70336");
    unlink(path);
    /* A header that promises more values than the file holds: "truncated", from the header. */
    bytes big = {malloc(b.len), b.len};
    assert_non_null(big.p);
    memcpy(big.p, b.p, b.len);
    /* fc1_w's first dimension (after the 20-byte header and the shapes of conv1_w, conv1_b,
     * conv2_w, conv2_b: 20 + 8 + 20 + 8 bytes, then fc1_w's rank): 512 -> 2^20. */
    assert_int_equal(get32(big.p + 80), 512);
    big.p[80] = 0, big.p[81] = 0, big.p[82] = 0x10, big.p[83] = 0;
    fix_crc(&big);
    expect_bytes_refused(big.p, big.len, "truncated: 70336 bytes, but its header describes");
    free(big.p);
    free(b.p);
    cb_model_free(&src);
}

static void save_refuses_non_finite(void **state)
{
    (void)state;
    cb_model m;
    init10(&m, 1);
    m.params.conv2_b[2] = INFINITY;
    char dir[64] = "/tmp/test_model_file_dir_XXXXXX", path[128], err[4400] = "";
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/model.bin", dir);
    assert_int_equal(cb_model_save(&m, path, err, sizeof err), -1);
    print_message("    refused: %s\n", err);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "non-finite value (+inf) in layer conv2_b at element 2"));
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(rmdir(dir), 0); /* empty: no temporary file left either */
    cb_model_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crc32),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(format_matches_spec),
        cmocka_unit_test(refuses_not_a_model_file),
        cmocka_unit_test(refuses_unsupported_version),
        cmocka_unit_test(refuses_other_head),
        cmocka_unit_test(refuses_other_tensor_count),
        cmocka_unit_test(refuses_other_shape),
        cmocka_unit_test(refuses_one_output_file),
        cmocka_unit_test(refuses_truncated),
        cmocka_unit_test(refuses_trailing_bytes),
        cmocka_unit_test(refuses_checksum_mismatch),
        cmocka_unit_test(refuses_non_finite),
        cmocka_unit_test(refuses_missing_file),
        cmocka_unit_test(refuses_special_files),
        cmocka_unit_test(refuses_size_mismatch_before_reading),
        cmocka_unit_test(save_refuses_non_finite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
