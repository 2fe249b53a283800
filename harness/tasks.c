/* tasks.c - see tasks.h. */
#include "tasks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

enum { BINARY_POSITIVE = 2 /* bird */, BINARY_NEGATIVE = 0 /* airplane */ };

static const char *const names[] = {"classify", "binary", "multilabel", "regression"};

const char *cb_task_name(cb_task t)
{
    return names[t];
}

bool cb_task_parse(const char *name, cb_task *t)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(name, names[i]) == 0) {
            *t = (cb_task)i;
            return true;
        }
    return false;
}

cb_model_config cb_task_model(cb_task t)
{
    switch (t) {
    case CB_TASK_BINARY:
        return (cb_model_config){1, CB_HEAD_SIGMOID_BCE};
    case CB_TASK_MULTILABEL:
        return (cb_model_config){CB_CIFAR_CLASSES, CB_HEAD_SIGMOID_BCE};
    default:
        return (cb_model_config){CB_CIFAR_CLASSES, CB_HEAD_SOFTMAX_XENT};
    }
}

static const char *const head_names[] = {"softmax-xent", "sigmoid-bce", "mse", "mae",
                                         "softmax-mse", "sigmoid-mse"};

const char *cb_head_name(cb_head h)
{
    return head_names[h];
}

bool cb_task_loss(cb_task t, const char *name, cb_head *head)
{
    const bool softmax = t == CB_TASK_CLASSIFY;
    if (t == CB_TASK_REGRESSION)
        return false;
    for (int h = 0; h < (int)(sizeof head_names / sizeof head_names[0]); h++) {
        const bool fits = softmax ? (h == CB_HEAD_SOFTMAX_XENT || h == CB_HEAD_SOFTMAX_MSE)
                                  : (h == CB_HEAD_SIGMOID_BCE || h == CB_HEAD_SIGMOID_MSE);
        if (fits && strcmp(name, head_names[h]) == 0) {
            *head = (cb_head)h;
            return true;
        }
    }
    return false;
}

const char *cb_task_network(cb_task t)
{
    static const char *const nets[] = {
        "conv3-8,pool,conv8-8,pool,dense512-32,dense32-10,softmax-xent",
        "conv3-8,pool,conv8-8,pool,dense512-32,dense32-1,sigmoid-bce",
        "conv3-8,pool,conv8-8,pool,dense512-32,dense32-10,sigmoid-bce (multi-label)",
        "onehot8(length bin),dense8-16,relu,dense16-1,linear",
    };
    return nets[t];
}

/* Keeps the images of the two classes, relabelled 1 (positive) and 0, with targets equal. */
static int to_binary(cb_dataset *s)
{
    int kept = 0;
    for (int i = 0; i < s->count; i++) {
        const int32_t l = s->labels[i];
        if (l != BINARY_POSITIVE && l != BINARY_NEGATIVE)
            continue;
        memmove(s->pixels + (size_t)kept * CB_CIFAR_PIXELS, s->pixels + (size_t)i * CB_CIFAR_PIXELS,
                CB_CIFAR_PIXELS);
        s->labels[kept++] = l == BINARY_POSITIVE;
    }
    s->count = kept;
    s->target_width = 1;
    s->targets = malloc(sizeof(float) * (size_t)(kept > 0 ? kept : 1));
    if (!s->targets)
        return -1;
    for (int i = 0; i < kept; i++)
        s->targets[i] = (float)s->labels[i];
    return 0;
}

void cb_task_multilabel_partners(int n, uint64_t seed, int32_t *order, int32_t *partner)
{
    for (int i = 0; i < n; i++)
        order[i] = i;
    cb_rng rng;
    cb_rng_seed(&rng, seed);
    cb_rng_shuffle_i32(&rng, order, n);
    for (int k = 0; k < n; k++)
        partner[order[k]] = order[k + 1 < n ? k + 1 : 0];
}

/* Image i becomes [image i | image partner[i]], each squeezed to half width. */
static int to_multilabel(cb_dataset *s, uint64_t seed)
{
    const int n = s->count, W = CB_CIFAR_W, C = CB_CIFAR_C;
    uint8_t *px = malloc((size_t)(n > 0 ? n : 1) * CB_CIFAR_PIXELS);
    int32_t *pairs = malloc(2 * sizeof(int32_t) * (size_t)(n > 0 ? n : 1));
    s->targets = calloc((size_t)(n > 0 ? n : 1) * CB_CIFAR_CLASSES, sizeof(float));
    if (!px || !pairs || !s->targets) {
        free(px);
        free(pairs);
        return -1;
    }
    int32_t *partner = pairs + n;
    cb_task_multilabel_partners(n, seed, pairs, partner);
    s->target_width = CB_CIFAR_CLASSES;
    for (int i = 0; i < n; i++) {
        const int j = partner[i];
        const uint8_t *a = s->pixels + (size_t)i * CB_CIFAR_PIXELS;
        const uint8_t *b = s->pixels + (size_t)j * CB_CIFAR_PIXELS;
        uint8_t *o = px + (size_t)i * CB_CIFAR_PIXELS;
        for (int y = 0; y < CB_CIFAR_H; y++)
            for (int x = 0; x < W; x++) {
                const uint8_t *src = x < W / 2 ? a : b;
                const int sx = 2 * (x % (W / 2));
                memcpy(o + (y * W + x) * C, src + (y * W + sx) * C, (size_t)C);
            }
        s->targets[(size_t)i * CB_CIFAR_CLASSES + s->labels[i]] = 1.0f;
        s->targets[(size_t)i * CB_CIFAR_CLASSES + s->labels[j]] = 1.0f;
    }
    free(pairs);
    free(s->pixels);
    s->pixels = px;
    return 0;
}

int cb_task_apply(cb_task t, cb_cifar10 *d, char *err, size_t errlen)
{
    if (t == CB_TASK_CLASSIFY)
        return 0;
    if (t == CB_TASK_REGRESSION) {
        snprintf(err, errlen, "the regression task trains on iris, not CIFAR-10 (train only)");
        return -1;
    }
    cb_dataset *sets[2] = {&d->train, &d->test};
    for (int k = 0; k < 2; k++) {
        const int rc = t == CB_TASK_BINARY ? to_binary(sets[k])
                                           : to_multilabel(sets[k], CB_MULTILABEL_SEED + (uint64_t)k);
        if (rc != 0) {
            snprintf(err, errlen, "out of memory building the %s task's data", names[t]);
            return -1;
        }
        if (sets[k]->count == 0) {
            snprintf(err, errlen, "the %s set has no image of the %s task's classes",
                     k ? "test" : "training", names[t]);
            return -1;
        }
    }
    return 0;
}
