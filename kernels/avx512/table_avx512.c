/* The avx512 kernel table (see cb_kernel_list.h). */
#include "cb_kernel_list.h"

CB_KERNEL_TABLE(avx512);
