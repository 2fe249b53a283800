/* variants.c - see variants.h. */
#define _POSIX_C_SOURCE 200809L /* getline */

#include "variants.h"

#include "cb_atomic_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char header[] = "# cifarbench variants 2";
/* Version 1 named the kernels conv3x3_* and maxpool2_*; its lines are not read any more. */
static const char header_v1[] = "# cifarbench variants 1";

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
    for (int k = 0; k < CB_KERNEL_COUNT; k++)
        cb_kernel_table_set(&t, k, cb_kernel_table_for(v->isa[k]));
    return t;
}

const char *cb_variants_summary(const cb_variants *v)
{
    for (int k = 1; k < CB_KERNEL_COUNT; k++)
        if (v->isa[k] != v->isa[0])
            return "mixed";
    return cb_isa_name(v->isa[0]);
}

int cb_variants_load(const char *path, cb_variants *v, char *err, size_t errlen)
{
    /* Not fopen: a FIFO would block the open; only a regular file is read. */
    FILE *f = cb_open_input_file(path, NULL, err, errlen);
    if (!f)
        return -1;
    bool seen[CB_KERNEL_COUNT] = {false};
    char *line = NULL; /* whole lines, however long: a long comment is never split */
    size_t cap = 0;
    int lineno = 0, rc = 0;
    for (ssize_t got; rc == 0 && (got = getline(&line, &cap, f)) >= 0;) {
        lineno++;
        if ((size_t)got != strlen(line)) {
            snprintf(err, errlen, "%s:%d: a NUL byte in the line: not a variant file", path,
                     lineno);
            rc = -1;
            break;
        }
        if (lineno == 1 && strncmp(line, header_v1, sizeof header_v1 - 1) == 0) {
            snprintf(err, errlen, "%s:1: a version 1 variant file, whose kernel names have "
                                  "changed: write it again with 'cifarbench tune'", path);
            rc = -1;
            break;
        }
        if (lineno == 1 && strncmp(line, header, sizeof header - 1) != 0) {
            snprintf(err, errlen, "%s:1: not a variant file (the first line must be '%s')", path,
                     header);
            rc = -1;
            break;
        }
        char kname[64], iname[64], extra[2];
        if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0')
            continue; /* a comment, however long, or a blank line */
        const int fields = sscanf(line, "%63s %63s %1s", kname, iname, extra);
        cb_isa isa;
        bool is_auto;
        const int k = fields >= 1 ? cb_kernel_index(kname) : -1;
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
    free(line);
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
            snprintf(err, errlen, "%s: kernel '%s' is missing", path, cb_kernel_name(k));
            rc = -1;
        }
    fclose(f);
    return rc;
}

int cb_variants_format(const cb_variants *v, const char *comment, char *buf, size_t len)
{
    size_t n = (size_t)snprintf(buf, len, "%s\n%s", header, comment ? comment : "");
    for (int k = 0; k < CB_KERNEL_COUNT && n < len; k++)
        n += (size_t)snprintf(buf + n, len - n, "%s %s\n", cb_kernel_name(k), cb_isa_name(v->isa[k]));
    return n < len ? (int)n : -1;
}
