/*
 * test_util.c - the utility library (util/): what every command and report builds on.
 *
 * - stats: median of odd, even, one, empty and NaN-holding samples (the input left sorted, NaNs
 *   sorted last); quantiles against values worked out by hand (type 7, as numpy); cb_median_of
 *   leaves its input alone.
 * - buf: growth far past the first allocation by append and printf, embedded NULs, the empty
 *   string, an impossible reservation setting `failed` and dropping later appends.
 * - atomic_file: a file is written whole and replaced whole, no temporary is left behind; a write
 *   that fails (the file-size limit) keeps the old file; the check before the work refuses a
 *   missing directory and a directory as the file, and leaves nothing behind. The check and the
 *   write refuse a FIFO, a device node, a directory, the empty path, a path ending in '/' and a
 *   path under a regular file, leaving the directory as it was (the FIFO and the device still
 *   there); a symbolic link is written through (the link stays, its target gets the data and
 *   keeps its mode, no temporary beside it), a dangling link and a link to a FIFO are refused.
 *   Inputs: cb_open_input_file refuses a FIFO without blocking, /dev/zero, a directory, a missing
 *   file and the empty path.
 * - options: "--name value", "--name=value", unique prefixes, operands before, between and after
 *   options (and after "--") in their order; a missing value, an unknown, ambiguous or valueless
 *   option and bad numbers (exit 2 and the message); -h, --help and --version (exit 0, stdout);
 *   the top level stopping at its command; many parses in one process, after errors too.
 * - paths, build info, clocks: the data directory beside the executable (the build tree's
 *   share/cifarbench holds iris.csv), the version string, clocks that advance.
 */
#define _DEFAULT_SOURCE /* mkdtemp, dup, setrlimit, nanosleep, mknod, makedev, symlink */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h> /* makedev */
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cb_atomic_file.h"
#include "cb_buf.h"
#include "cb_build_info.h"
#include "cb_clock.h"
#include "cb_options.h"
#include "cb_paths.h"
#include "cb_stats.h"
#include "assert_close.h"
#include "test_alarm.h"

/* ---- stats ----------------------------------------------------------------------------------- */

static void test_median(void **state)
{
    (void)state;
    double odd[] = {3, 1, 2, 5, 4};
    assert_true(cb_median(odd, 5) == 3);
    for (int i = 0; i < 5; i++)
        assert_true(odd[i] == i + 1); /* left sorted */
    double even[] = {4, 1, 3, 2};
    assert_true(cb_median(even, 4) == 2.5);
    double one[] = {7};
    assert_true(cb_median(one, 1) == 7);
    assert_true(isnan(cb_median(NULL, 0)));
    double with_nan[] = {1, NAN, 2};
    assert_true(isnan(cb_median(with_nan, 3)));
    assert_true(with_nan[0] == 1 && with_nan[1] == 2 && isnan(with_nan[2])); /* NaN last */
    double inf[] = {INFINITY, -INFINITY, 0};
    cb_sort_doubles(inf, 3);
    assert_true(inf[0] == -INFINITY && inf[1] == 0 && inf[2] == INFINITY);

    const double kept[] = {9, 1, 5, 3};
    assert_true(cb_median_of(kept, 4) == 4);
    assert_true(kept[0] == 9 && kept[1] == 1 && kept[2] == 5 && kept[3] == 3);
    assert_true(isnan(cb_median_of(kept, 0)));
}

static void test_quantile(void **state)
{
    (void)state;
    /* type 7: h = (n - 1) q; x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]) */
    static const struct {
        double q, want;
    } four[] = {{0, 1}, {0.25, 1.75}, {0.5, 2.5}, {0.9, 3.7}, {1, 4}};
    for (size_t i = 0; i < sizeof four / sizeof four[0]; i++) {
        double v[] = {4, 2, 1, 3};
        assert_close(cb_quantile(v, 4, four[i].q), four[i].want, 1e-12);
    }
    double five[] = {50, 10, 40, 20, 30};
    assert_close(cb_quantile(five, 5, 0.1), 14, 1e-12); /* h = 0.4 */
    assert_close(cb_quantile(five, 5, 0.5), 30, 0);
    assert_close(cb_quantile(five, 5, 0.75), 40, 0); /* h = 3 exactly */
    double one[] = {-2};
    assert_true(cb_quantile(one, 1, 0) == -2 && cb_quantile(one, 1, 0.3) == -2 &&
                cb_quantile(one, 1, 1) == -2);
    assert_true(isnan(cb_quantile(five, 5, -0.1)));
    assert_true(isnan(cb_quantile(five, 5, 1.1)));
    assert_true(isnan(cb_quantile(five, 5, NAN)));
    assert_true(isnan(cb_quantile(NULL, 0, 0.5)));
    double with_nan[] = {1, 2, NAN};
    assert_true(isnan(cb_quantile(with_nan, 3, 0)));
}

/* ---- buf ------------------------------------------------------------------------------------- */

static void test_buf(void **state)
{
    (void)state;
    cb_buf b;
    cb_buf_init(&b);
    assert_string_equal(cb_buf_str(&b), "");
    assert_int_equal(b.len, 0);
    for (int i = 0; i < 5000; i++)
        cb_buf_puts(&b, "ab");
    assert_int_equal(b.len, 10000);
    assert_int_equal(strlen(cb_buf_str(&b)), 10000);
    assert_memory_equal(b.data + 9996, "abab", 5); /* and the NUL */

    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    cb_buf_printf(&b, "[%s|%d]", big, 42);
    assert_int_equal(b.len, 10000 + 1 + 2999 + 4);
    assert_string_equal(cb_buf_str(&b) + b.len - 4, "|42]");
    assert_true(b.cap > b.len);

    cb_buf_append(&b, "a\0b", 3);
    assert_int_equal(b.len, 10000 + 3004 + 3);
    assert_memory_equal(b.data + b.len - 3, "a\0b", 4);
    assert_false(b.failed);

    const size_t len = b.len;
    assert_false(cb_buf_reserve(&b, SIZE_MAX - 1));
    assert_true(b.failed);
    cb_buf_puts(&b, "dropped");
    cb_buf_printf(&b, "%d", 1);
    assert_int_equal(b.len, len);
    cb_buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_false(b.failed);
}

/* ---- atomic_file ----------------------------------------------------------------------------- */

static char tmpdir[64];

static int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/cb-test-util-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

/* Removes dir's entries (and those of its subdirectories, one level deep) and dir. */
static int remove_tree(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (depth > 0 && lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(p, depth - 1);
        else
            unlink(p);
    }
    if (d)
        closedir(d);
    return rmdir(dir);
}

static int remove_tmpdir(void **state)
{
    (void)state;
    return remove_tree(tmpdir, 1);
}

static char *path_in_tmp(const char *name)
{
    static char p[512];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    return p;
}

/* The whole content of a file ("" when missing). */
static const char *slurp(const char *path)
{
    static char text[8192];
    text[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (f) {
        text[fread(text, 1, sizeof text - 1, f)] = '\0';
        fclose(f);
    }
    return text;
}

static int entries_in_tmpdir(void)
{
    int n = 0;
    DIR *d = opendir(tmpdir);
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void test_atomic_write(void **state)
{
    (void)state;
    char err[512] = "";
    const char *path = path_in_tmp("out.json");
    assert_int_equal(cb_write_file_atomic(path, "{\"old\": 1}\n", 11, err, sizeof err), 0);
    assert_string_equal(slurp(path), "{\"old\": 1}\n");
    assert_int_equal(cb_write_file_atomic(path, "new", 3, err, sizeof err), 0);
    assert_string_equal(slurp(path), "new");
    assert_int_equal(entries_in_tmpdir(), 1); /* no temporary left */
    assert_int_equal(cb_write_file_atomic(path, "", 0, err, sizeof err), 0);
    assert_string_equal(slurp(path), "");

    /* A write that fails part-way (the file-size limit: EFBIG) keeps the old file. */
    assert_int_equal(cb_write_file_atomic(path, "old", 3, err, sizeof err), 0);
    char big[4096];
    memset(big, 'n', sizeof big);
    struct rlimit saved, small;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
    small = saved;
    small.rlim_cur = 100;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    const int rc = cb_write_file_atomic(path, big, sizeof big, err, sizeof err);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
    signal(SIGXFSZ, old_handler);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, path));
    assert_string_equal(slurp(path), "old");
    assert_int_equal(entries_in_tmpdir(), 1);
}

static void test_check_file_writable(void **state)
{
    (void)state;
    char err[512] = "";
    assert_int_equal(cb_check_file_writable(path_in_tmp("later.json"), err, sizeof err), 0);
    assert_int_equal(access(path_in_tmp("later.json"), F_OK), -1); /* nothing created */
    const char *missing = path_in_tmp("no-such-dir/out.json");
    assert_int_equal(cb_check_file_writable(missing, err, sizeof err), -1);
    assert_non_null(strstr(err, missing));
    assert_int_equal(cb_write_file_atomic(missing, "x", 1, err, sizeof err), -1);
    assert_int_equal(cb_check_file_writable(tmpdir, err, sizeof err), -1); /* a directory */
    assert_non_null(strstr(err, "directory"));
}

/* The entries of a directory (but . and ..), one string "name name ...", for "nothing left
 * behind" checks that name what was. */
static const char *listing(const char *dir)
{
    static char text[4096];
    size_t used = 0;
    text[0] = '\0';
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 && used < sizeof text)
            used += (size_t)snprintf(text + used, sizeof text - used, "%s ", e->d_name);
    if (d)
        closedir(d);
    return text;
}

static mode_t mode_of(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 ? st.st_mode : 0;
}

/* Both the check and the write refuse path with a message holding `path` and `words`, and leave
 * the directory as it was. */
static void assert_refused(const char *path, const char *words)
{
    char err[1024] = "", before[4096];
    snprintf(before, sizeof before, "%s", listing(tmpdir));
    cbt_arm_alarm(10); /* a FIFO opened for writing would block: a hang becomes a failure */
    const int check = cb_check_file_writable(path, err, sizeof err);
    if (check == 0)
        fail_msg("cb_check_file_writable(%s) accepted it", path);
    if (!strstr(err, path) || !strstr(err, words))
        fail_msg("check of %s: '%s' does not name the path and '%s'", path, err, words);
    err[0] = '\0';
    const int write = cb_write_file_atomic(path, "x", 1, err, sizeof err);
    cbt_arm_alarm(0);
    if (write == 0)
        fail_msg("cb_write_file_atomic(%s) wrote it", path);
    if (!strstr(err, path) || !strstr(err, words))
        fail_msg("write of %s: '%s' does not name the path and '%s'", path, err, words);
    assert_string_equal(listing(tmpdir), before);
}

/* Devices, FIFOs, sockets and directories are refused, never renamed over (as root, train --json
 * /dev/full once replaced the device node with a JSON file). */
static void test_atomic_refuses_special_files(void **state)
{
    (void)state;
    const char *fifo = strdup(path_in_tmp("pipe.json"));
    assert_int_equal(mkfifo(fifo, 0644), 0);
    assert_refused(fifo, "FIFO");
    assert_true(S_ISFIFO(mode_of(fifo)));

    /* A device node of our own (mknod needs CAP_MKNOD; /dev itself is never touched). */
    const char *dev = strdup(path_in_tmp("full.json"));
    if (mknod(dev, S_IFCHR | 0666, makedev(1, 7)) == 0) {
        assert_refused(dev, "character device");
        assert_true(S_ISCHR(mode_of(dev)));
    } else {
        print_message("mknod: %s: the device case is checked with /dev/full only\n",
                      strerror(errno));
    }
    char err[512];
    assert_int_equal(cb_check_file_writable("/dev/full", err, sizeof err), -1);
    assert_non_null(strstr(err, "character device"));

    const char *dir = strdup(path_in_tmp("d.json"));
    assert_int_equal(mkdir(dir, 0755), 0);
    assert_refused(dir, "directory");
    assert_true(S_ISDIR(mode_of(dir)));
    free((void *)fifo);
    free((void *)dev);
    free((void *)dir);
}

/* The empty path, a path ending in '/', and a path under a regular file are refused; the empty
 * path once "passed" the check by creating ".tmp.XXXXXX" in the working directory. */
static void test_atomic_refuses_bad_paths(void **state)
{
    (void)state;
    char err[512], cwd[512];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(tmpdir), 0);
    const int check = cb_check_file_writable("", err, sizeof err);
    const int write = cb_write_file_atomic("", "x", 1, err, sizeof err);
    const char *left = listing(".");
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(check, -1);
    assert_int_equal(write, -1);
    assert_non_null(strstr(err, "empty file name"));
    assert_string_equal(left, "");

    assert_refused(path_in_tmp("new/"), "ends in '/'");
    const char *file = strdup(path_in_tmp("file.json"));
    assert_int_equal(cb_write_file_atomic(file, "old", 3, err, sizeof err), 0);
    char under[600];
    snprintf(under, sizeof under, "%s/x.json", file);
    assert_refused(under, "Not a directory");
    assert_string_equal(slurp(file), "old");
    free((void *)file);
}

/* A symbolic link is written through: the file it resolves to is replaced (the temporary file
 * beside it, not beside the link), the link stays. A dangling link, or a link to a FIFO, is
 * refused. A replaced file keeps its permission bits. */
static void test_atomic_symlinks(void **state)
{
    (void)state;
    char err[512] = "", sub[512], target[600], link[600];
    snprintf(sub, sizeof sub, "%s/sub", tmpdir);
    assert_int_equal(mkdir(sub, 0755), 0);
    snprintf(target, sizeof target, "%s/real.json", sub);
    snprintf(link, sizeof link, "%s/link.json", tmpdir);
    assert_int_equal(cb_write_file_atomic(target, "old", 3, err, sizeof err), 0);
    assert_int_equal(chmod(target, 0600), 0);
    assert_int_equal(symlink("sub/real.json", link), 0);

    assert_int_equal(cb_check_file_writable(link, err, sizeof err), 0);
    if (cb_write_file_atomic(link, "new", 3, err, sizeof err) != 0)
        fail_msg("%s", err);
    assert_true(S_ISLNK(mode_of(link))); /* still the link ... */
    assert_string_equal(slurp(target), "new"); /* ... and the file it points to has the data */
    assert_int_equal(mode_of(target) & 07777, 0600);
    assert_null(strstr(listing(tmpdir), ".tmp."));
    char want[64];
    snprintf(want, sizeof want, "%s", listing(sub));
    assert_string_equal(want, "real.json "); /* no temporary left beside the target */

    /* A dangling link: refused, and nothing is created through it. */
    char dangling[600], missing[600];
    snprintf(dangling, sizeof dangling, "%s/dangling.json", tmpdir);
    snprintf(missing, sizeof missing, "%s/nothing.json", sub);
    assert_int_equal(symlink(missing, dangling), 0);
    assert_refused(dangling, "dangling symbolic link");
    assert_int_equal(access(missing, F_OK), -1);
    assert_true(S_ISLNK(mode_of(dangling)));

    /* A link to a FIFO: refused like the FIFO. */
    char fifo[600], to_fifo[600];
    snprintf(fifo, sizeof fifo, "%s/pipe", sub);
    snprintf(to_fifo, sizeof to_fifo, "%s/to-pipe.json", tmpdir);
    assert_int_equal(mkfifo(fifo, 0644), 0);
    assert_int_equal(symlink(fifo, to_fifo), 0);
    assert_refused(to_fifo, "FIFO");
    assert_true(S_ISFIFO(mode_of(fifo)));
}

/* Inputs: regular files only, a FIFO refused at once (it used to block the open), a device and a
 * directory refused before a byte is read. */
static void test_open_input_file(void **state)
{
    (void)state;
    char err[512] = "";
    const char *file = strdup(path_in_tmp("in.txt"));
    assert_int_equal(cb_write_file_atomic(file, "hello", 5, err, sizeof err), 0);
    long long size = -1;
    FILE *f = cb_open_input_file(file, &size, err, sizeof err);
    assert_non_null(f);
    assert_int_equal(size, 5);
    char text[8] = "";
    assert_int_equal(fread(text, 1, sizeof text, f), 5);
    fclose(f);

    const char *fifo = strdup(path_in_tmp("pipe"));
    assert_int_equal(mkfifo(fifo, 0644), 0);
    cbt_arm_alarm(10);
    f = cb_open_input_file(fifo, &size, err, sizeof err);
    cbt_arm_alarm(0);
    assert_null(f);
    assert_non_null(strstr(err, fifo));
    assert_non_null(strstr(err, "FIFO"));
    assert_null(cb_open_input_file("/dev/zero", NULL, err, sizeof err));
    assert_non_null(strstr(err, "/dev/zero: it is a character device, not a regular file"));
    assert_null(cb_open_input_file(tmpdir, NULL, err, sizeof err));
    assert_non_null(strstr(err, "directory"));
    assert_null(cb_open_input_file(path_in_tmp("missing"), NULL, err, sizeof err));
    assert_non_null(strstr(err, "cannot open: No such file or directory"));
    assert_null(cb_open_input_file("", NULL, err, sizeof err));
    assert_non_null(strstr(err, "empty file name"));
    free((void *)file);
    free((void *)fifo);
}

/* ---- options --------------------------------------------------------------------------------- */

static const char usage[] = "usage: cifarbench test [options] FILE...\n" CB_OPTIONS_HELP;

static const struct option longopts[] = {
    {"epochs", required_argument, NULL, 'e'},
    {"every", required_argument, NULL, 'n'},
    {"out", required_argument, NULL, 'o'},
    {"rate", required_argument, NULL, 'r'},
    {"flag", no_argument, NULL, 'f'},
    {0},
};

/* What one parse found, and what it printed. */
typedef struct parsed {
    int rc; /* -1: parsing ended (CB_OPT_END), else the exit code */
    long long epochs;
    double rate;
    const char *out;
    char out_name[32]; /* o.name while --out was parsed */
    bool flag, flag_arg; /* --flag seen; with a value */
    int operands;
    const char *operand[8];
    char out_text[4096], err_text[4096];
} parsed;

/* Runs f with stdout and stderr going to files, then reads them into out and err. */
static void captured(void (*f)(void *), void *ctx, char *out, char *err, size_t len)
{
    FILE *files[2] = {tmpfile(), tmpfile()};
    assert_non_null(files[0]);
    assert_non_null(files[1]);
    fflush(stdout);
    fflush(stderr);
    const int saved[2] = {dup(1), dup(2)};
    dup2(fileno(files[0]), 1);
    dup2(fileno(files[1]), 2);
    f(ctx);
    fflush(stdout);
    fflush(stderr);
    dup2(saved[0], 1);
    dup2(saved[1], 2);
    close(saved[0]);
    close(saved[1]);
    char *texts[2] = {out, err};
    for (int i = 0; i < 2; i++) {
        rewind(files[i]);
        texts[i][fread(texts[i], 1, len - 1, files[i])] = '\0';
        fclose(files[i]);
    }
}

typedef struct parse_job {
    parsed *p;
    const char *command;
    bool stop_at_operand;
    int argc;
    char **argv;
} parse_job;

/* The loop every command writes (cb_options.h). It runs with stdout and stderr captured, so it
 * records what it sees and the tests assert afterwards. */
static void parse_loop(void *ctx)
{
    parse_job *j = ctx;
    parsed *p = j->p;
    cb_options o;
    cb_options_init(&o, j->command, usage, j->argc, j->argv, longopts);
    o.stop_at_operand = j->stop_at_operand;
    p->rc = -1;
    for (int c; p->rc < 0 && (c = cb_options_next(&o)) != CB_OPT_END;) {
        switch (c) {
        case CB_OPT_EXIT: p->rc = o.exit_code; break;
        case 'e':
        case 'n':
            if (!cb_options_int(&o, 1, 100, &p->epochs))
                p->rc = CB_EXIT_USAGE;
            break;
        case 'r':
            if (!cb_options_double(&o, 0, 1, &p->rate))
                p->rc = CB_EXIT_USAGE;
            break;
        case 'o':
            snprintf(p->out_name, sizeof p->out_name, "%s", o.name);
            p->out = o.arg;
            break;
        case 'f':
            p->flag_arg = o.arg != NULL;
            p->flag = true;
            break;
        default: p->rc = 100 + c; /* not in longopts: fails the test's rc check */
        }
    }
    if (p->rc < 0)
        for (int i = o.first_operand; i < o.argc && p->operands < 8; i++)
            p->operand[p->operands++] = o.argv[i];
}

/* Parses the NULL-terminated arguments as command (NULL: the top level). */
static parsed *parse_as(const char *command, bool stop_at_operand, ...)
{
    static parsed p;
    static char *argv[32];
    memset(&p, 0, sizeof p);
    parse_job j = {&p, command, stop_at_operand, 0, argv};
    va_list ap;
    va_start(ap, stop_at_operand);
    for (const char *a; j.argc < 31 && (a = va_arg(ap, const char *)) != NULL;)
        argv[j.argc++] = (char *)a;
    va_end(ap);
    argv[j.argc] = NULL;
    captured(parse_loop, &j, p.out_text, p.err_text, sizeof p.out_text);
    return &p;
}

#define parse(...) parse_as("test", false, __VA_ARGS__, NULL)

static void test_options_values(void **state)
{
    (void)state;
    parsed *p = parse("--epochs", "3", "--out=x.json", "--flag", "--rate", "0.25");
    assert_int_equal(p->rc, -1);
    assert_int_equal(p->epochs, 3);
    assert_string_equal(p->out, "x.json");
    assert_string_equal(p->out_name, "--out");
    assert_true(p->flag);
    assert_false(p->flag_arg);
    assert_close(p->rate, 0.25, 0);
    assert_int_equal(p->operands, 0);
    assert_string_equal(p->err_text, "");

    p = parse("--epochs=7", "--ou", "y", "--fl"); /* unique prefixes */
    assert_int_equal(p->rc, -1);
    assert_int_equal(p->epochs, 7);
    assert_string_equal(p->out, "y");
    assert_string_equal(p->out_name, "--out"); /* the full name, not the prefix typed */
    assert_true(p->flag);

    p = parse("--out", "--flag"); /* a value may start with dashes */
    assert_int_equal(p->rc, -1);
    assert_string_equal(p->out, "--flag");
    assert_false(p->flag);

    p = parse("--out=");
    assert_int_equal(p->rc, -1);
    assert_string_equal(p->out, "");
}

static void test_options_operands(void **state)
{
    (void)state;
    parsed *p = parse("a.json", "--out", "dir", "b.json", "--flag", "--", "--c.json", "-");
    assert_int_equal(p->rc, -1);
    assert_string_equal(p->out, "dir");
    assert_true(p->flag);
    assert_int_equal(p->operands, 4);
    assert_string_equal(p->operand[0], "a.json");
    assert_string_equal(p->operand[1], "b.json");
    assert_string_equal(p->operand[2], "--c.json");
    assert_string_equal(p->operand[3], "-");

    /* The top level stops at its command and leaves the command's options alone. */
    p = parse_as(NULL, true, "--flag", "train", "--epochs", "3", "x", NULL);
    assert_int_equal(p->rc, -1);
    assert_true(p->flag);
    assert_int_equal(p->epochs, 0);
    assert_int_equal(p->operands, 4);
    assert_string_equal(p->operand[0], "train");
    assert_string_equal(p->operand[1], "--epochs");
}

static void test_options_errors(void **state)
{
    (void)state;
    parsed *p = parse("--frobnicate");
    assert_int_equal(p->rc, CB_EXIT_USAGE);
    assert_non_null(strstr(p->err_text, "cifarbench test: unknown option '--frobnicate'"));
    assert_non_null(strstr(p->err_text, "cifarbench test --help"));

    p = parse("--frob=3");
    assert_int_equal(p->rc, CB_EXIT_USAGE);
    assert_non_null(strstr(p->err_text, "unknown option '--frob'"));

    p = parse("-x");
    assert_int_equal(p->rc, CB_EXIT_USAGE);
    assert_non_null(strstr(p->err_text, "unknown option '-x'"));

    p = parse("--epochs", "2", "--out");
    assert_int_equal(p->rc, CB_EXIT_USAGE);
    assert_non_null(strstr(p->err_text, "cifarbench test: --out needs a value"));

    p = parse("--e", "3"); /* --epochs or --every */
    assert_int_equal(p->rc, CB_EXIT_USAGE);
    assert_non_null(strstr(p->err_text, "ambiguous option '--e': --epochs, --every"));

    p = parse("--flag=yes");
    assert_int_equal(p->rc, CB_EXIT_USAGE);
    assert_non_null(strstr(p->err_text, "--flag takes no value"));

    static const char *const bad_ints[] = {"0", "101", "3x", "", "1e2", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad_ints / sizeof bad_ints[0]; i++) {
        p = parse("--epochs", bad_ints[i]);
        assert_int_equal(p->rc, CB_EXIT_USAGE);
        assert_non_null(strstr(p->err_text, "--epochs takes a whole number from 1 to 100"));
    }
    p = parse("--ev", "0"); /* the message names the option in full */
    assert_non_null(strstr(p->err_text, "--every takes a whole number from 1 to 100, not '0'"));
    static const char *const bad_doubles[] = {"-0.5", "1.5", "nan", "inf", "0.5x"};
    for (size_t i = 0; i < sizeof bad_doubles / sizeof bad_doubles[0]; i++) {
        p = parse("--rate", bad_doubles[i]);
        assert_int_equal(p->rc, CB_EXIT_USAGE);
        assert_non_null(strstr(p->err_text, "--rate takes a number from 0 to 1"));
    }

    p = parse_as(NULL, true, "--bogus", NULL);
    assert_int_equal(p->rc, CB_EXIT_USAGE);
    assert_non_null(strstr(p->err_text, "cifarbench: unknown option '--bogus' (see cifarbench --help)"));
}

static void test_options_help_version(void **state)
{
    (void)state;
    static const char *const helps[] = {"-h", "--help", "--he"};
    for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++) {
        parsed *p = parse("--epochs", "2", helps[i], "--frobnicate");
        assert_int_equal(p->rc, CB_EXIT_OK);
        assert_string_equal(p->out_text, usage);
        assert_string_equal(p->err_text, "");
    }
    parsed *p = parse("--version");
    assert_int_equal(p->rc, CB_EXIT_OK);
    char want[512];
    snprintf(want, sizeof want, "%s\n", cb_version_string());
    assert_string_equal(p->out_text, want);
    assert_non_null(strstr(want, "cifarbench "));
    assert_non_null(strstr(want, cb_build_version()));
    assert_non_null(strstr(want, cb_build_git_revision()));
}

static void test_options_repeated(void **state)
{
    (void)state;
    /* Parses that stop early (help, an error in the middle of the arguments) leave nothing behind
     * for the next one: each starts from its own first argument. */
    for (int round = 0; round < 3; round++) {
        parsed *p = parse("a", "--epochs", "5", "--bogus", "--flag", "b");
        assert_int_equal(p->rc, CB_EXIT_USAGE);
        p = parse("-hx");
        assert_int_equal(p->rc, CB_EXIT_OK);
        p = parse("c", "--every", "4");
        assert_int_equal(p->rc, -1);
        assert_int_equal(p->epochs, 4);
        assert_false(p->flag);
        assert_int_equal(p->operands, 1);
        assert_string_equal(p->operand[0], "c");
        p = parse("--flag");
        assert_int_equal(p->rc, -1);
        assert_true(p->flag);
        assert_int_equal(p->operands, 0);
    }
}

static void no_operands_job(void *ctx)
{
    bool *ok = ctx;
    char *argv[] = {"--flag", "stray", NULL};
    cb_options o;
    cb_options_init(&o, "test", usage, 2, argv, longopts);
    while (cb_options_next(&o) != CB_OPT_END)
        ;
    ok[0] = cb_options_no_operands(&o);
    cb_options_init(&o, "test", usage, 1, argv, longopts);
    while (cb_options_next(&o) != CB_OPT_END)
        ;
    ok[1] = cb_options_no_operands(&o);
    assert_int_equal(cb_options_usage_error(&o, "needs two files, not %d", 1), CB_EXIT_USAGE);
}

static void test_options_no_operands(void **state)
{
    (void)state;
    bool ok[2];
    char out[256], err[1024];
    captured(no_operands_job, ok, out, err, sizeof out);
    assert_false(ok[0]);
    assert_true(ok[1]);
    assert_non_null(strstr(err, "cifarbench test: unexpected argument 'stray'"));
    assert_non_null(strstr(err, "cifarbench test: needs two files, not 1\n"));
}

/* ---- paths, build info, clocks --------------------------------------------------------------- */

static void test_data_path(void **state)
{
    (void)state;
    char p[4096];
    assert_int_equal(cb_data_path("iris.csv", p, sizeof p), 0);
    assert_true(p[0] == '/');
    const char *tail = "/share/cifarbench/iris.csv";
    assert_string_equal(p + strlen(p) - strlen(tail), tail);
    assert_null(strstr(p, "/../"));
    /* this test runs from build/tests, so build/share/cifarbench holds the copy CMake made */
    assert_int_equal(access(p, R_OK), 0);
    char small[8];
    assert_int_equal(cb_data_path("iris.csv", small, sizeof small), -1);
}

static void test_build_info(void **state)
{
    (void)state;
    assert_true(cb_build_version()[0] != '\0');
    assert_true(cb_build_git_revision()[0] != '\0');
    assert_true(cb_build_compiler()[0] != '\0');
    assert_true(cb_build_flags()[0] != '\0');
    char want[512];
    snprintf(want, sizeof want, "cifarbench %s (revision %s)", cb_build_version(),
             cb_build_git_revision());
    assert_string_equal(cb_version_string(), want);
}

static void test_clocks(void **state)
{
    (void)state;
    const double t0 = cb_now(), c0 = cb_thread_cpu_seconds(), p0 = cb_process_cpu_seconds();
    nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
    const double t1 = cb_now();
    assert_true(t1 - t0 >= 0.019);
    volatile double sink = 0;
    while (cb_thread_cpu_seconds() - c0 < 0.01)
        sink += 1;
    assert_true(cb_process_cpu_seconds() - p0 >= 0.005); /* the two CPU clocks tick apart */
    assert_true(cb_now() >= t1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_median),
        cmocka_unit_test(test_quantile),
        cmocka_unit_test(test_buf),
        cmocka_unit_test_setup_teardown(test_atomic_write, make_tmpdir, remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_check_file_writable, make_tmpdir, remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_atomic_refuses_special_files, make_tmpdir,
                                        remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_atomic_refuses_bad_paths, make_tmpdir, remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_atomic_symlinks, make_tmpdir, remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_open_input_file, make_tmpdir, remove_tmpdir),
        cmocka_unit_test(test_options_values),
        cmocka_unit_test(test_options_operands),
        cmocka_unit_test(test_options_errors),
        cmocka_unit_test(test_options_help_version),
        cmocka_unit_test(test_options_repeated),
        cmocka_unit_test(test_options_no_operands),
        cmocka_unit_test(test_data_path),
        cmocka_unit_test(test_build_info),
        cmocka_unit_test(test_clocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
