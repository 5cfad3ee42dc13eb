/* strbuf.c -- the growable string of strbuf.h. */
#include "strbuf.h"

#include "fileio.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(cfb_sb *b, size_t extra) {
  if (b->failed) return -1;
  if (b->len + extra + 1 <= b->cap) return 0;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra + 1) cap *= 2;
  char *s = realloc(b->s, cap);
  if (!s) {
    b->failed = 1;
    return -1;
  }
  b->s = s;
  b->cap = cap;
  return 0;
}

void cfb_sb_appendn(cfb_sb *b, const char *s, size_t n) {
  if (grow(b, n) != 0) return;
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

void cfb_sb_append(cfb_sb *b, const char *s) { cfb_sb_appendn(b, s, strlen(s)); }

void cfb_sb_printf(cfb_sb *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || grow(b, (size_t)n) != 0) {
    b->failed = 1;
    return;
  }
  va_start(ap, fmt);
  vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

const char *cfb_sb_str(const cfb_sb *b) { return b->s ? b->s : ""; }
int cfb_sb_failed(const cfb_sb *b) { return b->failed; }

void cfb_sb_free(cfb_sb *b) {
  free(b->s);
  memset(b, 0, sizeof *b);
}

int cfb_sb_write_file(const cfb_sb *b, const char *path) {
  if (b->failed) {
    errno = ENOMEM;
    return -1;
  }
  cfb_atomic_file a;
  if (cfb_atomic_open(&a, path) != 0) return -1;
  fwrite(cfb_sb_str(b), 1, b->len, a.f); /* a short write shows in commit's ferror */
  return cfb_atomic_commit(&a);
}
