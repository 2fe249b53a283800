/*
 * bisect_state.h - the files `cifarbench bisect` shares with its steps, the calls back of git
 * bisect run at each revision (bisect_step.h), in a temporary directory of their own:
 *   cifarbench  the runner: a copy of this program, which git bisect run calls (COMMAND may
 *               rebuild the original);
 *   state       the options and the good and bad values, written once before git bisect run and
 *               read by every step;
 *   steps       the step log: a record a step, each appended in one write, read as it grows.
 */
#ifndef CB_BISECT_STATE_H
#define CB_BISECT_STATE_H

#include <stdbool.h>
#include <stdio.h>

#include "bisect.h"
#include "bisect_git.h"

/* ---- the temporary directory ---------------------------------------------------------------- */

typedef struct cb_bisect_workdir {
    char tmp[CB_BISECT_PATH_LEN]; /* "" while there is none */
    char runner[CB_BISECT_PATH_LEN + 16], state[CB_BISECT_PATH_LEN + 16], log[CB_BISECT_PATH_LEN + 16];
    FILE *log_in;                 /* the step log, read as the steps append to it */
} cb_bisect_workdir;

/* Makes the directory in $TMPDIR (default /tmp), the runner and an empty step log, opened for
 * reading. 0, or -1 (said on stderr); w (zeroed before) is for cb_bisect_workdir_remove either way. */
int cb_bisect_workdir_make(cb_bisect_workdir *w);

/* Closes the step log and removes the directory and its files (what cannot be: on stderr). */
void cb_bisect_workdir_remove(cb_bisect_workdir *w);

/* ---- the state file ------------------------------------------------------------------------- */

/* Writes the state file at path: f (f->dir, the repository's top directory), the step log's path,
 * the plan, the good and the bad values. 0, or -1 with the reason in err. */
int cb_bisect_state_write(const char *path, const cb_bisect_figure *f, const char *log,
                          const cb_bisect_plan *plan, const cb_samples *good, const cb_samples *bad,
                          char *err, size_t errlen);

/* What a step reads from the state file. */
typedef struct cb_bisect_state {
    char *top, *command, *result, *figure, *log; /* result and figure NULL for the wall time */
    cb_bisect_plan plan;
    cb_samples good, bad;
} cb_bisect_state;

/* Reads the state file at path into *s; false when it is none (or memory ran out). Either way
 * cb_bisect_state_free(s) is due. */
bool cb_bisect_state_read(const char *path, cb_bisect_state *s);
void cb_bisect_state_free(cb_bisect_state *s);

/* ---- the step log --------------------------------------------------------------------------- */

/* What a step found at one revision. */
typedef struct cb_bisect_record {
    char hash[CB_GIT_HASH_LEN];
    char verdict[8];              /* "good", "bad", "skip" */
    double median, p_good, p_bad; /* NAN when COMMAND could not be measured */
    int runs;
    char note[512];               /* why skipped, or that the nearer median decided; one line */
} cb_bisect_record;

/* Appends rec to the step log at path as one line, in one write (a reader never sees half of it):
 * 0, or -1. */
int cb_bisect_record_append(const char *path, const cb_bisect_record *rec);

/* The next whole record in the step log log_in, read since the last call: true, or false when
 * there is none yet (a line still being written is left for the next call). */
bool cb_bisect_record_next(FILE *log_in, cb_bisect_record *rec);

#endif /* CB_BISECT_STATE_H */
