/* load_results.c - see load_results.h. */
#define _POSIX_C_SOURCE 200809L
#include "load_results.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cb_rcontext_add(cb_rcontext *c, const char *label, const char *fmt, ...)
{
    if (c->n_fields >= CB_RCTX_MAX_FIELDS)
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char *value = strdup(buf);
    if (value)
        c->fields[c->n_fields++] = (cb_rfield){label, value};
}

void cb_rcontext_cpu(cb_rcontext *c, const char *model, const char *vendor)
{
    if (model && vendor)
        cb_rcontext_add(c, "CPU", "%s (%s)", model, vendor);
    else if (model)
        cb_rcontext_add(c, "CPU", "%s", model);
}

const char *cb_rcontext_field(const cb_rcontext *c, const char *label)
{
    for (size_t i = 0; i < c->n_fields; i++)
        if (strcmp(c->fields[i].label, label) == 0)
            return c->fields[i].value;
    return NULL;
}

void cb_format_bytes(char *buf, size_t n, double bytes)
{
    if (bytes >= 1024.0 * 1024 * 1024)
        snprintf(buf, n, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
    else if (bytes >= 1024.0 * 1024)
        snprintf(buf, n, "%g MiB", round(bytes / (1024.0 * 1024) * 10) / 10);
    else if (bytes >= 1024)
        snprintf(buf, n, "%g KiB", round(bytes / 1024 * 10) / 10);
    else
        snprintf(buf, n, "%.0f B", bytes);
}

static const char *plural(long long n) { return n == 1 ? "" : "s"; }

/* Joins strings with sep into buf (as many as fit). */
static void join(char *buf, size_t n, const cb_strs *s, const char *sep)
{
    buf[0] = '\0';
    for (size_t i = 0, len = 0; i < s->n; i++) {
        const int w = snprintf(buf + len, n - len, "%s%s", len ? sep : "", s->v[i]);
        if (w < 0 || (size_t)w >= n - len)
            break;
        len += (size_t)w;
    }
}

static void machine_lines(const cbr_machine *m, cb_rcontext *c)
{
    cb_rcontext_cpu(c, m->cpu_model, m->cpu_vendor);
    if (m->cores > 0 || m->pus > 0)
        cb_rcontext_add(c, "topology", "%lld package%s, %lld core%s, %lld PU%s, %lld NUMA node%s",
                        m->packages, plural(m->packages), m->cores, plural(m->cores), m->pus,
                        plural(m->pus), m->numa_nodes, plural(m->numa_nodes));
    char b[512] = "", one[96], size[32];
    if (m->memory_bytes > 0) {
        cb_format_bytes(b, sizeof b, m->memory_bytes);
        cb_rcontext_add(c, "memory", "%s", b);
    }
    size_t len = 0;
    for (size_t i = 0; i < m->caches.n; i++) {
        const cbr_cache *ca = &m->caches.v[i];
        cb_format_bytes(size, sizeof size, ca->bytes);
        const char *t = !ca->type ? "" : strcmp(ca->type, "data") == 0 ? "d"
                      : strcmp(ca->type, "instruction") == 0 ? "i" : "";
        if (ca->instances > 0)
            snprintf(one, sizeof one, "L%lld%s %s x%lld", ca->level, t, size, ca->instances);
        else
            snprintf(one, sizeof one, "L%lld%s %s", ca->level, t, size);
        const int w = snprintf(b + len, sizeof b - len, "%s%s", len ? ", " : "", one);
        if (w < 0 || (size_t)w >= sizeof b - len)
            break;
        len += (size_t)w;
    }
    if (len)
        cb_rcontext_add(c, "caches", "%s", b);
}

static void context_lines(const cbr_context *x, cb_rcontext *c)
{
    c->isa = x->isa;
    c->cpu_model = x->machine.cpu_model;
    machine_lines(&x->machine, c);
    cb_rcontext_add(c, "ISA", "%s%s", x->isa,
                    x->isa_auto == 1 ? " (auto)" : x->isa_auto == 0 ? " (forced)" : "");
    char b[1024];
    if (x->isas_supported.v) {
        join(b, 128, &x->isas_supported, ", ");
        cb_rcontext_add(c, "ISAs supported", "%s", b);
    }
    c->threads = x->threads > 0 ? (int)x->threads : 0;
    c->bind = x->bind;
    join(b, 256, &x->thread_pus, ",");
    if (x->threads > 0 && x->bind && *b)
        cb_rcontext_add(c, "threads", "%lld (bind %s: PUs %s)", x->threads, x->bind, b);
    else if (x->threads > 0 && x->bind)
        cb_rcontext_add(c, "threads", "%lld (bind %s)", x->threads, x->bind);
    else if (x->threads > 0)
        cb_rcontext_add(c, "threads", "%lld", x->threads);
    c->oversubscribed = x->oversubscribed == 1;
    if (c->oversubscribed)
        cb_rcontext_add(c, "oversubscribed", "yes: more threads than PUs, timings not meaningful");
    if (x->compiler)
        cb_rcontext_add(c, "compiler", "%s", x->compiler);
    if (x->build_flags)
        cb_rcontext_add(c, "build flags", "%s", x->build_flags);
    if (x->git_revision)
        cb_rcontext_add(c, "git revision", "%s", x->git_revision);
    if (x->git_commit_time)
        cb_rcontext_add(c, "git commit time", "%s", x->git_commit_time);
    const cbr_dataset *d = &x->dataset;
    c->train_images = d->train_images;
    if (d->kind || d->source || d->train_images >= 0)
        cb_rcontext_add(c, "dataset", "%s: %lld train / %lld test images", d->kind ? d->kind : "?",
                        d->train_images, d->test_images);
    if (d->source)
        cb_rcontext_add(c, "data source", "%s", d->source);
    size_t len = 0;
    for (size_t i = 0; i < x->variants.n; i++) {
        const int w = snprintf(b + len, sizeof b - len, "%s%s %s", len ? ", " : "", x->variants.v[i].key,
                               x->variants.v[i].value);
        if (w > 0 && (size_t)w < sizeof b - len)
            len += (size_t)w;
    }
    if (len)
        cb_rcontext_add(c, "kernel variants", "%s", b);
}

/* The workload's lines: task, images per epoch, batch. */
static void workload_lines(const cb_result *r, cb_rcontext *c)
{
    c->task = r->header.task ? r->header.task : "classify"; /* files from before --task */
    c->weak = r->kind == CBR_SCALE && r->scale.config.mode && strcmp(r->scale.config.mode, "weak") == 0;
    c->batch = r->kind == CBR_TRAIN ? r->train.config.batch : r->kind == CBR_SCALE ? r->scale.config.batch
             : r->kind == CBR_STUDY ? r->study.config.batch : -1;
    if (c->train_images < 0 && r->kind == CBR_TRAIN)
        c->train_images = r->train.epochs.v[0].images;
    cb_rcontext_add(c, "task", "%s", c->task);
    if (c->train_images >= 0)
        cb_rcontext_add(c, "images per epoch", "%lld", c->train_images);
    if (c->batch > 0)
        cb_rcontext_add(c, "batch", "%lld%s", c->batch,
                        r->kind == CBR_SCALE && c->weak ? " per thread" : "");
    if (r->kind == CBR_SCALE)
        cb_rcontext_add(c, "scaling mode", "%s", c->weak ? "weak" : "strong");
}

int cb_rfile_load(const char *path, cb_rfile *f, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    f->path = f->label = path;
    f->ctx.isa = "?";
    f->ctx.train_images = f->ctx.batch = -1;
    if (cb_json_file_load(path, &f->json, err, errlen) != 0)
        return -1;
    cb_schema_error e = {"", ""};
    int rc = cb_result_parse(f->json.root, &f->res, &e);
    if (rc == 0) {
        f->kind = (cb_rkind)f->res.kind;
        f->command = cbr_kind_name(f->res.kind);
        context_lines(&f->res.common.context, &f->ctx);
        workload_lines(&f->res, &f->ctx);
        return 0;
    }
    if (rc > 0 && (rc = cb_gbench_read(f->json.root, &f->gbench, &f->ctx, &e)) == 0) {
        f->kind = CB_RF_GBENCH;
        f->command = "gbench";
        return 0;
    }
    if (rc > 0)
        snprintf(err, errlen, "%s: not a result file: neither a cifarbench result (no \"schema\": \"%s\") "
                              "nor Google Benchmark JSON (no \"benchmarks\" array)", path, CBR_SCHEMA_NAME);
    else
        cb_json_file_error(&f->json, &e, err, errlen);
    cb_rfile_free(f);
    return -1;
}

void cb_rfile_free(cb_rfile *f)
{
    for (size_t i = 0; i < f->ctx.n_fields; i++)
        free(f->ctx.fields[i].value);
    cb_result_free(&f->res);
    cb_gbench_free(&f->gbench);
    cb_json_file_free(&f->json);
    const char *path = f->path, *label = f->label;
    memset(f, 0, sizeof *f);
    f->path = path;
    f->label = label;
}
