/* affinity.c -- pinning workers to processing units with hwloc.
 *
 * Placement (which PU a worker gets) is pure logic on an hwloc topology,
 * cf__pin_plan(), tested on synthetic topologies.  Binding applies the plan
 * with hwloc_set_cpubind(HWLOC_CPUBIND_THREAD) from the worker thread itself
 * (a process worker right after fork, while it is single-threaded, so the
 * binding is the process's).  Every call loads
 * its own (filtered, ~2 ms) topology and frees it: there is no global
 * topology cache to go stale or to reset. */
#include "internal.h"
#include "affinity.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void seterr(char *err, size_t errlen, const char *fmt, ...) {
  if (!err || !errlen) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}

int cf__topo_load(hwloc_topology_t *out, const char *synthetic, int full) {
  hwloc_topology_t t;
  *out = NULL;
  if (hwloc_topology_init(&t) < 0) return CF_ENOMEM;
  if (!full) {
    hwloc_topology_set_all_types_filter(t, HWLOC_TYPE_FILTER_KEEP_NONE);
    hwloc_topology_set_type_filter(t, HWLOC_OBJ_PACKAGE, HWLOC_TYPE_FILTER_KEEP_ALL);
    hwloc_topology_set_type_filter(t, HWLOC_OBJ_CORE, HWLOC_TYPE_FILTER_KEEP_ALL);
  }
  if (synthetic && hwloc_topology_set_synthetic(t, synthetic) < 0) {
    hwloc_topology_destroy(t);
    return CF_EINVAL;
  }
  if (hwloc_topology_load(t) < 0) {
    hwloc_topology_destroy(t);
    return CF_ENOSYS;
  }
  *out = t;
  return 0;
}

static int plan_scatter(hwloc_topology_t topo, int m, int *places) {
  hwloc_cpuset_t *sets = calloc((size_t)m, sizeof *sets);
  if (!sets) return CF_ENOMEM;
  hwloc_obj_t root = hwloc_get_root_obj(topo);
  int rc = 0;
  if (hwloc_distrib(topo, &root, 1, sets, (unsigned)m, INT_MAX, 0) < 0) rc = CF_ENOMEM;
  for (int j = 0; j < m; j++) {
    if (!sets[j]) {
      rc = CF_ENOMEM;
      continue;
    }
    hwloc_bitmap_singlify(sets[j]);
    places[j] = hwloc_bitmap_first(sets[j]);
    hwloc_bitmap_free(sets[j]);
  }
  free(sets);
  return rc;
}

int cf__pin_plan(hwloc_topology_t topo, cf_pin_policy pol, const int *list, int nlist,
                 int nworkers, int *pu, char *err, size_t errlen) {
  if (nworkers < 0 || (nworkers > 0 && !pu)) {
    seterr(err, errlen, "pinning: bad worker count %d", nworkers);
    return CF_EINVAL;
  }
  int npus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
  if (npus <= 0) {
    seterr(err, errlen, "pinning: hwloc found no processing units");
    return CF_ENOSYS;
  }
  switch (pol) {
  case CF_PIN_NONE:
    for (int i = 0; i < nworkers; i++) pu[i] = -1;
    return 0;
  case CF_PIN_COMPACT:
    for (int i = 0; i < nworkers; i++)
      pu[i] = (int)hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, (unsigned)(i % npus))->os_index;
    return 0;
  case CF_PIN_SCATTER: {
    if (nworkers == 0) return 0;
    int m = nworkers < npus ? nworkers : npus;
    int *places = malloc((size_t)m * sizeof *places);
    if (!places) return CF_ENOMEM;
    int rc = plan_scatter(topo, m, places);
    if (rc == 0)
      for (int i = 0; i < nworkers; i++) pu[i] = places[i % m];
    else
      seterr(err, errlen, "pinning: hwloc_distrib failed");
    free(places);
    return rc;
  }
  case CF_PIN_LIST:
    if (!list || nlist <= 0) {
      seterr(err, errlen, "pinning: policy list needs a non-empty list of PU OS indices");
      return CF_EINVAL;
    }
    for (int k = 0; k < nlist; k++) {
      if (list[k] < 0 || !hwloc_get_pu_obj_by_os_index(topo, (unsigned)list[k])) {
        hwloc_const_cpuset_t all = hwloc_topology_get_topology_cpuset(topo);
        char *s = NULL;
        hwloc_bitmap_list_asprintf(&s, all);
        seterr(err, errlen, "pinning: PU %d (list entry %d) is not in the topology (PUs %s)",
               list[k], k, s ? s : "?");
        free(s);
        return CF_EINVAL;
      }
    }
    for (int i = 0; i < nworkers; i++) pu[i] = list[i % nlist];
    return 0;
  }
  seterr(err, errlen, "pinning: unknown policy %d", (int)pol);
  return CF_EINVAL;
}

static int cfg_workers(const cf_config *cfg) {
  return cfg->max_workers > 0 ? cfg->max_workers : cf_default_max_workers();
}

/* Load the machine topology, check binding support for `backend`, and
 * compute the PU of `worker` (all workers when worker < 0, result unused). */
static int plan_for(const cf_config *cfg, int worker, hwloc_topology_t *topo_out, int *pu_out,
                    char *err, size_t errlen) {
  hwloc_topology_t topo;
  int rc = cf__topo_load(&topo, NULL, 0);
  if (rc) {
    seterr(err, errlen, "pinning: hwloc could not load this machine's topology");
    return rc;
  }
  const struct hwloc_topology_support *sup = hwloc_topology_get_support(topo);
  int can = cfg->backend == CF_BACKEND_PROCESS
                ? (sup->cpubind->set_proc_cpubind || sup->cpubind->set_thisproc_cpubind)
                : sup->cpubind->set_thisthread_cpubind;
  if (!can) {
    seterr(err, errlen, "pinning: hwloc cannot bind %s on this machine/OS",
           cfg->backend == CF_BACKEND_PROCESS ? "processes" : "threads");
    hwloc_topology_destroy(topo);
    return CF_ENOSYS;
  }
  int n = cfg_workers(cfg);
  int *plan = malloc((size_t)n * sizeof *plan);
  if (!plan) {
    hwloc_topology_destroy(topo);
    return CF_ENOMEM;
  }
  rc = cf__pin_plan(topo, cfg->pin, cfg->pin_list, cfg->pin_list_len, n, plan, err, errlen);
  if (rc == 0 && worker >= 0) *pu_out = plan[worker % n];
  free(plan);
  if (rc || !topo_out) hwloc_topology_destroy(topo);
  else *topo_out = topo;
  return rc;
}

int cf_pin_check(const cf_config *cfg, char *err, size_t errlen) {
  if (err && errlen) err[0] = '\0';
  if (!cfg) return CF_EINVAL;
  if (cfg->pin == CF_PIN_NONE) return 0;
  return plan_for(cfg, -1, NULL, NULL, err, errlen);
}

/* Bind to the PU planned for worker: the calling thread (pid 0; fork and
 * thread workers bind themselves), or process pid from the parent (a
 * spawned worker does not inherit the plan). */
static int pin_apply(const cf_config *cfg, int worker, pid_t pid) {
  if (cfg->pin == CF_PIN_NONE) return 0;
  hwloc_topology_t topo;
  int pu = -1;
  int rc = plan_for(cfg, worker, &topo, &pu, NULL, 0);
  if (rc) return rc;
  hwloc_bitmap_t set = hwloc_bitmap_alloc();
  if (!set) {
    hwloc_topology_destroy(topo);
    return CF_ENOMEM;
  }
  hwloc_bitmap_only(set, (unsigned)pu);
  int r = pid ? hwloc_set_proc_cpubind(topo, pid, set, HWLOC_CPUBIND_PROCESS)
              : hwloc_set_cpubind(topo, set, HWLOC_CPUBIND_THREAD);
  if (r < 0) rc = errno == ENOSYS || errno == EXDEV ? CF_ENOSYS : CF_EINVAL;
  hwloc_bitmap_free(set);
  hwloc_topology_destroy(topo);
  return rc;
}

int cf__pin_self_thread(const cf_config *cfg, int worker) { return pin_apply(cfg, worker, 0); }

int cf__pin_process(const cf_config *cfg, int worker, pid_t pid) {
  return pin_apply(cfg, worker, pid > 0 ? pid : getpid());
}

int cf_pin_plan(cf_pin_policy pol, const int *list, int nlist, int nworkers, int *pu_out) {
  hwloc_topology_t topo;
  int rc = cf__topo_load(&topo, NULL, 0);
  if (rc) return rc;
  rc = cf__pin_plan(topo, pol, list, nlist, nworkers, pu_out, NULL, 0);
  hwloc_topology_destroy(topo);
  return rc;
}

/* Append printf-style text at *pos in buf (truncating, always terminated). */
static void put(char *buf, size_t len, size_t *pos, const char *fmt, ...) {
  if (*pos >= len) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
  va_end(ap);
  if (n > 0) *pos = *pos + (size_t)n < len ? *pos + (size_t)n : len;
}

int cf_pin_describe(char *buf, size_t len) {
  if (!buf || !len) return CF_EINVAL;
  buf[0] = '\0';
  hwloc_topology_t topo;
  int rc = cf__topo_load(&topo, NULL, 0);
  if (rc) return rc;
  const struct hwloc_topology_support *sup = hwloc_topology_get_support(topo);
  int npkg = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
  int ncore = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
  int npu = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
  size_t pos = 0;
  put(buf, len, &pos, "hwloc %s: %d package%s, %d core%s, %d PU%s; binding: threads %s, processes %s\n",
      HWLOC_VERSION, npkg, npkg == 1 ? "" : "s", ncore, ncore == 1 ? "" : "s", npu, npu == 1 ? "" : "s",
      sup->cpubind->set_thisthread_cpubind ? "yes" : "no",
      sup->cpubind->set_proc_cpubind ? "yes" : "no");
  /* PU OS indices by core (or by PU when hwloc found no cores). */
  hwloc_obj_type_t unit = ncore > 0 ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
  int nunit = hwloc_get_nbobjs_by_type(topo, unit);
  for (int i = 0; i < nunit; i++) {
    hwloc_obj_t o = hwloc_get_obj_by_type(topo, unit, (unsigned)i);
    hwloc_obj_t pkg = hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_PACKAGE, o);
    char *s = NULL;
    hwloc_bitmap_list_asprintf(&s, o->cpuset);
    put(buf, len, &pos, "  package %d %s L#%d: PU %s\n", pkg ? (int)pkg->logical_index : 0,
        unit == HWLOC_OBJ_CORE ? "core" : "pu", i, s ? s : "?");
    free(s);
  }
  hwloc_topology_destroy(topo);
  return 0;
}
