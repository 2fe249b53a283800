/*
 * cb_kernel_impl.h - internal to kernels/: what each ISA's files include. Declares, from the
 * registry, cb_<kernel>_<isa> of type cb_<kernel>_fn for every kernel and ISA (so each definition
 * is checked against its type) and the per-ISA tables; CB_KERNEL_TABLE(isa) defines one, in
 * kernels/<isa>/table_<isa>.c.
 */
#ifndef CB_KERNEL_IMPL_H
#define CB_KERNEL_IMPL_H

#include "cb_dispatch.h"

#define CB_DECLARE_KERNEL_(isa, name, family) cb_##name##_fn cb_##name##_##isa;
#define CB_DECLARE_KERNELS(isa)                                                                    \
    CB_KERNELS(CB_DECLARE_KERNEL_, isa)                                                            \
    extern const cb_kernel_table cb_kernel_table_##isa

#define CB_TABLE_ENTRY_(isa, name, family) .name = cb_##name##_##isa,
#define CB_KERNEL_TABLE(isa)                                                                       \
    const cb_kernel_table cb_kernel_table_##isa = {.isa_name = #isa,                               \
                                                   CB_KERNELS(CB_TABLE_ENTRY_, isa)}

CB_DECLARE_KERNELS(scalar);
CB_DECLARE_KERNELS(avx2);
CB_DECLARE_KERNELS(avx512);

#endif /* CB_KERNEL_IMPL_H */
