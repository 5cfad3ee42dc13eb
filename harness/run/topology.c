/* topology.c -- `cfbench topology`: the machine as hwloc sees it, and
 * where each pinning policy would place 1..N workers; every line fits 80
 * columns (a long list of PUs or workers goes on, indented, on the next). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cfutures.h>

#include "cmd_run.h"
#include "env.h"
#include "format.h"
#include "sweep.h"

#define TOPO_COLS 80

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
    char *line = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&line, &len);
    if (m) {
      fprintf(m, "  PUs (OS index -> core):");
      for (int i = 0; i < npu; i++) {
        hwloc_obj_t pu = hwloc_get_obj_by_type(t, HWLOC_OBJ_PU, i);
        hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(t, HWLOC_OBJ_CORE, pu);
        fprintf(m, " %u->%d", pu->os_index, core ? (int)core->logical_index : -1);
      }
      if (fclose(m) == 0 && line) cfb_fmt_print_wrapped(stdout, line, TOPO_COLS, 4);
      free(line);
    }
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
  char line[1024];
  snprintf(line, sizeof line, "machine: %s, %s", e.hostname, e.cpu_model);
  cfb_fmt_print_wrapped(stdout, line, TOPO_COLS, 10);
  /* hwloc's summary, then the rest on the next line when both do not fit
   * (a break anywhere else split "12.1 GiB") */
  char rest[256];
  snprintf(line, sizeof line, "topology: %s,", e.topology);
  snprintf(rest, sizeof rest, "SMT %s, %d usable CPUs, memory %.1f GiB%s", e.smt ? "on" : "off", e.usable_cpus,
           (double)e.memory_bytes / (1024.0 * 1024 * 1024), e.virtualized ? ", virtualized" : "");
  if (cfb_fmt_cols(line) + 1 + cfb_fmt_cols(rest) < TOPO_COLS) printf("%s %s\n", line, rest);
  else printf("%s\n          %s\n", line, rest);
  print_tree();
  char desc[4096];
  if (cf_pin_describe(desc, sizeof desc) == 0) printf("\n%s%s", desc, desc[strlen(desc) - 1] == '\n' ? "" : "\n");
  /* Placement of 1..N workers (N = twice the PUs, to show the wrap-around). */
  int n = 2 * (e.pus > 0 ? e.pus : 1);
  if (n > 64) n = 64;
  int pu[64];
  static const cf_pin_policy pols[] = {CF_PIN_COMPACT, CF_PIN_SCATTER};
  printf("\npinning (PU OS index of worker 0, 1, ...; with --pin none the OS places them):\n");
  for (size_t p = 0; p < 2; p++) {
    printf("  %s:\n", cfb_pin_name(pols[p]));
    for (int w = 1; w <= n; w *= 2) {
      int rc = cf_pin_plan(pols[p], NULL, 0, w, pu);
      int k = snprintf(line, sizeof line, "    %2d worker%s ->", w, w == 1 ? " " : "s");
      if (rc != 0)
        snprintf(line + k, sizeof line - (size_t)k, " unavailable (%s)", cf_err_name(rc));
      for (int i = 0; rc == 0 && i < w && k > 0 && (size_t)k < sizeof line; i++)
        k += snprintf(line + k, sizeof line - (size_t)k, " %d", pu[i]);
      cfb_fmt_print_wrapped(stdout, line, TOPO_COLS, 17); /* under the first PU */
    }
  }
  printf("  list (--pin list:0,1, an hwloc list such as list:0-3): worker i on the\n"
         "    i-th PU listed (ascending), round robin; only PUs shown above are\n"
         "    accepted\n");
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
