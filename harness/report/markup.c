/* markup.c -- escaping for Markdown and HTML, headings, and plots inlined
 * as base64 images (markup.h). */
#include "markup.h"

#include <stdio.h>
#include <stdlib.h>

#include "fileio.h"

void cfb_md_esc(cfb_sb *b, const char *s) {
  for (; *s; s++) {
    if (*s == '|' || *s == '*' || *s == '_' || *s == '`' || *s == '<') cfb_sb_append(b, "\\");
    if (*s == '\n') {
      cfb_sb_append(b, " ");
      continue;
    }
    cfb_sb_appendn(b, s, 1);
  }
}

void cfb_html_esc(cfb_sb *b, const char *s) {
  for (; *s; s++) {
    switch (*s) {
    case '<': cfb_sb_append(b, "&lt;"); break;
    case '>': cfb_sb_append(b, "&gt;"); break;
    case '&': cfb_sb_append(b, "&amp;"); break;
    case '"': cfb_sb_append(b, "&quot;"); break;
    default: cfb_sb_appendn(b, s, 1);
    }
  }
}

/* Append the n bytes at p to b in base64 (RFC 4648, padded). */
static void b64(cfb_sb *b, const unsigned char *p, size_t n) {
  static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char q[4];
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
    q[0] = t[v >> 18 & 63];
    q[1] = t[v >> 12 & 63];
    q[2] = i + 1 < n ? t[v >> 6 & 63] : '=';
    q[3] = i + 2 < n ? t[v & 63] : '=';
    cfb_sb_appendn(b, q, 4);
  }
}

void cfb_markup_heading(cfb_sb *md, cfb_sb *html, int level, const char *text) {
  cfb_sb_printf(md, "\n%.*s ", level, "######");
  cfb_md_esc(md, text);
  cfb_sb_append(md, "\n\n");
  cfb_sb_printf(html, "<h%d>", level);
  cfb_html_esc(html, text);
  cfb_sb_printf(html, "</h%d>\n", level);
}

void cfb_markup_figure(cfb_sb *md, cfb_sb *html, const char *dir, const char *rel, const char *alt,
                       int script) {
  char path[5200], *data;
  size_t len;
  snprintf(path, sizeof path, "%s/%s.png", dir, rel);
  if (cfb_read_file(path, &data, &len) != 0) return;
  cfb_sb_append(md, "![");
  cfb_md_esc(md, alt);
  cfb_sb_printf(md, "](%s.png)\n\n", rel);
  cfb_sb_append(html, "<figure><img alt=\"");
  cfb_html_esc(html, alt);
  cfb_sb_append(html, "\" src=\"data:image/png;base64,");
  b64(html, (const unsigned char *)data, len);
  cfb_sb_append(html, "\"><figcaption>");
  cfb_html_esc(html, alt);
  cfb_sb_printf(html, " (<a href=\"%s.svg\">SVG</a>", rel);
  if (script) cfb_sb_printf(html, ", <a href=\"%s.gp\">script</a>", rel);
  cfb_sb_append(html, ")</figcaption></figure>\n");
  free(data);
}
