/* csvread.h -- a strict RFC 4180 CSV reader for cfbench's result files
 * (runs.csv, summary.csv), shared by plot, report and compare.
 *
 * Fields are separated by commas; a field may be quoted with '"', a quote
 * inside a quoted field is doubled; quoted fields may hold commas and line
 * breaks; records end with CRLF or LF.  Anything else (a quote inside an
 * unquoted field, text after a closing quote, an unterminated quote) is an
 * error naming the line, and so is a record longer than CFB_CSV_MAX_RECORD
 * bytes (a result file has none: it is not one of ours, or /dev/zero-like
 * input that would otherwise grow memory without end). */
#ifndef CFB_CSVREAD_H
#define CFB_CSVREAD_H

#include <stddef.h>
#include <stdio.h>

#define CFB_CSV_MAX_RECORD (1u << 20) /* 1 MiB */

/* One record.  field[0..n) point into a buffer the row owns; they stay
 * valid until the next read into the same row or cfb_csv_row_free. */
typedef struct cfb_csv_row {
  char **field;
  size_t n;
  /* private */
  char *buf;
  size_t buflen, bufcap, fieldcap;
} cfb_csv_row;

void cfb_csv_row_init(cfb_csv_row *row);
void cfb_csv_row_free(cfb_csv_row *row);

/* Read the next record from f.  Returns 1 (a record), 0 (end of input), or
 * -1 (malformed or out of memory; a one-line message in err).  *line (may be
 * NULL) is the 1-based line number the next record starts on: start it at 1. */
int cfb_csv_read_row(FILE *f, cfb_csv_row *row, size_t *line, char *err, size_t errlen);

/* A whole file: header and rows, every row with exactly ncols fields. */
typedef struct cfb_csv_table {
  size_t ncols, nrows;
  char **header;   /* ncols names */
  char ***rows;    /* nrows x ncols strings */
  size_t *line;    /* the 1-based line each row starts on, for messages */
} cfb_csv_table;

/* Load `path`.  0, or -1 with a message in err (cannot open, not a
 * regular file, malformed, a row with a different field count than the
 * header, a second header line -- files concatenated --, empty file). */
int cfb_csv_load(const char *path, cfb_csv_table *t, char *err, size_t errlen);
/* The same from an open stream (`name` is used in messages). */
int cfb_csv_load_stream(FILE *f, const char *name, cfb_csv_table *t, char *err, size_t errlen);
void cfb_csv_table_free(cfb_csv_table *t);

/* Column index of `name`, or -1. */
int cfb_csv_col(const cfb_csv_table *t, const char *name);
/* Field `name` of row r, or NULL if there is no such column or row. */
const char *cfb_csv_get(const cfb_csv_table *t, size_t r, const char *name);

/* Parse a whole field as a finite double (strict: no trailing text).
 * Returns 1 (parsed), 0 (empty field = not measured; *out = NAN), -1 (not
 * a number). */
int cfb_csv_double(const char *s, double *out);

#endif
