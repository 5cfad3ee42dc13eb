/* params_key.c -- a configuration's parameter string with some keys left
 * out (`compare --ignore-param`, `ab --ignore-param`), split and formatted
 * again by the one owner of the syntax, cf_wk_params_* (cfwork_params.h). */
#include "params_key.h"

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

