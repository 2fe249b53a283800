/* progress.c - see progress.h. */
#define _POSIX_C_SOURCE 200809L
#include "progress.h"

#include <stdio.h>
#include <time.h>

double cb_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void cb_progress_begin(cb_progress *p, cb_progress_mode mode, const char *label, long total)
{
    p->mode = mode;
    p->label = label;
    p->total = total > 0 ? total : 1;
    p->next_line = p->total / 10;
    p->start = cb_now();
}

void cb_progress_update(cb_progress *p, long done, double loss, double accuracy)
{
    const double elapsed = cb_now() - p->start;
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
    } else if (p->mode == CB_PROGRESS_LINES && done >= p->next_line) {
        fprintf(stderr, "%s %3.0f%%  %ld/%ld images  %.0f img/s  loss %.4f  acc %.4f\n", p->label,
                100.0 * (double)done / (double)p->total, done, p->total, rate, loss, accuracy);
        p->next_line += p->total / 10 > 0 ? p->total / 10 : 1;
    }
}

void cb_progress_end(cb_progress *p)
{
    if (p->mode == CB_PROGRESS_BAR)
        fputc('\n', stderr);
}
