/* mpi_fnref.c -- task functions across MPI ranks.  An address means
 * nothing in another process (ASLR places every object elsewhere), so the
 * client names the loaded object that holds it (dladdr; "" for the
 * executable) and its offset from that object's base, and a rank turns the
 * pair back into an address in its own copy of the object
 * (dl_iterate_phdr).  This needs no registration: any function (static or
 * not) of the executable or of a shared library loaded in every rank works,
 * as long as every rank runs the same build of it.  The same holds for an
 * initializer and for initializer_arg when it points to static data. */
#define _GNU_SOURCE
#include "mpi_wire.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <string.h>

#define CACHE 16 /* recently encoded addresses (a pool uses a few functions) */

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
  const void *addr;
  const char *name;
  uint64_t off;
} cache[CACHE];

/* Lowest mapped address of an object: what dladdr reports as dli_fbase. */
static uintptr_t object_start(const struct dl_phdr_info *info) {
  uintptr_t lo = UINTPTR_MAX;
  for (int i = 0; i < info->dlpi_phnum; i++)
    if (info->dlpi_phdr[i].p_type == PT_LOAD && info->dlpi_phdr[i].p_vaddr < lo)
      lo = info->dlpi_phdr[i].p_vaddr;
  return lo == UINTPTR_MAX ? 0 : (info->dlpi_addr + lo) & ~(uintptr_t)4095;
}

typedef struct find_arg {
  const char *name;
  size_t len;
  int first_only;        /* the executable is always the first object */
  uintptr_t base;
} find_arg;

static int find_cb(struct dl_phdr_info *info, size_t size, void *p) {
  (void)size;
  find_arg *a = p;
  const char *n = info->dlpi_name ? info->dlpi_name : "";
  if (a->first_only || (strlen(n) == a->len && memcmp(n, a->name, a->len) == 0)) {
    a->base = object_start(info);
    return 1;
  }
  return 0;
}

static uintptr_t main_base(void) {
  find_arg a = {"", 0, 1, 0};
  dl_iterate_phdr(find_cb, &a);
  return a.base;
}

int cf__fnref_encode(const void *addr, const char **name, size_t *name_len, uint64_t *off) {
  size_t h = ((uintptr_t)addr >> 4) % CACHE;
  pthread_mutex_lock(&cache_lock);
  if (cache[h].addr == addr && addr) {
    *name = cache[h].name;
    *off = cache[h].off;
    pthread_mutex_unlock(&cache_lock);
    *name_len = strlen(*name);
    return 0;
  }
  pthread_mutex_unlock(&cache_lock);
  Dl_info info;
  if (!addr || !dladdr(addr, &info) || !info.dli_fbase) return CF_EINVAL;
  /* dladdr names the executable after argv[0], which differs between
   * ranks started from other directories: call it "". */
  const char *n = (uintptr_t)info.dli_fbase == main_base() ? "" : info.dli_fname;
  if (!n) return CF_EINVAL;
  *name = n;
  *name_len = strlen(n);
  *off = (uint64_t)((uintptr_t)addr - (uintptr_t)info.dli_fbase);
  pthread_mutex_lock(&cache_lock);
  cache[h].addr = addr;
  cache[h].name = n;
  cache[h].off = *off;
  pthread_mutex_unlock(&cache_lock);
  return 0;
}

void *cf__fnref_decode(const char *name, size_t name_len, uint64_t off) {
  find_arg a = {name, name_len, name_len == 0, 0};
  dl_iterate_phdr(find_cb, &a);
  return a.base ? (void *)(a.base + (uintptr_t)off) : NULL;
}
