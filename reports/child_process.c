/* child_process.c - starting, waiting for and interrupting the child processes of `cifarbench
 * bisect` (child_process.h). */
#define _POSIX_C_SOURCE 200809L /* fork, setpgid, sigaction, kill */
#include "child_process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t caught_signal; /* the signal caught, 0 while none */
static volatile sig_atomic_t child_group;   /* the running child's process group, 0 while none */
static bool catching;                       /* cb_catch_interrupts was called */

/* ---- interrupts ----------------------------------------------------------------------------- */

static void on_signal(int sig)
{
    caught_signal = sig;
    if (child_group > 0)
        kill(-(pid_t)child_group, SIGTERM);
}

static void interrupt_set(sigset_t *s)
{
    sigemptyset(s);
    sigaddset(s, SIGINT);
    sigaddset(s, SIGTERM);
    sigaddset(s, SIGHUP);
}

void cb_catch_interrupts(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old, sa;
        if (sigaction(sigs[i], NULL, &old) != 0 || old.sa_handler == SIG_IGN)
            continue; /* ignored (nohup, a background job): left so */
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal; /* no SA_RESTART: a blocking read or wait returns EINTR */
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
    catching = true;
}

int cb_interrupted(void)
{
    return caught_signal;
}

/* ---- starting and waiting ------------------------------------------------------------------- */

/* In the child: says what failed ("cannot run git: ...") and ends it with status 127. */
static void child_fail(const char *what, const char *name)
{
    char msg[512];
    const int len = snprintf(msg, sizeof msg, "cifarbench bisect: %s %s: %s\n", what, name, strerror(errno));
    const ssize_t written = len > 0 ? write(STDERR_FILENO, msg, (size_t)len) : 0;
    (void)written;
    _exit(127);
}

/* In the child after fork: the descriptors, the directory, then exec; never returns. */
static void exec_child(char *const argv[], const char *dir, int out, int err)
{
    if (catching)
        setpgid(0, 0);
    const int null = open("/dev/null", O_RDWR);
    if (null < 0 || dup2(null, STDIN_FILENO) < 0 ||
        (out != CB_FD_INHERIT && dup2(out == CB_FD_NULL ? null : out, STDOUT_FILENO) < 0) ||
        (err != CB_FD_INHERIT && dup2(err == CB_FD_NULL ? null : err, STDERR_FILENO) < 0))
        child_fail("cannot set up the standard streams of", argv[0]);
    if (null > STDERR_FILENO)
        close(null);
    if (dir && chdir(dir) != 0)
        child_fail("cannot change to the directory", dir);
    execvp(argv[0], argv);
    child_fail("cannot run", argv[0]);
}

pid_t cb_spawn(char *const argv[], const char *dir, int out, int err)
{
    sigset_t block, old;
    interrupt_set(&block);
    sigprocmask(SIG_BLOCK, &block, &old); /* until the child's group is known to on_signal */
    fflush(stdout);
    fflush(stderr);
    const pid_t pid = fork();
    if (pid == 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        exec_child(argv, dir, out, err);
    }
    const int saved = errno;
    if (pid > 0 && catching) {
        setpgid(pid, pid); /* as the child does: whichever runs first */
        child_group = pid;
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    errno = saved;
    return pid;
}

int cb_wait(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (child_group == pid)
        child_group = 0;
    return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 256 + WTERMSIG(st) : -1;
}

int cb_pipe(int fds[2])
{
    if (pipe(fds) != 0)
        return -1;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return 0;
}

static void read_all(int fd, cb_buf *out)
{
    char chunk[4096];
    for (ssize_t got; (got = read(fd, chunk, sizeof chunk)) != 0;) {
        if (got > 0)
            cb_buf_append(out, chunk, (size_t)got);
        else if (errno != EINTR)
            return;
    }
}

int cb_run_child(char *const argv[], const char *dir, cb_buf *out, int err)
{
    int fds[2];
    if (out && cb_pipe(fds) != 0)
        return -1;
    const pid_t pid = cb_spawn(argv, dir, out ? fds[1] : CB_FD_NULL, err);
    if (out) {
        close(fds[1]);
        if (pid > 0)
            read_all(fds[0], out);
        close(fds[0]);
    }
    return pid < 0 ? -1 : cb_wait(pid);
}

const char *cb_status_text(char *buf, size_t n, int status)
{
    if (status >= 256)
        snprintf(buf, n, "was killed by signal %d", status - 256);
    else if (status == 127)
        snprintf(buf, n, "exited with status 127 (not found, or could not be run)");
    else if (status >= 0)
        snprintf(buf, n, "exited with status %d", status);
    else
        snprintf(buf, n, "could not be waited for: %s", strerror(errno));
    return buf;
}
