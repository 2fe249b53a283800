/* schema.c - see cb_schema.h. */
#include "cb_schema.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const wanted[] = {
    [CB_FT_INT] = "a number", [CB_FT_NUM] = "a number",   [CB_FT_STR] = "a string",
    [CB_FT_BOOL] = "a boolean", [CB_FT_NUMS] = "an array", [CB_FT_STRS] = "an array",
    [CB_FT_MAP] = "an object",  [CB_FT_OBJ] = "an object", [CB_FT_LIST] = "an array"};

const char *cb_json_kind(const json_t *v)
{
    static const char *const names[] = {[JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array",
                                        [JSON_STRING] = "a string",  [JSON_INTEGER] = "a number",
                                        [JSON_REAL] = "a number",    [JSON_TRUE] = "a boolean",
                                        [JSON_FALSE] = "a boolean",  [JSON_NULL] = "null"};
    return names[json_typeof(v)];
}

int cb_schema_fail(cb_schema_error *e, const char *path, const char *fmt, ...)
{
    snprintf(e->path, sizeof e->path, "%s", path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return -1;
}

/* path.key (key non-NULL) or path[index], into buf. */
static void sub(char *buf, size_t n, const char *path, const char *key, size_t index)
{
    if (key)
        snprintf(buf, n, "%.160s%s%.60s", path, *path ? "." : "", key);
    else
        snprintf(buf, n, "%.160s[%zu]", path, index);
}

static bool has_type(cb_ftype t, const json_t *v)
{
    switch (t) {
    case CB_FT_INT:
    case CB_FT_NUM: return json_is_number(v);
    case CB_FT_STR: return json_is_string(v);
    case CB_FT_BOOL: return json_is_boolean(v);
    case CB_FT_MAP:
    case CB_FT_OBJ: return json_is_object(v);
    default: return json_is_array(v);
    }
}

/* The defaults of an absent object: INT and BOOL -1, NUM NAN, the rest zero. */
static void set_defaults(const cb_schema *s, char *out)
{
    for (size_t i = 0; i < s->n_fields; i++) {
        const cb_field *f = &s->fields[i];
        char *p = out + f->offset;
        if (f->type == CB_FT_INT)
            *(long long *)p = -1;
        else if (f->type == CB_FT_NUM)
            *(double *)p = NAN;
        else if (f->type == CB_FT_BOOL)
            *(int *)p = -1;
        else if (f->type == CB_FT_OBJ)
            set_defaults(f->sub, p);
    }
}

/* One number: whole for INT, > 0 when the field says so. */
static int number(const cb_field *f, const json_t *v, const char *path, double *x, cb_schema_error *e)
{
    *x = json_number_value(v);
    if (f->type == CB_FT_INT && !json_is_integer(v) && (*x != floor(*x) || fabs(*x) > 9007199254740992.0))
        return cb_schema_fail(e, path, "expected a whole number, found %g", *x);
    if ((f->flags & CB_POSITIVE) && !(*x > 0))
        return cb_schema_fail(e, path, "must be greater than 0, not %g", *x);
    return 0;
}

/* Allocates n items of size bytes (at least one, so that NULL means out of memory). */
static void *items(size_t n, size_t size, const char *path, cb_schema_error *e)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        cb_schema_fail(e, path, "out of memory");
    return p;
}

/* The KEY fields of a list's n items (INT or STR): no two items alike. */
static int unique(const cb_schema *s, const char *list, size_t n, const char *path, cb_schema_error *e)
{
    for (size_t k = 0; k < s->n_fields; k++) {
        const cb_field *f = &s->fields[k];
        const bool str = f->type == CB_FT_STR;
        for (size_t i = 1; (f->flags & CB_UNIQUE) && i < n; i++)
            for (size_t j = 0; j < i; j++) {
                const char *a = list + i * s->size + f->offset, *b = list + j * s->size + f->offset;
                if (str ? strcmp(*(const char *const *)a, *(const char *const *)b) != 0
                        : *(const long long *)a != *(const long long *)b)
                    continue;
                char where[256], value[64];
                snprintf(where, sizeof where, "%.160s[%zu].%.60s", path, i, f->name);
                if (str)
                    snprintf(value, sizeof value, "\"%.40s\"", *(const char *const *)a);
                else
                    snprintf(value, sizeof value, "%lld", *(const long long *)a);
                return cb_schema_fail(e, where, "duplicate: %.160s[%zu] also has %s %s (one entry per %s value)", path, j,
                            f->name, value, f->name);
            }
    }
    return 0;
}

static int read_field(const cb_field *f, const json_t *v, const char *path, char *p, cb_schema_error *e)
{
    char item[256];
    const size_t n = json_array_size(v);
    double x;
    switch (f->type) {
    case CB_FT_INT:
        if (number(f, v, path, &x, e))
            return -1;
        *(long long *)p = json_is_integer(v) ? json_integer_value(v) : (long long)x;
        return 0;
    case CB_FT_NUM: return number(f, v, path, (double *)p, e);
    case CB_FT_STR: *(const char **)p = json_string_value(v); return 0;
    case CB_FT_BOOL: *(int *)p = json_is_true(v); return 0;
    case CB_FT_OBJ: return cb_schema_read(f->sub, v, path, p, e);
    case CB_FT_NUMS: {
        cb_nums *a = (cb_nums *)p;
        if (!(a->v = items(n, sizeof *a->v, path, e)))
            return -1;
        for (; a->n < n; a->n++) {
            const json_t *x = json_array_get(v, a->n);
            sub(item, sizeof item, path, NULL, a->n);
            const bool positive = f->flags & CB_POSITIVE;
            if (!json_is_number(x) && (positive || !json_is_null(x)))
                return cb_schema_fail(e, item, "expected a number%s, found %s", positive ? " greater than 0" : "",
                            cb_json_kind(x));
            a->v[a->n] = json_is_number(x) ? json_number_value(x) : NAN;
            if (positive && !(a->v[a->n] > 0))
                return cb_schema_fail(e, item, "expected a number greater than 0, not %g", a->v[a->n]);
        }
        return 0;
    }
    case CB_FT_STRS: {
        cb_strs *a = (cb_strs *)p;
        if (!(a->v = items(n, sizeof *a->v, path, e)))
            return -1;
        for (; a->n < n; a->n++) {
            const json_t *x = json_array_get(v, a->n);
            sub(item, sizeof item, path, NULL, a->n);
            if (!json_is_string(x))
                return cb_schema_fail(e, item, "expected a string, found %s", cb_json_kind(x));
            a->v[a->n] = json_string_value(x);
        }
        return 0;
    }
    case CB_FT_MAP: {
        cb_pairs *a = (cb_pairs *)p;
        if (!(a->v = items(json_object_size(v), sizeof *a->v, path, e)))
            return -1;
        const char *key;
        const json_t *x;
        json_object_foreach((json_t *)v, key, x) {
            sub(item, sizeof item, path, key, 0);
            if (!json_is_string(x))
                return cb_schema_fail(e, item, "expected a string, found %s", cb_json_kind(x));
            a->v[a->n++] = (cb_pair){key, json_string_value(x)};
        }
        return 0;
    }
    case CB_FT_LIST: {
        if (n == 0 && (f->flags & CB_REQ))
            return cb_schema_fail(e, path, "empty: at least one entry is needed");
        char *list = items(n, f->sub->size, path, e);
        if (!list)
            return -1;
        memcpy(p, &list, sizeof list); /* the member is struct { T *v; size_t n; } */
        memcpy(p + sizeof list, &n, sizeof n);
        for (size_t i = 0; i < n; i++) {
            const json_t *x = json_array_get(v, i);
            sub(item, sizeof item, path, NULL, i);
            if (!json_is_object(x))
                return cb_schema_fail(e, item, "expected an object, found %s", cb_json_kind(x));
            if (cb_schema_read(f->sub, x, item, list + i * f->sub->size, e))
                return -1;
        }
        return unique(f->sub, list, n, path, e);
    }
    }
    return 0;
}

int cb_schema_read(const cb_schema *s, const json_t *obj, const char *path, void *out, cb_schema_error *e)
{
    memset(out, 0, s->size);
    set_defaults(s, out);
    for (size_t i = 0; i < s->n_fields; i++) {
        const cb_field *f = &s->fields[i];
        const json_t *v = json_object_get(obj, f->name);
        char where[256];
        sub(where, sizeof where, path, f->name, 0);
        if (!v || json_is_null(v)) {
            if (f->flags & CB_REQ)
                return cb_schema_fail(e, path, "missing \"%s\" (%s)", f->name, wanted[f->type]);
            continue;
        }
        if (!has_type(f->type, v))
            return cb_schema_fail(e, where, "expected %s, found %s", wanted[f->type], cb_json_kind(v));
        if (read_field(f, v, where, (char *)out + f->offset, e))
            return -1;
    }
    return 0;
}

void cb_schema_free(const cb_schema *s, void *out)
{
    for (size_t i = 0; i < s->n_fields; i++) {
        const cb_field *f = &s->fields[i];
        char *p = (char *)out + f->offset;
        void *arr;
        memcpy(&arr, p, sizeof arr); /* cb_nums, cb_strs, cb_pairs and lists all start with it */
        if (f->type == CB_FT_OBJ) {
            cb_schema_free(f->sub, p);
            continue;
        }
        if (f->type == CB_FT_LIST) {
            size_t n;
            memcpy(&n, p + sizeof arr, sizeof n);
            for (size_t k = 0; k < n; k++)
                cb_schema_free(f->sub, (char *)arr + k * f->sub->size);
        }
        if (f->type >= CB_FT_NUMS)
            free(arr);
    }
}

const cb_field *cb_schema_field(const cb_schema *s, const char *name)
{
    for (size_t i = 0; i < s->n_fields; i++)
        if (strcmp(s->fields[i].name, name) == 0)
            return &s->fields[i];
    return NULL;
}

json_t *cb_jw_number(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

json_t *cb_jw_numbers(const double *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, cb_jw_number(v[i]));
    return a;
}

json_t *cb_jw_strings(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

json_t *cb_jw_object(json_t *o, const char *key)
{
    json_t *child = json_object();
    json_object_set_new(o, key, child);
    return child;
}

json_t *cb_jw_append(json_t *o, const char *key)
{
    json_t *a = json_object_get(o, key);
    if (!a)
        json_object_set_new(o, key, a = json_array());
    json_t *child = json_object();
    json_array_append_new(a, child);
    return child;
}

void cb_jw_map_put(json_t *o, const char *name, const char *key, const char *value)
{
    json_t *m = json_object_get(o, name);
    if (!m)
        json_object_set_new(o, name, m = json_object());
    json_object_set_new(m, key, json_string(value));
}
