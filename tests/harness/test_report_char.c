/* test_report_char.c -- the report's characterization section
 * (report_char.c) on a results fixture (fixtures/sweep) beside the
 * characterizations `cfbench bench` leaves in DIR/characterize/NAME/
 * (fixtures/characterize: measure.json of each built-in workload, real
 * measurements): a section with one row and one subsection per workload
 * whose kind, recommendation and plot are the analysis' own; none
 * without characterizations; a broken one named, the others reported.
 * argv[1] is the fixtures folder; work happens in a fresh temp dir. */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "characterize.h"
#include "charrule.h"
#include "cmd_report.h"
#include "fileio.h"
#include "task.h"

#define SECTION "## What kind of workload each is, and why"

static const char *fixtures;
static char work[256];
static const char *const workloads[] = {"memtouch", "mixed", "primes", "sleep", "socket"};
#define NW (sizeof workloads / sizeof workloads[0])

static void copy(const char *from, const char *to) {
  char *buf;
  size_t len;
  CHECK(cfb_read_file(from, &buf, &len) == 0);
  FILE *f = fopen(to, "wb");
  CHECK(f);
  CHECK(fwrite(buf, 1, len, f) == len);
  fclose(f);
  free(buf);
}

/* work/NAME: a copy of fixtures/sweep, with the characterizations if asked. */
static void fresh(const char *name, int with_chars, char *dir, size_t len) {
  snprintf(dir, len, "%s/%s", work, name);
  CHECK(mkdir(dir, 0755) == 0);
  static const char *const files[] = {"summary.csv", "runs.csv", "meta.json"};
  char a[1024], b[1024];
  for (size_t i = 0; i < 3; i++) {
    snprintf(a, sizeof a, "%s/sweep/%s", fixtures, files[i]);
    snprintf(b, sizeof b, "%s/%s", dir, files[i]);
    copy(a, b);
  }
  if (!with_chars) return;
  snprintf(b, sizeof b, "%s/" CFB_CHAR_BENCH_SUBDIR, dir);
  CHECK(mkdir(b, 0755) == 0);
  for (size_t i = 0; i < NW; i++) {
    snprintf(b, sizeof b, "%s/" CFB_CHAR_BENCH_SUBDIR "/%s", dir, workloads[i]);
    CHECK(mkdir(b, 0755) == 0);
    snprintf(a, sizeof a, "%s/characterize/%s/" CFB_CHAR_MEASURE_FILE, fixtures, workloads[i]);
    snprintf(b, sizeof b, "%s/" CFB_CHAR_BENCH_SUBDIR "/%s/" CFB_CHAR_MEASURE_FILE, dir, workloads[i]);
    copy(a, b);
  }
}

static char *slurp(const char *dir, const char *name) {
  char path[1024], *buf;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  if (cfb_read_file(path, &buf, NULL) != 0) {
    fprintf(stderr, "missing %s\n", path);
    abort();
  }
  return buf;
}

static void report(const char *dir) {
  char *argv[] = {"report", (char *)dir, NULL};
  CHECK_EQ(cfb_cmd_report(2, argv), 0);
}

/* The text between SECTION and the next "## " heading. */
static char *section(char *md) {
  char *s = strstr(md, SECTION);
  CHECK(s);
  char *end = strstr(s + strlen(SECTION), "\n## ");
  if (end) *end = '\0';
  return s;
}

/* Every workload: its row (name, the analysed kind, the analysed
 * recommendation), its subsection with the reason, its plot linked in
 * Markdown and inlined in HTML. */
static void test_section(void) {
  char dir[512], sub[1024], want[1024];
  fresh("section", 1, dir, sizeof dir);
  report(dir);
  char *md = slurp(dir, "report.md"), *html = slurp(dir, "report.html");
  char *s = section(md);
  cfb_char *c = malloc(sizeof *c);
  CHECK(c);
  for (size_t i = 0; i < NW; i++) {
    char err[512];
    snprintf(sub, sizeof sub, "%s/" CFB_CHAR_BENCH_SUBDIR "/%s", dir, workloads[i]);
    CHECK_EQ(cfb_char_analyze(sub, c, err, sizeof err), 0);
    CHECK_GE(c->rec, 0);
    const cfb_char_backend *b = &c->b[c->rec];
    snprintf(want, sizeof want, "| %s | %s | ", workloads[i], c->kind);
    CHECK_STR_CONTAINS(s, want);
    snprintf(want, sizeof want, "| %s, %d workers, chunksize %zu |", b->name, b->rec_workers, b->chunksize);
    CHECK_STR_CONTAINS(s, want);
    snprintf(want, sizeof want, "### %s ", workloads[i]);
    CHECK_STR_CONTAINS(s, want);
    snprintf(want, sizeof want, "Kind: %s, because it was ", c->kind);
    CHECK_STR_CONTAINS(s, want);
    snprintf(want, sizeof want, "](" CFB_CHAR_BENCH_SUBDIR "/%s/plots/characterize.png)", workloads[i]);
    CHECK_STR_CONTAINS(s, want);
    snprintf(want, sizeof want, "<td>%s</td><td>%s</td>", workloads[i], c->kind);
    CHECK_STR_CONTAINS(html, want);
  }
  /* the kinds differ across the built-ins: the row is not one text for all */
  CHECK_STR_CONTAINS(s, "| sleep | io | ");
  CHECK_STR_CONTAINS(s, "| primes | cpu | ");
  CHECK_STR_CONTAINS(html, "<h2>What kind of workload each is, and why</h2>");
  CHECK(strstr(html, "src=\"data:image/png;base64,iVBORw0KGgo"));
  CHECK(!strstr(html, "src=\"" CFB_CHAR_BENCH_SUBDIR "/"));
  free(c);
  free(md);
  free(html);
}

/* A results directory without characterizations: no section. */
static void test_absent(void) {
  char dir[512];
  fresh("absent", 0, dir, sizeof dir);
  report(dir);
  char *md = slurp(dir, "report.md");
  CHECK(!strstr(md, SECTION));
  CHECK_STR_CONTAINS(md, "## Plots per workload");
  free(md);
}

/* One measure.json broken: it is named with the reason, the rest stand. */
static void test_broken(void) {
  char dir[512], path[1024];
  fresh("broken", 1, dir, sizeof dir);
  snprintf(path, sizeof path, "%s/" CFB_CHAR_BENCH_SUBDIR "/mixed/" CFB_CHAR_MEASURE_FILE, dir);
  FILE *f = fopen(path, "w");
  CHECK(f);
  fputs("{\"version\": 99}", f);
  fclose(f);
  report(dir);
  char *md = slurp(dir, "report.md");
  char *s = section(md);
  CHECK_STR_CONTAINS(s, "### mixed\n\nNot analysed: ");
  CHECK_STR_CONTAINS(s, "version 99");
  CHECK_STR_CONTAINS(s, "| sleep | io | ");
  CHECK(!strstr(s, "\n| mixed | "));
  free(md);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: test_report_char FIXTURES_DIR [test]\n");
    return 2;
  }
  fixtures = argv[1];
  snprintf(work, sizeof work, "/tmp/cfbench-test-report-char-XXXXXX");
  CHECK(mkdtemp(work));
  fprintf(stderr, "work dir: %s\n", work);
  static const test_case cases[] = {
      {"section", test_section}, {"absent", test_absent}, {"broken", test_broken}, {NULL, NULL}};
  int rc = run_tests(cases, argc, argv);
  if (rc == 0) nftw(work, rm_entry, 16, FTW_DEPTH | FTW_PHYS); /* kept on failure */
  return rc;
}
