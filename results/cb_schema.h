/*
 * cb_schema.h - JSON objects described as tables of fields (name, type, required), and the one
 * routine that checks a jansson value against such a table and copies it into the matching C
 * struct. cb_result_schema.h generates the tables and structs of the result files from its
 * X-macro lists; the Google Benchmark reader in reports/ describes that format the same way.
 *
 * Reading rules: a field that is absent or null reads as its default (INT and BOOL -1, NUM NAN,
 * the rest empty) and is an error when required; a present field of another type is always an
 * error, and so is a key field (KEY) whose value another item of its list has; undescribed fields
 * are ignored (fields are added without a version change). Errors give
 * the field's path ("epochs[0].seconds") and what is wrong ("expected a number, found a
 * string"); cb_json_file.h turns the path into file:line:column.
 */
#ifndef CB_SCHEMA_H
#define CB_SCHEMA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum {
    CB_FT_INT,  /* a whole number        -> long long */
    CB_FT_NUM,  /* a number              -> double */
    CB_FT_STR,  /* a string              -> const char *, pointing into the json_t */
    CB_FT_BOOL, /* true or false         -> int 1 / 0 */
    CB_FT_NUMS, /* an array of numbers   -> cb_nums (null items read as NAN) */
    CB_FT_STRS, /* an array of strings   -> cb_strs */
    CB_FT_MAP,  /* an object of strings  -> cb_pairs, in document order */
    CB_FT_OBJ,  /* an object             -> the sub-object's struct, embedded */
    CB_FT_LIST  /* an array of objects   -> struct { cbr_SUB *v; size_t n; } */
} cb_ftype;

/* Presence and range: OPT optional, REQ required (a required LIST is not empty), POS required and
 * greater than 0 (every item, for NUMS), OPTPOS optional but greater than 0 when present; KEY
 * (POSKEY) is REQ (POS) and, in the items of a list, unique: an INT or STR no two items share. */
enum { CB_OPT = 0, CB_REQ = 1, CB_POSITIVE = 2, CB_POS = 3, CB_OPTPOS = 2, CB_UNIQUE = 4, CB_KEY = 5,
       CB_POSKEY = 7 };

typedef struct { double *v; size_t n; } cb_nums;
typedef struct { const char **v; size_t n; } cb_strs;
typedef struct { const char *key, *value; } cb_pair;
typedef struct { cb_pair *v; size_t n; } cb_pairs;

typedef struct cb_schema cb_schema;

typedef struct cb_field {
    const char *name;
    cb_ftype type;
    int flags;             /* CB_OPT, CB_REQ, CB_POS, CB_OPTPOS, CB_KEY, CB_POSKEY */
    size_t offset;         /* of the member in the C struct */
    const cb_schema *sub;  /* OBJ and LIST: the sub-object */
} cb_field;

struct cb_schema {
    const cb_field *fields;
    size_t n_fields;
    size_t size;           /* sizeof the C struct */
};

typedef struct cb_schema_error {
    char path[192];        /* "" for the document itself */
    char message[256];
} cb_schema_error;

/* Sets e to path and the formatted message; returns -1, so that checks can `return
 * cb_schema_fail(...)`. */
int cb_schema_fail(cb_schema_error *e, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Checks obj (an object) against s and fills out (s->size bytes); path is obj's path for messages.
 * Returns 0, or -1 with e set; out holds allocations either way: release them with
 * cb_schema_free. */
int cb_schema_read(const cb_schema *s, const json_t *obj, const char *path, void *out,
                   cb_schema_error *e);
void cb_schema_free(const cb_schema *s, void *out);

/* The field called name, or NULL when s does not describe it. */
const cb_field *cb_schema_field(const cb_schema *s, const char *name);

/* "a number", "a string", "an object", ... for messages. */
const char *cb_json_kind(const json_t *v);

/* Building documents: a number (null when not finite), arrays of numbers and strings, an object
 * set as member key of o (returned, borrowed), a new object appended to o's array member key
 * (created when absent; returned, borrowed), and key = value in o's object member name. */
json_t *cb_jw_number(double v);
json_t *cb_jw_numbers(const double *v, size_t n);
json_t *cb_jw_strings(const char *const *v, size_t n);
json_t *cb_jw_object(json_t *o, const char *key);
json_t *cb_jw_append(json_t *o, const char *key);
void cb_jw_map_put(json_t *o, const char *name, const char *key, const char *value);

/* ---- generating an object's struct, table and setters from its list -------------------------- */
/* An object obj is described by a macro CBR_FIELDS_obj(X, S) of X(S, name, TYPE, PRESENCE, SUB)
 * entries (cb_result_schema.h); CB_SCHEMA_DEFINE(obj) in a header and CB_SCHEMA_TABLE(obj) in one
 * .c file expand it. */
#define CBR_C_INT(sub) long long
#define CBR_C_NUM(sub) double
#define CBR_C_STR(sub) const char *
#define CBR_C_BOOL(sub) int /* 1, 0, -1 when absent */
#define CBR_C_NUMS(sub) cb_nums
#define CBR_C_STRS(sub) cb_strs
#define CBR_C_MAP(sub) cb_pairs
#define CBR_C_OBJ(sub) cbr_##sub
#define CBR_C_LIST(sub) struct { cbr_##sub *v; size_t n; }
#define CBR_MEMBER(S, name, type, presence, sub) CBR_C_##type(sub) name;

#define CBR_SET_INT(S, f, sub)                                                                     \
    static inline void cbr_set_##S##_##f(json_t *o, long long v) { json_object_set_new(o, #f, json_integer(v)); }
#define CBR_SET_NUM(S, f, sub)                                                                     \
    static inline void cbr_set_##S##_##f(json_t *o, double v) { json_object_set_new(o, #f, cb_jw_number(v)); }
#define CBR_SET_STR(S, f, sub)                                                                     \
    static inline void cbr_set_##S##_##f(json_t *o, const char *v)                                 \
    { json_object_set_new(o, #f, v ? json_string(v) : json_null()); }
#define CBR_SET_BOOL(S, f, sub)                                                                    \
    static inline void cbr_set_##S##_##f(json_t *o, bool v) { json_object_set_new(o, #f, json_boolean(v)); }
#define CBR_SET_NUMS(S, f, sub)                                                                    \
    static inline void cbr_set_##S##_##f(json_t *o, const double *v, size_t n)                     \
    { json_object_set_new(o, #f, cb_jw_numbers(v, n)); }
#define CBR_SET_STRS(S, f, sub)                                                                    \
    static inline void cbr_set_##S##_##f(json_t *o, const char *const *v, size_t n)                \
    { json_object_set_new(o, #f, cb_jw_strings(v, n)); }
#define CBR_SET_MAP(S, f, sub)                                                                     \
    static inline void cbr_put_##S##_##f(json_t *o, const char *k, const char *v) { cb_jw_map_put(o, #f, k, v); }
#define CBR_SET_OBJ(S, f, sub)                                                                     \
    static inline json_t *cbr_new_##S##_##f(json_t *o) { return cb_jw_object(o, #f); }
#define CBR_SET_LIST(S, f, sub)                                                                    \
    static inline json_t *cbr_add_##S##_##f(json_t *o) { return cb_jw_append(o, #f); }
#define CBR_SETTER(S, name, type, presence, sub) CBR_SET_##type(S, name, sub)

/* The struct cbr_<obj>, the declaration of its table cbr_<obj>_schema and its setters. */
#define CB_SCHEMA_DEFINE(obj)                                                                      \
    typedef struct cbr_##obj { CBR_FIELDS_##obj(CBR_MEMBER, obj) } cbr_##obj;                      \
    extern const cb_schema cbr_##obj##_schema;                                                     \
    CBR_FIELDS_##obj(CBR_SETTER, obj)

/* The table cbr_<obj>_schema (in one .c file per list). */
#define CBR_SUB_INT(sub) NULL
#define CBR_SUB_NUM(sub) NULL
#define CBR_SUB_STR(sub) NULL
#define CBR_SUB_BOOL(sub) NULL
#define CBR_SUB_NUMS(sub) NULL
#define CBR_SUB_STRS(sub) NULL
#define CBR_SUB_MAP(sub) NULL
#define CBR_SUB_OBJ(sub) &cbr_##sub##_schema
#define CBR_SUB_LIST(sub) &cbr_##sub##_schema
#define CBR_FIELD(S, name, type, presence, sub)                                                    \
    {#name, CB_FT_##type, CB_##presence, offsetof(cbr_##S, name), CBR_SUB_##type(sub)},
#define CB_SCHEMA_TABLE(obj)                                                                       \
    static const cb_field obj##_fields[] = {CBR_FIELDS_##obj(CBR_FIELD, obj)};                      \
    const cb_schema cbr_##obj##_schema = {obj##_fields, sizeof obj##_fields / sizeof obj##_fields[0],    \
                                          sizeof(cbr_##obj)};

#endif /* CB_SCHEMA_H */
