/*
 * cb_kernel_list.h - internal: the names of one ISA's kernels and its table, from one list.
 *
 * Each ISA implements cb_<kernel>_<isa> for every kernel below (e.g. cb_conv3x3_fwd_avx2) and
 * builds its table with CB_KERNEL_TABLE(isa) in its table_<isa>.c, so adding a kernel means one
 * line here, one field in cb_kernel_table and one file per ISA.
 */
#ifndef CB_KERNEL_LIST_H
#define CB_KERNEL_LIST_H

#include "cb_dispatch.h"

#define CB_DECLARE_KERNELS(isa)                                                                    \
    cb_conv3x3_fwd_fn cb_conv3x3_fwd_##isa;                                                        \
    cb_conv3x3_bwd_data_fn cb_conv3x3_bwd_data_##isa;                                              \
    cb_conv3x3_bwd_weights_fn cb_conv3x3_bwd_weights_##isa;                                        \
    cb_relu_fwd_fn cb_relu_fwd_##isa;                                                              \
    cb_relu_bwd_fn cb_relu_bwd_##isa;                                                              \
    cb_maxpool2_fwd_fn cb_maxpool2_fwd_##isa;                                                      \
    cb_maxpool2_bwd_fn cb_maxpool2_bwd_##isa;                                                      \
    cb_dense_fwd_fn cb_dense_fwd_##isa;                                                            \
    cb_dense_bwd_fn cb_dense_bwd_##isa;                                                            \
    cb_softmax_xent_fn cb_softmax_xent_##isa;                                                      \
    cb_sigmoid_bce_fn cb_sigmoid_bce_##isa;                                                        \
    cb_mse_fn cb_mse_##isa;                                                                        \
    cb_mae_fn cb_mae_##isa;                                                                        \
    cb_adam_fn cb_adam_##isa;                                                                      \
    extern const cb_kernel_table cb_kernel_table_##isa

#define CB_KERNEL_TABLE(isa)                                                                       \
    const cb_kernel_table cb_kernel_table_##isa = {                                                \
        .isa_name = #isa,                                                                          \
        .conv3x3_fwd = cb_conv3x3_fwd_##isa,                                                       \
        .conv3x3_bwd_data = cb_conv3x3_bwd_data_##isa,                                             \
        .conv3x3_bwd_weights = cb_conv3x3_bwd_weights_##isa,                                       \
        .relu_fwd = cb_relu_fwd_##isa,                                                             \
        .relu_bwd = cb_relu_bwd_##isa,                                                             \
        .maxpool2_fwd = cb_maxpool2_fwd_##isa,                                                     \
        .maxpool2_bwd = cb_maxpool2_bwd_##isa,                                                     \
        .dense_fwd = cb_dense_fwd_##isa,                                                           \
        .dense_bwd = cb_dense_bwd_##isa,                                                           \
        .softmax_xent = cb_softmax_xent_##isa,                                                     \
        .sigmoid_bce = cb_sigmoid_bce_##isa,                                                       \
        .mse = cb_mse_##isa,                                                                       \
        .mae = cb_mae_##isa,                                                                       \
        .adam = cb_adam_##isa,                                                                     \
    }

CB_DECLARE_KERNELS(scalar);
CB_DECLARE_KERNELS(avx2);
CB_DECLARE_KERNELS(avx512);

#endif /* CB_KERNEL_LIST_H */
