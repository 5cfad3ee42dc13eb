/* strbuf.h -- a growable string for the reporters (plot scripts, report
 * Markdown/HTML, compare tables).  Out of memory is sticky: appends after a
 * failure do nothing and cf_sb_failed() says so, so callers check once. */
#ifndef CF_HARNESS_STRBUF_H
#define CF_HARNESS_STRBUF_H

#include <stddef.h>

typedef struct cf_sb {
  char *s;     /* NUL-terminated (NULL until the first append) */
  size_t len, cap;
  int failed;
} cf_sb;

void cf_sb_append(cf_sb *b, const char *s);
void cf_sb_appendn(cf_sb *b, const char *s, size_t n);
void cf_sb_printf(cf_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text ("" when empty); valid until the next append. */
const char *cf_sb_str(const cf_sb *b);
int cf_sb_failed(const cf_sb *b);
void cf_sb_free(cf_sb *b);

/* Write the buffer to `path` atomically (path.tmp, then rename).  0, or -1
 * with errno set. */
int cf_sb_write_file(const cf_sb *b, const char *path);

#endif
