/*
 * child_process.h - the child processes of `cifarbench bisect`: COMMAND (bisect.h) and git
 * (bisect_git.h), one at a time, and the interrupts that stop them.
 *
 * Once cb_catch_interrupts has been called, every child gets a process group of its own and
 * SIGINT, SIGTERM or SIGHUP sends that group SIGTERM, so that an interrupted bisect stops its child
 * and can then clean up.
 */
#ifndef CB_CHILD_PROCESS_H
#define CB_CHILD_PROCESS_H

#include <stddef.h>
#include <sys/types.h>

#include "cb_buf.h"

enum { CB_FD_NULL = -1, CB_FD_INHERIT = -2 }; /* for a child's out and err: /dev/null, as is */

/* Starts argv[0] (searched in PATH) with argv, stdin from /dev/null and stdout / stderr to the
 * descriptors out / err (or CB_FD_NULL, CB_FD_INHERIT), in directory dir (NULL: this one).
 * Returns its pid, or -1 with errno set. */
pid_t cb_spawn(char *const argv[], const char *dir, int out, int err);

/* Waits for pid: its exit status (0..255), 256 + the number of the signal that ended it, or -1
 * (errno set). One child runs at a time. */
int cb_wait(pid_t pid);

/* Runs argv as cb_spawn does and waits for it, its stdout appended to out (NULL: to /dev/null).
 * Returns its status (cb_wait), -1 when it did not start. */
int cb_run_child(char *const argv[], const char *dir, cb_buf *out, int err);

/* A pipe whose ends are closed on exec: neither goes to the children of the child it is given to.
 * 0, or -1 with errno set. */
int cb_pipe(int fds[2]);

/* cb_wait's status as words: "exited with status 3", "was killed by signal 15". */
const char *cb_status_text(char *buf, size_t n, int status);

/* Catches SIGINT, SIGTERM and SIGHUP (those not ignored) from now on; see the top of the file. */
void cb_catch_interrupts(void);

/* The signal caught, 0 when none. */
int cb_interrupted(void);

#endif /* CB_CHILD_PROCESS_H */
