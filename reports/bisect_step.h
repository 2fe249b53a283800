/*
 * bisect_step.h - `cifarbench bisect --step STATE`, git bisect run's call back at each revision:
 * the checked-out revision measured and judged as the state file says (bisect_state.h), its
 * record appended to the step log, and git told the verdict.
 */
#ifndef CB_BISECT_STEP_H
#define CB_BISECT_STEP_H

/* The step for the state file at path. Returns git bisect run's code: 0 good, 1 bad, 125 skip
 * (COMMAND or its figure failed, or the revision stayed undecided), 255 abort (no state file, git
 * failed, the step log cannot be appended to: reported on stderr). */
int cb_bisect_step(const char *path);

#endif /* CB_BISECT_STEP_H */
