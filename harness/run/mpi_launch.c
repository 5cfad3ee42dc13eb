/* mpi_launch.c -- cfbench and MPI jobs: joining one a launcher started
 * (mpiexec, srun: every rank runs cfbench with the same arguments, rank 0
 * does the work, the other ranks serve the MPI backend's tasks inside
 * cf_mpi_init), and starting one for `--mpi-np N` (cfbench re-runs
 * itself under mpiexec with N worker ranks, checking the hosts first and
 * folding mpiexec's pages of text into one line). */
#define _GNU_SOURCE
#include "mpi_launch.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
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

/* Does host name `h` (len bytes) resolve?  0, or 2 with one line naming
 * it: mpiexec's own answer to a host it cannot reach is a page of text
 * and exit 255, after seconds of ssh. */
static int host_check(const char *opt, const char *h, size_t len, char *err, size_t errlen) {
  char name[256];
  if (len == 0 || len >= sizeof name) return cfb_fail(err, errlen, "%s: empty or overlong host name", opt);
  memcpy(name, h, len);
  name[len] = '\0';
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai = NULL;
  int rc = getaddrinfo(name, NULL, &hints, &ai);
  if (ai) freeaddrinfo(ai);
  if (rc) return cfb_fail(err, errlen, "%s: cannot resolve host %s: %s", opt, name, gai_strerror(rc));
  return 0;
}

/* Every host of --mpi-hosts "a,b:4" resolves: 0, or 2 with err. */
static int hosts_check(const char *hosts, char *err, size_t errlen) {
  for (const char *p = hosts; *p;) {
    size_t n = strcspn(p, ",");
    size_t hn = strcspn(p, ",:");
    if (host_check("--mpi-hosts", p, hn < n ? hn : n, err, errlen)) return 2;
    p += n + (p[n] == ',');
  }
  return 0;
}

/* Every host of a hostfile (the first word of each line; '#' starts a
 * comment) resolves: 0, or 2 with err. */
static int hostfile_check(const char *path, char *err, size_t errlen) {
  FILE *f = fopen(path, "r");
  if (!f) return cfb_fail(err, errlen, "--mpi-hostfile: cannot read %s: %s", path, strerror(errno));
  char line[1024];
  int rc = 0, nhosts = 0;
  while (!rc && fgets(line, sizeof line, f)) {
    line[strcspn(line, "#\n")] = '\0';
    const char *w = line + strspn(line, " \t");
    size_t n = strcspn(w, " \t");
    if (n) nhosts++, rc = host_check("--mpi-hostfile", w, n, err, errlen);
  }
  fclose(f);
  if (!rc && !nhosts) return cfb_fail(err, errlen, "--mpi-hostfile: %s names no host", path);
  return rc;
}

int cfb_mpi_check(const cfb_mpi_opts *m, int uses_mpi, char *err, size_t errlen) {
  if (m->hostfile && m->hosts)
    return cfb_fail(err, errlen, "--mpi-hostfile and --mpi-hosts: give one of them");
  if ((m->hostfile || m->hosts) && !m->np)
    return cfb_fail(err, errlen, "%s: needs --mpi-np N (worker ranks to start)",
                    m->hostfile ? "--mpi-hostfile" : "--mpi-hosts");
  if (m->hostfile && hostfile_check(m->hostfile, err, errlen)) return 2;
  if (m->hosts && hosts_check(m->hosts, err, errlen)) return 2;
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

/* The running mpiexec, for forward_signal. */
static volatile pid_t job_pid;

/* SIGINT / SIGTERM sent to this process alone (kill, timeout) go on to
 * mpiexec, which hands them to the ranks; a terminal's Ctrl-C reaches
 * mpiexec by itself (same process group), so it is not sent twice. */
static void forward_signal(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  if (si->si_code <= 0 && job_pid > 0) kill(job_pid, sig);
}

/* mpiexec's stderr, read line by line: its own messages come as blocks
 * between lines of dashes, a page of text each; they are held back and
 * the first one's first paragraph kept in `last` (whitespace folded), everything
 * else (the ranks' stderr, ssh's one line) passes on at once. */
static void job_stderr(FILE *in, char *last, size_t lastlen) {
  last[0] = '\0';
  char *line = NULL;
  size_t cap = 0;
  int in_block = 0, para = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, in)) > 0) {
    size_t dashes = strspn(line, "-");
    if (dashes >= 20 && line[dashes] == '\n') {
      if ((in_block = !in_block)) para = !last[0]; /* the first block's: the cause, not its echoes */
      continue;
    }
    if (!in_block) {
      fputs(line, stderr);
      fflush(stderr);
      continue;
    }
    line[strcspn(line, "\n")] = '\0';
    char *w = line + strspn(line, " \t");
    if (!*w) para = last[0] ? 0 : para; /* a blank line ends the first paragraph */
    else if (para) {
      size_t k = strlen(last);
      snprintf(last + k, lastlen - k, "%s%s", k ? " " : "", w);
    }
  }
  free(line);
  /* "... daemons. This usually is caused by:" -- a list follows that is
   * not kept: end at the sentence before it */
  size_t k = strlen(last);
  if (k && last[k - 1] == ':') {
    char *dot = NULL;
    for (char *q = strstr(last, ". "); q; q = strstr(q + 1, ". ")) dot = q;
    if (dot) dot[1] = '\0';
  }
}

/* Run mpiexec (argv v) with its stderr through job_stderr, to its end:
 * a job that ran gives rank 0's code, as mpiexec passes it on, and
 * mpiexec's blocks become one line.  mpiexec's own failure to
 * start the job (exit 255: a host it cannot reach, no daemon) is code 1
 * with that line.  Returns the exit code, or -errno when mpiexec cannot
 * be run. */
static int job_run(const char **v) {
  int pfd[2];
  if (pipe2(pfd, O_CLOEXEC) != 0) return -errno;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pfd[1], STDERR_FILENO);
  pid_t pid;
  int e = posix_spawnp(&pid, "mpiexec", &fa, NULL, (char *const *)v, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(pfd[1]);
  if (e) {
    close(pfd[0]);
    return -e;
  }
  job_pid = pid;
  struct sigaction sa = {.sa_sigaction = forward_signal, .sa_flags = SA_SIGINFO | SA_RESTART};
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  char last[512] = "";
  FILE *in = fdopen(pfd[0], "r");
  if (in) {
    job_stderr(in, last, sizeof last);
    fclose(in);
  } else
    close(pfd[0]);
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
  int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  if (code == 255) {
    fprintf(stderr, "cfbench: mpiexec could not start the job (exit 255)%s%s\n", last[0] ? ": " : "", last);
    code = 1;
  } else if (last[0] && strncmp(last, "Primary job", 11) != 0) /* not "a rank exited non-zero": it said why */
    fprintf(stderr, "cfbench: mpiexec (exit %d): %s\n", code, last);
  return code;
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
  int code = job_run(v);
  free(v);
  free(args[0]);
  free(args);
  if (code >= 0) exit(code); /* the job ran (or mpiexec failed at it): its status is ours */
  return cfb_fail(err, errlen, "--mpi-np: cannot run mpiexec: %s (Debian: apt install openmpi-bin)",
                  strerror(-code));
}
