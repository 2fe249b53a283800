/* registry.c - the registry's names and generic access to a table's entries (cb_dispatch.h). */
#include <stddef.h>
#include <string.h>

#include "cb_dispatch.h"

static const struct {
    const char *name;
    size_t offset; /* of the kernel's pointer in cb_kernel_table */
} kernels[CB_KERNEL_COUNT] = {
#define CB_KERNEL_ROW_(a, name, family) {#name, offsetof(cb_kernel_table, name)},
    CB_KERNELS(CB_KERNEL_ROW_, ~)
#undef CB_KERNEL_ROW_
};

/* cb_kernel_table is the ISA's name followed by one function pointer per kernel, in list order. */
_Static_assert(sizeof(cb_kernel_table) == sizeof(const char *) + CB_KERNEL_COUNT * sizeof(cb_generic_fn *),
               "cb_kernel_table must hold exactly the registry's kernels");

const char *cb_kernel_name(int k)
{
    return k >= 0 && k < CB_KERNEL_COUNT ? kernels[k].name : "unknown";
}

int cb_kernel_index(const char *name)
{
    for (int k = 0; k < CB_KERNEL_COUNT; k++)
        if (strcmp(name, kernels[k].name) == 0)
            return k;
    return -1;
}

cb_generic_fn *cb_kernel_entry(const cb_kernel_table *t, int k)
{
    cb_generic_fn *f; /* copied as bytes: every function pointer has the same representation here */
    memcpy(&f, (const char *)t + kernels[k].offset, sizeof f);
    return f;
}

void cb_kernel_table_set(cb_kernel_table *t, int k, const cb_kernel_table *from)
{
    memcpy((char *)t + kernels[k].offset, (const char *)from + kernels[k].offset,
           sizeof(cb_generic_fn *));
}
