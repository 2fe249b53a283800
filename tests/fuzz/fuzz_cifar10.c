/*
 * fuzz_cifar10.c - the CIFAR-10 batch-file parser (harness/cifar10.h, cb_cifar10_load_dir).
 *
 * Input: the bytes of one batch file, in the official format (3073-byte records: a label, then the
 * red, green and blue planes). The loader reads a directory of six such files; here the six names
 * are hard links to one file on tmpfs, so an input is written once and parsed six times, as the
 * five training files and the test file. A fixed, valid batches.meta.txt is beside them (its
 * parser has its own target, fuzz_cifar10_meta).
 *
 * Each input is loaded twice: with records_per_file 0 (any whole number of records: the path the
 * tests and small sets take) and with 2 (an exact size: the official-size check, as
 * cb_cifar10_open does with 10000). Checked besides memory safety: the contract of cifar10.h —
 * on success the counts are 5x and 1x the file's records, every label is 0-9 and the class names
 * are terminated; on failure *out is zeroed and err holds a message.
 */
#include "fuzz_common.h"

#include "cifar10.h"

static const char *const batch_names[] = {"data_batch_1.bin", "data_batch_2.bin",
                                          "data_batch_3.bin", "data_batch_4.bin",
                                          "data_batch_5.bin", "test_batch.bin"};
static char data_dir[4096], batch_path[4096];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    cbf_subdir(data_dir, sizeof data_dir, "cifar");
    snprintf(batch_path, sizeof batch_path, "%s/%s", data_dir, batch_names[0]);
    cbf_write(batch_path, "", 0);
    for (size_t i = 1; i < sizeof batch_names / sizeof batch_names[0]; i++) {
        char link_path[4200];
        snprintf(link_path, sizeof link_path, "%s/%s", data_dir, batch_names[i]);
        if (link(batch_path, link_path) != 0)
            cbf_die("cannot hard-link", link_path);
    }
    static const char meta[] = "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n";
    char meta_path[4200];
    snprintf(meta_path, sizeof meta_path, "%s/batches.meta.txt", data_dir);
    cbf_write(meta_path, meta, sizeof meta - 1);
    return 0;
}

/* Whether d is all zero bytes. memcmp, not a loop: the harness has coverage too, and 40 KB of
   traced byte comparisons per call would cost more than the parsing. */
static int all_zero(const cb_cifar10 *d)
{
    static const cb_cifar10 zero;
    return memcmp(d, &zero, sizeof zero) == 0;
}

static void load_and_check(const uint8_t *data, size_t size, int records_per_file)
{
    static cb_cifar10 d; /* 40 KB: not on the stack */
    char err[512];
    memset(err, 'x', sizeof err);
    const int rc = cb_cifar10_load_dir(data_dir, records_per_file, &d, err, sizeof err);
    if (rc != 0) { /* refused: a terminated message in err */
        CBF_CHECK(memchr(err, '\0', sizeof err) != NULL);
        CBF_CHECK(rc == -1);
        CBF_CHECK(err[0] != '\0');
        CBF_CHECK(all_zero(&d));
        return;
    }
    const size_t records = size / CB_CIFAR_RECORD_BYTES;
    CBF_CHECK(size % CB_CIFAR_RECORD_BYTES == 0 && records > 0);
    CBF_CHECK(records_per_file == 0 || (size_t)records_per_file == records);
    CBF_CHECK(d.kind == CB_DATA_FILES);
    CBF_CHECK((size_t)d.train.count == 5 * records && (size_t)d.test.count == records);
    for (int i = 0; i < d.train.count; i++)
        CBF_CHECK(d.train.labels[i] >= 0 && d.train.labels[i] < CB_CIFAR_CLASSES);
    for (int i = 0; i < d.test.count; i++)
        CBF_CHECK(d.test.labels[i] >= 0 && d.test.labels[i] < CB_CIFAR_CLASSES);
    for (int k = 0; k < CB_CIFAR_CLASSES; k++)
        CBF_CHECK(memchr(d.class_names[k], '\0', sizeof d.class_names[k]) != NULL);
    /* Planar CHW in the file, HWC in memory: pixel (0, 0) and the last pixel of the last image. */
    const size_t plane = CB_CIFAR_H * CB_CIFAR_W, last = records - 1;
    const uint8_t *rec = data + last * CB_CIFAR_RECORD_BYTES;
    const uint8_t *px = d.test.pixels + last * CB_CIFAR_PIXELS;
    for (int c = 0; c < CB_CIFAR_C; c++) {
        CBF_CHECK(d.train.pixels[c] == data[1 + c * plane]);
        CBF_CHECK(px[(plane - 1) * CB_CIFAR_C + c] == rec[1 + c * plane + plane - 1]);
    }
    CBF_CHECK(d.test.labels[last] == rec[0]);
    cb_cifar10_free(&d);
    CBF_CHECK(all_zero(&d));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cbf_write(batch_path, data, size);
    load_and_check(data, size, 0);
    load_and_check(data, size, 2);
    return 0;
}
