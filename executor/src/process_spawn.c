/* process_spawn.c -- workers from the program's own image instead of a
 * fork of the parent: CF_START_SPAWN posix_spawn()s it, CF_START_FORKSERVER
 * asks the fork server (process_forkserver.c).  Their pages are memfds
 * handed over as descriptors, spawn_entry (a constructor) runs the worker
 * loop before main(), and task functions travel as (object, offset) pairs
 * (objref.c), so start cost does not grow with the parent. */
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

/* A worker started from the program's image (spawn, fork server): rebuild
 * the little of the pool that cf__proc_child_main reads -- its slot,
 * channel, status page, bell, shared page -- and serve; never returns. */
void cf__proc_worker_enter(const cf__wparams *w, const int fds[WFD_N]) {
  static cf_executor ex;
  static proc_backend pb;
  pslot *slots = calloc((size_t)w->idx + 1, sizeof *slots);
  void *sh = mmap(NULL, (size_t)w->sh_len, PROT_READ | PROT_WRITE, MAP_SHARED, fds[WFD_SH], 0);
  void *g = mmap(NULL, sizeof(gshared), PROT_READ | PROT_WRITE, MAP_SHARED, fds[WFD_G], 0);
  if (!slots || sh == MAP_FAILED || g == MAP_FAILED) _exit(127);
  close(fds[WFD_SH]);
  close(fds[WFD_G]);
  pb.ex = &ex;
  pb.spawn = 1;
  pb.shm = w->shm;
  pb.n = w->idx + 1;
  pb.slots = slots;
  pb.g = g;
  pb.efd = fds[WFD_BELL];
  pb.epfd = pb.gfd = -1;
  pb.parent_pid = w->parent;
  pb.child_spin_ns = w->spin;
  pthread_sigmask(SIG_BLOCK, NULL, &pb.user_mask);
  pslot *s = &slots[w->idx];
  s->index = w->idx;
  s->sh = sh;
  s->sh_len = (size_t)w->sh_len;
  s->pidfd = -1;
  s->req_fd = w->shm ? -1 : fds[WFD_REQ];
  s->res_fd = w->shm ? -1 : fds[WFD_RES];
  ex.cfg.max_tasks_per_child = w->limit;
  ex.cfg.pin = CF_PIN_NONE; /* the parent binds us */
  cf__objref_worker(&pb.g->objs);
  ex.cfg.initializer = (int (*)(void *))cf__objref_here(w->init_obj, w->init_off);
  ex.cfg.initializer_arg = w->arg_obj ? cf__objref_here(w->arg_obj, w->arg_off) : NULL;
  if (w->init_obj && !ex.cfg.initializer) {
    atomic_store(&s->sh->st.init_rc, CF_ENOSYS);
    atomic_store(&s->sh->st.phase, PH_INIT_FAILED);
    _exit(0);
  }
  cf__proc_child_main(&pb, w->idx);
}

/* This library's constructor, in a fresh process of the program's image:
 * CF__FORKSERVER makes it the fork server, CF__WORKER (see spawn_exec) a
 * spawned worker; neither returns to main(). */
__attribute__((constructor)) static void spawn_entry(void) {
  const char *fs = getenv("CF__FORKSERVER");
  if (fs) cf__fsrv_entry(fs);
  const char *v = getenv("CF__WORKER");
  if (!v) return;
  cf__wparams w;
  int base;
  unsigned long long sh_len, spin, init_off, arg_off;
  if (sscanf(v, "%d,%d,%llu,%d,%d,%llu,%u,%llu,%u,%llu,%d", &w.idx, &w.shm, &sh_len, &base, &w.limit, &spin,
             &w.init_obj, &init_off, &w.arg_obj, &arg_off, &w.parent) != 11 || w.idx < 0)
    _exit(127); /* never run main() in a worker's place */
  if (getppid() != w.parent) _exit(0); /* the pool is gone already */
  unsetenv("CF__WORKER");
  w.sh_len = sh_len;
  w.spin = spin;
  w.init_off = init_off;
  w.arg_off = arg_off;
  int fds[WFD_N];
  for (int i = 0; i < WFD_N; i++) fds[i] = w.shm && i >= WFD_REQ ? -1 : base + i;
  cf__proc_worker_enter(&w, fds);
}

/* The environment of a process started from our image: ours without any
 * CF__ variable of ours, plus `extra` (may be NULL). */
char **cf__proc_spawn_env(char *extra) {
  size_t n = 0;
  while (environ && environ[n]) n++;
  char **env = malloc((n + 2) * sizeof *env);
  if (!env) return NULL;
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (strncmp(environ[i], "CF__WORKER=", 11) != 0 && strncmp(environ[i], "CF__FORKSERVER=", 15) != 0)
      env[k++] = environ[i];
  if (extra) env[k++] = extra;
  env[k] = NULL;
  return env;
}

/* CF_START_SPAWN: posix_spawn of /proc/self/exe; the worker finds its
 * descriptors at fixed numbers above every one passed (so no dup2
 * overwrites a source) and the rest in CF__WORKER (see spawn_entry).
 * posix_spawn does not copy the parent's page tables (vfork-like), so the
 * cost does not grow with its heap. */
static int spawn_exec(proc_backend *pb, const cf__wparams *w, const int src[WFD_N], pid_t *pid, char *why,
                      size_t whylen) {
  int base = 0;
  for (int i = 0; i < WFD_N; i++)
    if (src[i] >= base) base = src[i] + 1;
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  for (int i = 0; i < WFD_N; i++)
    if (src[i] >= 0) posix_spawn_file_actions_adddup2(&fa, src[i], base + i);
  posix_spawnattr_setsigmask(&attr, &pb->user_mask);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  char extra[256];
  snprintf(extra, sizeof extra, "CF__WORKER=%d,%d,%llu,%d,%d,%llu,%u,%llu,%u,%llu,%d", w->idx, w->shm,
           (unsigned long long)w->sh_len, base, w->limit, (unsigned long long)w->spin, w->init_obj,
           (unsigned long long)w->init_off, w->arg_obj, (unsigned long long)w->arg_off, w->parent);
  char **env = cf__proc_spawn_env(extra);
  char *argv[] = {"cfutures-worker", NULL};
  int e = env ? posix_spawn(pid, "/proc/self/exe", &fa, &attr, argv, env) : ENOMEM;
  free(env);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  return e ? cf__proc_spawn_error(why, whylen, "posix_spawn", e) : 0;
}

/* CF_START_SPAWN, CF_START_FORKSERVER: the slot's page as a memfd, the
 * channel, then the process, spawned or forked by the fork server; under
 * the registry lock. */
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
  const int src[WFD_N] = {mfd, pb->gfd, pb->efd, req[0], res[1]};
  cf__wparams w = {s->index, pb->shm, pb->ex->cfg.max_tasks_per_child, (int32_t)getpid(), s->sh_len,
                   pb->child_spin_ns, pb->init_obj, pb->arg_obj, pb->init_off, pb->arg_off};
  pid_t pid = 0;
  rc = pb->fsrv ? cf__fsrv_fork_locked(&w, &pb->user_mask, src, &pid, why, whylen)
                : spawn_exec(pb, &w, src, &pid, why, whylen);
  if (rc) goto out;
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
    cf__set_error("start_method %s: the initializer is in no loaded object", pb->fsrv ? "forkserver" : "spawn");
    return CF_EINVAL;
  }
  if (cfg->initializer_arg && cf__objref(&pb->g->objs, cfg->initializer_arg, &pb->arg_obj, &pb->arg_off)) {
    cf__set_error("start_method %s: initializer_arg must be NULL or point into static data (a worker started "
                  "from the program's image has no copy of the heap or stack)",
                  pb->fsrv ? "forkserver" : "spawn");
    return CF_EINVAL;
  }
  return 0;
}
