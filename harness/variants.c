/* variants.c - see variants.h. */
#include "variants.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    size_t offset; /* of the function pointer in cb_kernel_table */
} kernels[CB_KERNEL_COUNT] = {
#define K(f) {#f, offsetof(cb_kernel_table, f)}
    K(conv3x3_fwd), K(conv3x3_bwd_data), K(conv3x3_bwd_weights), K(relu_fwd), K(relu_bwd),
    K(maxpool2_fwd), K(maxpool2_bwd), K(dense_fwd), K(dense_bwd), K(softmax_xent),
    K(sigmoid_bce), K(mse), K(mae), K(adam),
#undef K
};

/* cb_kernel_table is isa_name followed by one function pointer per kernel, all of one size. */
_Static_assert(sizeof(cb_kernel_table) == sizeof(const char *) + CB_KERNEL_COUNT * sizeof(void (*)(void)),
               "cb_variants must list every kernel of cb_kernel_table");

static const char header[] = "# cifarbench variants 1";

const char *cb_kernel_name(int k)
{
    return kernels[k].name;
}

void cb_variants_uniform(cb_variants *v, cb_isa isa)
{
    for (int k = 0; k < CB_KERNEL_COUNT; k++)
        v->isa[k] = isa;
}

cb_kernel_table cb_variants_table(const cb_variants *v)
{
    cb_kernel_table t;
    memset(&t, 0, sizeof t);
    t.isa_name = cb_variants_summary(v);
    for (int k = 0; k < CB_KERNEL_COUNT; k++) {
        const cb_kernel_table *src = cb_kernel_table_for(v->isa[k]);
        memcpy((char *)&t + kernels[k].offset, (const char *)src + kernels[k].offset,
               sizeof(void (*)(void)));
    }
    return t;
}

const char *cb_variants_summary(const cb_variants *v)
{
    for (int k = 1; k < CB_KERNEL_COUNT; k++)
        if (v->isa[k] != v->isa[0])
            return "mixed";
    return cb_isa_name(v->isa[0]);
}

static int kernel_index(const char *name)
{
    for (int k = 0; k < CB_KERNEL_COUNT; k++)
        if (strcmp(name, kernels[k].name) == 0)
            return k;
    return -1;
}

int cb_variants_load(const char *path, cb_variants *v, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    bool seen[CB_KERNEL_COUNT] = {false};
    char line[256];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        if (lineno == 1 && strncmp(line, header, sizeof header - 1) != 0) {
            snprintf(err, errlen, "%s:1: not a variant file (the first line must be '%s')", path,
                     header);
            rc = -1;
            break;
        }
        char kname[64], iname[64], extra[2];
        if (line[0] == '#' || line[0] == '\n')
            continue;
        const int fields = sscanf(line, "%63s %63s %1s", kname, iname, extra);
        cb_isa isa;
        bool is_auto;
        const int k = fields >= 1 ? kernel_index(kname) : -1;
        if (fields != 2)
            snprintf(err, errlen, "%s:%d: expected 'KERNEL ISA'", path, lineno), rc = -1;
        else if (k < 0)
            snprintf(err, errlen, "%s:%d: unknown kernel '%s'", path, lineno, kname), rc = -1;
        else if (!cb_isa_parse(iname, &isa, &is_auto) || is_auto)
            snprintf(err, errlen, "%s:%d: unknown ISA '%s' (scalar, avx2 or avx512)", path,
                     lineno, iname), rc = -1;
        else if (seen[k])
            snprintf(err, errlen, "%s:%d: kernel '%s' given twice", path, lineno, kname), rc = -1;
        else if (!cb_isa_supported(isa))
            snprintf(err, errlen, "%s:%d: %s needs %s, which this CPU or build cannot run", path,
                     lineno, kname, iname), rc = -1;
        else {
            seen[k] = true;
            v->isa[k] = isa;
        }
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "%s: read error", path);
        rc = -1;
    }
    if (rc == 0 && lineno == 0) {
        snprintf(err, errlen, "%s: empty file", path);
        rc = -1;
    }
    for (int k = 0; rc == 0 && k < CB_KERNEL_COUNT; k++)
        if (!seen[k]) {
            snprintf(err, errlen, "%s: kernel '%s' is missing", path, kernels[k].name);
            rc = -1;
        }
    fclose(f);
    return rc;
}

int cb_variants_format(const cb_variants *v, const char *comment, char *buf, size_t len)
{
    size_t n = (size_t)snprintf(buf, len, "%s\n%s", header, comment ? comment : "");
    for (int k = 0; k < CB_KERNEL_COUNT && n < len; k++)
        n += (size_t)snprintf(buf + n, len - n, "%s %s\n", kernels[k].name, cb_isa_name(v->isa[k]));
    return n < len ? (int)n : -1;
}
