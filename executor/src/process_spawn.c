/* process_spawn.c -- CF_START_SPAWN: posix_spawn() of the program's own
 * image instead of fork().  Its pages are memfds handed over at fixed
 * descriptors, spawn_entry (a constructor) runs the worker loop before
 * main(), and task functions travel as (object, offset) pairs (objref.c), so
 * start cost does not grow with the parent. */
#define _GNU_SOURCE
#include "process_internal.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

extern char **environ;

/* A worker started with CF_START_SPAWN: this library's constructor, in a
 * fresh process of the program's image, finds CF__WORKER (see cf__proc_slot_exec)
 * and never returns to main().  It rebuilds the little of the pool that
 * cf__proc_child_main reads: its slot, channel, status page, bell, shared page. */
__attribute__((constructor)) static void spawn_entry(void) {
  const char *v = getenv("CF__WORKER");
  if (!v) return;
  int idx, shm, base, limit, parent;
  size_t sh_len;
  unsigned long long spin, init_off, arg_off;
  unsigned init_obj, arg_obj;
  if (sscanf(v, "%d,%d,%zu,%d,%d,%llu,%u,%llu,%u,%llu,%d", &idx, &shm, &sh_len, &base, &limit, &spin, &init_obj,
             &init_off, &arg_obj, &arg_off, &parent) != 11 || idx < 0)
    _exit(127); /* never run main() in a worker's place */
  if (getppid() != parent) _exit(0); /* the pool is gone already */
  unsetenv("CF__WORKER");
  static cf_executor ex;
  static proc_backend pb;
  pslot *slots = calloc((size_t)idx + 1, sizeof *slots);
  void *sh = mmap(NULL, sh_len, PROT_READ | PROT_WRITE, MAP_SHARED, base, 0);
  void *g = mmap(NULL, sizeof(gshared), PROT_READ | PROT_WRITE, MAP_SHARED, base + 1, 0);
  if (!slots || sh == MAP_FAILED || g == MAP_FAILED) _exit(127);
  close(base);
  close(base + 1);
  pb.ex = &ex;
  pb.spawn = 1;
  pb.shm = shm;
  pb.n = idx + 1;
  pb.slots = slots;
  pb.g = g;
  pb.efd = base + 2;
  pb.epfd = pb.gfd = -1;
  pb.parent_pid = parent;
  pb.child_spin_ns = spin;
  pthread_sigmask(SIG_BLOCK, NULL, &pb.user_mask);
  pslot *s = &slots[idx];
  s->index = idx;
  s->sh = sh;
  s->sh_len = sh_len;
  s->pidfd = -1;
  s->req_fd = shm ? -1 : base + 3;
  s->res_fd = shm ? -1 : base + 4;
  ex.cfg.max_tasks_per_child = limit;
  ex.cfg.pin = CF_PIN_NONE; /* the parent binds us */
  cf__objref_worker(&pb.g->objs);
  ex.cfg.initializer = (int (*)(void *))cf__objref_here(init_obj, init_off);
  ex.cfg.initializer_arg = arg_obj ? cf__objref_here(arg_obj, arg_off) : NULL;
  if (init_obj && !ex.cfg.initializer) {
    atomic_store(&s->sh->st.init_rc, CF_ENOSYS);
    atomic_store(&s->sh->st.phase, PH_INIT_FAILED);
    _exit(0);
  }
  cf__proc_child_main(&pb, idx);
}

/* The environment of a spawned worker: ours plus `extra`. */
static char **spawn_env(char *extra) {
  size_t n = 0;
  while (environ && environ[n]) n++;
  char **env = malloc((n + 2) * sizeof *env);
  if (!env) return NULL;
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (strncmp(environ[i], "CF__WORKER=", 11) != 0) env[k++] = environ[i];
  env[k++] = extra;
  env[k] = NULL;
  return env;
}

/* CF_START_SPAWN: the slot's page as a memfd, the channel, and posix_spawn
 * of /proc/self/exe; the worker finds its descriptors at fixed numbers
 * above every one passed (so no dup2 overwrites a source) and the rest in
 * CF__WORKER (see spawn_entry).  posix_spawn does not copy the parent's
 * page tables (vfork-like), so the cost does not grow with its heap. */
int cf__proc_slot_exec(proc_backend *pb, pslot *s, char *why, size_t whylen) {
  int req[2] = {-1, -1}, res[2] = {-1, -1}, rc = 0;
  int mfd = memfd_create("cfutures-worker", MFD_CLOEXEC);
  if (mfd < 0) return cf__proc_spawn_error(why, whylen, "memfd_create", errno);
  void *m = MAP_FAILED;
  if (ftruncate(mfd, (off_t)s->sh_len) == 0)
    m = mmap(NULL, s->sh_len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
  if (m == MAP_FAILED) {
    rc = cf__proc_spawn_error(why, whylen, "mmap", errno);
    close(mfd);
    return rc;
  }
  s->sh = m;
  if (!pb->shm) {
    if (cf__proc_chan_pipes(req, res)) {
      rc = cf__proc_spawn_error(why, whylen, "pipe", errno);
      goto out;
    }
  }
  int src[5] = {mfd, pb->gfd, pb->efd, req[0], res[1]}, base = 0;
  for (int i = 0; i < 5; i++)
    if (src[i] >= base) base = src[i] + 1;
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  for (int i = 0; i < 5; i++)
    if (src[i] >= 0) posix_spawn_file_actions_adddup2(&fa, src[i], base + i);
  posix_spawnattr_setsigmask(&attr, &pb->user_mask);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  char extra[256];
  snprintf(extra, sizeof extra, "CF__WORKER=%d,%d,%zu,%d,%d,%llu,%u,%llu,%u,%llu,%d", s->index, pb->shm, s->sh_len,
           base, pb->ex->cfg.max_tasks_per_child, (unsigned long long)pb->child_spin_ns, pb->init_obj,
           (unsigned long long)pb->init_off, pb->arg_obj, (unsigned long long)pb->arg_off, (int)getpid());
  char **env = spawn_env(extra);
  char *argv[] = {"cfutures-worker", NULL};
  pid_t pid = 0;
  int e = env ? posix_spawn(&pid, "/proc/self/exe", &fa, &attr, argv, env) : ENOMEM;
  free(env);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (e) {
    rc = cf__proc_spawn_error(why, whylen, "posix_spawn", e);
    goto out;
  }
  s->pid = pid;
  if (!pb->shm) {
    s->req_fd = req[1];
    s->res_fd = res[0];
    req[1] = res[0] = -1;
  }
out:
  close(mfd);
  for (int i = 0; i < 2; i++) {
    if (req[i] >= 0) close(req[i]);
    if (res[i] >= 0) close(res[i]);
  }
  if (rc) cf__proc_slot_release_locked(s);
  return rc;
}

/* CF_START_SPAWN: the initializer and its argument as (object, offset);
 * CF_EINVAL (with the reason) if either lies outside every loaded object. */
int cf__proc_spawn_refs(proc_backend *pb) {
  const cf_config *cfg = &pb->ex->cfg;
  if (cfg->initializer &&
      cf__objref(&pb->g->objs, (const void *)(uintptr_t)cfg->initializer, &pb->init_obj, &pb->init_off)) {
    cf__set_error("start_method spawn: the initializer is in no loaded object");
    return CF_EINVAL;
  }
  if (cfg->initializer_arg && cf__objref(&pb->g->objs, cfg->initializer_arg, &pb->arg_obj, &pb->arg_off)) {
    cf__set_error("start_method spawn: initializer_arg must be NULL or point into static data (a spawned worker "
                  "has no copy of the heap or stack)");
    return CF_EINVAL;
  }
  return 0;
}
