/* mpi_launch.c -- cfbench and MPI jobs: joining one a launcher started
 * (mpiexec, srun: every rank runs cfbench with the same arguments, rank 0
 * does the work, the other ranks serve the MPI backend's tasks inside
 * cf_mpi_init), and starting one for `--mpi-np N` (cfbench re-executes
 * itself under mpiexec with N worker ranks). */
#define _GNU_SOURCE
#include "mpi_launch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cfutures.h>

#include "options.h"

/* What OpenMPI's mpiexec (ORTE/PRRTE) and SLURM's srun set in every rank. */
static const char *const launcher_vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "SLURM_PROCID"};

int cfb_mpi_under_launcher(void) {
  for (size_t i = 0; i < sizeof launcher_vars / sizeof launcher_vars[0]; i++)
    if (getenv(launcher_vars[i])) return 1;
  return 0;
}

int cfb_mpi_join(int *argc, char ***argv) {
  if (!cfb_mpi_under_launcher()) return 0;
  int rc = cf_mpi_init(argc, argv);
  if (rc == CF_MPI_WORKER_DONE) return 1;
  /* Not fatal: a build without MPI, or srun of a program that is not an
   * MPI job; the thread and process backends still work, mpi says why. */
  if (rc < 0 && rc != CF_ENOSYS)
    fprintf(stderr, "cfbench: cf_mpi_init: %s; the mpi backend is unavailable\n", cf_strerror(rc));
  return 0;
}

int cfb_mpi_check(const cfb_mpi_opts *m, int uses_mpi, char *err, size_t errlen) {
  if (m->hostfile && m->hosts)
    return cfb_fail(err, errlen, "--mpi-hostfile and --mpi-hosts: give one of them");
  if ((m->hostfile || m->hosts) && !m->np)
    return cfb_fail(err, errlen, "%s: needs --mpi-np N (worker ranks to start)",
                    m->hostfile ? "--mpi-hostfile" : "--mpi-hosts");
  if (m->hostfile && access(m->hostfile, R_OK) != 0)
    return cfb_fail(err, errlen, "--mpi-hostfile: cannot read %s: %s", m->hostfile, strerror(errno));
  if (m->np && !uses_mpi)
    return cfb_fail(err, errlen, "--mpi-np: only with --backend mpi (the other backends run on this host)");
  if (!uses_mpi) return 0;
  if (cfb_mpi_under_launcher()) {
    if (cf_mpi_workers() <= 0)
      return cfb_fail(err, errlen,
                      "--backend mpi: this MPI job has no worker rank (a build without MPI, or 1 rank); "
                      "start 2 or more ranks");
    return 0;
  }
  if (!m->np)
    return cfb_fail(err, errlen,
                    "--backend mpi: give --mpi-np N (cfbench starts mpiexec), or start cfbench under "
                    "mpiexec or srun");
  return 0;
}

/* argv of this process as started (NUL-separated in /proc/self/cmdline):
 * the re-executed job gets exactly the same arguments, whichever
 * subcommand (run, bench) parsed them. */
static char **own_argv(int *argc) {
  FILE *f = fopen("/proc/self/cmdline", "r");
  if (!f) return NULL;
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  int c;
  while (m && (c = getc(f)) != EOF) putc(c, m);
  fclose(f);
  if (!m || fclose(m) != 0 || !len) {
    free(buf);
    return NULL;
  }
  int n = 0;
  for (size_t i = 0; i < len; i++) n += buf[i] == '\0';
  char **v = calloc((size_t)n + 1, sizeof *v);
  if (!v) {
    free(buf);
    return NULL;
  }
  char *p = buf;
  for (int i = 0; i < n; i++, p += strlen(p) + 1) v[i] = p;
  *argc = n;
  return v; /* v[0] is buf: free both */
}

int cfb_mpi_relaunch(const cfb_mpi_opts *m, char *err, size_t errlen) {
  char exe[4096];
  ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
  int n0 = 0;
  char **args = own_argv(&n0);
  if (k <= 0 || !args) {
    if (args) free(args[0]);
    free(args);
    return cfb_fail(err, errlen, "--mpi-np: cannot read this program's path or arguments");
  }
  exe[k] = '\0';
  char np[32];
  snprintf(np, sizeof np, "%d", m->np + 1); /* rank 0, the client, and np workers */
  const char **v = calloc((size_t)n0 + 16, sizeof *v);
  if (!v) {
    free(args[0]);
    free(args);
    return cfb_fail(err, errlen, "--mpi-np: out of memory");
  }
  int n = 0;
  v[n++] = "mpiexec";
  v[n++] = "-n";
  v[n++] = np;
  if (m->hostfile) {
    v[n++] = "--hostfile";
    v[n++] = m->hostfile;
  } else if (m->hosts) {
    v[n++] = "--host";
    v[n++] = m->hosts;
  }
  /* More ranks than slots or cores is what a sweep over workers asks for. */
  v[n++] = "--oversubscribe";
  if (!m->hostfile && !m->hosts) {
    /* One machine: shared memory only, and no single-copy (CMA needs
     * ptrace rights that containers lack; vader falls back to copies). */
    v[n++] = "--mca";
    v[n++] = "btl";
    v[n++] = "self,vader";
    setenv("OMPI_MCA_btl_vader_single_copy_mechanism", "none", 0);
  }
  if (geteuid() == 0) { /* mpiexec refuses root unless told twice */
    setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 0);
    setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 0);
  }
  v[n++] = exe;
  for (int i = 1; i < n0; i++) v[n++] = args[i];
  v[n] = NULL;
  fflush(NULL);
  execvp("mpiexec", (char *const *)v);
  int e = errno;
  free(v);
  free(args[0]);
  free(args);
  return cfb_fail(err, errlen, "--mpi-np: cannot run mpiexec: %s (Debian: apt install openmpi-bin)",
                  strerror(e));
}
