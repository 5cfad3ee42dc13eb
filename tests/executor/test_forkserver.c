/* test_forkserver.c -- what CF_START_FORKSERVER promises beyond the
 * process backend's common behaviour (which the "process-forkserver" runs
 * of test_process, test_faults, test_shutdown and test_map check): the
 * server's lifetime (started by the first pool and stopped with the last,
 * or held by cf_forkserver_start), nothing left behind, workers that are
 * our children (exit statuses, replacement), a server killed or stopped
 * from outside replaced, the server leaving with its parent, a fork of ours having none,
 * the environment taken at the server's start, and a worker's thread
 * identity right (pthread calls on itself reach itself). */
#include "common.h"
#include "leaks.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static cf_executor *make_fsrv(int workers) {
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.max_workers = workers;
  return make_ex_cfg(&cfg);
}

static int worker_pid(cf_executor *ex, int i) {
  int pids[8] = {0};
  CHECK_GT(cf_executor_worker_pids(ex, pids, 8), i);
  CHECK_GT(pids[i], 0);
  return pids[i];
}

/* The parent pid of process pid, from /proc. */
static int ppid_of(int pid) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  char *p = strrchr(buf, ')');
  int ppid = -1;
  char state;
  if (!p || sscanf(p + 1, " %c %d", &state, &ppid) != 2) return -1;
  return ppid;
}

static void roundtrip(cf_executor *ex) {
  cf_future *f = submit_int(ex, t_sleep, 1);
  CHECK_EQ(result_int(f), 1);
  cf_future_release(f);
}

/* Without cf_forkserver_start: the first pool starts the server, a second
 * shares it, the last one freed stops it; then no child, descriptor or
 * mapping is left. */
static void implicit_lifetime(void) {
  cf_forkserver_stop();
  int kids0 = count_children(), fds0 = count_fds(), maps0 = count_shared_maps();
  CHECK_EQ(cf_forkserver_pid(), 0);
  cf_executor *a = make_fsrv(2);
  int srv = cf_forkserver_pid();
  CHECK_GT(srv, 0);
  CHECK_EQ(count_children(), kids0 + 3); /* the server and both workers */
  cf_executor *b = make_fsrv(1);
  CHECK_EQ(cf_forkserver_pid(), srv); /* shared */
  roundtrip(a);
  roundtrip(b);
  cf_executor_free(a);
  CHECK_EQ(cf_forkserver_pid(), srv); /* b still uses it */
  roundtrip(b);
  cf_executor_free(b);
  CHECK_EQ(cf_forkserver_pid(), 0);
  CHECK_EQ(kill(srv, 0), -1); /* stopped and reaped: not even a zombie */
  CHECK_EQ(count_children(), kids0);
  CHECK_EQ(count_fds(), fds0);
  CHECK_EQ(count_shared_maps(), maps0);
}

/* cf_forkserver_start holds the server across pools until
 * cf_forkserver_stop; a second start is a no-op. */
static void explicit_hold(void) {
  int kids0 = count_children(), fds0 = count_fds();
  CHECK_EQ(cf_forkserver_start(), 0);
  int srv = cf_forkserver_pid();
  CHECK_GT(srv, 0);
  CHECK_EQ(cf_forkserver_start(), 0);
  CHECK_EQ(cf_forkserver_pid(), srv);
  for (int i = 0; i < 3; i++) {
    cf_executor *ex = make_fsrv(2);
    roundtrip(ex);
    cf_executor_free(ex);
    CHECK_EQ(cf_forkserver_pid(), srv);
    CHECK_EQ(count_children(), kids0 + 1);
  }
  /* a pool outliving the hold keeps the server until it is freed */
  cf_executor *ex = make_fsrv(1);
  cf_forkserver_stop();
  CHECK_EQ(cf_forkserver_pid(), srv);
  roundtrip(ex);
  cf_executor_free(ex);
  CHECK_EQ(cf_forkserver_pid(), 0);
  CHECK_EQ(count_children(), kids0);
  CHECK_EQ(count_fds(), fds0);
}

static int t_sigkill_self(const void *arg, size_t len, cf_result *out) {
  (void)arg;
  (void)len;
  (void)out;
  raise(SIGKILL);
  return 0;
}

/* Workers are children of this process, not of the server: a killed one
 * fails its task with the signal (its wait status reached us) and is
 * replaced while the other worker goes on. */
static void workers_are_our_children(void) {
  CHECK_EQ(cf_forkserver_start(), 0);
  cf_executor *ex = make_fsrv(2);
  int p0 = worker_pid(ex, 0), p1 = worker_pid(ex, 1);
  CHECK_EQ(ppid_of(p0), (int)getpid());
  CHECK_EQ(ppid_of(p1), (int)getpid());
  cf_future *bad;
  CHECK_EQ(cf_submit(ex, t_sigkill_self, NULL, 0, &bad), 0);
  CHECK_EQ(cf_future_result(bad, 20, NULL, NULL), CF_EBROKEN);
  CHECK_STR_CONTAINS(cf_future_message(bad), "killed by signal 9");
  cf_future_release(bad);
  cf_future *fs[8];
  for (int i = 0; i < 8; i++) fs[i] = submit_int(ex, t_sleep, 1);
  for (int i = 0; i < 8; i++) {
    CHECK_EQ(result_int(fs[i]), 1);
    cf_future_release(fs[i]);
  }
  cf_executor_stats st;
  cf_executor_stats_get(ex, &st);
  CHECK_EQ(st.respawns, 1);
  int q0 = worker_pid(ex, 0), q1 = worker_pid(ex, 1);
  CHECK(q0 != p0 || q1 != p1);
  CHECK_EQ(ppid_of(q0), (int)getpid());
  CHECK_EQ(ppid_of(q1), (int)getpid());
  cf_executor_free(ex);
  cf_forkserver_stop();
}

/* A server killed from outside: the next worker start finds it gone,
 * starts another and the pool goes on. */
static void server_killed_replaced(void) {
  CHECK_EQ(cf_forkserver_start(), 0);
  cf_executor *ex = make_fsrv(1);
  int srv = cf_forkserver_pid();
  CHECK_EQ(kill(srv, SIGKILL), 0);
  cf_future *bad;
  CHECK_EQ(cf_submit(ex, t_sigkill_self, NULL, 0, &bad), 0); /* forces a respawn */
  CHECK_EQ(cf_future_result(bad, 20, NULL, NULL), CF_EBROKEN);
  cf_future_release(bad);
  roundtrip(ex);
  CHECK_GT(cf_forkserver_pid(), 0);
  CHECK_NE(cf_forkserver_pid(), srv);
  cf_executor_free(ex);
  cf_forkserver_stop();
  CHECK_EQ(count_children(), 0);
}

/* A server that hangs (SIGSTOP): the next pool start gives up on it after
 * a bound (5 s, for hangs only), kills it and forks from a new one. */
static void server_stopped_replaced(void) {
  CHECK_EQ(cf_forkserver_start(), 0);
  int srv = cf_forkserver_pid();
  CHECK_EQ(kill(srv, SIGSTOP), 0);
  cf_executor *ex = make_fsrv(1);
  roundtrip(ex);
  CHECK_GT(cf_forkserver_pid(), 0);
  CHECK_NE(cf_forkserver_pid(), srv);
  CHECK_EQ(kill(srv, 0), -1); /* killed and reaped */
  cf_executor_free(ex);
  cf_forkserver_stop();
  CHECK_EQ(count_children(), 0);
}

/* The server leaves when the process that started it dies (SIGKILL: no
 * cleanup ran), and a fork of ours has no server of its parent's. */
static void server_dies_with_parent(void) {
  CHECK_EQ(cf_forkserver_start(), 0);
  CHECK_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0); /* the orphaned server comes to us */
  int pfd[2];
  CHECK_EQ(pipe(pfd), 0);
  pid_t c = fork();
  CHECK(c >= 0);
  if (c == 0) {
    int srv = cf_forkserver_pid() == 0 && cf_forkserver_start() == 0 ? cf_forkserver_pid() : -1;
    if (write(pfd[1], &srv, sizeof srv) != (ssize_t)sizeof srv) _exit(1);
    pause();
    _exit(0);
  }
  int srv = 0;
  CHECK_EQ(read(pfd[0], &srv, sizeof srv), (ssize_t)sizeof srv);
  close(pfd[0]);
  close(pfd[1]);
  CHECK_GT(srv, 0);
  CHECK_NE(srv, cf_forkserver_pid()); /* its own, not ours */
  CHECK_EQ(kill(c, SIGKILL), 0);
  CHECK_EQ(waitpid(c, NULL, 0), c);
  /* a hang bound only: it leaves at once on EOF, or within a second of
   * seeing its parent gone */
  double t0 = now_s();
  int st = 0;
  pid_t r;
  while ((r = waitpid(srv, &st, WNOHANG)) == 0) {
    CHECK(now_s() - t0 < 30);
    sleep_ms(10);
  }
  CHECK_EQ(r, srv);
  CHECK(WIFEXITED(st));
  CHECK_EQ(prctl(PR_SET_CHILD_SUBREAPER, 0), 0);
  cf_forkserver_stop();
  CHECK_EQ(count_children(), 0);
}

static int t_getenv(const void *arg, size_t len, cf_result *out) {
  (void)arg;
  (void)len;
  const char *v = getenv("CF_TEST_FSRV_ENV");
  return cf_result_set(out, v ? v : "", v ? strlen(v) : 0);
}

/* A worker has the environment the server had at its start (cfutures.h). */
static void environment_of_the_start(void) {
  setenv("CF_TEST_FSRV_ENV", "at-start", 1);
  CHECK_EQ(cf_forkserver_start(), 0);
  setenv("CF_TEST_FSRV_ENV", "later", 1);
  cf_executor *ex = make_fsrv(1);
  cf_future *f;
  CHECK_EQ(cf_submit(ex, t_getenv, NULL, 0, &f), 0);
  const void *d;
  size_t n;
  CHECK_EQ(cf_future_result(f, 20, &d, &n), 0);
  CHECK_EQ(n, strlen("at-start"));
  CHECK(memcmp(d, "at-start", n) == 0);
  cf_future_release(f);
  cf_executor_free(ex);
  cf_forkserver_stop();
  unsetenv("CF_TEST_FSRV_ENV");
}

/* pthread_setaffinity_np(pthread_self()) binds the thread glibc thinks it
 * is: if the worker's thread kept the server's tid, the server would be
 * bound instead and the worker's own mask (sched_getaffinity(0)) would
 * not change. */
static int t_self_affinity(const void *arg, size_t len, cf_result *out) {
  (void)arg;
  (void)len;
  cpu_set_t all, one, now;
  if (sched_getaffinity(0, sizeof all, &all)) return 1;
  int cpu = 0;
  while (!CPU_ISSET(cpu, &all)) cpu++;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  if (pthread_setaffinity_np(pthread_self(), sizeof one, &one)) return 2;
  if (sched_getaffinity(0, sizeof now, &now)) return 3;
  int ok = CPU_EQUAL(&now, &one);
  return cf_result_set(out, &ok, sizeof ok);
}

static void worker_thread_identity(void) {
  CHECK_EQ(cf_forkserver_start(), 0);
  cf_executor *ex = make_fsrv(1);
  cf_future *f = submit_int(ex, t_self_affinity, 0);
  CHECK_EQ(result_int(f), 1);
  cf_future_release(f);
  cf_executor_free(ex);
  cf_forkserver_stop();
}

int main(int argc, char **argv) {
  (void)argc;
  g_backend = CF_BACKEND_PROCESS;
  g_start = CF_START_FORKSERVER;
  static const test_case cases[] = {{"implicit_lifetime", implicit_lifetime},
                                    {"explicit_hold", explicit_hold},
                                    {"workers_are_our_children", workers_are_our_children},
                                    {"server_killed_replaced", server_killed_replaced},
                                    {"server_stopped_replaced", server_stopped_replaced},
                                    {"server_dies_with_parent", server_dies_with_parent},
                                    {"environment_of_the_start", environment_of_the_start},
                                    {"worker_thread_identity", worker_thread_identity},
                                    {NULL, NULL}};
  /* argv[1] is the backend slot of the other programs: "process-forkserver" */
  return run_tests(cases, argc, argv);
}
