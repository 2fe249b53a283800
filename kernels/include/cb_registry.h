/*
 * cb_registry.h - THE list of kernels. Every kernel is named here once; everything else expands
 * this list:
 *
 *   the table          cb_kernel_table has one field per kernel (cb_dispatch.h)
 *   the declarations   cb_<kernel>_<isa> of type cb_<kernel>_fn (cb_kernels.h) for every ISA
 *   the tables         CB_KERNEL_TABLE(isa) in kernels/<isa>/table_<isa>.c
 *   names and count    cb_kernel_name(), CB_KERNEL_COUNT, cb_kernel_index() (dispatch.c)
 *   the cases          cb_kernel_cases_for(): the calls one training step makes, their fills,
 *                      FLOP and byte counts (cb_cases.h, kernels/cases/<family>_cases.c)
 *   what runs them     the benchmarks (bench/bench_kernels.c), `cifarbench tune`, variant files
 *                      (harness/variants.c) and the registry test (tests/test_registry.c)
 *
 * X(arg, name, family): `arg` is passed through from CB_KERNELS(X, arg) (e.g. the ISA); `name` is the kernel's one name, used for its symbol, its table field, its
 * benchmarks (<name>/<isa>/<layer>/N:<batch>), tune's rows and variant-file lines, and reports;
 * `family` names the files that define it: kernels/<isa>/<family>_<isa>.c for each ISA and
 * kernels/cases/<family>_cases.c for its cases. Adding a kernel: a typedef cb_<name>_fn in
 * cb_kernels.h, one line here, cb_<name>_<isa> in each ISA's family file, its cases in the family's
 * cases file, and its double reference in tests/test_<family>.c.
 */
#ifndef CB_REGISTRY_H
#define CB_REGISTRY_H

#define CB_KERNELS(X, a)                                                                           \
    X(a, pixels_to_float, pixels)                                                                  \
    X(a, conv2d_fwd, conv2d)                                                                       \
    X(a, conv2d_bwd_data, conv2d)                                                                  \
    X(a, conv2d_bwd_weights, conv2d)                                                               \
    X(a, relu_fwd, relu)                                                                           \
    X(a, relu_bwd, relu)                                                                           \
    X(a, maxpool_fwd, maxpool)                                                                     \
    X(a, maxpool_bwd, maxpool)                                                                     \
    X(a, dense_fwd, dense)                                                                         \
    X(a, dense_bwd, dense)                                                                         \
    X(a, softmax_xent, softmax_xent)                                                               \
    X(a, sigmoid_bce, sigmoid_bce)                                                                 \
    X(a, mse, mse)                                                                                 \
    X(a, mae, mae)                                                                                 \
    X(a, adam, adam)

/* Kernel indices CB_KERNEL_pixels_to_float, ... in list order, and their count. */
#define CB_KERNEL_ENUM_(a, name, family) CB_KERNEL_##name,
enum { CB_KERNELS(CB_KERNEL_ENUM_, ~) CB_KERNEL_COUNT };
#undef CB_KERNEL_ENUM_

#endif /* CB_REGISTRY_H */
