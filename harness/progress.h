/* progress.h - progress of a long pass on stderr: a redrawn bar on a terminal, plain lines elsewhere. */
#ifndef CB_PROGRESS_H
#define CB_PROGRESS_H

#include "train.h"

typedef struct cb_progress {
    cb_progress_mode mode;
    const char *label;
    long total, next_line;
    double start;
} cb_progress;

void cb_progress_begin(cb_progress *p, cb_progress_mode mode, const char *label, long total);
/* done of total images so far; loss and accuracy are running means. */
void cb_progress_update(cb_progress *p, long done, double loss, double accuracy);
void cb_progress_end(cb_progress *p);

/* Monotonic wall clock in seconds. */
double cb_now(void);

#endif /* CB_PROGRESS_H */
