/* test_mpi.c -- what only the MPI backend does: task functions found by
 * object and offset on the ranks (executable, a shared library every rank
 * loads, a library only rank 0 loaded, code outside any object), the
 * initializer's argument in static data (heap pointers refused), 16 MiB
 * in both directions through a map, CF_ENOSYS without worker ranks,
 * CF_START_SPAWN accepted (and changing nothing), and a
 * rank killed by its task (the whole job ends: see mpi_rank_death.sh).
 * argv[1] is "mpi" (under mpiexec) or "singleton" (no mpiexec). */
#define _GNU_SOURCE
#include "common.h"

#include <dlfcn.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int mpi_lib_triple(const void *arg, size_t len, cf_result *out);

static uint64_t result_u64(cf_future *f) {
  const void *d;
  size_t len;
  CHECK_EQ(cf_future_result(f, 30, &d, &len), 0);
  CHECK_EQ(len, 8);
  uint64_t v;
  memcpy(&v, d, 8);
  return v;
}

static void shared_library_function(void) {
  cf_executor *ex = make_ex(2);
  uint64_t v = 14;
  cf_future *f;
  CHECK_EQ(cf_submit(ex, mpi_lib_triple, &v, sizeof v, &f), 0);
  CHECK_EQ(result_u64(f), 42);
  cf_future_release(f);
  cf_executor_free(ex);
}

static void library_only_on_client(void) {
  const char *path = getenv("CF_MPI_TEST_PLUGIN");
  CHECK(path != NULL);
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  CHECK(h != NULL);
  cf_task_fn fn = (cf_task_fn)dlsym(h, "mpi_plugin_task");
  CHECK(fn != NULL);
  cf_executor *ex = make_ex(1);
  cf_future *f;
  CHECK_EQ(cf_submit(ex, fn, "x", 1, &f), 0);
  CHECK_EQ(cf_future_result(f, 30, NULL, NULL), CF_EINVAL);
  CHECK_STR_CONTAINS(cf_future_message(f), "is loaded here");
  cf_future_release(f);
  /* the pool goes on */
  CHECK_EQ(cf_submit(ex, t_echo, "ok", 2, &f), 0);
  CHECK_EQ(cf_future_result(f, 30, NULL, NULL), 0);
  cf_future_release(f);
  cf_executor_free(ex);
  dlclose(h);
}

static void code_outside_objects(void) {
  void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(page != MAP_FAILED);
  cf_executor *ex = make_ex(1);
  cf_future *f;
  /* never called: the client cannot name it, so it never leaves */
  CHECK_EQ(cf_submit(ex, (cf_task_fn)page, NULL, 0, &f), 0);
  CHECK_EQ(cf_future_result(f, 30, NULL, NULL), CF_EINVAL);
  CHECK_STR_CONTAINS(cf_future_message(f), "not inside a loaded object");
  cf_future_release(f);
  cf_executor_free(ex);
  munmap(page, 4096);
}

static const int init_value = 1234;  /* static data: resolvable on the ranks */
static int init_seen = -1;           /* per process: set by the initializer */
static int init_store(void *arg) {
  init_seen = *(const int *)arg;
  return 0;
}
static int t_init_seen(const void *arg, size_t len, cf_result *out) {
  return cf_result_set(out, &init_seen, sizeof init_seen);
}

static void initializer_arg_static_only(void) {
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.max_workers = 2;
  cfg.initializer = init_store;
  cfg.initializer_arg = (void *)&init_value;
  cf_executor *ex = make_ex_cfg(&cfg);
  cf_future *f = submit_int(ex, t_init_seen, 0);
  CHECK_EQ(result_int(f), 1234);
  cf_future_release(f);
  cf_executor_free(ex);

  int *heap = malloc(sizeof *heap);
  *heap = 5;
  cfg.initializer_arg = heap;
  CHECK_EQ(cf_executor_new(&ex, &cfg), CF_EINVAL);
  CHECK(ex == NULL);
  free(heap);
}

/* n uint64 in; a result of n * 2 MiB bytes of the pattern. */
static int t_big(const void *arg, size_t len, cf_result *out) {
  uint64_t n;
  memcpy(&n, arg, 8);
  size_t sz = (size_t)n << 21;
  unsigned char *p = cf_result_alloc(out, sz);
  if (!p) return 12;
  for (size_t i = 0; i < sz; i++) p[i] = (unsigned char)(i * 13 + n);
  return 0;
}

static uint64_t big_items[3] = {8, 1, 9}; /* 16, 2 and 18 MiB */
static size_t big_next;
static int big_input(void *ud, const void **arg, size_t *len) {
  if (big_next == 3) return 0;
  *arg = &big_items[big_next++];
  *len = 8;
  return 1;
}

static void big_results_through_map(void) {
  cf_executor *ex = make_ex(2);
  cf_map_options o;
  cf_map_options_init(&o);
  o.chunksize = 2; /* a chunk of 18 MiB is one (split) message */
  cf_map *m;
  big_next = 0;
  CHECK_EQ(cf_map_new(ex, t_big, big_input, NULL, &o, &m), 0);
  for (int i = 0; i < 3; i++) {
    const void *d;
    size_t len;
    CHECK_EQ(cf_map_next(m, &d, &len), 0);
    CHECK_EQ(len, (size_t)big_items[i] << 21);
    const unsigned char *p = d;
    for (size_t k = 0; k < len; k += 4093) CHECK_EQ(p[k], (unsigned char)(k * 13 + big_items[i]));
  }
  CHECK_EQ(cf_map_next(m, NULL, NULL), CF_EOF);
  cf_map_free(m);
  cf_executor_free(ex);
}

/* The workers are processes of other hosts: no pids for rank 0 to signal
 * (cf_executor_terminate is forwarded instead: test_faults on mpi). */
static void no_worker_pids(void) {
  cf_executor *ex = make_ex(2);
  int pids[4];
  CHECK_EQ(cf_executor_worker_pids(ex, pids, 4), CF_ENOSYS);
  cf_executor_free(ex);
}

/* Kills the rank that forked this worker: OpenMPI aborts the job. */
static int t_kill_rank(const void *arg, size_t len, cf_result *out) {
  kill(getppid(), SIGKILL);
  sleep_ms(10000);
  return 0;
}

static void rank_death(void) {
  cf_executor *ex = make_ex(2);
  cf_future *f = submit_int(ex, t_sleep, 1);
  CHECK_EQ(result_int(f), 1);
  cf_future_release(f);
  fprintf(stderr, "rank_death: killing rank 1\n");
  f = submit_int(ex, t_kill_rank, 0);
  /* Never returns: mpiexec ends the job.  If it does return, say so. */
  int rc = cf_future_result(f, 60, NULL, NULL);
  fprintf(stderr, "rank_death: UNEXPECTED: the client survived (%s)\n", cf_err_name(rc));
  exit(3);
}

/* CF_START_SPAWN is accepted and changes nothing: mpi tasks already travel
 * as object + offset, and the ranks' local pools fork a rank that ran no
 * main() (cfutures.h, cf_start_method). */
static void spawn_start_method_ignored(void) {
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.backend = CF_BACKEND_MPI;
  cfg.max_workers = 2;
  cfg.start_method = CF_START_SPAWN;
  cfg.initializer = init_store;
  cfg.initializer_arg = (void *)&init_value;
  cf_executor *ex = NULL;
  CHECK_EQ(cf_executor_new(&ex, &cfg), 0);
  cf_future *f = submit_int(ex, t_init_seen, 0);
  CHECK_EQ(result_int(f), 1234);
  cf_future_release(f);
  uint64_t v = 14;
  CHECK_EQ(cf_submit(ex, mpi_lib_triple, &v, sizeof v, &f), 0);
  CHECK_EQ(result_u64(f), 42);
  cf_future_release(f);
  cf_executor_free(ex);
}

static void singleton(void) {
  /* MPI started without mpiexec: no worker rank, no MPI executor. */
  CHECK_EQ(cf_mpi_init(NULL, NULL), CF_MPI_CLIENT);
  CHECK_EQ(cf_mpi_workers(), 0);
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.backend = CF_BACKEND_MPI;
  cf_executor *ex;
  CHECK_EQ(cf_executor_new(&ex, &cfg), CF_ENOSYS);
  CHECK_EQ(cf_mpi_finalize(), 0);
  CHECK_EQ(cf_executor_new(&ex, &cfg), CF_ENOSYS);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "singleton") == 0) {
    singleton();
    fprintf(stderr, "ok: singleton\n");
    return 0;
  }
  set_backend(argc, argv);
  CHECK_EQ(g_backend, CF_BACKEND_MPI);
  static const test_case cases[] = {
      {"shared_library_function", shared_library_function},
      {"library_only_on_client", library_only_on_client},
      {"code_outside_objects", code_outside_objects},
      {"initializer_arg_static_only", initializer_arg_static_only},
      {"big_results_through_map", big_results_through_map},
      {"no_worker_pids", no_worker_pids},
      {"spawn_start_method_ignored", spawn_start_method_ignored},
      {NULL, NULL}};
  if (argc > 2 && strcmp(argv[2], "rank_death") == 0) rank_death();
  return run_tests(cases, argc, argv);
}
