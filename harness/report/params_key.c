/* params_key.c -- a configuration's identity (params_key.h): its parameter
 * string with some keys left out (`--ignore-param` of compare, ab and
 * history add), split and formatted again by the one owner of the syntax,
 * cf_wk_params_* (cfwork_params.h), its name for people, and the one
 * equality of its fields. */
#define _GNU_SOURCE /* asprintf */
#include "params_key.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cfwork_params.h>

/* Is `key` in the comma-separated list `ignore`? */
static int ignored(const char *ignore, const char *key) {
  size_t klen = strlen(key);
  for (const char *p = ignore; p && *p;) {
    const char *c = strchr(p, ',');
    size_t n = c ? (size_t)(c - p) : strlen(p);
    if (n == klen && !strncmp(p, key, klen)) return 1;
    p += n + (c ? 1 : 0);
  }
  return 0;
}

/* params without the ignored keys (split and formatted again by the one
 * owner of the syntax, cf_wk_params_*), malloc'd; NULL when out of memory
 * or not a parameter string. */
char *cfb_params_strip(const char *params, const char *ignore) {
  cf_wk_kv *kv;
  size_t n;
  if (cf_wk_params_split(params ? params : "", &kv, &n) != 0) return NULL;
  const char **k = calloc(n ? n : 1, sizeof *k), **v = calloc(n ? n : 1, sizeof *v);
  size_t m = 0;
  for (size_t i = 0; k && v && i < n; i++)
    if (!ignored(ignore, kv[i].key)) k[m] = kv[i].key, v[m++] = kv[i].value;
  char *s = k && v ? cf_wk_params_format(k, v, m) : NULL;
  free(k);
  free(v);
  cf_wk_params_free(kv, n);
  return s;
}

char *cfb_params_with_mode(const char *params, const char *mode) {
  const char *p = params ? params : "";
  char *out;
  return asprintf(&out, "%s%smode=%s", p, *p ? "," : "", mode) < 0 ? NULL : out;
}

char *cfb_params_keyed(const char *params, const char *mode) {
  if (mode && *mode && strcmp(mode, "map") != 0) return cfb_params_with_mode(params, mode);
  return strdup(params ? params : "");
}

char *cfb_config_name(const char *workload, const char *params, const char *backend,
                      const char *workers, const char *chunksize, const char *pin) {
  int has_pin = pin && *pin && strcmp(pin, "none") != 0, has_params = params && *params;
  char *name;
  if (asprintf(&name, "%s%s%s%s %s w=%s c=%s%s%s", workload, has_params ? " (" : "",
               has_params ? params : "", has_params ? ")" : "", backend, workers, chunksize,
               has_pin ? " pin=" : "", has_pin ? pin : "") < 0)
    return NULL;
  return name;
}

int cfb_streq(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : "") == 0; }
