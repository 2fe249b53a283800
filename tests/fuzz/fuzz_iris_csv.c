/*
 * fuzz_iris_csv.c - the iris CSV reader (harness/regression.h, cb_iris_load), the data of
 * `train --task regression`.
 *
 * Input: the bytes of the CSV (header "species,sepal_length,sepal_width,...", then 150 rows).
 * Checked besides memory safety (regression.h): err holds a message on failure; on success every
 * length and width is in (0, 20) cm, as the reader requires, and each bins to 0-7.
 */
#include "fuzz_common.h"

#include "regression.h"

static char path[4096];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    cbf_path(path, sizeof path, "iris.csv");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cb_iris d;
    char err[1024];
    memset(err, 'x', sizeof err);
    cbf_write(path, data, size);
    const int rc = cb_iris_load(path, &d, err, sizeof err);
    if (rc != 0) { /* refused: a terminated message in err */
        CBF_CHECK(memchr(err, '\0', sizeof err) != NULL);
        CBF_CHECK(rc == -1 && err[0] != '\0');
        return 0;
    }
    for (int i = 0; i < CB_IRIS_ROWS; i++) {
        CBF_CHECK(d.length[i] > 0 && d.length[i] < 20 && d.width[i] > 0 && d.width[i] < 20);
        const int b = cb_iris_bin(d.length[i]);
        CBF_CHECK(b >= 0 && b < CB_IRIS_BINS);
    }
    return 0;
}
