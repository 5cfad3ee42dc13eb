/* markup.h -- the small pieces of Markdown and HTML the report files
 * write: escaping of text, and a PNG inlined as a base64 data URI so the
 * HTML stays self-contained. */
#ifndef CFB_MARKUP_H
#define CFB_MARKUP_H

#include <stddef.h>

#include "strbuf.h"

/* Append s to b with Markdown's table and emphasis characters escaped
 * (| * _ ` <) and newlines turned into spaces. */
void cfb_md_esc(cfb_sb *b, const char *s);

/* Append s to b with < > & " as HTML entities. */
void cfb_html_esc(cfb_sb *b, const char *s);

/* Append the n bytes at p to b in base64 (RFC 4648, padded). */
void cfb_b64(cfb_sb *b, const unsigned char *p, size_t n);

#endif
