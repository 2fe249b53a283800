/*
 * fuzz_variants.c - the variant-file parser (harness/variants.h, cb_variants_load): the file
 * `cifarbench tune` writes and `train --variants FILE` reads.
 *
 * Input: the bytes of a variant file ("# cifarbench variants 2", then one "KERNEL ISA" line per
 * kernel). Checked besides memory safety (variants.h): err holds a message on failure; a table
 * that loads names a runnable ISA for every kernel, gives a full kernel table
 * (cb_variants_table), and survives a round trip through cb_variants_format and a second load.
 */
#include "fuzz_common.h"

#include "variants.h"

static char path[4096], again_path[4096];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    cbf_path(path, sizeof path, "variants.txt");
    cbf_path(again_path, sizeof again_path, "variants-again.txt");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cb_variants v;
    char err[1024];
    memset(&v, 0xff, sizeof v);
    memset(err, 'x', sizeof err);
    cbf_write(path, data, size);
    const int rc = cb_variants_load(path, &v, err, sizeof err);
    if (rc != 0) { /* refused: a terminated message in err */
        CBF_CHECK(memchr(err, '\0', sizeof err) != NULL);
        CBF_CHECK(rc == -1 && err[0] != '\0');
        return 0;
    }
    for (int k = 0; k < CB_KERNEL_COUNT; k++)
        CBF_CHECK(cb_isa_supported(v.isa[k]));
    const cb_kernel_table t = cb_variants_table(&v);
    for (int k = 0; k < CB_KERNEL_COUNT; k++)
        CBF_CHECK(cb_kernel_entry(&t, k) != NULL);
    CBF_CHECK(t.isa_name != NULL);

    char text[4096];
    const int n = cb_variants_format(&v, "# fuzz round trip\n", text, sizeof text);
    CBF_CHECK(n > 0);
    cbf_write(again_path, text, (size_t)n);
    cb_variants w;
    CBF_CHECK(cb_variants_load(again_path, &w, err, sizeof err) == 0);
    CBF_CHECK(memcmp(v.isa, w.isa, sizeof v.isa) == 0);
    return 0;
}
