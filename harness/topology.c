/* topology.c - see topology.h. */
#include "topology.h"

#include <hwloc.h>
#include <stdio.h>
#include <string.h>

static void copy_info(hwloc_obj_t obj, const char *name, char *dst, size_t n)
{
    const char *v = obj ? hwloc_obj_get_info_by_name(obj, name) : NULL;
    snprintf(dst, n, "%s", v ? v : "unknown");
}

int cb_machine_describe(cb_machine *m)
{
    memset(m, 0, sizeof *m);
    snprintf(m->cpu_model, sizeof m->cpu_model, "unknown");
    snprintf(m->cpu_vendor, sizeof m->cpu_vendor, "unknown");
    hwloc_topology_t topo;
    if (hwloc_topology_init(&topo) != 0)
        return -1;
    if (hwloc_topology_load(topo) != 0) {
        hwloc_topology_destroy(topo);
        return -1;
    }
    hwloc_obj_t pkg = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PACKAGE, 0);
    copy_info(pkg, "CPUModel", m->cpu_model, sizeof m->cpu_model);
    copy_info(pkg, "CPUVendor", m->cpu_vendor, sizeof m->cpu_vendor);
    m->packages = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
    m->cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    m->pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
    m->numa_nodes = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
    hwloc_topology_destroy(topo);
    return 0;
}
