/*
 * bisect_git.h - git for `cifarbench bisect`: `git -C DIR ARGS...` run as a child process
 * (child_process.h), its status, its output, and the few questions more than one part asks.
 */
#ifndef CB_BISECT_GIT_H
#define CB_BISECT_GIT_H

#include <stddef.h>

#include "cb_buf.h"

enum { CB_GIT_HASH_LEN = 72 }; /* a SHA-256 object name in hex, and room */

/* git -C dir ARGS... NULL, its stdout discarded, its stderr to err (CB_FD_NULL or CB_FD_INHERIT).
 * Returns git's status (cb_wait), -1 when it did not run. */
int cb_git(const char *dir, int err, ...) __attribute__((sentinel));

/* git -C dir ARGS... NULL, quietly, its stdout into out (appended); -1 also when out ran out of
 * memory. */
int cb_git_out(const char *dir, cb_buf *out, ...) __attribute__((sentinel));

/* git -C dir ARGS... NULL, quietly, the first line of its stdout into line[0..n): 0, or its
 * failure status (-1 also when the line does not fit). */
int cb_git_line(const char *dir, char *line, size_t n, ...) __attribute__((sentinel));

/* The full name of the commit HEAD is at, into hash: 0, or as cb_git_line. */
int cb_git_head(const char *dir, char hash[CB_GIT_HASH_LEN]);

/* git rev-parse --verify --quiet spec: the full name of the object spec names, into hash; 0, or
 * as cb_git_line. */
int cb_git_rev(const char *dir, const char *spec, char hash[CB_GIT_HASH_LEN]);

/* git checkout -q --detach hash, git's messages passed through: 0, or git's failure status. */
int cb_git_checkout(const char *dir, const char *hash);

/* git's output line by line: the length of the line at s without its newline, and the line after
 * it ("" after the last). */
size_t cb_git_line_len(const char *s);
const char *cb_git_next_line(const char *s);

#endif /* CB_BISECT_GIT_H */
