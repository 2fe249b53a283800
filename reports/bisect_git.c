/* bisect_git.c - git for `cifarbench bisect` (bisect_git.h). */
#include "bisect_git.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "child_process.h"

size_t cb_git_line_len(const char *s)
{
    return strcspn(s, "\n");
}

const char *cb_git_next_line(const char *s)
{
    s += cb_git_line_len(s);
    return *s ? s + 1 : s;
}

/* git -C dir ARGS...: stdout into out (when not NULL, else discarded), stderr to err. */
static int git_v(const char *dir, cb_buf *out, int err, va_list ap)
{
    const char *argv[16] = {"git", "-C", dir};
    size_t n = 3;
    for (const char *a; n + 1 < sizeof argv / sizeof argv[0] && (a = va_arg(ap, const char *));)
        argv[n++] = a;
    argv[n] = NULL;
    return cb_run_child((char *const *)argv, NULL, out, err);
}

int cb_git(const char *dir, int err, ...)
{
    va_list ap;
    va_start(ap, err);
    const int status = git_v(dir, NULL, err, ap);
    va_end(ap);
    return status;
}

int cb_git_out(const char *dir, cb_buf *out, ...)
{
    va_list ap;
    va_start(ap, out);
    const int status = git_v(dir, out, CB_FD_NULL, ap);
    va_end(ap);
    return out->failed && status == 0 ? -1 : status;
}

int cb_git_line(const char *dir, char *line, size_t n, ...)
{
    cb_buf out;
    cb_buf_init(&out);
    va_list ap;
    va_start(ap, n);
    int status = git_v(dir, &out, CB_FD_NULL, ap);
    va_end(ap);
    const char *s = cb_buf_str(&out);
    const size_t len = cb_git_line_len(s);
    if (status == 0 && (out.failed || len >= n))
        status = -1;
    if (status == 0)
        snprintf(line, n, "%.*s", (int)len, s);
    cb_buf_free(&out);
    return status;
}

int cb_git_head(const char *dir, char hash[CB_GIT_HASH_LEN])
{
    return cb_git_line(dir, hash, CB_GIT_HASH_LEN, "rev-parse", "HEAD", NULL);
}

int cb_git_rev(const char *dir, const char *spec, char hash[CB_GIT_HASH_LEN])
{
    return cb_git_line(dir, hash, CB_GIT_HASH_LEN, "rev-parse", "--verify", "--quiet", spec, NULL);
}

int cb_git_checkout(const char *dir, const char *hash)
{
    return cb_git(dir, CB_FD_INHERIT, "checkout", "-q", "--detach", hash, NULL);
}
