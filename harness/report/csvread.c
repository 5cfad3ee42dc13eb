/* csvread.c -- the strict RFC 4180 reader of csvread.h. */
#include "csvread.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

void cfb_csv_row_init(cfb_csv_row *row) { memset(row, 0, sizeof *row); }

void cfb_csv_row_free(cfb_csv_row *row) {
  free(row->field);
  free(row->buf);
  memset(row, 0, sizeof *row);
}

/* 0, -1 out of memory, -2 past CFB_CSV_MAX_RECORD. */
static int put_char(cfb_csv_row *row, char c) {
  if (row->buflen >= CFB_CSV_MAX_RECORD) return -2;
  if (row->buflen + 1 >= row->bufcap) {
    size_t cap = row->bufcap ? row->bufcap * 2 : 256;
    char *b = realloc(row->buf, cap);
    if (!b) return -1;
    row->buf = b;
    row->bufcap = cap;
  }
  row->buf[row->buflen++] = c;
  return 0;
}

/* Field starts are kept as offsets while the buffer may still move. */
static int end_field(cfb_csv_row *row, size_t start) {
  int rc = put_char(row, '\0');
  if (rc) return rc;
  if (row->n + 1 > row->fieldcap) {
    size_t cap = row->fieldcap ? row->fieldcap * 2 : 16;
    char **f = realloc(row->field, cap * sizeof *f);
    if (!f) return -1;
    row->field = f;
    row->fieldcap = cap;
  }
  row->field[row->n++] = (char *)(uintptr_t)start;
  return 0;
}

int cfb_csv_read_row(FILE *f, cfb_csv_row *row, size_t *line, char *err, size_t errlen) {
  size_t ln = line ? *line : 0, start_line = ln;
  row->n = 0;
  row->buflen = 0;
  int c = getc(f);
  if (c == EOF) return 0;
  size_t fstart = 0;
  int bad = 0;
  enum { FIELD_START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED } st = FIELD_START;
  for (;; c = getc(f)) {
    if (st == QUOTED) {
      if (c == EOF) {
        snprintf(err, errlen, "line %zu: unterminated quoted field", start_line);
        return -1;
      }
      if (c == '"') {
        st = QUOTE_IN_QUOTED;
        continue;
      }
      if (c == '\n') ln++;
      if ((bad = put_char(row, (char)c))) goto nomem;
      continue;
    }
    if (st == QUOTE_IN_QUOTED && c == '"') { /* doubled quote */
      if ((bad = put_char(row, '"'))) goto nomem;
      st = QUOTED;
      continue;
    }
    if (c == ',' || c == '\n' || c == '\r' || c == EOF) {
      if ((bad = end_field(row, fstart))) goto nomem;
      fstart = row->buflen;
      if (c == ',') {
        st = FIELD_START;
        continue;
      }
      if (c == '\r') {
        int d = getc(f);
        if (d != '\n') {
          snprintf(err, errlen, "line %zu: bare CR outside a quoted field", ln);
          return -1;
        }
      }
      if (c != EOF) ln++;
      break;
    }
    if (st == QUOTE_IN_QUOTED) {
      snprintf(err, errlen, "line %zu: text after a closing quote", ln);
      return -1;
    }
    if (c == '"') {
      if (st != FIELD_START) {
        snprintf(err, errlen, "line %zu: quote inside an unquoted field", ln);
        return -1;
      }
      st = QUOTED;
      continue;
    }
    st = UNQUOTED;
    if ((bad = put_char(row, (char)c))) goto nomem;
  }
  for (size_t i = 0; i < row->n; i++) row->field[i] = row->buf + (uintptr_t)row->field[i];
  if (line) *line = ln;
  return 1;
nomem:
  if (bad == -2)
    snprintf(err, errlen, "line %zu: a record longer than %u bytes (not a cfbench result file)",
             start_line, CFB_CSV_MAX_RECORD);
  else
    snprintf(err, errlen, "line %zu: out of memory", start_line);
  return -1;
}

static char **dup_fields(const cfb_csv_row *row) {
  char **out = calloc(row->n ? row->n : 1, sizeof *out);
  if (!out) return NULL;
  for (size_t i = 0; i < row->n; i++) {
    out[i] = strdup(row->field[i]);
    if (!out[i]) {
      for (size_t j = 0; j < i; j++) free(out[j]);
      free(out);
      return NULL;
    }
  }
  return out;
}

static void free_fields(char **f, size_t n) {
  if (!f) return;
  for (size_t i = 0; i < n; i++) free(f[i]);
  free(f);
}

void cfb_csv_table_free(cfb_csv_table *t) {
  free_fields(t->header, t->ncols);
  for (size_t r = 0; r < t->nrows; r++) free_fields(t->rows[r], t->ncols);
  free(t->rows);
  free(t->line);
  memset(t, 0, sizeof *t);
}

/* A record equal to the header, field by field. */
static int is_header(const cfb_csv_table *t, const cfb_csv_row *row) {
  for (size_t i = 0; i < row->n; i++)
    if (strcmp(row->field[i], t->header[i]) != 0) return 0;
  return row->n > 0;
}

int cfb_csv_load_stream(FILE *f, const char *name, cfb_csv_table *t, char *err, size_t errlen) {
  memset(t, 0, sizeof *t);
  cfb_csv_row row;
  cfb_csv_row_init(&row);
  size_t line = 1, cap = 0;
  char msg[200];
  int rc = cfb_csv_read_row(f, &row, &line, msg, sizeof msg);
  if (rc <= 0) {
    snprintf(err, errlen, "%s: %s", name, rc == 0 ? "empty file (no header)" : msg);
    goto fail;
  }
  t->ncols = row.n;
  if (!(t->header = dup_fields(&row))) goto nomem;
  for (;;) {
    size_t at = line;
    rc = cfb_csv_read_row(f, &row, &line, msg, sizeof msg);
    if (rc == 0) break;
    if (rc < 0) {
      snprintf(err, errlen, "%s: %s", name, msg);
      goto fail;
    }
    if (row.n != t->ncols) {
      snprintf(err, errlen, "%s: line %zu: %zu fields, the header has %zu", name, at, row.n,
               t->ncols);
      goto fail;
    }
    if (is_header(t, &row)) { /* two files concatenated, or a writer restarted mid-file */
      snprintf(err, errlen, "%s: line %zu: a second header line (only line 1 may be the header)", name, at);
      goto fail;
    }
    if (t->nrows == cap) {
      size_t nc = cap ? cap * 2 : 64;
      char ***nr = realloc(t->rows, nc * sizeof *nr);
      if (!nr) goto nomem;
      t->rows = nr;
      size_t *nl = realloc(t->line, nc * sizeof *nl);
      if (!nl) goto nomem;
      t->line = nl;
      cap = nc;
    }
    if (!(t->rows[t->nrows] = dup_fields(&row))) goto nomem;
    t->line[t->nrows] = at;
    t->nrows++;
  }
  if (ferror(f)) {
    snprintf(err, errlen, "%s: read error: %s", name, strerror(errno));
    goto fail;
  }
  cfb_csv_row_free(&row);
  return 0;
nomem:
  snprintf(err, errlen, "%s: out of memory", name);
fail:
  cfb_csv_row_free(&row);
  cfb_csv_table_free(t);
  return -1;
}

int cfb_csv_load(const char *path, cfb_csv_table *t, char *err, size_t errlen) {
  FILE *f = cfb_open_input(path, err, errlen);
  if (!f) {
    memset(t, 0, sizeof *t);
    return -1;
  }
  int rc = cfb_csv_load_stream(f, path, t, err, errlen);
  fclose(f);
  return rc;
}

int cfb_csv_col(const cfb_csv_table *t, const char *name) {
  for (size_t i = 0; i < t->ncols; i++)
    if (strcmp(t->header[i], name) == 0) return (int)i;
  return -1;
}

const char *cfb_csv_get(const cfb_csv_table *t, size_t r, const char *name) {
  int c = cfb_csv_col(t, name);
  if (c < 0 || r >= t->nrows) return NULL;
  return t->rows[r][c];
}

int cfb_csv_double(const char *s, double *out) {
  *out = NAN;
  if (!s || !*s) return 0;
  if (*s == ' ' || *s == '\t') return -1; /* strtod would skip it; a field has no padding */
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (end == s || *end || errno == ERANGE || !isfinite(v)) return -1;
  *out = v;
  return 1;
}
