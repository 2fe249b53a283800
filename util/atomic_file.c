/* atomic_file.c - output files written whole or not at all, to regular files only: a temporary
 * sibling of the (symlink-resolved) target, fsync, rename, fsync of the directory; and input files
 * opened without blocking and refused unless regular (cb_atomic_file.h). */
#define _XOPEN_SOURCE 700 /* realpath(path, NULL), O_CLOEXEC, S_ISSOCK */
#include "cb_atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { PATH_MAX_LEN = 4096, TMP_SUFFIX = 16 /* ".tmp.XXXXXX" and room to spare */ };
enum { TMP_LEN = PATH_MAX_LEN + TMP_SUFFIX };

/* What a file that is not a regular one is, for messages: "a directory", "a FIFO (named pipe)". */
static const char *kind_of(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISFIFO(mode))
        return "a FIFO (named pipe)";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a regular file";
}

/* An output path resolved by the rules of cb_atomic_file.h. */
typedef struct target {
    char path[PATH_MAX_LEN]; /* the file to replace or create: path itself, or a link's target */
    bool exists;             /* a regular file is there now */
    mode_t mode;             /* its mode, when it exists */
} target;

/* The directory part of path ("." when it has none) into dir. */
static void dir_of(const char *path, char dir[PATH_MAX_LEN])
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, PATH_MAX_LEN, ".");
    else
        snprintf(dir, PATH_MAX_LEN, "%.*s", slash == path ? 1 : (int)(slash - path), path);
}

/* Applies the output rules to path. Returns 0 with t filled, or -1 with err set. */
static int resolve_output(const char *path, target *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    if (!path || !path[0]) {
        snprintf(err, errlen, "cannot write '': empty file name");
        return -1;
    }
    const size_t len = strlen(path);
    if (len >= PATH_MAX_LEN - TMP_SUFFIX) {
        snprintf(err, errlen, "cannot write %.200s...: path too long", path);
        return -1;
    }
    if (path[len - 1] == '/') {
        snprintf(err, errlen, "cannot write %s: the path ends in '/', so it names a directory",
                 path);
        return -1;
    }
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (S_ISLNK(st.st_mode)) {
            /* Written through: the link's final target is the file replaced. */
            char *real = realpath(path, NULL);
            if (!real) {
                const int e = errno;
                if (e == ENOENT || e == ENOTDIR)
                    snprintf(err, errlen, "cannot write %s: it is a dangling symbolic link (its "
                                          "target does not exist)", path);
                else
                    snprintf(err, errlen, "cannot write %s: cannot resolve the symbolic link: %s",
                             path, strerror(e));
                return -1;
            }
            const bool fits = strlen(real) < PATH_MAX_LEN - TMP_SUFFIX;
            if (fits)
                snprintf(t->path, sizeof t->path, "%s", real);
            free(real);
            if (!fits) {
                snprintf(err, errlen, "cannot write %s: its target's path is too long", path);
                return -1;
            }
            if (stat(t->path, &st) != 0) {
                snprintf(err, errlen, "cannot write %s (-> %s): %s", path, t->path,
                         strerror(errno));
                return -1;
            }
            if (!S_ISREG(st.st_mode)) {
                snprintf(err, errlen, "cannot write %s: it is a symbolic link to %s, which is %s, "
                                      "not a regular file", path, t->path, kind_of(st.st_mode));
                return -1;
            }
        } else {
            if (!S_ISREG(st.st_mode)) {
                snprintf(err, errlen, "cannot write %s: it is %s, not a regular file", path,
                         kind_of(st.st_mode));
                return -1;
            }
            snprintf(t->path, sizeof t->path, "%s", path);
        }
        t->exists = true;
        t->mode = st.st_mode;
        return 0;
    }
    if (errno != ENOENT) { /* ENOTDIR: a component is a file, EACCES, ELOOP, ... */
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    /* Absent: created in its directory, which must exist. */
    char dir[PATH_MAX_LEN];
    dir_of(path, dir);
    if (stat(dir, &st) != 0) {
        snprintf(err, errlen, "cannot write %s: no directory %s (%s)", path, dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "cannot write %s: %s is %s, not a directory", path, dir,
                 kind_of(st.st_mode));
        return -1;
    }
    snprintf(t->path, sizeof t->path, "%s", path);
    return 0;
}

/* Creates the temporary sibling of t's file (name in tmp). Returns its descriptor, or -1 with err
 * set (naming the path the caller gave). */
static int create_temp(const char *path, const target *t, char tmp[TMP_LEN], char *err,
                       size_t errlen)
{
    snprintf(tmp, TMP_LEN, "%s.tmp.XXXXXX", t->path);
    const int fd = mkstemp(tmp);
    if (fd < 0)
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
    return fd;
}

/* Makes the rename in file's directory durable. Returns 0, or -1 with err set. */
static int sync_directory(const char *path, const char *file, char *err, size_t errlen)
{
    char dir[PATH_MAX_LEN];
    dir_of(file, dir);
    const int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    /* EINVAL: a file system that cannot sync directories (the rename is as durable as it gets) */
    const bool ok = fd >= 0 && (fsync(fd) == 0 || errno == EINVAL);
    const int saved = errno;
    if (fd >= 0)
        close(fd);
    if (!ok) {
        snprintf(err, errlen, "wrote %s but cannot sync its directory %s: %s", path, dir,
                 strerror(saved));
        return -1;
    }
    return 0;
}

/* The checks of an output path, then its temporary sibling (name in tmp): the descriptor, or -1
 * with err set. */
static int open_temp(const char *path, target *t, char tmp[TMP_LEN], char *err, size_t errlen)
{
    if (resolve_output(path, t, err, errlen) != 0)
        return -1;
    return create_temp(path, t, tmp, err, errlen);
}

int cb_check_file_writable(const char *path, char *err, size_t errlen)
{
    target t;
    char tmp[TMP_LEN];
    const int fd = open_temp(path, &t, tmp, err, errlen);
    if (fd < 0)
        return -1;
    close(fd);
    unlink(tmp);
    return 0;
}

int cb_write_file_atomic(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
    target t;
    char tmp[TMP_LEN];
    const int fd = open_temp(path, &t, tmp, err, errlen);
    if (fd < 0)
        return -1;
    /* A replaced file keeps its permission bits; a new one is 0644 (mkstemp's 0600 would hide
     * results from other users). */
    fchmod(fd, t.exists ? (t.mode & 07777) : 0644);
    int failure = 0; /* errno of the first step that failed */
    for (size_t done = 0; done < len && !failure;) {
        const ssize_t w = write(fd, data + done, len - done);
        if (w > 0)
            done += (size_t)w;
        else if (w == 0 || errno != EINTR)
            failure = w == 0 ? EIO : errno;
    }
    if (!failure && fsync(fd) != 0)
        failure = errno;
    if (close(fd) != 0 && !failure)
        failure = errno;
    if (failure) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(failure));
        unlink(tmp);
        return -1;
    }
    /* The target may have changed during the work: never rename over what is not a regular
     * file. (A window remains between this check and the rename; rename cannot be told to refuse
     * a special file.) */
    struct stat st;
    if (lstat(t.path, &st) == 0 && !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "cannot write %s: it has become %s, not a regular file", path,
                 S_ISLNK(st.st_mode) ? "a symbolic link" : kind_of(st.st_mode));
        unlink(tmp);
        return -1;
    }
    if (rename(tmp, t.path) != 0) {
        snprintf(err, errlen, "cannot write %s: cannot rename %s to %s: %s", path, tmp, t.path,
                 strerror(errno));
        unlink(tmp);
        return -1;
    }
    return sync_directory(path, t.path, err, errlen);
}

FILE *cb_open_input_file(const char *path, long long *size, char *err, size_t errlen)
{
    if (!path || !path[0]) {
        snprintf(err, errlen, "'': empty file name");
        return NULL;
    }
    /* O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting for one. */
    const int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        const int e = errno;
        struct stat st;
        if (e == ENOENT && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
            snprintf(err, errlen, "%s: cannot open: it is a dangling symbolic link (its target "
                                  "does not exist)", path);
        else
            snprintf(err, errlen, "%s: cannot open: %s", path, strerror(e));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: it is %s, not a regular file", path, kind_of(st.st_mode));
        close(fd);
        return NULL;
    }
    const int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    if (size)
        *size = (long long)st.st_size;
    return f;
}
