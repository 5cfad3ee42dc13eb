/* env.c -- machine and build capture for meta.json (see env.h). */
#define _GNU_SOURCE
#include "env.h"
#include "cmd_run.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifdef CF_HAVE_HWLOC
#include <hwloc.h>
#endif
#if __has_include("cf_gitrev.h")
#include "cf_gitrev.h"
#endif
#ifndef CF_GIT_REVISION
#define CF_GIT_REVISION "unknown"
#endif
#ifndef CF_GIT_COMMIT_TIME /* "": not built from a git checkout */
#define CF_GIT_COMMIT_TIME ""
#endif
#ifndef CF_VERSION
#define CF_VERSION "0.1.0"
#endif
#ifndef CF_COMPILER_ID
#define CF_COMPILER_ID "unknown"
#define CF_COMPILER_VERSION ""
#define CF_BUILD_FLAGS ""
#define CF_BUILD_TYPE "unknown"
#endif

static void read_line(const char *path, char *buf, size_t len, const char *def) {
  FILE *f = fopen(path, "r");
  if (!f || !fgets(buf, (int)len, f)) snprintf(buf, len, "%s", def);
  if (f) fclose(f);
  buf[strcspn(buf, "\n")] = '\0';
  if (!buf[0]) snprintf(buf, len, "%s", def);
}

static void cpuinfo(cfb_env *e) {
  snprintf(e->cpu_model, sizeof e->cpu_model, "unknown");
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f) return;
  char line[4096];
  int got_model = 0;
  while (fgets(line, sizeof line, f)) {
    char *colon = strchr(line, ':');
    if (!colon) continue;
    const char *v = colon + 1;
    while (*v == ' ' || *v == '\t') v++;
    if (!got_model && !strncmp(line, "model name", 10)) {
      snprintf(e->cpu_model, sizeof e->cpu_model, "%s", v);
      e->cpu_model[strcspn(e->cpu_model, "\n")] = '\0';
      got_model = 1;
    } else if (!strncmp(line, "flags", 5) && strstr(v, " hypervisor")) {
      e->virtualized = 1;
    }
  }
  fclose(f);
}

#ifdef CF_HAVE_HWLOC
/* One entry per cache level and type, as Google Benchmark's context lists
 * them: the first cache object of each hwloc cache type, with the number
 * of PUs it serves. */
static void caches(hwloc_topology_t t, cfb_env *e) {
  static const hwloc_obj_type_t types[] = {HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L1ICACHE, HWLOC_OBJ_L2CACHE,
                                           HWLOC_OBJ_L2ICACHE, HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L3ICACHE,
                                           HWLOC_OBJ_L4CACHE, HWLOC_OBJ_L5CACHE};
  size_t off = 0;
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
    hwloc_obj_t c = hwloc_get_obj_by_type(t, types[i], 0);
    if (!c || !c->attr || off >= sizeof e->caches) continue;
    const char *kind = c->attr->cache.type == HWLOC_OBJ_CACHE_DATA          ? "Data"
                       : c->attr->cache.type == HWLOC_OBJ_CACHE_INSTRUCTION ? "Instruction"
                                                                             : "Unified";
    int sharing = c->cpuset ? hwloc_bitmap_weight(c->cpuset) : 1;
    off += (size_t)snprintf(e->caches + off, sizeof e->caches - off, "%s%u,%s,%llu,%d", off ? ";" : "",
                            c->attr->cache.depth, kind, (unsigned long long)c->attr->cache.size,
                            sharing > 0 ? sharing : 1);
  }
}
#endif

/* The clock: cpufreq's maximum when the kernel has cpufreq, else the
 * current "cpu MHz" of /proc/cpuinfo (virtual machines). */
static double cpu_mhz(void) {
  char buf[64];
  read_line("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", buf, sizeof buf, "");
  double khz = 0;
  if (buf[0] && sscanf(buf, "%lf", &khz) == 1 && khz > 0) return khz / 1000;
  FILE *f = fopen("/proc/cpuinfo", "r");
  double mhz = 0;
  char line[512];
  while (f && fgets(line, sizeof line, f)) {
    const char *colon = strchr(line, ':');
    if (!strncmp(line, "cpu MHz", 7) && colon && sscanf(colon + 1, "%lf", &mhz) == 1) break;
  }
  if (f) fclose(f);
  return mhz;
}

static void topology(cfb_env *e) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  e->packages = 1;
  e->cores = e->pus = n > 0 ? (int)n : 1;
  e->numa_nodes = 1;
  long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
  e->memory_bytes = pages > 0 && psz > 0 ? (unsigned long long)pages * (unsigned long long)psz : 0;
#ifdef CF_HAVE_HWLOC
  hwloc_topology_t t;
  if (hwloc_topology_init(&t) == 0) {
    if (hwloc_topology_load(t) == 0) {
      int p = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PACKAGE);
      int c = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE);
      int u = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU);
      int m = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE);
      if (p > 0) e->packages = p;
      if (c > 0) e->cores = c;
      if (u > 0) e->pus = u;
      if (m > 0) e->numa_nodes = m;
      hwloc_obj_t root = hwloc_get_root_obj(t);
      if (root && root->total_memory) e->memory_bytes = root->total_memory;
      caches(t, e);
    }
    hwloc_topology_destroy(t);
  }
#endif
  e->smt = e->pus > e->cores;
  snprintf(e->topology, sizeof e->topology, "Package:%d NUMANode:%d Core:%d PU:%d", e->packages,
           e->numa_nodes, e->cores, e->pus);
  cpu_set_t set;
  e->usable_cpus = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : e->pus;
}

void cfb_env_capture(cfb_env *e) {
  memset(e, 0, sizeof *e);
  if (gethostname(e->hostname, sizeof e->hostname - 1) != 0) snprintf(e->hostname, sizeof e->hostname, "unknown");
  struct utsname u;
  if (uname(&u) == 0) snprintf(e->kernel, sizeof e->kernel, "%s %s %s %s", u.sysname, u.release, u.version, u.machine);
  else snprintf(e->kernel, sizeof e->kernel, "unknown");
  read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", e->governor, sizeof e->governor,
            "unknown");
  cpuinfo(e);
  topology(e);
  e->mhz = cpu_mhz();
  snprintf(e->compiler, sizeof e->compiler, "%s %s", CF_COMPILER_ID, CF_COMPILER_VERSION);
  snprintf(e->flags, sizeof e->flags, "%s", CF_BUILD_FLAGS);
  snprintf(e->build_type, sizeof e->build_type, "%s", CF_BUILD_TYPE);
  snprintf(e->git_revision, sizeof e->git_revision, "%s", CF_GIT_REVISION);
  snprintf(e->git_commit_time, sizeof e->git_commit_time, "%s", CF_GIT_COMMIT_TIME);
  snprintf(e->version, sizeof e->version, "%s", CF_VERSION);
}

void cfb_utc_stamp(char *buf, unsigned len, int iso) {
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(buf, len, iso ? "%Y-%m-%dT%H:%M:%SZ" : "%Y%m%dT%H%M%SZ", &tm);
}

void cfb_build_info(const char **version, const char **git_revision, const char **build_type,
                    const char **flags) {
  *version = CF_VERSION;
  *git_revision = CF_GIT_REVISION;
  *build_type = CF_BUILD_TYPE;
  *flags = CF_BUILD_FLAGS;
}
