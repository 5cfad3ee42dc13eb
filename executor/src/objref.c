/* objref.c -- code and static-data addresses as (object, offset) pairs, so
 * a worker started from the program's image (CF_START_SPAWN), with its
 * objects loaded at other addresses, can find the parent's task functions.
 *
 * The parent names each object it refers to once in a table in memory
 * shared with its workers (the executable is ""); a worker finds the same
 * object among its own (dl_iterate_phdr), dlopen()ing it by path when the
 * parent had loaded it later (plugins), and adds the offset to its load
 * bias. */
#define _GNU_SOURCE
#include "internal.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <string.h>

/* Appends to any table (the io thread and map's callers name objects). */
static pthread_mutex_t tab_lock = PTHREAD_MUTEX_INITIALIZER;

int cf__objref(cf__objtab *t, const void *addr, uint32_t *obj, uint64_t *off) {
  Dl_info info;
  struct link_map *lm = NULL;
  if (!addr || !dladdr1(addr, &info, (void **)&lm, RTLD_DL_LINKMAP) || !lm) return CF_EINVAL;
  const char *name = lm->l_name ? lm->l_name : "";
  if (strlen(name) >= sizeof t->names[0]) return CF_EINVAL;
  pthread_mutex_lock(&tab_lock);
  int n = atomic_load(&t->n);
  int k = 0;
  while (k < n && strcmp(t->names[k], name) != 0) k++;
  if (k == n && n < CF__OBJTAB_MAX) {
    strcpy(t->names[k], name);
    atomic_store(&t->n, n + 1); /* published after the name: workers read up to n */
  }
  pthread_mutex_unlock(&tab_lock);
  if (k == CF__OBJTAB_MAX) return CF_EINVAL;
  *obj = (uint32_t)k + 1;
  *off = (uint64_t)((uintptr_t)addr - lm->l_addr);
  return 0;
}

typedef struct {
  const char *name;
  uintptr_t bias;
  int found;
} find_ctx;

static int find_cb(struct dl_phdr_info *info, size_t size, void *p) {
  (void)size;
  find_ctx *c = p;
  const char *name = info->dlpi_name ? info->dlpi_name : "";
  if (strcmp(name, c->name) != 0) return 0;
  c->bias = info->dlpi_addr;
  c->found = 1;
  return 1; /* the executable ("") comes first: the vDSO and others have names */
}

/* Worker: the address of (obj, off) here, or NULL; cache holds
 * CF__OBJTAB_MAX zero-initialised entries. */
static void *objref_resolve(const cf__objtab *t, uintptr_t *cache, uint32_t obj, uint64_t off) {
  if (obj == 0 || obj > (uint32_t)atomic_load(&((cf__objtab *)t)->n)) return NULL;
  uintptr_t *bias = &cache[obj - 1];
  if (!*bias) {
    find_ctx c = {t->names[obj - 1], 0, 0};
    dl_iterate_phdr(find_cb, &c);
    if (!c.found && c.name[0]) {
      void *h = dlopen(c.name, RTLD_NOW | RTLD_GLOBAL);
      struct link_map *lm = NULL;
      if (h && dlinfo(h, RTLD_DI_LINKMAP, &lm) == 0 && lm) {
        c.bias = lm->l_addr;
        c.found = 1;
      }
    }
    if (!c.found) return NULL;
    *bias = c.bias | 1; /* 0 means "not looked up"; biases are page aligned */
  }
  return (void *)((*bias & ~(uintptr_t)1) + (uintptr_t)off);
}

/* In a spawned worker: its pool's table (set once, before any task). */
static const cf__objtab *worker_tab;
static uintptr_t worker_bias[CF__OBJTAB_MAX];

void cf__objref_worker(const cf__objtab *t) { worker_tab = t; }

void *cf__objref_here(uint32_t obj, uint64_t off) {
  if (obj == 0) return (void *)(uintptr_t)off; /* a plain address (fork) */
  return worker_tab ? objref_resolve(worker_tab, worker_bias, obj, off) : NULL;
}
