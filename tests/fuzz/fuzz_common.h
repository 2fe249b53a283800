/*
 * fuzz_common.h - what every libFuzzer target here shares: a private scratch directory on tmpfs,
 * writing an input there as a file (the parsers under test all take a path), and keeping the
 * commands' own output off the terminal.
 *
 * The parsers read files by name, so each input is written to a file first. The directory is on
 * /dev/shm when that is a writable directory (tmpfs: a write and a read are memory copies, no
 * disk), else $TMPDIR or /tmp; CB_FUZZ_TMPDIR overrides both. Each process makes its own
 * (mkdtemp), so -jobs/-workers and parallel runs never share files; it is removed at exit.
 *
 * Include this first in a target: it sets the feature macros for mkdtemp and nftw.
 */
#ifndef CB_FUZZ_COMMON_H
#define CB_FUZZ_COMMON_H

#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw, and POSIX.1-2008 */
#endif

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken promise of the code under test that is not a memory error (a contract in its header):
 * a crash libFuzzer saves like any other. */
#define CBF_CHECK(cond)                                                                            \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz: %s:%d: contract broken: %s\n", __FILE__, __LINE__, #cond);     \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A failure of the harness itself (not of the code under test): message and abort, so it shows
 * as a crash with this text rather than as silently useless fuzzing. */
static inline void cbf_die(const char *what, const char *path)
{
    fprintf(stderr, "fuzz harness: %s %s: %s\n", what, path ? path : "", strerror(errno));
    abort();
}

static char cbf_scratch[4096];

static inline int cbf_rm(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)type, (void)ftw;
    remove(path);
    return 0;
}

static inline void cbf_cleanup(void)
{
    if (cbf_scratch[0])
        nftw(cbf_scratch, cbf_rm, 16, FTW_DEPTH | FTW_PHYS);
}

static inline int cbf_is_writable_dir(const char *p)
{
    struct stat st;
    return p && p[0] && stat(p, &st) == 0 && S_ISDIR(st.st_mode) && access(p, W_OK | X_OK) == 0;
}

/* The scratch directory, made on first use. */
static inline const char *cbf_dir(void)
{
    if (cbf_scratch[0])
        return cbf_scratch;
    const char *base = getenv("CB_FUZZ_TMPDIR");
    if (!cbf_is_writable_dir(base))
        base = cbf_is_writable_dir("/dev/shm") ? "/dev/shm" : getenv("TMPDIR");
    if (!cbf_is_writable_dir(base))
        base = "/tmp";
    char tmpl[sizeof cbf_scratch];
    if (snprintf(tmpl, sizeof tmpl, "%s/cbfuzz-XXXXXX", base) >= (int)sizeof tmpl)
        cbf_die("scratch directory path too long:", base);
    if (!mkdtemp(tmpl))
        cbf_die("cannot make a scratch directory in", base);
    memcpy(cbf_scratch, tmpl, sizeof tmpl);
    atexit(cbf_cleanup);
    return cbf_scratch;
}

/* A path in the scratch directory, in a buffer of the caller's (len >= 4096 is always enough). */
static inline char *cbf_path(char *buf, size_t len, const char *name)
{
    if (snprintf(buf, len, "%s/%s", cbf_dir(), name) >= (int)len)
        cbf_die("path too long:", name);
    return buf;
}

/* A subdirectory of the scratch directory (made when missing). */
static inline char *cbf_subdir(char *buf, size_t len, const char *name)
{
    cbf_path(buf, len, name);
    if (mkdir(buf, 0700) != 0 && errno != EEXIST)
        cbf_die("cannot make directory", buf);
    return buf;
}

/* Makes path a regular file holding exactly data[0..size). */
static inline void cbf_write(const char *path, const void *data, size_t size)
{
    const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        cbf_die("cannot open", path);
    const char *p = data;
    for (size_t done = 0; done < size;) {
        const ssize_t n = write(fd, p + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            cbf_die("cannot write", path);
        done += (size_t)n;
    }
    if (close(fd) != 0)
        cbf_die("cannot close", path);
}

/* Keeps the output of the code under test (the report and compare commands print tables and
 * messages on every run) off the terminal without losing libFuzzer's or the sanitizers' reports:
 * puts -close_fd_mask=3 first among the flags, so that libFuzzer sends fds 1 and 2 to /dev/null
 * once, at start-up, after keeping a duplicate of stderr for its own output and the sanitizers'
 * (__sanitizer_set_report_fd). A -close_fd_mask=0 on the command line comes later and wins: use it
 * to see the commands' output when reproducing a crash. Call from LLVMFuzzerInitialize. */
static inline void cbf_quiet(int *argc, char ***argv)
{
    static char flag[] = "-close_fd_mask=3";
    static char **new_argv; /* kept for the process's life, as libFuzzer keeps argv */
    char **old = *argv;
    new_argv = malloc(((size_t)*argc + 2) * sizeof *new_argv);
    if (!new_argv)
        cbf_die("out of memory", NULL);
    new_argv[0] = old[0];
    new_argv[1] = flag;
    for (int i = 1; i < *argc; i++)
        new_argv[i + 1] = old[i];
    new_argv[*argc + 1] = NULL;
    *argc += 1;
    *argv = new_argv;
}

#endif /* CB_FUZZ_COMMON_H */
