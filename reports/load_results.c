/* load_results.c - see load_results.h. */
#define _POSIX_C_SOURCE 200809L
#include "load_results.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- typed field access with error messages ------------------------------------------------ */

typedef struct loader {
    const char *path;
    char *err;
    size_t errlen;
    bool failed;
} loader;

static void lfail(loader *l, const cb_jvalue *at, const char *where, const char *fmt, ...)
{
    if (l->failed)
        return;
    l->failed = true;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (at)
        snprintf(l->err, l->errlen, "%s:%d:%d: %s%s%s", l->path, at->line, at->column,
                 where ? where : "", where && *where ? ": " : "", msg);
    else
        snprintf(l->err, l->errlen, "%s: %s%s%s", l->path, where ? where : "",
                 where && *where ? ": " : "", msg);
}

static const char *article(cb_jtype t)
{
    return t == CB_JARRAY || t == CB_JOBJECT ? "an" : "a";
}

/* "where.key" into buf. */
static const char *join(char *buf, size_t n, const char *where, const char *key)
{
    snprintf(buf, n, "%s%s%s", where && *where ? where : "", where && *where ? "." : "", key);
    return buf;
}

/* Member key of obj with the given type; NULL when absent or null (an error when required) or
 * of another type (always an error). */
static const cb_jvalue *field(loader *l, const cb_jvalue *obj, const char *where, const char *key,
                              cb_jtype type, bool required)
{
    if (l->failed)
        return NULL;
    const cb_jvalue *v = cb_jget(obj, key);
    char name[160];
    if (!v || v->type == CB_JNULL) {
        if (required)
            lfail(l, obj, where, "missing \"%s\" (%s %s)", key, article(type), cb_jtype_name(type));
        return NULL;
    }
    if (v->type != type) {
        lfail(l, v, join(name, sizeof name, where, key), "expected %s %s, found %s %s",
              article(type), cb_jtype_name(type), article(v->type), cb_jtype_name(v->type));
        return NULL;
    }
    return v;
}

static double num(loader *l, const cb_jvalue *obj, const char *where, const char *key, bool required)
{
    const cb_jvalue *v = field(l, obj, where, key, CB_JNUMBER, required);
    return v ? v->u.number : NAN;
}

/* A required number that must also be finite and positive (a time or a rate). */
static double positive(loader *l, const cb_jvalue *obj, const char *where, const char *key)
{
    const double x = num(l, obj, where, key, true);
    if (!l->failed && !(x > 0)) {
        char name[160];
        lfail(l, cb_jget(obj, key), join(name, sizeof name, where, key),
              "must be greater than 0, not %g", x);
    }
    return x;
}

static long integer(loader *l, const cb_jvalue *obj, const char *where, const char *key, bool required)
{
    const cb_jvalue *v = field(l, obj, where, key, CB_JNUMBER, required);
    if (!v)
        return -1;
    const double x = v->u.number;
    if (x != floor(x) || fabs(x) > 9007199254740992.0) {
        char name[160];
        lfail(l, v, join(name, sizeof name, where, key), "expected a whole number, found %g", x);
        return -1;
    }
    return (long)x;
}

static const char *str(loader *l, const cb_jvalue *obj, const char *where, const char *key, bool required)
{
    const cb_jvalue *v = field(l, obj, where, key, CB_JSTRING, required);
    return v ? v->u.str.s : NULL;
}

static int boolean(loader *l, const cb_jvalue *obj, const char *where, const char *key)
{
    const cb_jvalue *v = field(l, obj, where, key, CB_JBOOL, false);
    return v ? v->u.boolean : -1;
}

/* ---- context --------------------------------------------------------------------------------- */

static void add_field(cb_rcontext *c, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add_field(cb_rcontext *c, const char *label, const char *fmt, ...)
{
    if (c->n_fields >= CB_RCTX_MAX_FIELDS)
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char *value = strdup(buf);
    if (!value)
        return;
    c->fields[c->n_fields].label = label;
    c->fields[c->n_fields].value = value;
    c->n_fields++;
}

static void format_bytes(char *buf, size_t n, double bytes)
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

static const char *plural(long n) { return n == 1 ? "" : "s"; }

/* Joins an array of strings with ", " (or sep) into buf; non-strings are skipped. */
static void join_strings(char *buf, size_t n, const cb_jvalue *arr, const char *sep)
{
    buf[0] = '\0';
    size_t len = 0;
    for (size_t i = 0; arr && arr->type == CB_JARRAY && i < arr->u.arr.n; i++) {
        const cb_jvalue *v = &arr->u.arr.items[i];
        if (v->type != CB_JSTRING)
            continue;
        const int w = snprintf(buf + len, n - len, "%s%s", len ? sep : "", v->u.str.s);
        if (w < 0 || (size_t)w >= n - len)
            break;
        len += (size_t)w;
    }
}

static void load_caches(loader *l, const cb_jvalue *machine, cb_rcontext *c)
{
    const cb_jvalue *caches = field(l, machine, "context.machine", "caches", CB_JARRAY, false);
    if (!caches)
        return;
    char out[512] = "", one[96], size[32], where[64];
    size_t len = 0;
    for (size_t i = 0; i < caches->u.arr.n; i++) {
        const cb_jvalue *ca = &caches->u.arr.items[i];
        snprintf(where, sizeof where, "context.machine.caches[%zu]", i);
        if (ca->type != CB_JOBJECT) {
            lfail(l, ca, where, "expected an object, found %s %s", article(ca->type), cb_jtype_name(ca->type));
            return;
        }
        const long level = integer(l, ca, where, "level", false);
        const char *type = str(l, ca, where, "type", false);
        const double bytes = num(l, ca, where, "bytes", false);
        const long inst = integer(l, ca, where, "instances", false);
        if (l->failed)
            return;
        format_bytes(size, sizeof size, bytes);
        const char *t = !type ? "" : strcmp(type, "data") == 0 ? "d" : strcmp(type, "instruction") == 0 ? "i" : "";
        if (inst > 0)
            snprintf(one, sizeof one, "L%ld%s %s x%ld", level, t, size, inst);
        else
            snprintf(one, sizeof one, "L%ld%s %s", level, t, size);
        const int w = snprintf(out + len, sizeof out - len, "%s%s", len ? ", " : "", one);
        if (w < 0 || (size_t)w >= sizeof out - len)
            break;
        len += (size_t)w;
    }
    if (len)
        add_field(c, "caches", "%s", out);
}

static void load_variants(loader *l, const cb_jvalue *ctx, cb_rcontext *c)
{
    const cb_jvalue *v = field(l, ctx, "context", "variants", CB_JOBJECT, false);
    if (!v || v->u.obj.n == 0)
        return;
    c->variants = calloc(v->u.obj.n, sizeof *c->variants);
    if (!c->variants) {
        lfail(l, v, "context.variants", "out of memory");
        return;
    }
    char text[1024] = "";
    size_t len = 0;
    for (size_t i = 0; i < v->u.obj.n; i++) {
        const cb_jmember *m = &v->u.obj.members[i];
        if (m->value.type != CB_JSTRING) {
            char name[160];
            lfail(l, &m->value, join(name, sizeof name, "context.variants", m->key),
                  "expected a string (the ISA), found %s %s", article(m->value.type),
                  cb_jtype_name(m->value.type));
            return;
        }
        c->variants[c->n_variants++] = (cb_rpair){m->key, m->value.u.str.s};
        const int w = snprintf(text + len, sizeof text - len, "%s%s %s", len ? ", " : "", m->key,
                               m->value.u.str.s);
        if (w > 0 && (size_t)w < sizeof text - len)
            len += (size_t)w;
    }
    add_field(c, "kernel variants", "%s", text);
}

static void load_cifarbench_context(loader *l, const cb_jvalue *root, cb_rcontext *c)
{
    const cb_jvalue *ctx = field(l, root, "", "context", CB_JOBJECT, true);
    if (!ctx)
        return;
    const cb_jvalue *m = field(l, ctx, "context", "machine", CB_JOBJECT, false);
    if (m) {
        const char *w = "context.machine";
        c->cpu_model = str(l, m, w, "cpu_model", false);
        const char *vendor = str(l, m, w, "cpu_vendor", false);
        const long packages = integer(l, m, w, "packages", false);
        const long cores = integer(l, m, w, "cores", false);
        const long pus = integer(l, m, w, "pus", false);
        const long numa = integer(l, m, w, "numa_nodes", false);
        const double mem = num(l, m, w, "memory_bytes", false);
        if (l->failed)
            return;
        if (c->cpu_model && vendor)
            add_field(c, "CPU", "%s (%s)", c->cpu_model, vendor);
        else if (c->cpu_model)
            add_field(c, "CPU", "%s", c->cpu_model);
        if (cores > 0 || pus > 0)
            add_field(c, "topology", "%ld package%s, %ld core%s, %ld PU%s, %ld NUMA node%s",
                      packages, plural(packages), cores, plural(cores), pus, plural(pus), numa,
                      plural(numa));
        if (mem > 0) {
            char b[32];
            format_bytes(b, sizeof b, mem);
            add_field(c, "memory", "%s", b);
        }
        load_caches(l, m, c);
    }
    c->isa = str(l, ctx, "context", "isa", true);
    const int isa_auto = boolean(l, ctx, "context", "isa_auto");
    const cb_jvalue *supported = field(l, ctx, "context", "isas_supported", CB_JARRAY, false);
    const long threads = integer(l, ctx, "context", "threads", false);
    const char *bind = str(l, ctx, "context", "bind", false);
    const cb_jvalue *pus = field(l, ctx, "context", "thread_pus", CB_JARRAY, false);
    const char *compiler = str(l, ctx, "context", "compiler", false);
    const char *flags = str(l, ctx, "context", "build_flags", false);
    const char *rev = str(l, ctx, "context", "git_revision", false);
    const cb_jvalue *ds = field(l, ctx, "context", "dataset", CB_JOBJECT, false);
    if (l->failed)
        return;
    add_field(c, "ISA", "%s%s", c->isa, isa_auto == 1 ? " (auto)" : isa_auto == 0 ? " (forced)" : "");
    if (supported) {
        char b[128];
        join_strings(b, sizeof b, supported, ", ");
        add_field(c, "ISAs supported", "%s", b);
    }
    c->threads = threads > 0 ? (int)threads : 0;
    if (threads > 0) {
        char b[256];
        join_strings(b, sizeof b, pus, ",");
        if (bind && *b)
            add_field(c, "threads", "%ld (bind %s: PUs %s)", threads, bind, b);
        else if (bind)
            add_field(c, "threads", "%ld (bind %s)", threads, bind);
        else
            add_field(c, "threads", "%ld", threads);
    }
    if (compiler)
        add_field(c, "compiler", "%s", compiler);
    if (flags)
        add_field(c, "build flags", "%s", flags);
    if (rev)
        add_field(c, "git revision", "%s", rev);
    if (ds) {
        const char *kind = str(l, ds, "context.dataset", "kind", false);
        const char *source = str(l, ds, "context.dataset", "source", false);
        c->train_images = integer(l, ds, "context.dataset", "train_images", false);
        const long test = integer(l, ds, "context.dataset", "test_images", false);
        if (l->failed)
            return;
        add_field(c, "dataset", "%s: %ld train / %ld test images", kind ? kind : "?",
                  c->train_images, test);
        if (source)
            add_field(c, "data source", "%s", source);
    }
    load_variants(l, ctx, c);
}

/* ---- train ----------------------------------------------------------------------------------- */

static void load_train(loader *l, const cb_jvalue *root, cb_rtrain *t)
{
    const cb_jvalue *cfg = field(l, root, "", "config", CB_JOBJECT, false);
    if (cfg) {
        t->network = str(l, cfg, "config", "network", false);
        t->epochs_configured = integer(l, cfg, "config", "epochs", false);
        t->batch = integer(l, cfg, "config", "batch", false);
        t->seed = integer(l, cfg, "config", "seed", false);
        t->flops_per_image_train = num(l, cfg, "config", "flops_per_image_train", false);
    } else {
        t->epochs_configured = t->batch = t->seed = -1;
        t->flops_per_image_train = NAN;
    }
    const cb_jvalue *ep = field(l, root, "", "epochs", CB_JARRAY, true);
    if (!ep)
        return;
    if (ep->u.arr.n == 0) {
        lfail(l, ep, "epochs", "empty: a train result has at least one epoch");
        return;
    }
    t->epochs = calloc(ep->u.arr.n, sizeof *t->epochs);
    if (!t->epochs) {
        lfail(l, ep, "epochs", "out of memory");
        return;
    }
    for (size_t i = 0; i < ep->u.arr.n && !l->failed; i++) {
        const cb_jvalue *e = &ep->u.arr.items[i];
        char w[48];
        snprintf(w, sizeof w, "epochs[%zu]", i);
        if (e->type != CB_JOBJECT) {
            lfail(l, e, w, "expected an object, found %s %s", article(e->type), cb_jtype_name(e->type));
            return;
        }
        cb_repoch *r = &t->epochs[t->n_epochs++];
        r->epoch = (int)integer(l, e, w, "epoch", true);
        r->images = integer(l, e, w, "images", true);
        r->seconds = positive(l, e, w, "seconds");
        r->images_per_s = positive(l, e, w, "images_per_s");
        r->gflops = num(l, e, w, "gflops", false);
        r->train_loss = num(l, e, w, "train_loss", false);
        r->train_accuracy = num(l, e, w, "train_accuracy", false);
        r->test_loss = num(l, e, w, "test_loss", false);
        r->test_accuracy = num(l, e, w, "test_accuracy", false);
        r->eval_seconds = num(l, e, w, "eval_seconds", false);
        r->images_per_s_per_core = num(l, e, w, "images_per_s_per_core", false);
        r->percent_of_peak = num(l, e, w, "percent_of_peak", false);
    }
    const cb_jvalue *s = field(l, root, "", "summary", CB_JOBJECT, false);
    t->has_summary = s != NULL;
    t->median_seconds = num(l, s, "summary", "median_seconds", false);
    t->images_per_s = num(l, s, "summary", "images_per_s", false);
    t->gflops = num(l, s, "summary", "gflops", false);
    t->percent_of_peak = num(l, s, "summary", "percent_of_peak", false);
    t->peak_gflops = num(l, s, "summary", "peak_gflops", false);

    const cb_jvalue *ly = field(l, root, "", "layers", CB_JARRAY, false);
    if (!ly || ly->u.arr.n == 0)
        return;
    t->layers = calloc(ly->u.arr.n, sizeof *t->layers);
    if (!t->layers) {
        lfail(l, ly, "layers", "out of memory");
        return;
    }
    for (size_t i = 0; i < ly->u.arr.n && !l->failed; i++) {
        const cb_jvalue *e = &ly->u.arr.items[i];
        char w[48];
        snprintf(w, sizeof w, "layers[%zu]", i);
        if (e->type != CB_JOBJECT) {
            lfail(l, e, w, "expected an object, found %s %s", article(e->type), cb_jtype_name(e->type));
            return;
        }
        cb_rlayer *r = &t->layers[t->n_layers++];
        r->layer = str(l, e, w, "layer", true);
        r->pass = str(l, e, w, "pass", false);
        if (!r->pass)
            r->pass = "";
        r->seconds = num(l, e, w, "seconds", true);
        r->share = num(l, e, w, "share", false);
    }
}

/* ---- scale ----------------------------------------------------------------------------------- */

static void load_scale(loader *l, const cb_jvalue *root, cb_rscale *s)
{
    const cb_jvalue *cfg = field(l, root, "", "config", CB_JOBJECT, false);
    s->batch = integer(l, cfg, "config", "batch", false);
    s->seed = integer(l, cfg, "config", "seed", false);
    s->repetitions = integer(l, cfg, "config", "repetitions", false);
    const cb_jvalue *sc = field(l, root, "", "scaling", CB_JARRAY, true);
    if (!sc)
        return;
    if (sc->u.arr.n == 0) {
        lfail(l, sc, "scaling", "empty: a scale result has at least one thread count");
        return;
    }
    s->rows = calloc(sc->u.arr.n, sizeof *s->rows);
    if (!s->rows) {
        lfail(l, sc, "scaling", "out of memory");
        return;
    }
    for (size_t i = 0; i < sc->u.arr.n && !l->failed; i++) {
        const cb_jvalue *e = &sc->u.arr.items[i];
        char w[48];
        snprintf(w, sizeof w, "scaling[%zu]", i);
        if (e->type != CB_JOBJECT) {
            lfail(l, e, w, "expected an object, found %s %s", article(e->type), cb_jtype_name(e->type));
            return;
        }
        cb_rscale_row *r = &s->rows[s->n_rows++];
        const long threads = integer(l, e, w, "threads", true);
        if (!l->failed && threads < 1) {
            lfail(l, cb_jget(e, "threads"), w, "threads must be at least 1, not %ld", threads);
            return;
        }
        r->threads = (int)threads;
        const cb_jvalue *pus = cb_jget(e, "thread_pus");
        r->thread_pus = pus && pus->type == CB_JSTRING ? pus->u.str.s : NULL;
        r->seconds = positive(l, e, w, "seconds");
        r->images_per_s = positive(l, e, w, "images_per_s");
        r->images_per_s_per_core = num(l, e, w, "images_per_s_per_core", false);
        r->speedup = num(l, e, w, "speedup", false);
        r->efficiency = num(l, e, w, "efficiency", false);
        r->sync_seconds_per_step = num(l, e, w, "sync_seconds_per_step", false);
        r->sync_share = num(l, e, w, "sync_share", false);
        r->test_accuracy = num(l, e, w, "test_accuracy", false);
        r->weights_identical = boolean(l, e, w, "weights_identical_to_1_thread");
        const cb_jvalue *all = field(l, e, w, "seconds_all", CB_JARRAY, false);
        if (!all || all->u.arr.n == 0)
            continue;
        r->seconds_all = calloc(all->u.arr.n, sizeof *r->seconds_all);
        if (!r->seconds_all) {
            lfail(l, all, w, "out of memory");
            return;
        }
        for (size_t k = 0; k < all->u.arr.n; k++) {
            const cb_jvalue *x = &all->u.arr.items[k];
            if (x->type != CB_JNUMBER || !(x->u.number > 0)) {
                char name[96];
                snprintf(name, sizeof name, "%s.seconds_all[%zu]", w, k);
                lfail(l, x, name, "expected a number greater than 0");
                return;
            }
            r->seconds_all[r->n_seconds_all++] = x->u.number;
        }
    }
}

/* ---- Google Benchmark ------------------------------------------------------------------------ */

static const char *const gbench_numeric_fields[] = {
    "family_index", "per_family_instance_index", "repetitions", "repetition_index", "threads",
    "iterations", "real_time", "cpu_time", NULL};

static const char *const gbench_context_fields[] = {
    "date", "host_name", "executable", "num_cpus", "mhz_per_cpu", "cpu_scaling_enabled", "caches",
    "load_avg", "library_build_type", "library_version", "json_schema_version", "cpu_model",
    "cpu_vendor", "isa", NULL};

static bool in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

double cb_rnumber_text(const char *s)
{
    if (!s || !*s)
        return NAN;
    char *end;
    const double x = strtod(s, &end);
    while (*end == ' ')
        end++;
    return *end == '\0' && isfinite(x) ? x : NAN;
}

static void load_gbench_context(loader *l, const cb_jvalue *root, cb_rcontext *c, cb_rgbench *g)
{
    const cb_jvalue *ctx = field(l, root, "", "context", CB_JOBJECT, false);
    c->isa = "?";
    if (!ctx)
        return;
    const char *w = "context";
    c->cpu_model = str(l, ctx, w, "cpu_model", false);
    const char *vendor = str(l, ctx, w, "cpu_vendor", false);
    const char *isa = str(l, ctx, w, "isa", false);
    const char *host = str(l, ctx, w, "host_name", false);
    const char *date = str(l, ctx, w, "date", false);
    const long ncpu = integer(l, ctx, w, "num_cpus", false);
    const double mhz = num(l, ctx, w, "mhz_per_cpu", false);
    const int scaling = boolean(l, ctx, w, "cpu_scaling_enabled");
    const char *build = str(l, ctx, w, "library_build_type", false);
    const cb_jvalue *caches = field(l, ctx, w, "caches", CB_JARRAY, false);
    if (l->failed)
        return;
    if (isa)
        c->isa = isa;
    if (c->cpu_model && vendor)
        add_field(c, "CPU", "%s (%s)", c->cpu_model, vendor);
    else if (c->cpu_model)
        add_field(c, "CPU", "%s", c->cpu_model);
    if (ncpu > 0 && mhz > 0)
        add_field(c, "CPUs (Google Benchmark)", "%ld x %.0f MHz", ncpu, mhz);
    if (caches && caches->u.arr.n) {
        char out[512] = "", size[32];
        size_t len = 0;
        for (size_t i = 0; i < caches->u.arr.n; i++) {
            const cb_jvalue *ca = &caches->u.arr.items[i];
            if (ca->type != CB_JOBJECT)
                continue;
            const cb_jvalue *type = cb_jget(ca, "type"), *level = cb_jget(ca, "level"),
                            *bytes = cb_jget(ca, "size"), *share = cb_jget(ca, "num_sharing");
            if (!level || level->type != CB_JNUMBER || !bytes || bytes->type != CB_JNUMBER)
                continue;
            format_bytes(size, sizeof size, bytes->u.number);
            const char *t = type && type->type == CB_JSTRING ? type->u.str.s : "";
            const int n = snprintf(out + len, sizeof out - len, "%sL%.0f%s %s%s", len ? ", " : "",
                                   level->u.number,
                                   strcmp(t, "Data") == 0 ? "d" : strcmp(t, "Instruction") == 0 ? "i" : "",
                                   size,
                                   share && share->type == CB_JNUMBER && share->u.number > 1 ? " (shared)" : "");
            if (n < 0 || (size_t)n >= sizeof out - len)
                break;
            len += (size_t)n;
        }
        if (len)
            add_field(c, "caches (Google Benchmark)", "%s", out);
    }
    if (isa)
        add_field(c, "ISA", "%s", isa);
    if (scaling >= 0)
        add_field(c, "CPU frequency scaling", "%s", scaling ? "enabled (timings noisier)" : "disabled");
    if (build)
        add_field(c, "benchmark library build", "%s", build);
    if (host)
        add_field(c, "host", "%s", host);
    if (date)
        add_field(c, "date", "%s", date);
    g->custom = calloc(ctx->u.obj.n ? ctx->u.obj.n : 1, sizeof *g->custom);
    if (!g->custom) {
        lfail(l, ctx, w, "out of memory");
        return;
    }
    /* custom keys; those cifarbench-kernels shares with train / scale results get their labels */
    static const char *const same[][2] = {{"compiler", "compiler"},
                                          {"build_flags", "build flags"},
                                          {"git_revision", "git revision"},
                                          {"isa_supported", "ISAs supported"}};
    for (size_t i = 0; i < ctx->u.obj.n; i++) {
        const cb_jmember *m = &ctx->u.obj.members[i];
        if (in_list(gbench_context_fields, m->key) || m->value.type != CB_JSTRING)
            continue;
        g->custom[g->n_custom++] = (cb_rpair){m->key, m->value.u.str.s};
        const char *label = m->key;
        for (size_t k = 0; k < sizeof same / sizeof same[0]; k++)
            if (strcmp(m->key, same[k][0]) == 0)
                label = same[k][1];
        if (strcmp(m->key, "isa_supported") == 0) { /* "scalar,avx2" as train writes it */
            char b[256];
            size_t o = 0;
            for (const char *p = m->value.u.str.s; *p && o + 3 < sizeof b; p++) {
                b[o++] = *p;
                if (*p == ',')
                    b[o++] = ' ';
            }
            b[o] = '\0';
            add_field(c, label, "%s", b);
        } else {
            add_field(c, label, "%s", m->value.u.str.s);
        }
    }
}

static double unit_seconds(const char *unit)
{
    if (!unit || strcmp(unit, "ns") == 0)
        return 1e-9;
    if (strcmp(unit, "us") == 0)
        return 1e-6;
    if (strcmp(unit, "ms") == 0)
        return 1e-3;
    if (strcmp(unit, "s") == 0)
        return 1;
    return NAN;
}

static void load_gbench(loader *l, const cb_jvalue *root, cb_rcontext *c, cb_rgbench *g)
{
    load_gbench_context(l, root, c, g);
    const cb_jvalue *bs = field(l, root, "", "benchmarks", CB_JARRAY, true);
    if (!bs)
        return;
    if (bs->u.arr.n == 0) {
        lfail(l, bs, "benchmarks", "empty: the file holds no benchmark runs");
        return;
    }
    g->benchmarks = calloc(bs->u.arr.n, sizeof *g->benchmarks);
    if (!g->benchmarks) {
        lfail(l, bs, "benchmarks", "out of memory");
        return;
    }
    for (size_t i = 0; i < bs->u.arr.n && !l->failed; i++) {
        const cb_jvalue *e = &bs->u.arr.items[i];
        char w[48];
        snprintf(w, sizeof w, "benchmarks[%zu]", i);
        if (e->type != CB_JOBJECT) {
            lfail(l, e, w, "expected an object, found %s %s", article(e->type), cb_jtype_name(e->type));
            return;
        }
        cb_rbench *b = &g->benchmarks[g->n++];
        b->name = str(l, e, w, "name", true);
        b->run_name = str(l, e, w, "run_name", false);
        if (!b->run_name)
            b->run_name = b->name;
        const char *run_type = str(l, e, w, "run_type", false);
        b->aggregate = run_type && strcmp(run_type, "aggregate") == 0;
        b->aggregate_name = str(l, e, w, "aggregate_name", false);
        b->error = boolean(l, e, w, "error_occurred") == 1;
        b->error_message = str(l, e, w, "error_message", false);
        const char *unit = str(l, e, w, "time_unit", false);
        if (l->failed)
            return;
        const double scale = unit_seconds(unit);
        if (isnan(scale)) {
            lfail(l, cb_jget(e, "time_unit"), w, "unknown time_unit \"%s\" (ns, us, ms or s)", unit);
            return;
        }
        if (b->error) {
            b->real_time = b->cpu_time = NAN;
        } else if (b->aggregate && b->aggregate_name &&
                   (strcmp(b->aggregate_name, "BigO") == 0 || strcmp(b->aggregate_name, "RMS") == 0)) {
            b->real_time = b->cpu_time = NAN; /* complexity fits carry no times */
        } else {
            b->real_time = num(l, e, w, "real_time", true) * scale;
            b->cpu_time = num(l, e, w, "cpu_time", true) * scale;
        }
        b->iterations = num(l, e, w, "iterations", false);
        b->counters = calloc(e->u.obj.n, sizeof *b->counters);
        if (!b->counters) {
            lfail(l, e, w, "out of memory");
            return;
        }
        for (size_t k = 0; k < e->u.obj.n; k++) {
            const cb_jmember *m = &e->u.obj.members[k];
            if (m->value.type == CB_JNUMBER && !in_list(gbench_numeric_fields, m->key))
                b->counters[b->n_counters++] = (cb_rcounter){m->key, m->value.u.number};
        }
    }
}

/* ---- the file -------------------------------------------------------------------------------- */

int cb_rfile_load(const char *path, cb_rfile *f, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    f->path = f->label = path;
    f->ctx.isa = "?";
    f->ctx.train_images = -1;
    cb_jerror je;
    f->root = cb_jparse_file(path, &je);
    if (!f->root) {
        snprintf(err, errlen, "%s:%s%s", path, je.line ? "" : " ", je.message);
        return -1;
    }
    loader l = {path, err, errlen, false};
    const cb_jvalue *root = f->root;
    if (root->type != CB_JOBJECT) {
        lfail(&l, root, "", "expected a JSON object at the top level, found %s %s",
              article(root->type), cb_jtype_name(root->type));
        goto fail;
    }
    const cb_jvalue *schema = cb_jget(root, "schema");
    if (!schema) {
        const cb_jvalue *bs = cb_jget(root, "benchmarks");
        if (!bs) {
            lfail(&l, NULL, "",
                  "not a result file: neither a cifarbench result (no \"schema\": "
                  "\"cifarbench-result\") nor Google Benchmark JSON (no \"benchmarks\" array)");
            goto fail;
        }
        f->kind = CB_RF_GBENCH;
        f->command = "gbench";
        load_gbench(&l, root, &f->ctx, &f->gbench);
        if (l.failed)
            goto fail;
        return 0;
    }
    const char *s = str(&l, root, "", "schema", true);
    if (l.failed)
        goto fail;
    if (strcmp(s, "cifarbench-result") != 0) {
        lfail(&l, schema, "schema", "\"%s\" is not \"cifarbench-result\"", s);
        goto fail;
    }
    const long version = integer(&l, root, "", "schema_version", true);
    if (l.failed)
        goto fail;
    if (version > CB_RESULT_SCHEMA_READ || version < 1) {
        lfail(&l, cb_jget(root, "schema_version"), "schema_version",
              "%ld is not a version this cifarbench reads (%d)%s", version, CB_RESULT_SCHEMA_READ,
              version > CB_RESULT_SCHEMA_READ ? ": the file is newer, update cifarbench" : "");
        goto fail;
    }
    f->command = str(&l, root, "", "command", true);
    if (l.failed)
        goto fail;
    if (strcmp(f->command, "train") == 0) {
        f->kind = CB_RF_TRAIN;
    } else if (strcmp(f->command, "scale") == 0) {
        f->kind = CB_RF_SCALE;
    } else {
        lfail(&l, cb_jget(root, "command"), "command",
              "\"%s\" results are not something report and compare read (train or scale)",
              f->command);
        goto fail;
    }
    load_cifarbench_context(&l, root, &f->ctx);
    if (f->kind == CB_RF_TRAIN)
        load_train(&l, root, &f->train);
    else
        load_scale(&l, root, &f->scale);
    if (l.failed)
        goto fail;
    return 0;
fail:
    cb_rfile_free(f);
    return -1;
}

void cb_rfile_free(cb_rfile *f)
{
    for (size_t i = 0; i < f->ctx.n_fields; i++)
        free(f->ctx.fields[i].value);
    free(f->ctx.variants);
    free(f->train.epochs);
    free(f->train.layers);
    for (size_t i = 0; i < f->scale.n_rows; i++)
        free(f->scale.rows[i].seconds_all);
    free(f->scale.rows);
    for (size_t i = 0; i < f->gbench.n; i++)
        free(f->gbench.benchmarks[i].counters);
    free(f->gbench.benchmarks);
    free(f->gbench.custom);
    cb_jfree(f->root);
    const char *path = f->path, *label = f->label;
    memset(f, 0, sizeof *f);
    f->path = path;
    f->label = label;
}

const char *cb_rcontext_field(const cb_rcontext *c, const char *label)
{
    for (size_t i = 0; i < c->n_fields; i++)
        if (strcmp(c->fields[i].label, label) == 0)
            return c->fields[i].value;
    return NULL;
}
