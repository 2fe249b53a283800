/* The scalar kernel table, expanded from the registry (cb_kernel_impl.h). */
#include "cb_kernel_impl.h"

CB_KERNEL_TABLE(scalar);
