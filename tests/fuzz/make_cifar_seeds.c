/*
 * make_cifar_seeds.c - writes the seed corpus of fuzz_cifar10: the first images of the synthetic
 * CIFAR-shaped set (cifar10.h, cb_cifar10_synthetic, the program's own default data) in the
 * official binary format, as batch files of 1 and 2 records. Never the real CIFAR-10. (The
 * largest seed sets libFuzzer's default -max_len: 2 records keep the executions fast.)
 *
 *   fuzz_make_cifar_seeds DIR     writes DIR/synthetic_1.bin and DIR/synthetic_2.bin
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cifar10.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    cb_cifar10 d;
    cb_cifar10_synthetic(2, 0, CB_SYNTHETIC_SEED, &d);
    if (d.train.count != 2)
        return 1;
    enum { PLANE = CB_CIFAR_H * CB_CIFAR_W };
    for (int n = 1; n <= 2; n++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/synthetic_%d.bin", argv[1], n);
        FILE *f = fopen(path, "wb");
        if (!f) {
            perror(path);
            return 1;
        }
        for (int i = 0; i < n; i++) {
            uint8_t rec[CB_CIFAR_RECORD_BYTES];
            rec[0] = (uint8_t)d.train.labels[i];
            const uint8_t *px = d.train.pixels + (size_t)i * CB_CIFAR_PIXELS;
            for (int p = 0; p < PLANE; p++) /* HWC in memory -> the file's planar CHW */
                for (int c = 0; c < CB_CIFAR_C; c++)
                    rec[1 + c * PLANE + p] = px[3 * p + c];
            fwrite(rec, 1, sizeof rec, f);
        }
        if (fclose(f) != 0) {
            perror(path);
            return 1;
        }
    }
    cb_cifar10_free(&d);
    return 0;
}
