/* format.c -- figures and names for people (format.h). */
#include "format.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void cfb_fmt_rate(double v, char *out, size_t len) {
  if (!isfinite(v)) snprintf(out, len, "n/a");
  else if (fabs(v) >= 1e9) snprintf(out, len, "%.3gG", v / 1e9);
  else if (fabs(v) >= 1e6) snprintf(out, len, "%.3gM", v / 1e6);
  else if (fabs(v) >= 1e3) snprintf(out, len, "%.3gk", v / 1e3);
  else snprintf(out, len, "%.3g", v);
}

const char *cfb_plural(long long n) { return n == 1 ? "" : "s"; }

void cfb_fmt_unreachable(char *out, size_t len, size_t rounds, double level, size_t needed) {
  snprintf(out, len, "%zu round%s cannot reach the %.4g%% level; needs >= %zu", rounds,
           cfb_plural((long long)rounds), 100 * level, needed);
}

const char *cfb_backend_plural(const char *b) {
  return !strcmp(b, "thread") ? "threads" : !strcmp(b, "process") ? "processes" : b;
}

size_t cfb_fmt_cols(const char *s) {
  size_t n = 0;
  for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80; /* count lead bytes only */
  return n;
}

size_t cfb_fmt_break(const char *s, size_t room) {
  size_t n = strlen(s);
  if (cfb_fmt_cols(s) <= room) return n;
  size_t cut = 0, c = 0;
  for (size_t k = 0; k < n && c <= room; k++) {
    if (s[k] == ' ') cut = k;
    else if (s[k] == ',' && c + 1 <= room) cut = k + 1;
    c += ((unsigned char)s[k] & 0xC0) != 0x80;
  }
  if (!cut) cut = strcspn(s, " ") ? strcspn(s, " ") : n;
  return cut;
}

void cfb_fmt_print_wrapped(FILE *f, const char *text, size_t cols, size_t indent) {
  cfb_fmt_print_indented(f, text, cols, 0, indent);
}

void cfb_fmt_print_indented(FILE *f, const char *text, size_t cols, size_t first, size_t indent) {
  size_t most = first > indent ? first : indent, room = cols > most + 21 ? cols - 1 : most + 20;
  for (const char *t = text; *t;) {
    size_t lead = t == text ? first : indent, cut = cfb_fmt_break(t, room - lead), keep = cut;
    while (keep > 0 && t[keep - 1] == ' ') keep--; /* a break at the second of two blanks: none left at the end */
    fprintf(f, "%*s%.*s\n", (int)lead, "", (int)keep, t);
    t += cut;
    while (*t == ' ') t++;
  }
}

void cfb_fmt_fit(char *out, size_t len, const char *s, size_t cols) {
  if (!len) return;
  int cut = cfb_fmt_cols(s) > cols;
  size_t keep = cut ? (cols ? cols - 1 : 0) : (size_t)-1, room = cut ? 3 : 0; /* "…" is 3 bytes */
  size_t i = 0, c = 0;
  while (s[i] && c < keep) {
    size_t cl = 1; /* bytes of the character at i */
    while (s[i + cl] && ((unsigned char)s[i + cl] & 0xC0) == 0x80) cl++;
    if (i + cl + room >= len) break;
    i += cl;
    c++;
  }
  memcpy(out, s, i);
  out[i] = '\0';
  if (cut && cols && i + 4 <= len) memcpy(out + i, "\xE2\x80\xA6", 4); /* "…" and its NUL */
}

/* A ratio for people: 2 decimals below 10 ("1.92"), 3 digits above. */
static void fmt_ratio(char *b, size_t len, double v) { snprintf(b, len, v < 9.995 ? "%.2f" : "%.3g", v); }

void cfb_fmt_speedup(char *out, size_t len, const char *name_a, const char *name_b, const char *winner,
                     double ratio, double lo, double hi) {
  char r[32], l[32], h[32];
  if (!(isfinite(ratio) && isfinite(lo) && isfinite(hi) && lo > 0)) {
    snprintf(out, len, "undecided (too few rounds)");
    return;
  }
  int b = !strcmp(winner, "b");
  if (b || !strcmp(winner, "a")) {
    fmt_ratio(r, sizeof r, b ? 1 / ratio : ratio);
    fmt_ratio(l, sizeof l, b ? 1 / hi : lo);
    fmt_ratio(h, sizeof h, b ? 1 / lo : hi);
    snprintf(out, len, "%s %sx faster [%s, %s]", b ? name_b : name_a, r, l, h);
    return;
  }
  fmt_ratio(r, sizeof r, ratio);
  fmt_ratio(l, sizeof l, lo);
  fmt_ratio(h, sizeof h, hi);
  snprintf(out, len, "%s (%sx [%s, %s])", !strcmp(winner, "equivalent") ? "equivalent" : "undecided", r, l, h);
}
