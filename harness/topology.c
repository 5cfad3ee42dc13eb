/* topology.c -- `cfbench topology`: the machine as hwloc sees it, and
 * where each pinning policy would place 1..N workers. */
#include <stdio.h>
#include <string.h>

#include <cfutures.h>

#include "cmd.h"
#include "env.h"

#ifdef CF_HAVE_HWLOC
#include <hwloc.h>
#endif

static void print_tree(void) {
#ifdef CF_HAVE_HWLOC
  hwloc_topology_t t;
  if (hwloc_topology_init(&t) != 0) return;
  if (hwloc_topology_load(t) == 0) {
    int depth = hwloc_topology_get_depth(t);
    for (int d = 0; d < depth; d++) {
      int n = hwloc_get_nbobjs_by_depth(t, d);
      char type[64];
      hwloc_obj_type_snprintf(type, sizeof type, hwloc_get_obj_by_depth(t, d, 0), 1);
      printf("  depth %d: %d x %s\n", d, n, type);
    }
    int npu = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU);
    printf("  PUs (OS index -> core):");
    for (int i = 0; i < npu; i++) {
      hwloc_obj_t pu = hwloc_get_obj_by_type(t, HWLOC_OBJ_PU, i);
      hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(t, HWLOC_OBJ_CORE, pu);
      printf(" %u->%d", pu->os_index, core ? (int)core->logical_index : -1);
    }
    printf("\n");
  }
  hwloc_topology_destroy(t);
#else
  printf("  (built without hwloc)\n");
#endif
}

int cf_cmd_topology(int argc, char **argv) {
  if (argc > 1) {
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
      printf("usage: cfbench topology\nthe machine (hwloc) and where each pinning policy puts workers\n");
      return 0;
    }
    fprintf(stderr, "cfbench topology: unexpected argument '%s'; topology takes none\n", argv[1]);
    return 2;
  }
  cf_env e;
  cf_env_capture(&e);
  printf("machine: %s, %s\n", e.hostname, e.cpu_model);
  printf("topology: %s, SMT %s, %d usable CPUs, memory %.1f GiB%s\n", e.topology, e.smt ? "on" : "off",
         e.usable_cpus, (double)e.memory_bytes / (1024.0 * 1024 * 1024), e.virtualized ? ", virtualized" : "");
  print_tree();
  printf("pinning: placement plans come with the executor's pinning support (cf_pin_plan); "
         "not in this build\n");
  return 0;
}
