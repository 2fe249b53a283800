/*
 * bisect_drive.h - `cifarbench bisect` once its checks have passed (cmd_bisect.c): good and bad
 * measured, git bisect run driven with the step (bisect_step.h) and each step's line relayed, the
 * outcome printed, and the repository put back (git bisect reset), also after an error or an
 * interrupt.
 */
#ifndef CB_BISECT_DRIVE_H
#define CB_BISECT_DRIVE_H

#include "bisect.h"
#include "bisect_git.h"

/* What is bisected, as the checks found it. */
typedef struct cb_bisect_job {
    char top[CB_BISECT_PATH_LEN];                     /* the repository's top directory */
    char good[CB_GIT_HASH_LEN], bad[CB_GIT_HASH_LEN]; /* the ends, as full commit names */
    cb_bisect_figure fig;                             /* fig.dir is top */
    cb_bisect_plan plan;
} cb_bisect_job;

/* Bisects; returns the exit code (cifarbench bisect --help: 0 found, 1 not, 128 + the signal). */
int cb_bisect_drive(const cb_bisect_job *job);

/* Reports a failure on stderr ("cifarbench bisect: ..."), unless it follows from an interrupt;
 * returns CB_EXIT_FAILURE. */
int cb_bisect_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* CB_BISECT_DRIVE_H */
