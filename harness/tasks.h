/*
 * tasks.h - the learning tasks: which output activation and loss, and the data set each uses.
 *
 *   classify    10 classes: dense 10 + softmax + sparse categorical cross-entropy (the reference)
 *   binary      bird (class 2, target 1) versus airplane (class 0, target 0): the 10,000 training
 *               and 2,000 test images of those classes; dense 1 + sigmoid + binary cross-entropy
 *   multilabel  two objects per image, K = 10 independent sigmoid outputs with binary
 *               cross-entropy. Image i of a set is built from images i and j = partner[i]
 *               (cb_task_multilabel_partners): the left half is image i and the right half image
 *               j, each squeezed to 16 columns by taking every second column; its targets are 1
 *               for both classes (one 1 when the classes are equal). The partners come from a
 *               seeded permutation, never from the data's order: the official test batch is
 *               ordered by class, and pairing i with i + n/2 there made every pair one class
 *               twice. Deterministic: fixed seeds, CB_MULTILABEL_SEED for the training set and
 *               CB_MULTILABEL_SEED + 1 for the test set, whatever --seed is.
 *   regression  not a CIFAR-10 task: a linear output with MSE or MAE on iris (regression.h); the
 *               functions below do not apply to it.
 */
#ifndef CB_TASKS_H
#define CB_TASKS_H

#include <stdbool.h>
#include <stdint.h>

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

/* The multi-label task's pairs for a set of n images: image i is combined with partner[i]. A
 * permutation `order` of 0..n-1 is shuffled with the seed (rng.h), and the partners follow its
 * cycle: partner[order[k]] = order[k + 1], partner[order[n-1]] = order[0]. So every image is a
 * left half once and a right half once, never with itself (n > 1), and how likely two classes are
 * to meet does not depend on the order of the set. order and partner hold n each. */
#define CB_MULTILABEL_SEED 0x6d756c74696c6162ULL
void cb_task_multilabel_partners(int n, uint64_t seed, int32_t *order, int32_t *partner);

/* Turns the 10-class CIFAR-10 in d into the task's data set, in place. Returns 0, or -1 with the
 * reason in err (out of memory; a set without any image of the binary task's two classes). */
int cb_task_apply(cb_task t, cb_cifar10 *d, char *err, size_t errlen);

#endif /* CB_TASKS_H */
