/* jsonget.c -- the path lookups of jsonget.h: a small scanner that walks
 * objects key by key and skips everything else (strings, numbers,
 * literals, nested arrays and objects up to a fixed depth). */
#include "jsonget.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

static const char *ws(const char *p) {
  while (*p && isspace((unsigned char)*p)) p++;
  return p;
}

/* Parse a string at p (which points at '"'); copy it to out if out is
 * non-NULL.  Returns the position after the closing quote, or NULL. */
static const char *scan_string(const char *p, char *out, size_t outlen) {
  size_t k = 0;
  if (*p != '"') return NULL;
  for (p++; *p && *p != '"'; p++) {
    char c = *p;
    if (c == '\\') {
      p++;
      switch (*p) {
      case 'n': c = '\n'; break;
      case 't': c = '\t'; break;
      case 'r': c = '\r'; break;
      case 'b': c = '\b'; break;
      case 'f': c = '\f'; break;
      case 'u': {
        unsigned v = 0;
        for (int i = 1; i <= 4; i++) {
          if (!isxdigit((unsigned char)p[i])) return NULL;
          v = v * 16 + (unsigned)(isdigit((unsigned char)p[i]) ? p[i] - '0'
                                                               : (tolower((unsigned char)p[i]) - 'a' + 10));
        }
        p += 4;
        c = v < 0x80 ? (char)v : '?';
        break;
      }
      case '\0': return NULL;
      default: c = *p; /* \" \\ \/ */
      }
    }
    if (out && k + 1 < outlen) out[k++] = c;
  }
  if (*p != '"') return NULL;
  if (out && outlen) out[k] = '\0';
  return p + 1;
}

static const char *skip_value(const char *p, int depth) {
  p = ws(p);
  if (depth > MAX_DEPTH) return NULL;
  if (*p == '"') return scan_string(p, NULL, 0);
  if (*p == '{' || *p == '[') {
    char close = *p == '{' ? '}' : ']';
    p = ws(p + 1);
    if (*p == close) return p + 1;
    for (;;) {
      if (close == '}') {
        p = scan_string(ws(p), NULL, 0);
        if (!p) return NULL;
        p = ws(p);
        if (*p++ != ':') return NULL;
      }
      p = skip_value(p, depth + 1);
      if (!p) return NULL;
      p = ws(p);
      if (*p == ',') { p++; continue; }
      if (*p == close) return p + 1;
      return NULL;
    }
  }
  const char *s = p; /* number or literal */
  while (*p && (isalnum((unsigned char)*p) || *p == '-' || *p == '+' || *p == '.')) p++;
  return p > s ? p : NULL;
}

/* Position of the value at `path` inside the object at p, or NULL. */
static const char *find_path(const char *p, const char *path) {
  char key[256];
  while (*path) {
    const char *dot = strchr(path, '.');
    size_t klen = dot ? (size_t)(dot - path) : strlen(path);
    if (klen >= sizeof key) return NULL;
    p = ws(p);
    if (*p != '{') return NULL;
    p = ws(p + 1);
    int found = 0;
    while (*p && *p != '}') {
      char name[256];
      p = scan_string(p, name, sizeof name);
      if (!p) return NULL;
      p = ws(p);
      if (*p++ != ':') return NULL;
      p = ws(p);
      if (strlen(name) == klen && memcmp(name, path, klen) == 0) {
        found = 1;
        break;
      }
      p = skip_value(p, 0);
      if (!p) return NULL;
      p = ws(p);
      if (*p == ',') p = ws(p + 1);
    }
    if (!found) return NULL;
    path += klen + (dot ? 1 : 0);
  }
  return ws(p);
}

int cfb_json_get_string(const char *json, const char *path, char *out, size_t outlen) {
  const char *p = find_path(json, path);
  if (!p || *p != '"' || !outlen) return -1;
  return scan_string(p, out, outlen) ? 0 : -1;
}

int cfb_json_get_number(const char *json, const char *path, double *out) {
  const char *p = find_path(json, path);
  if (!p) return -1;
  if (!strncmp(p, "true", 4)) { *out = 1; return 0; }
  if (!strncmp(p, "false", 5)) { *out = 0; return 0; }
  char *end;
  double v = strtod(p, &end);
  if (end == p) return -1;
  *out = v;
  return 0;
}

int cfb_read_file(const char *path, char **buf, size_t *len) {
  *buf = NULL;
  if (len) *len = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  size_t cap = 4096, n = 0;
  char *b = malloc(cap);
  if (!b) goto fail;
  for (;;) {
    if (cap - n < 2) {
      char *nb = realloc(b, cap * 2);
      if (!nb) goto fail;
      b = nb;
      cap *= 2;
    }
    size_t got = fread(b + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0) break;
  }
  if (ferror(f)) goto fail;
  fclose(f);
  b[n] = '\0';
  *buf = b;
  if (len) *len = n;
  return 0;
fail: {
  int e = errno ? errno : ENOMEM;
  free(b);
  fclose(f);
  errno = e;
  return -1;
}
}
