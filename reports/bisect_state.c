/* bisect_state.c - the temporary directory of `cifarbench bisect`, its state file and its step log
 * (bisect_state.h). */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, getline */
#include "bisect_state.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cb_atomic_file.h"
#include "cb_buf.h"

/* ---- the temporary directory ---------------------------------------------------------------- */

static int copy_file(const char *from, const char *to, mode_t mode)
{
    const int in = open(from, O_RDONLY);
    const int out = in < 0 ? -1 : open(to, O_WRONLY | O_CREAT | O_EXCL, mode);
    bool ok = out >= 0;
    char chunk[65536];
    for (ssize_t got; ok && (got = read(in, chunk, sizeof chunk)) != 0;)
        ok = (got > 0 && write(out, chunk, (size_t)got) == got) || (got < 0 && errno == EINTR);
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) != 0)
        ok = false;
    return ok ? 0 : -1;
}

int cb_bisect_workdir_make(cb_bisect_workdir *w)
{
    const char *base = getenv("TMPDIR");
    if (!base || !base[0])
        base = "/tmp";
    snprintf(w->tmp, sizeof w->tmp, "%s/cifarbench-bisect.XXXXXX", base);
    if (!mkdtemp(w->tmp)) {
        const int e = errno;
        w->tmp[0] = '\0';
        fprintf(stderr, "cifarbench bisect: cannot make a temporary directory in %s: %s\n", base,
                strerror(e));
        return -1;
    }
    snprintf(w->runner, sizeof w->runner, "%s/cifarbench", w->tmp);
    snprintf(w->state, sizeof w->state, "%s/state", w->tmp);
    snprintf(w->log, sizeof w->log, "%s/steps", w->tmp);
    if (copy_file("/proc/self/exe", w->runner, 0700) != 0) {
        fprintf(stderr, "cifarbench bisect: cannot copy this program (/proc/self/exe) to %s: %s\n", w->runner,
                strerror(errno));
        return -1;
    }
    const int fd = open(w->log, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || close(fd) != 0 || !(w->log_in = fopen(w->log, "r"))) {
        fprintf(stderr, "cifarbench bisect: cannot make %s: %s\n", w->log, strerror(errno));
        return -1;
    }
    return 0;
}

void cb_bisect_workdir_remove(cb_bisect_workdir *w)
{
    if (w->log_in)
        fclose(w->log_in);
    w->log_in = NULL;
    if (!w->tmp[0])
        return;
    const char *files[] = {w->runner, w->state, w->log};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (unlink(files[i]) != 0 && errno != ENOENT)
            fprintf(stderr, "cifarbench bisect: cannot remove %s: %s\n", files[i], strerror(errno));
    if (rmdir(w->tmp) != 0)
        fprintf(stderr, "cifarbench bisect: cannot remove %s: %s\n", w->tmp, strerror(errno));
}

/* ---- the state file ------------------------------------------------------------------------- */

static void put_string(cb_buf *b, const char *key, const char *s)
{
    if (s)
        cb_buf_printf(b, "%s %zu:%s\n", key, strlen(s), s);
    else
        cb_buf_printf(b, "%s -\n", key);
}

static void put_samples(cb_buf *b, const char *key, const cb_samples *s)
{
    cb_buf_printf(b, "%s %zu", key, s->n);
    for (size_t i = 0; i < s->n; i++)
        cb_buf_printf(b, " %.17g", s->v[i]);
    cb_buf_puts(b, "\n");
}

int cb_bisect_state_write(const char *path, const cb_bisect_figure *f, const char *log,
                          const cb_bisect_plan *plan, const cb_samples *good, const cb_samples *bad,
                          char *err, size_t errlen)
{
    cb_buf b;
    cb_buf_init(&b);
    cb_buf_puts(&b, "cifarbench-bisect-state 1\n");
    put_string(&b, "top", f->dir);
    put_string(&b, "command", f->command);
    put_string(&b, "result", f->result);
    put_string(&b, "figure", f->figure);
    put_string(&b, "log", log);
    cb_buf_printf(&b, "repetitions %d\nmax_repetitions %d\nalpha %.17g\n", plan->repetitions,
                  plan->max_repetitions, plan->alpha);
    put_samples(&b, "good", good);
    put_samples(&b, "bad", bad);
    snprintf(err, errlen, "out of memory");
    const int rc = b.failed ? -1 : cb_write_file_atomic(path, b.data, b.len, err, errlen);
    cb_buf_free(&b);
    return rc;
}

void cb_bisect_state_free(cb_bisect_state *s)
{
    free(s->top);
    free(s->command);
    free(s->result);
    free(s->figure);
    free(s->log);
    cb_samples_free(&s->good);
    cb_samples_free(&s->bad);
}

static bool read_key(FILE *f, const char *key)
{
    char word[32];
    return fscanf(f, "%31s", word) == 1 && strcmp(word, key) == 0;
}

/* "key LEN:BYTES\n", or "key -\n" for none (*out NULL). */
static bool read_string(FILE *f, const char *key, char **out)
{
    *out = NULL;
    if (!read_key(f, key) || fgetc(f) != ' ')
        return false;
    const int c = fgetc(f);
    if (c == '-')
        return fgetc(f) == '\n';
    ungetc(c, f);
    size_t len;
    if (fscanf(f, "%zu:", &len) != 1 || len > CB_BISECT_PATH_LEN * 16 || !(*out = malloc(len + 1)))
        return false;
    (*out)[len] = '\0';
    return fread(*out, 1, len, f) == len && fgetc(f) == '\n';
}

static bool read_samples(FILE *f, const char *key, cb_samples *s)
{
    size_t n;
    if (!read_key(f, key) || fscanf(f, "%zu", &n) != 1)
        return false;
    for (double x; s->n < n;)
        if (fscanf(f, "%lf", &x) != 1 || !isfinite(x) || cb_samples_add(s, x) != 0)
            return false;
    return n > 0;
}

bool cb_bisect_state_read(const char *path, cb_bisect_state *s)
{
    *s = (cb_bisect_state){0};
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    const bool ok = read_key(f, "cifarbench-bisect-state") && read_key(f, "1") &&
                    read_string(f, "top", &s->top) && s->top && read_string(f, "command", &s->command) &&
                    s->command && read_string(f, "result", &s->result) &&
                    read_string(f, "figure", &s->figure) && !s->result == !s->figure &&
                    read_string(f, "log", &s->log) && s->log && read_key(f, "repetitions") &&
                    fscanf(f, "%d", &s->plan.repetitions) == 1 && read_key(f, "max_repetitions") &&
                    fscanf(f, "%d", &s->plan.max_repetitions) == 1 && read_key(f, "alpha") &&
                    fscanf(f, "%lf", &s->plan.alpha) == 1 && read_samples(f, "good", &s->good) &&
                    read_samples(f, "bad", &s->bad) && s->plan.repetitions > 0 &&
                    s->plan.max_repetitions >= s->plan.repetitions;
    fclose(f);
    return ok;
}

/* ---- the step log --------------------------------------------------------------------------- */

int cb_bisect_record_append(const char *path, const cb_bisect_record *rec)
{
    char line[1024];
    const int len = snprintf(line, sizeof line, "%s\t%s\t%.17g\t%.17g\t%.17g\t%d\t%s\n", rec->hash,
                             rec->verdict, rec->median, rec->p_good, rec->p_bad, rec->runs, rec->note);
    const int fd = open(path, O_WRONLY | O_APPEND);
    if (fd < 0 || len <= 0 || len >= (int)sizeof line) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    const bool ok = write(fd, line, (size_t)len) == len;
    return close(fd) == 0 && ok ? 0 : -1;
}

static bool parse_record(const char *line, cb_bisect_record *rec)
{
    int at = 0; /* %71: CB_GIT_HASH_LEN - 1 */
    if (sscanf(line, "%71[0-9a-f]\t%7[a-z]\t%lf\t%lf\t%lf\t%d\t%n", rec->hash, rec->verdict,
               &rec->median, &rec->p_good, &rec->p_bad, &rec->runs, &at) < 6 || !at)
        return false;
    snprintf(rec->note, sizeof rec->note, "%.*s", (int)strcspn(line + at, "\n"), line + at);
    return true;
}

bool cb_bisect_record_next(FILE *log_in, cb_bisect_record *rec)
{
    char *line = NULL;
    size_t cap = 0;
    bool found = false;
    while (!found) {
        const long at = ftell(log_in);
        const ssize_t len = getline(&line, &cap, log_in);
        if (len <= 0 || line[len - 1] != '\n') { /* the end, for now (or a line still being written) */
            clearerr(log_in);
            fseek(log_in, at, SEEK_SET);
            break;
        }
        found = parse_record(line, rec); /* a line that is no record is passed over */
    }
    free(line);
    return found;
}
