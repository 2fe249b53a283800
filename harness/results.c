/* results.c - see results.h. */
#include "results.h"

#include "tasks.h"

#ifndef CB_GIT_REVISION
#define CB_GIT_REVISION "unknown"
#endif
#if defined(__clang__)
#define CB_COMPILER "clang " __VERSION__
#elif defined(__GNUC__)
#define CB_COMPILER "gcc " __VERSION__
#else
#define CB_COMPILER "unknown"
#endif
#ifndef CB_BUILD_FLAGS
#define CB_BUILD_FLAGS "unknown"
#endif

void cb_results_header(cb_json *j, const char *command, const cb_run_context *c)
{
    cb_json_string(j, "schema", "cifarbench-result");
    cb_json_int(j, "schema_version", CB_RESULT_SCHEMA_VERSION);
    cb_json_string(j, "command", command);
    cb_json_string(j, "task", cb_task_name((cb_task)c->task));
    cb_json_object_begin(j, "context");
    cb_machine_json(j, "machine", c->machine);
    if (c->variants) {
        cb_json_string(j, "isa", cb_variants_summary(c->variants));
        cb_json_bool(j, "isa_auto", false);
        cb_json_object_begin(j, "variants");
        for (int k = 0; k < CB_KERNEL_COUNT; k++)
            cb_json_string(j, cb_kernel_name(k), cb_isa_name(c->variants->isa[k]));
        cb_json_object_end(j);
    } else {
        cb_json_string(j, "isa", cb_isa_name(c->isa));
        cb_json_bool(j, "isa_auto", c->isa_auto);
    }
    cb_json_array_begin(j, "isas_supported");
    for (int i = 0; i < CB_ISA_COUNT; i++)
        if (cb_isa_supported((cb_isa)i))
            cb_json_string(j, NULL, cb_isa_name((cb_isa)i));
    cb_json_array_end(j);
    cb_json_int(j, "threads", c->threads);
    cb_json_string(j, "bind", cb_bind_name(c->bind));
    cb_json_array_begin(j, "thread_pus");
    for (int t = 0; t < c->threads; t++)
        cb_json_string(j, NULL, c->bindings[t]);
    cb_json_array_end(j);
    cb_json_string(j, "compiler", CB_COMPILER);
    cb_json_string(j, "build_flags", CB_BUILD_FLAGS);
    cb_json_string(j, "git_revision", CB_GIT_REVISION);
    if (c->data) {
        cb_json_object_begin(j, "dataset");
        cb_json_string(j, "kind", c->data->kind == CB_DATA_FILES ? "cifar10-files" : "synthetic");
        cb_json_string(j, "source", c->data->source);
        cb_json_int(j, "train_images", c->train_images);
        cb_json_int(j, "test_images", c->test_images);
        cb_json_object_end(j);
    }
    cb_json_object_end(j);
}
