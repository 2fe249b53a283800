/*
 * model_file.h - saving a trained network's parameters to a file and loading them back.
 *
 * Only the parameters are stored: not the Adam moments, the Adam step count, the gradients or the
 * activations. A loaded model therefore predicts exactly as the saved one did, but training it
 * further starts Adam afresh (from whatever moments the loading model holds; zero after
 * cb_model_init), so it does not continue the saved run bit for bit.
 *
 * The format, version 1. Every integer is a uint32 and every value a float32 (IEEE 754 binary32),
 * both little-endian whatever the host; the file is written and read byte by byte, never as a C
 * struct, so it is the same on every machine.
 *
 *   offset  size          field
 *   0       8             magic "CBMODEL\0" (43 42 4d 4f 44 45 4c 00)
 *   8       4             version = 1
 *   12      4             head: the cb_head value (0 softmax-xent, 1 sigmoid-bce, 2 mse, ...)
 *   16      4             tensor count T (8 for this network)
 *   20      ...           T shapes, one per tensor in slab order: uint32 rank R (1..8),
 *                         then R uint32 dimensions, outermost first
 *   ...     4 * N         the values of all T tensors, tensor after tensor in slab order, each
 *                         row-major in its shape (N = the sum over tensors of their dimensions'
 *                         products)
 *   end-4   4             CRC-32 of every byte before it (IEEE 802.3 / zlib: reflected polynomial
 *                         0xEDB88320, initial value and final xor 0xFFFFFFFF)
 *
 * The head is stored as its number, so cb_head's values are part of the format: a new head goes at
 * the end of the enum, and none is renumbered.
 *
 * The network's tensors, in slab order (see model.h; K = cfg.outputs):
 *
 *   conv1_w [3,3,3,8]  conv1_b [8]  conv2_w [3,3,8,8]  conv2_b [8]
 *   fc1_w   [512,32]   fc1_b   [32] fc2_w   [32,K]     fc2_b   [K]
 *
 * so a 10-class file holds 17,554 values and is 20 (header) + 96 (8 ranks, 16 dimensions)
 * + 4 * 17,554 + 4 (CRC) = 70,336 bytes.
 *
 * Loading checks, in this order, and refuses the file with a message that names it and says what
 * is wrong: that it is a regular file (a FIFO, a device such as /dev/zero or a directory is refused
 * before a byte is read, and a FIFO never blocks), the magic (not a model file), the version, that
 * the shapes describe a file of exactly the file's length (truncated; trailing bytes: the header,
 * at most 2,324 bytes, is read first and the size it promises compared with the file's size from
 * fstat, so no more than the header is read from a file of the wrong size, and no file above
 * 1 GiB is read at all), the checksum (corrupt), then that the file fits
 * the network being loaded into (the head, the tensor count, every tensor's shape, e.g.
 * "layer fc2_w: file has [32,1], network has [32,10]"), and last that every value is finite.
 * A file's integrity is thus checked before its fit: a file cut short says "truncated", a file of
 * another network says which layers differ.
 */
#ifndef CB_MODEL_FILE_H
#define CB_MODEL_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

#define CB_MODEL_FILE_MAGIC "CBMODEL" /* 8 bytes with its terminating NUL */
enum { CB_MODEL_FILE_VERSION = 1 };

/* Writes m's parameters to path, whole or not at all (cb_write_file_atomic). Refuses, writing
 * nothing, a model with a non-finite parameter (a diverged run), since loading would refuse the
 * file. Returns 0, or -1 with the reason in err. */
int cb_model_save(const cb_model *m, const char *path, char *err, size_t errlen);

/* Reads the parameters in path into m, which cb_model_init has already set up for the network the
 * file must match (outputs and head). Only m's parameter slab changes, and only on success: on
 * any error m is left exactly as it was. Returns 0, or -1 with the reason in err (the file's name
 * and the problem; see above). */
int cb_model_load(cb_model *m, const char *path, char *err, size_t errlen);

/* CRC-32 (IEEE 802.3 / zlib) of len bytes: the file's checksum. cb_crc32("123456789", 9) is
 * 0xCBF43926. */
uint32_t cb_crc32(const void *data, size_t len);

#endif /* CB_MODEL_FILE_H */
