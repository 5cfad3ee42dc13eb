/* plugin.c -- workloads from shared objects: cf_wk_open resolves a spec
 * (built-in name, fn:PATH.so:SYMBOL, plugin:PATH.so), dlopens and checks
 * what it names, and keeps the loaded descriptors in one list until
 * cf_wk_unload_all.  The runs of loaded workloads go through the same
 * registry code as the built-ins (registry.c finds their descriptor here). */
#include "wk.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct wk_loaded {
  wk_def def;             /* a copy: the name and, for fn:, the task are ours */
  char *spec;             /* as given to cf_wk_open */
  char *name, *summary;
  void *dl;
  struct wk_loaded *next;
} wk_loaded;

/* Every workload cf_wk_open loaded; cf_wk_unload_all empties it. */
static wk_loaded *loaded;
static pthread_mutex_t loaded_mu = PTHREAD_MUTEX_INITIALIZER;

const wk_def *cf__wk_loaded_def(const cf_workload *w) {
  const wk_def *d = NULL;
  pthread_mutex_lock(&loaded_mu);
  for (wk_loaded *l = loaded; l && !d; l = l->next)
    if (&l->def.pub == w) d = &l->def;
  pthread_mutex_unlock(&loaded_mu);
  return d;
}

/* "--workload SPEC: " + message in err; returns CF_EINVAL. */
static int fail(char *err, size_t errlen, const char *spec, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, const char *spec, const char *fmt, ...) {
  if (err && errlen) {
    int n = snprintf(err, errlen, "--workload %s: ", spec);
    if (n >= 0 && (size_t)n < errlen) {
      va_list ap;
      va_start(ap, fmt);
      vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
      va_end(ap);
    }
  }
  return CF_EINVAL;
}

/* dlopen a path; one without '/' is taken in the current directory (not
 * the library search path: the user names a file). */
static void *load(const char *spec, const char *path, char *err, size_t errlen) {
  char buf[4096];
  if (!*path) {
    fail(err, errlen, spec, "no shared object named");
    return NULL;
  }
  snprintf(buf, sizeof buf, "%s%s", strchr(path, '/') ? "" : "./", path);
  dlerror();
  void *dl = dlopen(buf, RTLD_NOW | RTLD_LOCAL);
  if (!dl) {
    const char *e = dlerror();
    fail(err, errlen, spec, "cannot load: %s", e ? e : "dlopen failed");
  }
  return dl;
}

static void *symbol(void *dl, const char *spec, const char *sym, const char *what, char *err, size_t errlen) {
  dlerror();
  void *p = dlsym(dl, sym);
  if (!p) fail(err, errlen, spec, "no symbol %s (%s)", sym, what);
  return p;
}

/* A descriptor from outside: its layout version first, then what the
 * registry relies on. */
static int check_descriptor(const cf_wk_descriptor *d, const char *spec, char *err, size_t errlen) {
  if (d->abi != CF_WK_ABI_VERSION)
    return fail(err, errlen, spec, "descriptor ABI version %u, this program reads version %u (rebuild the plugin)",
                d->abi, CF_WK_ABI_VERSION);
  if (!d->pub.name || !*d->pub.name) return fail(err, errlen, spec, "descriptor has no name");
  if (!d->task) return fail(err, errlen, spec, "descriptor %s has no task function", d->pub.name);
  if (d->pub.nparams && (!d->pub.params || !d->specs))
    return fail(err, errlen, spec, "descriptor %s: parameters without a table or specs", d->pub.name);
  for (size_t i = 0; i < d->pub.nparams; i++)
    if (!d->pub.params[i].name || !d->pub.params[i].def || (unsigned)d->specs[i].type > CF_WK_PSTR ||
        (d->specs[i].type == CF_WK_PENUM && !d->specs[i].choices))
      return fail(err, errlen, spec, "descriptor %s: parameter %s is incomplete", d->pub.name,
                  d->pub.params[i].name ? d->pub.params[i].name : "(no name)");
  if (d->nmetrics && (!d->metric_names || !d->metric_q))
    return fail(err, errlen, spec, "descriptor %s: metrics without names or quantiles", d->pub.name);
  return 0;
}

static void loaded_free(wk_loaded *l) {
  if (!l) return;
  if (l->dl) dlclose(l->dl);
  free(l->spec);
  free(l->name);
  free(l->summary);
  free(l);
}

/* fn:PATH:SYMBOL -- the fn template with the user's task. */
static int open_fn(wk_loaded *l, const char *spec, char *err, size_t errlen) {
  const char *rest = spec + 3, *colon = strrchr(rest, ':');
  if (!colon || colon == rest || !colon[1])
    return fail(err, errlen, spec, "expected fn:PATH.so:SYMBOL");
  char *path = strndup(rest, (size_t)(colon - rest));
  if (!path) return CF_ENOMEM;
  l->dl = load(spec, path, err, errlen);
  void *fn = l->dl ? symbol(l->dl, spec, colon + 1, "a cf_task_fn", err, errlen) : NULL;
  int rc = fn ? 0 : CF_EINVAL;
  if (!rc) {
    l->def = cf__wk_fn_template;
    l->def.task = (cf_task_fn)fn;
    l->name = strdup(spec);
    size_t sl = strlen(spec) + 64;
    l->summary = malloc(sl);
    if (l->summary) snprintf(l->summary, sl, "the task function %s of %s", colon + 1, path);
    if (!l->name || !l->summary) rc = CF_ENOMEM;
    else l->def.pub.name = l->name, l->def.pub.summary = l->summary;
  }
  free(path);
  return rc;
}

/* plugin:PATH -- the descriptor the object exports. */
static int open_plugin(wk_loaded *l, const char *spec, char *err, size_t errlen) {
  l->dl = load(spec, spec + 7, err, errlen);
  const cf_wk_descriptor *d =
      l->dl ? symbol(l->dl, spec, CF_WK_PLUGIN_SYMBOL, "a plugin exports its cf_wk_descriptor under it", err, errlen)
            : NULL;
  if (!d) return CF_EINVAL;
  int rc = check_descriptor(d, spec, err, errlen);
  if (!rc) l->def = *d;
  return rc;
}

int cf_wk_open(const char *spec, const cf_workload **out, char *err, size_t errlen) {
  if (err && errlen) err[0] = '\0';
  if (!out || !spec) return CF_EINVAL;
  *out = NULL;
  int is_fn = strncmp(spec, "fn:", 3) == 0, is_plugin = strncmp(spec, "plugin:", 7) == 0;
  if (!is_fn && !is_plugin) {
    *out = cf_wk_find(spec);
    if (*out) return 0;
    char names[256] = "";
    for (size_t i = 0, o = 0; i < cf_wk_count() && o < sizeof names; i++)
      o += (size_t)snprintf(names + o, sizeof names - o, "%s%s", i ? ", " : "", cf_wk_at(i)->name);
    if (err && errlen)
      snprintf(err, errlen, "--workload: unknown workload '%s'; allowed: %s, fn:PATH.so:SYMBOL, plugin:PATH.so", spec,
               names);
    return CF_EINVAL;
  }
  pthread_mutex_lock(&loaded_mu);
  for (wk_loaded *l = loaded; l; l = l->next)
    if (strcmp(l->spec, spec) == 0) *out = &l->def.pub;
  pthread_mutex_unlock(&loaded_mu);
  if (*out) return 0;
  wk_loaded *l = calloc(1, sizeof *l);
  if (!l || !(l->spec = strdup(spec))) {
    free(l);
    return CF_ENOMEM;
  }
  int rc = is_fn ? open_fn(l, spec, err, errlen) : open_plugin(l, spec, err, errlen);
  if (rc) {
    if (rc == CF_ENOMEM && err && errlen && !err[0]) fail(err, errlen, spec, "out of memory");
    loaded_free(l);
    return rc;
  }
  pthread_mutex_lock(&loaded_mu);
  l->next = loaded;
  loaded = l;
  pthread_mutex_unlock(&loaded_mu);
  *out = &l->def.pub;
  return 0;
}

void cf_wk_unload_all(void) {
  pthread_mutex_lock(&loaded_mu);
  wk_loaded *l = loaded;
  loaded = NULL;
  pthread_mutex_unlock(&loaded_mu);
  while (l) {
    wk_loaded *next = l->next;
    loaded_free(l);
    l = next;
  }
}
