/* markup.c -- escaping for Markdown and HTML, and base64 for inlined
 * images (markup.h). */
#include "markup.h"

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

void cfb_b64(cfb_sb *b, const unsigned char *p, size_t n) {
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
