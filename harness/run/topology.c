/* topology.c -- `cfbench topology`: the machine as hwloc sees it, and
 * where each pinning policy would place 1..N workers. */
#include <stdio.h>
#include <string.h>

#include <cfutures.h>

#include "cmd_run.h"
#include "env.h"
#include "sweep.h"

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

int cfb_cmd_topology(int argc, char **argv) {
  if (argc > 1) {
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
      printf("usage: cfbench topology\nthe machine (hwloc) and where each pinning policy puts workers\n"
             "(--pin none, compact, scatter, list:PUS)\n");
      return 0;
    }
    fprintf(stderr, "cfbench topology: unexpected argument '%s'; topology takes none\n", argv[1]);
    return 2;
  }
  cfb_env e;
  cfb_env_capture(&e);
  printf("machine: %s, %s\n", e.hostname, e.cpu_model);
  printf("topology: %s, SMT %s, %d usable CPUs, memory %.1f GiB%s\n", e.topology, e.smt ? "on" : "off",
         e.usable_cpus, (double)e.memory_bytes / (1024.0 * 1024 * 1024), e.virtualized ? ", virtualized" : "");
  print_tree();
  char desc[4096];
  if (cf_pin_describe(desc, sizeof desc) == 0) printf("\n%s%s", desc, desc[strlen(desc) - 1] == '\n' ? "" : "\n");
  /* Placement of 1..N workers (N = twice the PUs, to show the wrap-around). */
  int n = 2 * (e.pus > 0 ? e.pus : 1);
  if (n > 64) n = 64;
  int pu[64];
  static const cf_pin_policy pols[] = {CF_PIN_COMPACT, CF_PIN_SCATTER};
  printf("\npinning (PU OS index of worker 0, 1, ...; --pin none leaves placement to the OS):\n");
  for (size_t p = 0; p < 2; p++) {
    printf("  %s:\n", cfb_pin_name(pols[p]));
    for (int w = 1; w <= n; w *= 2) {
      int rc = cf_pin_plan(pols[p], NULL, 0, w, pu);
      printf("    %2d worker%s ->", w, w == 1 ? " " : "s");
      if (rc != 0) {
        printf(" unavailable (%s)\n", cf_err_name(rc));
        continue;
      }
      for (int i = 0; i < w; i++) printf(" %d", pu[i]);
      printf("\n");
    }
  }
  printf("  list (--pin list:0,1, an hwloc list such as list:0-3): worker i on the i-th PU\n"
         "    listed (ascending), round robin; only PUs shown above are accepted\n");
  char why[256] = "";
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.pin = CF_PIN_COMPACT;
  cfg.max_workers = 1;
  for (cfb_backend b = CFB_BK_THREAD; b <= CFB_BK_PROCESS; b++) {
    cfg.backend = cfb_backend_exec(b);
    int rc = cf_pin_check(&cfg, why, sizeof why);
    printf("  binding %s workers: %s%s%s\n", cfb_backend_name(b), rc == 0 ? "supported" : "not supported",
           rc ? ": " : "", rc ? why : "");
  }
  return 0;
}
