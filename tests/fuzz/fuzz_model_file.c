/*
 * fuzz_model_file.c - the model file parser (harness/model_file.h, cb_model_load).
 *
 * Input: the bytes of a model file (CBMODEL\0, version, head, shapes, float32 values, CRC-32).
 * It is loaded into a network chosen to fit it when it can: the head the file names (0-5, else
 * softmax-xent) and 10 outputs when the input is at least as long as a 10-output file, else 1.
 * So train --save files of every task load whole, and every other input is refused for a reason
 * the fuzzer can steer.
 *
 * The CRC-32 at the end would stop nearly every mutant at "checksum mismatch"; when the loader
 * refuses an input for its checksum, the input is loaded a second time with the right CRC-32
 * written over its last four bytes, so the checks after the checksum (the fit, the values) are
 * fuzzed too.
 *
 * Checked besides memory safety (model_file.h): err holds a message on failure; on failure the
 * parameters are unchanged; on success they are the file's values (read back from the input).
 */
#include "fuzz_common.h"

#include <math.h>

#include "model.h"
#include "model_file.h"

enum { HEADS = CB_HEAD_SIGMOID_MSE + 1, TEN_OUTPUT_BYTES = 70336 };

static cb_model models[2][HEADS]; /* [outputs 1, 10][head] */
static char path[4096];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    cbf_path(path, sizeof path, "model.cbm");
    for (int k = 0; k < 2; k++)
        for (int h = 0; h < HEADS; h++) {
            const cb_model_config cfg = {k ? 10 : 1, (cb_head)h};
            if (cb_model_init(&models[k][h], &cfg, 1, 1) != 0)
                cbf_die("cb_model_init failed", NULL);
        }
    return 0;
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Loads path into m; checks what model_file.h promises. data/size: the file's bytes. */
static int load_and_check(cb_model *m, const uint8_t *data, size_t size, char *err, size_t errlen)
{
    static float before[20000];
    CBF_CHECK(m->param_count <= sizeof before / sizeof before[0]);
    memcpy(before, m->param_slab, m->param_count * sizeof(float));
    memset(err, 'x', errlen);
    const int rc = cb_model_load(m, path, err, errlen);
    if (rc != 0) { /* refused: a terminated message in err */
        CBF_CHECK(memchr(err, '\0', errlen) != NULL);
        CBF_CHECK(rc == -1 && err[0] != '\0');
        CBF_CHECK(memcmp(before, m->param_slab, m->param_count * sizeof(float)) == 0);
        return rc;
    }
    /* Loaded: the values are the file's last param_count floats before the CRC, all finite. */
    CBF_CHECK(size >= 4 * m->param_count + 4);
    const uint8_t *v = data + size - 4 - 4 * m->param_count;
    for (size_t i = 0; i < m->param_count; i++) {
        const uint32_t bits = get_u32(v + 4 * i);
        float f;
        memcpy(&f, &bits, sizeof f);
        CBF_CHECK(memcmp(&f, &m->param_slab[i], sizeof f) == 0);
        CBF_CHECK(isfinite(f));
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint32_t head = size >= 16 ? get_u32(data + 12) : 0;
    cb_model *m = &models[size >= TEN_OUTPUT_BYTES][head < HEADS ? head : 0];
    char err[1024];
    cbf_write(path, data, size);
    if (load_and_check(m, data, size, err, sizeof err) == 0 || size < 24 ||
        !strstr(err, "checksum"))
        return 0;

    /* Refused for its checksum: again with the right one. */
    uint8_t *fixed = malloc(size);
    if (!fixed)
        return 0;
    memcpy(fixed, data, size);
    const uint32_t crc = cb_crc32(fixed, size - 4);
    for (int b = 0; b < 4; b++)
        fixed[size - 4 + (size_t)b] = (uint8_t)(crc >> (8 * b));
    cbf_write(path, fixed, size);
    if (load_and_check(m, fixed, size, err, sizeof err) != 0)
        CBF_CHECK(!strstr(err, "checksum"));
    free(fixed);
    return 0;
}
