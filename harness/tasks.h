/*
 * tasks.h - the learning tasks: which output activation and loss, and the data set each uses.
 *
 *   classify    10 classes: dense 10 + softmax + sparse categorical cross-entropy (the reference)
 *   binary      bird (class 2, target 1) versus airplane (class 0, target 0): the 10,000 training
 *               and 2,000 test images of those classes; dense 1 + sigmoid + binary cross-entropy
 *   multilabel  two objects per image, K = 10 independent sigmoid outputs with binary
 *               cross-entropy. Image i of a set is built from images i and j = (i + count/2) mod
 *               count: the left half is image i and the right half image j, each squeezed to 16
 *               columns by taking every second column; its targets are 1 for both classes
 *               (one 1 when the classes are equal). Deterministic, no randomness.
 *   regression  not a CIFAR-10 task: a linear output with MSE or MAE on iris (regression.h); the
 *               functions below do not apply to it.
 */
#ifndef CB_TASKS_H
#define CB_TASKS_H

#include <stdbool.h>

#include "cifar10.h"
#include "model.h"

typedef enum cb_task {
    CB_TASK_CLASSIFY,
    CB_TASK_BINARY,
    CB_TASK_MULTILABEL,
    CB_TASK_REGRESSION, /* iris, not CIFAR-10: see regression.h */
} cb_task;

const char *cb_task_name(cb_task t);
bool cb_task_parse(const char *name, cb_task *t);

/* The network's output width and head for the task. */
cb_model_config cb_task_model(cb_task t);

/* The head for `--loss NAME` on the task: the matched pair (classify: softmax-xent; binary and
 * multilabel: sigmoid-bce) or, for teaching, the mismatched one (softmax-mse, sigmoid-mse).
 * False when the name does not fit the task. */
bool cb_task_loss(cb_task t, const char *name, cb_head *head);
const char *cb_head_name(cb_head h);

/* Network description for results, e.g. "conv3-8,pool,conv8-8,pool,dense512-32,dense32-1,sigmoid-bce". */
const char *cb_task_network(cb_task t);

/* Turns the 10-class CIFAR-10 in d into the task's data set, in place. Returns 0, or -1 with the
 * reason in err (out of memory; a set without any image of the binary task's two classes). */
int cb_task_apply(cb_task t, cb_cifar10 *d, char *err, size_t errlen);

#endif /* CB_TASKS_H */
