/*
 * bandwidth.h - how fast one core reads memory: the scaling model's memory term (scaling_model.h).
 */
#ifndef CB_BANDWIDTH_H
#define CB_BANDWIDTH_H

#include "topology.h"

/* Bytes per second the calling thread reads from a buffer four times the machine's largest cache
 * (at least 64 MiB): the best of five passes. Returns 0 when the buffer cannot be allocated. */
double cb_read_bandwidth_per_core(const cb_machine *m);

#endif /* CB_BANDWIDTH_H */
