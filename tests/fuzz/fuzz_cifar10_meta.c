/*
 * fuzz_cifar10_meta.c - the class-name file of a CIFAR-10 directory, batches.meta.txt, read by
 * cb_cifar10_load_dir (harness/cifar10.h) after the batch files.
 *
 * Input: the bytes of batches.meta.txt. The six batch files beside it are fixed and valid (one
 * record each; hard links to one file), so every input reaches the class-name parser. Checked
 * besides memory safety: the load succeeds whatever the names file holds (a bad one only means
 * the standard names), every name is terminated, at most 31 characters, with no control
 * character, and the names are the standard ones unless the file has 10 non-empty lines.
 */
#include "fuzz_common.h"

#include "cifar10.h"

static char data_dir[4096], meta_path[4200];

static const char *const standard[CB_CIFAR_CLASSES] = {
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    static const char *const names[] = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                        "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"};
    cbf_subdir(data_dir, sizeof data_dir, "cifar");
    static uint8_t record[CB_CIFAR_RECORD_BYTES];
    record[0] = 3;
    for (size_t i = 1; i < sizeof record; i++)
        record[i] = (uint8_t)(i * 7);
    char first[4200];
    snprintf(first, sizeof first, "%s/%s", data_dir, names[0]);
    cbf_write(first, record, sizeof record);
    for (size_t i = 1; i < sizeof names / sizeof names[0]; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s/%s", data_dir, names[i]);
        if (link(first, p) != 0)
            cbf_die("cannot hard-link", p);
    }
    snprintf(meta_path, sizeof meta_path, "%s/batches.meta.txt", data_dir);
    return 0;
}

/* Non-empty lines after trimming blanks, CR and NUL, as cifar10.h describes; only whether there
 * are at least 10 matters. */
static int named_lines(const uint8_t *data, size_t size)
{
    int found = 0;
    for (size_t i = 0; i < size && found < CB_CIFAR_CLASSES;) {
        size_t end = i;
        while (end < size && data[end] != '\n')
            end++;
        for (size_t k = i; k < end; k++)
            if (data[k] != ' ' && data[k] != '\t' && data[k] != '\r' && data[k] != '\0') {
                found++;
                break;
            }
        i = end + 1;
    }
    return found;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cb_cifar10 d;
    char err[512];
    cbf_write(meta_path, data, size);
    const int rc = cb_cifar10_load_dir(data_dir, 1, &d, err, sizeof err);
    CBF_CHECK(rc == 0);
    CBF_CHECK(d.train.count == 5 && d.test.count == 1);
    int standard_names = 1;
    for (int k = 0; k < CB_CIFAR_CLASSES; k++) {
        const char *name = d.class_names[k];
        const size_t len = strnlen(name, sizeof d.class_names[k]);
        CBF_CHECK(len < sizeof d.class_names[k]);
        for (size_t i = 0; i < len; i++)
            CBF_CHECK((unsigned char)name[i] >= 0x20 && name[i] != 0x7f);
        standard_names &= strcmp(name, standard[k]) == 0;
    }
    /* A file of fewer than 10 names (or too large to be one) leaves the standard names. */
    if (named_lines(data, size) < CB_CIFAR_CLASSES)
        CBF_CHECK(standard_names);
    cb_cifar10_free(&d);
    return 0;
}
