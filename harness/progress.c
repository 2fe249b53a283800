/* progress.c - the progress bar or lines of a long pass (progress.h). */
#include "progress.h"

#include <stdio.h>

#include "cb_clock.h"

void cb_progress_begin(cb_progress *p, cb_progress_mode mode, const char *label, long total)
{
    p->mode = mode;
    p->label = label;
    p->total = total > 0 ? total : 1;
    p->next_line = p->total / 10;
    p->start = cb_now();
    p->last_draw = p->start;
    p->draws = 0;
}

double cb_progress_update(cb_progress *p, long done, double loss, double accuracy)
{
    if (p->mode == CB_PROGRESS_NONE || (p->mode == CB_PROGRESS_LINES && done < p->next_line))
        return 0.0;
    const double now = cb_now(); /* the one clock read of an update that draws nothing */
    if (p->mode == CB_PROGRESS_BAR && done < p->total && now - p->last_draw < 1.0 / CB_PROGRESS_HZ)
        return 0.0;
    const double elapsed = now - p->start;
    const double rate = elapsed > 0 ? (double)done / elapsed : 0.0;
    if (p->mode == CB_PROGRESS_BAR) {
        enum { WIDTH = 30 };
        const int filled = (int)((double)WIDTH * (double)done / (double)p->total);
        char bar[WIDTH + 1];
        for (int i = 0; i < WIDTH; i++)
            bar[i] = i < filled ? '#' : '.';
        bar[WIDTH] = '\0';
        fprintf(stderr, "\r%s [%s] %6ld/%ld  %8.0f img/s  loss %.4f  acc %.4f", p->label, bar, done,
                p->total, rate, loss, accuracy);
        fflush(stderr);
    } else {
        fprintf(stderr, "%s %3.0f%%  %ld/%ld images  %.0f img/s  loss %.4f  acc %.4f\n", p->label,
                100.0 * (double)done / (double)p->total, done, p->total, rate, loss, accuracy);
        while (p->next_line <= done)
            p->next_line += p->total / 10 > 0 ? p->total / 10 : 1;
    }
    p->draws++;
    const double after = cb_now();
    p->last_draw = after;
    return after - now;
}

void cb_progress_end(cb_progress *p)
{
    if (p->mode == CB_PROGRESS_BAR)
        fputc('\n', stderr);
}
