/*
 * cb_atomic_file.h - the files cifarbench writes and reads: regular files only. Outputs are
 * written whole or not at all, and checked before the work; inputs are opened without blocking
 * and refused unless they are regular files.
 *
 * What an OUTPUT path may name (cb_write_file_atomic and cb_check_file_writable apply the same
 * rules, so a path the check accepts is one the write accepts):
 *   - a path that does not exist: the file is created; its directory must exist;
 *   - an existing regular file: it is replaced (keeping its permission bits);
 *   - a symbolic link: written THROUGH. The link is resolved with realpath(3), the temporary file
 *     goes beside the file it resolves to and is renamed onto that file; the link itself stays.
 *     A link to anything but a regular file is refused like that thing, and a dangling link
 *     (whose target does not exist) is refused: it is not created through;
 *   - anything else is refused with a message naming the path and what it is, and nothing is
 *     written, created or renamed: a directory, a character or block device (/dev/full,
 *     /dev/null), a FIFO, a socket; and the empty path, and a path ending in '/'.
 *
 * The write: a temporary sibling PATH.tmp.XXXXXX (mkstemp), write, fsync, close, a check that the
 * target is still a regular file or absent, rename onto the target, fsync of its directory. On any
 * failure the temporary file is removed and the old file, if any, is left as it was.
 */
#ifndef CB_ATOMIC_FILE_H
#define CB_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

/* Writes data to path as described above, so readers see the old file or the new one, never a
 * part. Returns 0, or -1 with a message naming the path and the reason in err. */
int cb_write_file_atomic(const char *path, const char *data, size_t len, char *err, size_t errlen);

/* Checks, before any long work, that cb_write_file_atomic(path) can succeed: the path is one the
 * rules above accept and a temporary file can be created beside its target (created and removed
 * again: nothing is left behind). Returns 0, or -1 with the message cb_write_file_atomic would
 * give in err. */
int cb_check_file_writable(const char *path, char *err, size_t errlen);

/* Opens an INPUT file for reading (binary mode), following symbolic links. The file is opened
 * with O_NONBLOCK and checked with fstat before anything is read, so a FIFO, a device, a
 * directory or a socket is refused at once (a FIFO without a writer never blocks the caller):
 * "PATH: it is a FIFO (named pipe), not a regular file". A missing or unreadable file gives
 * "PATH: cannot open: <strerror>" (a dangling symbolic link says so), the empty path "empty file
 * name". On success the stream is
 * back in blocking mode and *size (when size is not NULL) holds the file's size in bytes.
 * Returns the stream (the caller fcloses it), or NULL with the message in err. */
FILE *cb_open_input_file(const char *path, long long *size, char *err, size_t errlen);

#endif /* CB_ATOMIC_FILE_H */
