/* results.c - see results.h. */
#include "results.h"

#include <stdlib.h>

#include "cb_build_info.h"
#include "cb_result.h"
#include "dist.h"
#include "tasks.h"

static void machine(json_t *o, const cb_machine *m)
{
    cbr_set_machine_cpu_model(o, m->cpu_model);
    cbr_set_machine_cpu_vendor(o, m->cpu_vendor);
    cbr_set_machine_packages(o, m->packages);
    cbr_set_machine_cores(o, m->cores);
    cbr_set_machine_pus(o, m->pus);
    cbr_set_machine_numa_nodes(o, m->numa_nodes);
    cbr_set_machine_memory_bytes(o, (double)m->memory_bytes);
    for (int i = 0; i < m->cache_kinds; i++) {
        const cb_cache_kind *c = &m->caches[i];
        json_t *x = cbr_add_machine_caches(o);
        cbr_set_cache_level(x, c->level);
        cbr_set_cache_type(x, c->type);
        cbr_set_cache_bytes(x, (double)c->bytes);
        cbr_set_cache_line_bytes(x, c->line_bytes);
        cbr_set_cache_instances(x, c->instances);
        cbr_set_cache_cores_per_instance(x, c->cores_per_instance);
    }
}

json_t *cb_results_new(const char *command, const cb_run_context *c)
{
    json_t *doc = cb_result_new(command, cb_task_name((cb_task)c->task));
    json_t *x = cbr_new_common_context(doc);
    machine(cbr_new_context_machine(x), c->machine);
    if (c->variants) {
        cbr_set_context_isa(x, cb_variants_summary(c->variants));
        cbr_set_context_isa_auto(x, false);
        for (int k = 0; k < CB_KERNEL_COUNT; k++)
            cbr_put_context_variants(x, cb_kernel_name(k), cb_isa_name(c->variants->isa[k]));
    } else {
        cbr_set_context_isa(x, cb_isa_name(c->isa));
        cbr_set_context_isa_auto(x, c->isa_auto);
    }
    const char *names[CB_ISA_COUNT + CB_MAX_THREADS];
    size_t n = 0;
    for (int i = 0; i < CB_ISA_COUNT; i++)
        if (cb_isa_supported((cb_isa)i))
            names[n++] = cb_isa_name((cb_isa)i);
    cbr_set_context_isas_supported(x, names, n);
    cbr_set_context_threads(x, c->threads);
    cbr_set_context_bind(x, cb_bind_name(c->bind));
    if (c->ranks > 1 && c->rank_bindings) {
        const char **rb = malloc(sizeof *rb * (size_t)c->ranks);
        for (int r = 0; rb && r < c->ranks; r++)
            rb[r] = c->rank_bindings[r];
        cbr_set_context_ranks(x, c->ranks);
        cbr_set_context_exchange(x, cb_exchange_name(cb_dist_exchange()));
        if (c->net_bytes_per_s > 0) {
            cbr_set_context_network_latency_seconds(x, c->net_latency_seconds);
            cbr_set_context_network_bytes_per_s(x, c->net_bytes_per_s);
        }
        if (rb)
            cbr_set_context_rank_thread_pus(x, rb, (size_t)c->ranks);
        free(rb);
    }
    if (c->oversubscribed)
        cbr_set_context_oversubscribed(x, true);
    for (int t = 0; t < c->threads; t++)
        names[t] = c->bindings[t];
    cbr_set_context_thread_pus(x, names, (size_t)c->threads);
    cbr_set_context_compiler(x, cb_build_compiler());
    cbr_set_context_build_flags(x, cb_build_flags());
    cbr_set_context_git_revision(x, cb_build_git_revision());
    if (*cb_build_git_commit_time())
        cbr_set_context_git_commit_time(x, cb_build_git_commit_time());
    if (c->data) {
        json_t *d = cbr_new_context_dataset(x);
        cbr_set_dataset_kind(d, c->data->kind == CB_DATA_FILES ? "cifar10-files" : "synthetic");
        cbr_set_dataset_source(d, c->data->source);
        cbr_set_dataset_train_images(d, c->train_images);
        cbr_set_dataset_test_images(d, c->test_images);
    }
    return doc;
}
