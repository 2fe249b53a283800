/* page_file.c - see page_file.h. */
#define _POSIX_C_SOURCE 200809L
#include "page_file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "cb_atomic_file.h"

int cb_page_dir(const char *command, const char *dir)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return 0;
        fprintf(stderr, "cifarbench %s: --out %s exists and is not a directory\n", command, dir);
        return -1;
    }
    if (mkdir(dir, 0777) != 0) {
        fprintf(stderr, "cifarbench %s: cannot create directory %s: %s%s\n", command, dir, strerror(errno),
                errno == ENOENT ? " (only the last level is created)" : "");
        return -1;
    }
    return 0;
}

int cb_page_write(const char *command, const char *dir, const char *name, bool html, const char *title,
                  void (*build)(cb_out *o, const void *arg), const void *arg)
{
    char path[4096], err[4400];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
        fprintf(stderr, "cifarbench %s: --out %s: path too long\n", command, dir);
        return -1;
    }
    cb_buf text;
    cb_buf_init(&text);
    cb_out o = {&text, html, NULL, 0, title};
    build(&o, arg);
    int rc = 0;
    if (text.failed) {
        fprintf(stderr, "cifarbench %s: out of memory building %s\n", command, path);
        rc = -1;
    } else if (cb_write_file_atomic(path, cb_buf_str(&text), text.len, err, sizeof err) != 0) {
        fprintf(stderr, "cifarbench %s: %s\n", command, err);
        rc = -1;
    }
    cb_buf_free(&text);
    return rc;
}
