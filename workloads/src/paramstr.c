/* paramstr.c -- format and split the parameter string (cfwork_params.h).
 * The only code that knows its syntax: the workloads write the canonical
 * string with it, the harness reads result files with it. */
#include <cfwork_params.h>

#include <stdlib.h>
#include <string.h>


char *cf_wk_params_format(const char *const *keys, const char *const *values, size_t n) {
  size_t len = 1;
  for (size_t i = 0; i < n; i++) len += strlen(keys[i]) + 2 * strlen(values[i]) + 2;
  char *s = malloc(len), *p = s;
  if (!s) return NULL;
  for (size_t i = 0; i < n; i++) {
    if (i) *p++ = ',';
    size_t kl = strlen(keys[i]);
    memcpy(p, keys[i], kl);
    p += kl;
    *p++ = '=';
    for (const char *v = values[i]; *v; v++) {
      if (*v == ',' || *v == '\\') *p++ = '\\';
      *p++ = *v;
    }
  }
  *p = '\0';
  return s;
}

void cf_wk_params_free(cf_wk_kv *kv, size_t n) {
  for (size_t i = 0; kv && i < n; i++) {
    free(kv[i].key);
    free(kv[i].value);
  }
  free(kv);
}

/* The end of the piece starting at p: the next unescaped ',' or the NUL.
 * -1 (in *bad) for a '\' at the very end. */
static const char *piece_end(const char *p, int *bad) {
  for (; *p && *p != ','; p++)
    if (*p == '\\' && !*++p) {
      *bad = 1;
      return p;
    }
  return p;
}

/* Unescape [a, b) onto the end of *dst (realloc'd), after `sep` if given. */
static int append(char **dst, const char *a, const char *b, const char *sep) {
  size_t old = *dst ? strlen(*dst) : 0, add = (size_t)(b - a) + (sep ? strlen(sep) : 0);
  char *d = realloc(*dst, old + add + 1);
  if (!d) return -2;
  *dst = d;
  d += old;
  if (sep)
    for (const char *s = sep; *s;) *d++ = *s++;
  for (const char *p = a; p < b; p++) {
    if (*p == '\\') p++;
    *d++ = *p;
  }
  *d = '\0';
  return 0;
}

int cf_wk_params_split(const char *s, cf_wk_kv **out, size_t *n) {
  *out = NULL;
  *n = 0;
  cf_wk_kv *kv = NULL;
  size_t cnt = 0, cap = 0;
  int rc = 0;
  for (const char *p = s; *p && !rc;) {
    int bad = 0;
    const char *end = piece_end(p, &bad), *eq = p;
    while (eq < end && *eq != '=' && *eq != '\\') eq++;
    if (bad) rc = -1;
    else if (eq == end || *eq != '=') { /* no key: a legacy comma inside the value before */
      if (!cnt) rc = -1;
      else rc = append(&kv[cnt - 1].value, p, end, ",");
    } else if (eq == p) {
      rc = -1;
    } else {
      if (cnt == cap) {
        cap = cap ? cap * 2 : 8;
        cf_wk_kv *nk = realloc(kv, cap * sizeof *nk);
        if (!nk) {
          rc = -2;
          break;
        }
        kv = nk;
      }
      kv[cnt].key = NULL;
      kv[cnt].value = NULL;
      cnt++;
      if (!rc) rc = append(&kv[cnt - 1].key, p, eq, NULL);
      if (!rc) rc = append(&kv[cnt - 1].value, eq + 1, end, NULL);
    }
    p = *end ? end + 1 : end;
  }
  if (rc) {
    cf_wk_params_free(kv, cnt);
    return rc;
  }
  *out = kv;
  *n = cnt;
  return 0;
}
