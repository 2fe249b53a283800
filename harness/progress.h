/* progress.h - progress of a long pass on stderr: a redrawn bar on a terminal, plain lines elsewhere.
 *
 * The bar is redrawn at most CB_PROGRESS_HZ times a second (and once at the end): an update that
 * comes sooner costs one clock read and returns. Lines come every tenth of the pass. An update
 * returns the seconds it spent drawing, so that a timed loop can keep them out of its timing
 * (cb_train does: an epoch's seconds exclude the drawing, cb_epoch_stats.progress_seconds). */
#ifndef CB_PROGRESS_H
#define CB_PROGRESS_H

#include "train.h"

enum { CB_PROGRESS_HZ = 10 };

typedef struct cb_progress {
    cb_progress_mode mode;
    const char *label;
    long total, next_line;
    double start;     /* cb_now() at cb_progress_begin */
    double last_draw; /* cb_now() at the last redraw of the bar (start before the first) */
    long draws;       /* bars drawn or lines printed so far */
} cb_progress;

void cb_progress_begin(cb_progress *p, cb_progress_mode mode, const char *label, long total);
/* done of total images so far; loss and accuracy are running means. Returns the seconds spent
 * drawing (0 when nothing was drawn). */
double cb_progress_update(cb_progress *p, long done, double loss, double accuracy);
void cb_progress_end(cb_progress *p);

#endif /* CB_PROGRESS_H */
