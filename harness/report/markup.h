/* markup.h -- the small pieces of Markdown and HTML the report files
 * write: escaping of text, headings, and a plot whose PNG is inlined as a
 * base64 data URI so the HTML stays self-contained. */
#ifndef CFB_MARKUP_H
#define CFB_MARKUP_H

#include <stddef.h>

#include "strbuf.h"

/* Append s to b with Markdown's table and emphasis characters escaped
 * (| * _ ` <) and newlines turned into spaces. */
void cfb_md_esc(cfb_sb *b, const char *s);

/* Append s to b with < > & " as HTML entities. */
void cfb_html_esc(cfb_sb *b, const char *s);

/* A heading of `level` (1-6) with the text escaped, to both documents. */
void cfb_markup_heading(cfb_sb *md, cfb_sb *html, int level, const char *text);

/* The plot DIR/REL.png: linked as REL.png in md, inlined in html as a
 * figure captioned alt, with links to REL.svg and (script) REL.gp.
 * Nothing when the PNG cannot be read (a plot that was not made). */
void cfb_markup_figure(cfb_sb *md, cfb_sb *html, const char *dir, const char *rel, const char *alt,
                       int script);

#endif
