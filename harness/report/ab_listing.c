/* ab_listing.c -- a side's expanded sweep, as `cfbench ab` compares two
 * builds' (ab_listing.h): --dry-run=tsv's rows read by their header's
 * column names (so columns added later are ignored), or an older build's
 * --dry-run lines taken apart, both into one canonical row per
 * configuration.  A BASE built before --dry-run=tsv thus still lists the
 * same sweep as a NEW built after it, and ab keeps its blocks. */
#include "ab_listing.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

/* The canonical row's columns, in order: --dry-run=tsv's names. */
static const char *const cols[] = {"workload", "params", "backend", "workers", "chunksize", "pin",
                                   "mode",     "items",  "repeat",  "warmup",  "max_time_s"};
enum { NCOLS = sizeof cols / sizeof cols[0], MAXF = 64 };

/* Split line (modified) at sep into at most MAXF fields; how many. */
static size_t split(char *line, char sep, char **f) {
  size_t n = 0;
  for (char *p = line; n < MAXF;) {
    f[n++] = p;
    char *q = strchr(p, sep);
    if (!q) break;
    *q = '\0';
    p = q + 1;
  }
  return n;
}

/* params without the keys of ignore: "K=V" items between commas. */
static void strip_ignored(cfb_sb *out, const char *params, const char *ignore) {
  int first = 1;
  for (const char *p = params; *p;) {
    size_t l = strcspn(p, ",");
    int drop = 0;
    for (const char *k = ignore; k && *k && !drop; k += strcspn(k, ","), k += *k == ',') {
      size_t kl = strcspn(k, ",");
      drop = kl && l > kl && !strncmp(p, k, kl) && p[kl] == '=';
    }
    if (!drop && l) {
      cfb_sb_printf(out, "%s%.*s", first ? "" : ",", (int)l, p);
      first = 0;
    }
    p += l;
    if (*p == ',') p++;
  }
}

static void emit(cfb_sb *out, char *const *v, const char *ignore) {
  for (size_t c = 0; c < NCOLS; c++) {
    if (c) cfb_sb_append(out, "\t");
    if (c == 1) strip_ignored(out, v[c] ? v[c] : "", ignore);
    else cfb_sb_append(out, v[c] ? v[c] : "");
  }
  cfb_sb_append(out, "\n");
}

/* --dry-run=tsv: the header names the columns. */
static int tsv_rows(char *text, cfb_sb *out, const char *ignore) {
  char *save = NULL, *line = strtok_r(text, "\n", &save), *f[MAXF];
  if (!line || strncmp(line, "index\t", 6)) return -1;
  int at[NCOLS];
  size_t nh = split(line, '\t', f);
  for (size_t c = 0; c < NCOLS; c++) {
    at[c] = -1;
    for (size_t k = 0; k < nh; k++)
      if (!strcmp(f[k], cols[c])) at[c] = (int)k;
    if (at[c] < 0) return -1;
  }
  while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
    char *v[NCOLS];
    size_t n = split(line, '\t', f);
    for (size_t c = 0; c < NCOLS; c++) v[c] = (size_t)at[c] < n ? f[at[c]] : NULL;
    emit(out, v, ignore);
  }
  return 0;
}

/* One line of an older --dry-run: "W PARAMS BACKEND workers=..": the
 * params may hold blanks (an exec's cmd), so BACKEND is the word before
 * the last " workers=" and PARAMS all between it and W. */
static int legacy_row(char *line, cfb_sb *out, const char *ignore) {
  char *w = NULL;
  for (char *p = line; (p = strstr(p, " workers=")) != NULL; p++) w = p;
  char *sp = strchr(line, ' ');
  if (!w || !sp || sp > w) return -1;
  *w = '\0';
  char *bk = strrchr(line, ' ');
  if (!bk || bk < sp) return -1;
  *sp = *bk = '\0';
  cfb_sb params = {0};
  /* escaped as --dry-run=tsv escapes (a backslash doubled), so the two forms compare */
  for (const char *p = bk > sp ? sp + 1 : ""; *p; p++) {
    if (*p == '\\') cfb_sb_append(&params, "\\\\");
    else cfb_sb_appendn(&params, p, 1);
  }
  char *v[NCOLS] = {line, (char *)(cfb_sb_failed(&params) ? "" : cfb_sb_str(&params)), bk + 1};
  v[6] = "map"; /* older lines named the mode only when not map */
  char *f[MAXF];
  size_t n = split(w + 1, ' ', f);
  for (size_t k = 0; k < n; k++) {
    char *eq = strchr(f[k], '=');
    if (!eq) continue;
    *eq = '\0';
    for (size_t c = 3; c < NCOLS; c++)
      if (!strcmp(f[k], cols[c]) || (c == NCOLS - 1 && !strcmp(f[k], "max_time"))) v[c] = eq + 1;
  }
  size_t ml = v[NCOLS - 1] ? strlen(v[NCOLS - 1]) : 0;
  if (ml && v[NCOLS - 1][ml - 1] == 's') v[NCOLS - 1][ml - 1] = '\0'; /* "5s" -> tsv's "5" */
  emit(out, v, ignore);
  cfb_sb_free(&params);
  return 0;
}

static int legacy_rows(char *text, cfb_sb *out, const char *ignore) {
  char *save = NULL, *line = strtok_r(text, "\n", &save);
  if (!line || strncmp(line, "rounds ", 7)) return -1;
  while ((line = strtok_r(NULL, "\n", &save)) != NULL)
    if (legacy_row(line, out, ignore) != 0) return -1;
  return 0;
}

char *cfb_ab_listing_rows(const char *text, int tsv, const char *ignore) {
  char *copy = text ? strdup(text) : NULL;
  if (!copy) return NULL;
  cfb_sb out = {0};
  cfb_sb_append(&out, ""); /* an empty sweep is "", not NULL */
  int rc = tsv ? tsv_rows(copy, &out, ignore) : legacy_rows(copy, &out, ignore);
  free(copy);
  char *r = rc || cfb_sb_failed(&out) ? NULL : strdup(cfb_sb_str(&out));
  cfb_sb_free(&out);
  return r;
}

unsigned long cfb_ab_listing_count(const char *rows) {
  unsigned long n = 0;
  for (const char *p = rows; p && *p; p++) n += *p == '\n';
  return n;
}
