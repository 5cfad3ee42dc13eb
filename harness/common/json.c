/* json.c -- dotted paths, safe strings and files over jansson (json.h). */
#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

/* Every result file: indented for people and diffs, keys in the order
 * written, %.9g reals as the CSVs have. */
#define CFB_JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9))

json_t *cfb_json_get(const json_t *root, const char *path) {
  const json_t *v = root;
  while (v && *path) {
    const char *dot = strchr(path, '.');
    size_t n = dot ? (size_t)(dot - path) : strlen(path);
    if (!json_is_object(v)) return NULL;
    v = json_object_getn(v, path, n);
    path += n + (dot != NULL);
  }
  return (json_t *)v;
}

int cfb_json_get_string(const json_t *root, const char *path, char *out, size_t outlen) {
  const json_t *v = cfb_json_get(root, path);
  if (outlen) out[0] = '\0';
  if (!json_is_string(v)) return -1;
  snprintf(out, outlen, "%s", json_string_value(v));
  return 0;
}

int cfb_json_get_number(const json_t *root, const char *path, double *out) {
  const json_t *v = cfb_json_get(root, path);
  if (json_is_number(v)) *out = json_number_value(v);
  else if (json_is_boolean(v)) *out = json_is_true(v);
  else return -1;
  return 0;
}

int cfb_json_set(json_t *root, const char *path, json_t *v) {
  if (!v) return -1;
  json_t *o = root;
  const char *dot;
  while ((dot = strchr(path, '.'))) {
    json_t *next = json_object_getn(o, path, (size_t)(dot - path));
    if (!next) {
      next = json_object();
      if (!next || json_object_setn_new(o, path, (size_t)(dot - path), next) != 0) {
        json_decref(v);
        return -1;
      }
    }
    if (!json_is_object(next)) {
      json_decref(v);
      return -1;
    }
    o = next;
    path = dot + 1;
  }
  return json_object_set_new(o, path, v);
}

json_t *cfb_json_str(const char *s) {
  if (!s) s = "";
  json_t *j = json_string(s);
  if (j) return j;
  char *copy = strdup(s); /* not UTF-8: keep the ASCII, mark the rest */
  if (!copy) return NULL;
  for (char *p = copy; *p; p++)
    if ((unsigned char)*p >= 0x80) *p = '?';
  j = json_string(copy);
  free(copy);
  return j;
}

json_t *cfb_json_num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

json_t *cfb_json_load_file(const char *path, char *err, size_t errlen) {
  FILE *f = cfb_open_input(path, err, errlen); /* not a FIFO or a device: those could hang */
  if (!f) return NULL;
  json_error_t e;
  json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &e);
  fclose(f);
  /* file:line:col as the sweep files' errors; jansson counts both from 1 */
  if (!root && err) snprintf(err, errlen, "%s:%d:%d: not valid JSON: %s", path, e.line, e.column, e.text);
  return root;
}

int cfb_json_write_file(const json_t *root, const char *path) {
  cfb_atomic_file a;
  if (cfb_atomic_open(&a, path) != 0) return -1;
  if (json_dumpf(root, a.f, CFB_JSON_FLAGS) != 0 || fputc('\n', a.f) == EOF) {
    if (!errno) errno = ENOMEM;
    cfb_atomic_abort(&a);
    return -1;
  }
  return cfb_atomic_commit(&a);
}

char *cfb_json_dumps(const json_t *root) { return json_dumps(root, CFB_JSON_FLAGS); }
