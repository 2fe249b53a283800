/* topology.c - see topology.h. */
#include "topology.h"

#include <hwloc.h>
#include <string.h>

static hwloc_bitmap_t usable; /* the PUs the process was started on (see usable_core) */

/* Loaded once, with the cpuset the process was started in, before any thread is pinned; NULL when
 * hwloc cannot load it. */
static hwloc_topology_t topology(void)
{
    static hwloc_topology_t topo;
    static int state; /* 0 not tried, 1 loaded, -1 failed */
    if (state == 0) {
        state = -1;
        if (hwloc_topology_init(&topo) == 0) {
            if (hwloc_topology_load(topo) == 0)
                state = 1;
            else
                hwloc_topology_destroy(topo);
        }
        if (state == 1 && (usable = hwloc_bitmap_alloc()) != NULL &&
            hwloc_get_cpubind(topo, usable, HWLOC_CPUBIND_PROCESS) != 0)
            hwloc_bitmap_copy(usable, hwloc_topology_get_allowed_cpuset(topo));
    }
    return state == 1 ? topo : NULL;
}

/* The k-th core (in hwloc's logical order) that has a PU in the process's cpuset: all cores for a
 * process started unbound, the cores mpirun (--bind-to, --map-by) or taskset gave it otherwise. */
static hwloc_obj_t usable_core(hwloc_topology_t topo, int k)
{
    for (hwloc_obj_t c = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_CORE, NULL); c;
         c = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_CORE, c))
        if ((!usable || hwloc_bitmap_intersects(c->cpuset, usable)) && k-- == 0)
            return c;
    return NULL;
}

static void copy_info(hwloc_obj_t obj, const char *name, char *dst, size_t n)
{
    const char *v = obj ? hwloc_obj_get_info_by_name(obj, name) : NULL;
    snprintf(dst, n, "%s", v ? v : "unknown");
}

static const char *cache_type_name(hwloc_obj_cache_type_t t)
{
    return t == HWLOC_OBJ_CACHE_DATA ? "data" : t == HWLOC_OBJ_CACHE_INSTRUCTION ? "instruction"
                                                                                : "unified";
}

static void describe_caches(hwloc_topology_t topo, cb_machine *m)
{
    static const hwloc_obj_type_t kinds[] = {HWLOC_OBJ_L1CACHE,  HWLOC_OBJ_L1ICACHE,
                                             HWLOC_OBJ_L2CACHE,  HWLOC_OBJ_L3CACHE,
                                             HWLOC_OBJ_L4CACHE,  HWLOC_OBJ_L5CACHE};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0] && m->cache_kinds < CB_MAX_CACHE_KINDS;
         k++) {
        const int count = hwloc_get_nbobjs_by_type(topo, kinds[k]);
        hwloc_obj_t c = hwloc_get_obj_by_type(topo, kinds[k], 0);
        if (count <= 0 || !c || !c->attr)
            continue;
        cb_cache_kind *ck = &m->caches[m->cache_kinds++];
        ck->level = (int)c->attr->cache.depth;
        snprintf(ck->type, sizeof ck->type, "%s", cache_type_name(c->attr->cache.type));
        ck->bytes = (unsigned long long)c->attr->cache.size;
        ck->line_bytes = (int)c->attr->cache.linesize;
        ck->instances = count;
        ck->cores_per_instance = hwloc_get_nbobjs_inside_cpuset_by_type(topo, c->cpuset,
                                                                         HWLOC_OBJ_CORE);
    }
}

int cb_machine_describe(cb_machine *m)
{
    memset(m, 0, sizeof *m);
    snprintf(m->cpu_model, sizeof m->cpu_model, "unknown");
    snprintf(m->cpu_vendor, sizeof m->cpu_vendor, "unknown");
    hwloc_topology_t topo = topology();
    if (!topo)
        return -1;
    hwloc_obj_t pkg = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PACKAGE, 0);
    copy_info(pkg, "CPUModel", m->cpu_model, sizeof m->cpu_model);
    copy_info(pkg, "CPUVendor", m->cpu_vendor, sizeof m->cpu_vendor);
    m->packages = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
    m->cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    m->pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
    while (usable_core(topo, m->usable_cores))
        m->usable_cores++;
    m->usable_pus = usable ? hwloc_bitmap_weight(usable) : m->pus;
    m->numa_nodes = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
    for (int i = 0; i < m->numa_nodes; i++)
        m->memory_bytes += hwloc_get_obj_by_type(topo, HWLOC_OBJ_NUMANODE, i)->attr->numanode.local_memory;
    describe_caches(topo, m);
    return 0;
}

/* "32 KiB", "1 MiB", "32 MiB", "7.6 GiB". */
static void format_bytes(unsigned long long b, char *buf, size_t len)
{
    static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)b;
    int u = 0;
    while (v >= 1024.0 && u < 4) {
        v /= 1024.0;
        u++;
    }
    snprintf(buf, len, v == (double)(long long)v ? "%.0f %s" : "%.1f %s", v, units[u]);
}

/* One line per object, children indented; PUs of a core printed on the core's line. */
static void print_tree(hwloc_topology_t topo, hwloc_obj_t obj, int depth, FILE *out)
{
    char type[64], attr[256] = "";
    hwloc_obj_type_snprintf(type, sizeof type, obj, 0);
    if (hwloc_obj_type_is_cache(obj->type)) {
        format_bytes((unsigned long long)obj->attr->cache.size, attr, sizeof attr);
    } else if (obj->type == HWLOC_OBJ_MACHINE || obj->type == HWLOC_OBJ_NUMANODE) {
        format_bytes(obj->type == HWLOC_OBJ_MACHINE ? obj->total_memory
                                                    : obj->attr->numanode.local_memory,
                     attr, sizeof attr);
    }
    fprintf(out, "  %*s%s", 2 * depth, "", type);
    if (obj->type != HWLOC_OBJ_MACHINE && obj->logical_index != (unsigned)-1)
        fprintf(out, " L#%u", obj->logical_index);
    if (obj->type == HWLOC_OBJ_PU || obj->type == HWLOC_OBJ_CORE || obj->type == HWLOC_OBJ_PACKAGE)
        fprintf(out, " (P#%u)", obj->os_index);
    if (*attr)
        fprintf(out, " (%s)", attr);
    if (obj->type == HWLOC_OBJ_CORE) {
        for (unsigned i = 0; i < obj->arity; i++)
            fprintf(out, "  PU L#%u (P#%u)", obj->children[i]->logical_index,
                    obj->children[i]->os_index);
        fputc('\n', out);
        return;
    }
    fputc('\n', out);
    for (hwloc_obj_t nm = obj->memory_first_child; nm; nm = nm->next_sibling)
        print_tree(topo, nm, depth + 1, out);
    for (unsigned i = 0; i < obj->arity; i++)
        print_tree(topo, obj->children[i], depth + 1, out);
}

void cb_machine_print(const cb_machine *m, FILE *out)
{
    char mem[32];
    format_bytes(m->memory_bytes, mem, sizeof mem);
    fprintf(out, "cpu        %s (%s)\n", m->cpu_model, m->cpu_vendor);
    fprintf(out, "topology   %d package(s), %d core(s), %d PU(s), %d NUMA node(s), %s\n",
            m->packages, m->cores, m->pus, m->numa_nodes, mem);
    for (int i = 0; i < m->cache_kinds; i++) {
        const cb_cache_kind *c = &m->caches[i];
        char size[32];
        format_bytes(c->bytes, size, sizeof size);
        fprintf(out, "cache      L%d %-11s %8s x %d, %d-byte lines, shared by %d core(s)\n",
                c->level, c->type, size, c->instances, c->line_bytes, c->cores_per_instance);
    }
    hwloc_topology_t topo = topology();
    if (topo) {
        fprintf(out, "tree\n");
        print_tree(topo, hwloc_get_root_obj(topo), 0, out);
    }
}

int cb_bind_thread_to_core(int core)
{
    hwloc_topology_t topo = topology();
    hwloc_obj_t c = topo ? usable_core(topo, core) : NULL;
    if (!c)
        return -1;
    return hwloc_set_cpubind(topo, c->cpuset, HWLOC_CPUBIND_THREAD) == 0 ? 0 : -1;
}

int cb_thread_binding(char *buf, size_t len)
{
    hwloc_topology_t topo = topology();
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    int rc = -1;
    if (topo && set && hwloc_get_cpubind(topo, set, HWLOC_CPUBIND_THREAD) == 0 &&
        hwloc_bitmap_list_snprintf(buf, len, set) >= 0)
        rc = 0;
    hwloc_bitmap_free(set);
    return rc;
}

int cb_core_pus(int core, char *buf, size_t len)
{
    hwloc_topology_t topo = topology();
    hwloc_obj_t c = topo ? usable_core(topo, core) : NULL;
    return c && hwloc_bitmap_list_snprintf(buf, len, c->cpuset) >= 0 ? 0 : -1;
}
