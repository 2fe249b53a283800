/* bisect_step.c - `cifarbench bisect --step STATE`, git bisect run's call back (bisect_step.h). */
#include "bisect_step.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bisect.h"
#include "bisect_git.h"
#include "bisect_state.h"

enum { STEP_GOOD = 0, STEP_BAD = 1, STEP_SKIP = 125, STEP_ABORT = 255 }; /* git bisect run's codes */

/* Tabs and newlines of a message as spaces, for the one-line record. */
static void one_line(char *s)
{
    for (; *s; s++)
        if (*s == '\t' || *s == '\n' || *s == '\r')
            *s = ' ';
}

static void judge_revision(const cb_bisect_state *s, cb_bisect_record *rec)
{
    const cb_bisect_figure fig = {s->command, s->top, s->result, s->figure};
    cb_samples v = {0};
    cb_bisect_class c;
    if (cb_bisect_judge(&fig, &s->plan, &s->good, &s->bad, &v, &rec->runs, &c, rec->note,
                        sizeof rec->note) != 0) {
        snprintf(rec->verdict, sizeof rec->verdict, "skip");
        rec->median = rec->p_good = rec->p_bad = NAN;
        one_line(rec->note);
    } else {
        snprintf(rec->verdict, sizeof rec->verdict, "%s", c.verdict == CB_BISECT_GOOD ? "good"
                 : c.verdict == CB_BISECT_BAD ? "bad" : "skip");
        rec->median = c.median;
        rec->p_good = c.p_good;
        rec->p_bad = c.p_bad;
        if (c.verdict == CB_BISECT_UNDECIDED)
            snprintf(rec->note, sizeof rec->note, "undecided");
        else if (c.nearer)
            snprintf(rec->note, sizeof rec->note, "different from both, nearer %s", rec->verdict);
    }
    cb_samples_free(&v);
}

int cb_bisect_step(const char *path)
{
    cb_bisect_state s;
    if (!cb_bisect_state_read(path, &s)) {
        cb_bisect_state_free(&s);
        fprintf(stderr, "cifarbench bisect --step: %s is no state file of cifarbench bisect\n", path);
        return STEP_ABORT;
    }
    cb_bisect_record rec = {0};
    int rc = STEP_ABORT;
    if (cb_git_head(s.top, rec.hash) != 0) {
        fprintf(stderr, "cifarbench bisect --step: git rev-parse HEAD failed in %s\n", s.top);
    } else {
        judge_revision(&s, &rec);
        rc = strcmp(rec.verdict, "good") == 0  ? STEP_GOOD
             : strcmp(rec.verdict, "bad") == 0 ? STEP_BAD
                                               : STEP_SKIP;
        if (cb_bisect_record_append(s.log, &rec) != 0) {
            fprintf(stderr, "cifarbench bisect --step: cannot append to %s\n", s.log);
            rc = STEP_ABORT;
        }
    }
    cb_bisect_state_free(&s);
    return rc;
}
