/* env.h -- the context of a run: the machine (hwloc topology, CPU model,
 * kernel, governor, SMT, memory), the build (compiler, flags, git
 * revision and its commit time).  Captured once; written into meta.json and the terminal
 * header. */
#ifndef CFB_ENV_H
#define CFB_ENV_H

typedef struct cfb_env {
  char hostname[256];
  char cpu_model[256];
  char kernel[512];
  char governor[64];      /* "unknown" when cpufreq is absent */
  char topology[256];     /* "Package:1 Core:2 PU:2" */
  int packages, cores, pus, numa_nodes;
  int smt;                /* more PUs than cores */
  int virtualized;        /* the hypervisor CPU flag */
  int usable_cpus;        /* CPUs this process may run on */
  unsigned long long memory_bytes;
  double mhz;             /* max (cpufreq) or current clock; 0 = unknown */
  char caches[512];       /* "level,type,size,sharing;..." (hwloc; "" without) */
  char compiler[128];     /* "GNU 12.2.0" */
  char flags[512];
  char build_type[32];
  char git_revision[128];
  char git_commit_time[40]; /* ISO 8601 commit time of git_revision ("" = unknown) */
  char version[32];
} cfb_env;

void cfb_env_capture(cfb_env *e);

/* UTC time as "2026-11-23T18:00:00Z" (iso = 1) or "20261123T180000Z". */
void cfb_utc_stamp(char *buf, unsigned len, int iso);

#endif
