/* plugin_run.c -- the run accessors of cfwork_plugin.h, for descriptor
 * callbacks outside cfwork (parameters by name, item storage, private
 * state, samples, messages), and the items read from parameter input=FILE
 * that fn: and exec share. */
#include "wk.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int pindex(const cf_wk_run *r, const char *name) {
  if (!r || !name) return -1;
  for (size_t i = 0; i < r->def->pub.nparams; i++)
    if (strcmp(r->def->pub.params[i].name, name) == 0) return (int)i;
  return -1;
}

double cf_wk_run_num(const cf_wk_run *r, const char *name) {
  int i = pindex(r, name);
  return i < 0 ? NAN : r->num[i];
}

const char *cf_wk_run_str(const cf_wk_run *r, const char *name) {
  int i = pindex(r, name);
  return i < 0 ? NULL : r->str[i];
}

int cf_wk_run_given(const cf_wk_run *r, const char *name) {
  int i = pindex(r, name);
  return i < 0 ? 0 : r->given[i];
}

size_t cf_wk_run_asked(const cf_wk_run *r) { return r ? r->nitems : 0; }
cf_backend cf_wk_run_backend(const cf_wk_run *r) { return r ? r->backend : CF_BACKEND_THREAD; }
void *cf_wk_run_priv(const cf_wk_run *r) { return r ? r->priv : NULL; }
void cf_wk_run_set_priv(cf_wk_run *r, void *priv) {
  if (r) r->priv = priv;
}
void cf_wk_run_sample(cf_wk_run *r, double us) {
  if (r) wk_sample(r, us);
}

int cf_wk_run_fail(const cf_wk_run *r, char *err, size_t errlen, int code, const char *fmt, ...) {
  if (!r || !err || !errlen) return code;
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return wk_fail(r, err, errlen, code, "%s", msg); /* the one "workload NAME: " prefix */
}

/* Drop earlier items and make room for n items of `total` bytes. */
static unsigned char *items_reset(cf_wk_run *r, size_t n, size_t total) {
  free(r->item_ptr);
  free(r->item_len);
  free(r->blob);
  r->item_ptr = calloc(n ? n : 1, sizeof *r->item_ptr);
  r->item_len = calloc(n ? n : 1, sizeof *r->item_len);
  r->blob = malloc(total ? total : 1);
  r->nitems = 0;
  if (!r->item_ptr || !r->item_len || !r->blob) return NULL;
  r->nitems = n;
  return r->blob;
}

void *cf_wk_run_items_fixed(cf_wk_run *r, size_t n, size_t size) {
  if (!r) return NULL;
  free(r->item_ptr);
  free(r->item_len);
  free(r->blob);
  r->item_ptr = NULL, r->item_len = NULL, r->blob = NULL;
  return wk_items_fixed(r, n, size);
}

int cf_wk_run_items_copy(cf_wk_run *r, size_t n, const void *const *ptrs, const size_t *lens) {
  if (!r || (n && (!ptrs || !lens))) return CF_EINVAL;
  size_t total = 0;
  for (size_t i = 0; i < n; i++) total += lens[i];
  unsigned char *b = items_reset(r, n, total);
  if (!b) return CF_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    if (lens[i]) memcpy(b, ptrs[i], lens[i]);
    r->item_ptr[i] = b;
    r->item_len[i] = lens[i];
    b += lens[i];
  }
  return 0;
}

int cf_wk_run_items_index(cf_wk_run *r, size_t n) {
  uint64_t *v = cf_wk_run_items_fixed(r, n, sizeof(uint64_t));
  if (!v) return CF_ENOMEM;
  for (size_t i = 0; i < n; i++) v[i] = i;
  return 0;
}

/* The lines of a file (without their '\n'; a last line without one
 * counts, empty lines too), in one malloc'd text; offsets in *off. */
static int read_lines(const cf_wk_run *r, const char *path, char **text, size_t **off, size_t *nl, char *err,
                      size_t errlen) {
  FILE *f = fopen(path, "rb");
  if (!f) return wk_fail(r, err, errlen, CF_EINVAL, "input=%s: %s", path, strerror(errno));
  size_t cap = 4096, len = 0;
  char *t = malloc(cap);
  size_t got;
  while (t && (got = fread(t + len, 1, cap - len, f)) > 0) {
    len += got;
    if (len == cap) {
      char *nt = realloc(t, cap *= 2);
      if (!nt) free(t);
      t = nt;
    }
  }
  int bad = ferror(f);
  fclose(f);
  if (!t) return CF_ENOMEM;
  if (bad) {
    free(t);
    return wk_fail(r, err, errlen, CF_EINVAL, "input=%s: read error", path);
  }
  size_t n = 0;
  for (size_t i = 0; i < len; i++) n += t[i] == '\n';
  if (len && t[len - 1] != '\n') n++;
  if (!n) {
    free(t);
    return wk_fail(r, err, errlen, CF_EINVAL, "input=%s: the file has no lines (one item per line)", path);
  }
  size_t *o = malloc((n + 1) * sizeof *o);
  if (!o) {
    free(t);
    return CF_ENOMEM;
  }
  size_t k = 0;
  o[k++] = 0;
  for (size_t i = 0; i < len && k < n; i++)
    if (t[i] == '\n') o[k++] = i + 1;
  o[n] = len + (len && t[len - 1] != '\n'); /* one past the last line's '\n' */
  *text = t, *off = o, *nl = n;
  return 0;
}

int cf__wk_input_check(const cf_wk_run *r, const char *path, char *err, size_t errlen) {
  if (!path || !*path) return 0;
  /* stat before open: opening a FIFO with no writer would block, and
   * anything but a regular file (a FIFO, /dev/null, a terminal) cannot be
   * read again by the next configuration's prepare */
  struct stat st;
  if (stat(path, &st) != 0) return wk_fail(r, err, errlen, CF_EINVAL, "input=%s: %s", path, strerror(errno));
  if (S_ISDIR(st.st_mode))
    return wk_fail(r, err, errlen, CF_EINVAL, "input=%s: a directory (give a file, one item per line)", path);
  if (!S_ISREG(st.st_mode))
    return wk_fail(r, err, errlen, CF_EINVAL,
                   "input=%s: not a regular file (%s; every configuration reads it again: give a file)", path,
                   S_ISFIFO(st.st_mode)   ? "a FIFO"
                   : S_ISCHR(st.st_mode)  ? "a character device"
                   : S_ISSOCK(st.st_mode) ? "a socket"
                                          : "a block device");
  FILE *f = fopen(path, "rb");
  if (!f) return wk_fail(r, err, errlen, CF_EINVAL, "input=%s: %s", path, strerror(errno));
  fclose(f);
  if (st.st_size == 0)
    return wk_fail(r, err, errlen, CF_EINVAL, "input=%s: the file has no lines (one item per line)", path);
  return 0;
}

int cf__wk_items_input(cf_wk_run *r, size_t n, size_t natural, const void *head, size_t hlen, const char *path,
                       int text, char *err, size_t errlen) {
  char *t = NULL;
  size_t *o = NULL, nl = 0;
  if (path && *path) {
    int rc = read_lines(r, path, &t, &o, &nl, err, errlen);
    if (rc) return rc;
    if (!n) n = nl;
  } else if (!n) {
    n = natural;
  }
  if (n > WK_MAX_ITEMS) n = WK_MAX_ITEMS;
  /* item i: head, then line i mod nl, or index i (uint64 or decimal) */
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    char dec[24];
    total += hlen + (t ? o[i % nl + 1] - o[i % nl] - 1 : text ? (size_t)snprintf(dec, sizeof dec, "%zu", i) : 8);
  }
  unsigned char *b = items_reset(r, n, total);
  int rc = b ? 0 : CF_ENOMEM;
  for (size_t i = 0; i < n && !rc; i++) {
    unsigned char *start = b;
    if (hlen) memcpy(b, head, hlen);
    b += hlen;
    if (t) {
      size_t l = i % nl, il = o[l + 1] - o[l] - 1;
      memcpy(b, t + o[l], il);
      b += il;
    } else if (text) {
      char dec[24];
      int il = snprintf(dec, sizeof dec, "%zu", i);
      memcpy(b, dec, (size_t)il);
      b += il;
    } else {
      uint64_t v = i;
      memcpy(b, &v, sizeof v);
      b += sizeof v;
    }
    r->item_ptr[i] = start;
    r->item_len[i] = (size_t)(b - start);
  }
  free(t);
  free(o);
  return rc;
}
