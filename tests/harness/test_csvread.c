/* test_csvread.c -- the RFC 4180 reader of harness/report/csvread.h: quoting,
 * doubled quotes, embedded commas and line breaks, CRLF, and the strict
 * errors (field count, stray quotes, unterminated quotes). */
#include <math.h>

#include "csvread.h"
#include "task.h"

static FILE *from(const char *s) {
  FILE *f = tmpfile();
  CHECK(f);
  fputs(s, f);
  rewind(f);
  return f;
}

static void test_rows(void) {
  FILE *f = from("a,b,c\r\n1,\"x,y\",\"say \"\"hi\"\"\"\n,\"multi\nline\",3\n");
  cfb_csv_row row;
  cfb_csv_row_init(&row);
  char err[200];
  size_t line = 1;
  CHECK_EQ(cfb_csv_read_row(f, &row, &line, err, sizeof err), 1);
  CHECK_EQ(row.n, 3);
  CHECK(!strcmp(row.field[2], "c"));
  CHECK_EQ(cfb_csv_read_row(f, &row, &line, err, sizeof err), 1);
  CHECK(!strcmp(row.field[1], "x,y") && !strcmp(row.field[2], "say \"hi\""));
  CHECK_EQ(line, 3);
  CHECK_EQ(cfb_csv_read_row(f, &row, &line, err, sizeof err), 1);
  CHECK(!strcmp(row.field[0], "") && !strcmp(row.field[1], "multi\nline"));
  CHECK_EQ(line, 5);
  CHECK_EQ(cfb_csv_read_row(f, &row, &line, err, sizeof err), 0);
  cfb_csv_row_free(&row);
  fclose(f);
}

static void test_table(void) {
  FILE *f = from("x,name\n1.5,\"a,b\"\n,c\n");
  cfb_csv_table t;
  char err[200];
  CHECK_EQ(cfb_csv_load_stream(f, "t.csv", &t, err, sizeof err), 0);
  fclose(f);
  CHECK_EQ(t.ncols, 2);
  CHECK_EQ(t.nrows, 2);
  CHECK_EQ(cfb_csv_col(&t, "name"), 1);
  CHECK_EQ(cfb_csv_col(&t, "nope"), -1);
  CHECK(!strcmp(cfb_csv_get(&t, 0, "name"), "a,b"));
  CHECK(cfb_csv_get(&t, 5, "name") == NULL);
  double v;
  CHECK_EQ(cfb_csv_double(cfb_csv_get(&t, 0, "x"), &v), 1);
  CHECK(v == 1.5);
  CHECK_EQ(cfb_csv_double(cfb_csv_get(&t, 1, "x"), &v), 0);
  CHECK(isnan(v));
  CHECK_EQ(cfb_csv_double("1.5x", &v), -1);
  CHECK_EQ(cfb_csv_double("nan", &v), -1);
  cfb_csv_table_free(&t);
}

static void expect_error(const char *text, const char *msg) {
  FILE *f = from(text);
  cfb_csv_table t;
  char err[200];
  CHECK_EQ(cfb_csv_load_stream(f, "bad.csv", &t, err, sizeof err), -1);
  CHECK_STR_CONTAINS(err, msg);
  CHECK(t.nrows == 0 && t.header == NULL);
  fclose(f);
}

static void test_errors(void) {
  expect_error("a,b\n1,2,3\n", "line 2: 3 fields, the header has 2");
  expect_error("a,b\n1,x\"y\n", "quote inside an unquoted field");
  expect_error("a,b\n1,\"x\"y\n", "text after a closing quote");
  expect_error("a,b\n1,\"xy\n", "unterminated quoted field");
  expect_error("", "empty file");
  cfb_csv_table t;
  char err[200];
  CHECK_EQ(cfb_csv_load("/nonexistent/x.csv", &t, err, sizeof err), -1);
  CHECK_STR_CONTAINS(err, "/nonexistent/x.csv");
}

int main(int argc, char **argv) {
  static const test_case cases[] = {
      {"rows", test_rows}, {"table", test_table}, {"errors", test_errors}, {NULL, NULL}};
  return run_tests(cases, argc, argv);
}
