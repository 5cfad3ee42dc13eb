/* process_registry.c -- every process backend of this process in one list,
 * so that a new worker closes and unmaps what belongs to the other pools
 * (and to its own pool's other slots).  fork() copies every descriptor and
 * shared mapping: a worker of B holding A's pipe ends would keep A's worker
 * from ever seeing end-of-file, and pin A's rings in memory.  The lock is
 * held across fork() and around every change of those descriptors and
 * mappings, so the child's copy of the list is consistent; the child never
 * takes it. */
#define _GNU_SOURCE
#include "process_internal.h"

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

pthread_mutex_t cf__proc_reg_lock = PTHREAD_MUTEX_INITIALIZER;

static proc_backend *reg_head;

void cf__proc_reg_add(proc_backend *pb) {
  pthread_mutex_lock(&cf__proc_reg_lock);
  pb->reg_next = reg_head;
  reg_head = pb;
  pthread_mutex_unlock(&cf__proc_reg_lock);
}

void cf__proc_reg_remove(proc_backend *pb) {
  pthread_mutex_lock(&cf__proc_reg_lock);
  for (proc_backend **p = &reg_head; *p; p = &(*p)->reg_next) {
    if (*p == pb) {
      *p = pb->reg_next;
      break;
    }
  }
  pthread_mutex_unlock(&cf__proc_reg_lock);
}

/* In a new worker of pb's slot idx (single-threaded, the registry lock's copy held
 * by nobody who can release it: read the list without it): close and unmap
 * everything of every backend but what this worker uses -- its own channel,
 * status page, its pool's bell and shared word. */
void cf__proc_child_drop_inherited(proc_backend *pb, int idx) {
  cf__fsrv_child_drop(); /* else the fork server would not see our parent leave */
  for (proc_backend *o = reg_head; o; o = o->reg_next) {
    int own = o == pb;
    if (o->epfd >= 0) close(o->epfd);
    if (!own && o->efd >= 0) close(o->efd);
    if (o->gfd >= 0) close(o->gfd);
    if (!own && o->g) munmap(o->g, sizeof *o->g);
    for (int j = 0; j < o->n; j++) {
      pslot *t = &o->slots[j];
      if (t->pidfd >= 0) close(t->pidfd);
      if (own && j == idx) continue;
      if (t->req_fd >= 0) close(t->req_fd);
      if (t->res_fd >= 0) close(t->res_fd);
      if (t->sh) munmap(t->sh, t->sh_len);
    }
  }
}

void cf__proc_close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

/* Close a slot's descriptors and mapping; the registry lock held. */
void cf__proc_slot_release_locked(pslot *s) {
  cf__proc_close_fd(&s->pidfd);
  cf__proc_close_fd(&s->req_fd);
  cf__proc_close_fd(&s->res_fd);
  if (s->sh) munmap(s->sh, s->sh_len);
  s->sh = NULL;
}
