/* strbuf.h -- a growable string for the reporters (plot scripts, report
 * Markdown/HTML, compare tables).  Out of memory is sticky: appends after a
 * failure do nothing and cfb_sb_failed() says so, so callers check once. */
#ifndef CFB_STRBUF_H
#define CFB_STRBUF_H

#include <stddef.h>

typedef struct cfb_sb {
  char *s;     /* NUL-terminated (NULL until the first append) */
  size_t len, cap;
  int failed;
} cfb_sb;

void cfb_sb_append(cfb_sb *b, const char *s);
void cfb_sb_appendn(cfb_sb *b, const char *s, size_t n);
void cfb_sb_printf(cfb_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text ("" when empty); valid until the next append. */
const char *cfb_sb_str(const cfb_sb *b);
int cfb_sb_failed(const cfb_sb *b);
void cfb_sb_free(cfb_sb *b);

/* Write the buffer to `path` atomically (cfb_atomic_open).  0, or -1
 * with errno set. */
int cfb_sb_write_file(const cfb_sb *b, const char *path);

#endif
