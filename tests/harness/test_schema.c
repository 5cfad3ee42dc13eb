/* test_schema.c -- the documented columns and keys are the ones the code
 * writes and reads: the column tables of docs/results-format.md and the
 * README, and the meta.json example, against harness/common/schema.h.  A
 * column renamed, added or dropped in one place and not the other fails
 * here, naming it.  argv[1] is the source tree. */
#include <jansson.h>
#include <string.h>

#include "fileio.h"
#include "schema.h"
#include "task.h"

static const char *src;

__attribute__((noinline)) static char *slurp(const char *name) {
  char path[1024], *buf = NULL;
  snprintf(path, sizeof path, "%s/%s", src, name);
  int rc = cfb_read_file(path, &buf, NULL);
  if (rc != 0) fprintf(stderr, "cannot read %s\n", path);
  CHECK(rc == 0);
  return buf;
}

/* Index of `name` in cols, or -1. */
static int index_of(const char *const *cols, const char *name) {
  for (int i = 0; cols[i]; i++)
    if (!strcmp(cols[i], name)) return i;
  return -1;
}

static void trim(char *s) {
  char *a = s, *e;
  while (*a == ' ' || *a == '`') a++;
  memmove(s, a, strlen(a) + 1);
  e = s + strlen(s);
  while (e > s && (e[-1] == ' ' || e[-1] == '`')) *--e = '\0';
}

/* The column names of the first table after the heading that starts with
 * `heading`, in order: each row's first cell, split at commas; "a … b"
 * stands for every schema column from a to b. */
static size_t doc_columns(const char *text, const char *heading, const char *const *cols,
                          char names[][32], size_t max) {
  const char *h = strstr(text, heading);
  if (!h) fprintf(stderr, "no heading '%s'\n", heading);
  CHECK(h);
  const char *p = strstr(h, "\n|");
  CHECK(p);
  p = strchr(p + 1, '\n') + 1; /* header row */
  p = strchr(p, '\n') + 1;     /* separator */
  size_t n = 0;
  while (*p == '|') {
    const char *end = strchr(p + 1, '|');
    CHECK(end);
    char cell[256];
    snprintf(cell, sizeof cell, "%.*s", (int)(end - p - 1), p + 1);
    char *save = NULL;
    for (char *t = strtok_r(cell, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
      char *dots = strstr(t, "…");
      if (dots) { /* a range of schema columns */
        *dots = '\0';
        char a[64], b[64];
        snprintf(a, sizeof a, "%s", t);
        snprintf(b, sizeof b, "%s", dots + strlen("…"));
        trim(a);
        trim(b);
        int ia = index_of(cols, a), ib = index_of(cols, b);
        CHECK(ia >= 0 && ib >= ia);
        for (int i = ia; i <= ib && n < max; i++) snprintf(names[n++], 32, "%s", cols[i]);
        continue;
      }
      trim(t);
      CHECK(n < max);
      snprintf(names[n++], 32, "%s", t);
    }
    p = strchr(end, '\n');
    if (!p) break;
    p++;
  }
  return n;
}

static void check_table(const char *file, const char *heading, const char *const *cols, int ncols) {
  char *text = slurp(file);
  char names[128][32];
  size_t n = doc_columns(text, heading, cols, names, 128);
  for (size_t i = 0; i < n || i < (size_t)ncols; i++) {
    const char *doc = i < n ? names[i] : "(none)", *code = i < (size_t)ncols ? cols[i] : "(none)";
    if (strcmp(doc, code))
      fprintf(stderr, "%s, %s: column %zu is '%s' in the docs, '%s' in schema.h\n", file, heading,
              i + 1, doc, code);
    CHECK(!strcmp(doc, code));
  }
  free(text);
}

static void test_runs_columns(void) {
  check_table("docs/results-format.md", "## runs.csv", cfb_runs_columns, CFB_RUNS_NCOLS);
  check_table("README.md", "### runs.csv", cfb_runs_columns, CFB_RUNS_NCOLS);
}

static void test_summary_columns(void) {
  check_table("docs/results-format.md", "## summary.csv", cfb_summary_columns, CFB_SUM_NCOLS);
  check_table("README.md", "### summary.csv", cfb_summary_columns, CFB_SUM_NCOLS);
}

static void test_verdicts_columns(void) {
  check_table("docs/results-format.md", "## verdicts.csv", cfb_verdicts_columns, CFB_VER_NCOLS);
  /* statistics.md lists them in prose: `a, b, ...` after this phrase */
  char *text = slurp("docs/statistics.md");
  const char *at = strstr(text, "declared once in the result schema: `");
  CHECK(at);
  at = strchr(at, '`') + 1;
  char list[512];
  snprintf(list, sizeof list, "%.*s", (int)strcspn(at, "`"), at);
  int i = 0;
  char *save = NULL;
  for (char *t = strtok_r(list, ", \n", &save); t; t = strtok_r(NULL, ", \n", &save), i++) {
    if (i >= CFB_VER_NCOLS || strcmp(t, cfb_verdicts_columns[i]))
      fprintf(stderr, "docs/statistics.md: verdicts.csv column %d is '%s', '%s' in schema.h\n", i + 1, t,
              i < CFB_VER_NCOLS ? cfb_verdicts_columns[i] : "(none)");
    CHECK(i < CFB_VER_NCOLS && !strcmp(t, cfb_verdicts_columns[i]));
  }
  CHECK_EQ(i, CFB_VER_NCOLS);
  free(text);
}

/* Every dotted path of the leaves of o, in order. */
static void flatten(const json_t *o, const char *prefix, char keys[][64], size_t *n, size_t max) {
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)o, k, v) {
    char path[64];
    snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", k);
    if (json_is_object(v)) flatten(v, path, keys, n, max);
    else if (*n < max) snprintf(keys[(*n)++], 64, "%s", path);
  }
}

static void test_meta_keys(void) {
  char *text = slurp("docs/results-format.md");
  const char *h = strstr(text, "## meta.json");
  CHECK(h);
  const char *a = strstr(h, "```json\n");
  CHECK(a);
  a += strlen("```json\n");
  const char *b = strstr(a, "```");
  CHECK(b);
  json_error_t e;
  json_t *j = json_loadb(a, (size_t)(b - a), 0, &e);
  if (!j) fprintf(stderr, "meta.json example: line %d: %s\n", e.line, e.text);
  CHECK(j);
  char keys[128][64];
  size_t n = 0;
  flatten(j, "", keys, &n, 128);
  for (size_t i = 0; i < n || i < CFB_META_NKEYS; i++) {
    const char *doc = i < n ? keys[i] : "(none)", *code = i < CFB_META_NKEYS ? cfb_meta_keys[i] : "(none)";
    if (strcmp(doc, code))
      fprintf(stderr, "meta.json key %zu is '%s' in the docs, '%s' in schema.h\n", i + 1, doc, code);
    CHECK(!strcmp(doc, code));
  }
  /* config.sweeps' objects: the example's first sweep has every key of
   * CFB_META_SWEEP_KEYS, in order, the axes as arrays. */
  const json_t *sw = json_array_get(json_object_get(json_object_get(j, "config"), "sweeps"), 0);
  CHECK(json_is_object(sw));
  CHECK_EQ(json_object_size(sw), (size_t)CFB_SWEEP_NKEYS);
  const char *k;
  json_t *v;
  int i = 0;
  json_object_foreach((json_t *)sw, k, v) {
    if (i >= CFB_SWEEP_NKEYS || strcmp(k, cfb_sweep_keys[i]))
      fprintf(stderr, "config.sweeps key %d is '%s' in the docs, '%s' in schema.h\n", i + 1, k,
              i < CFB_SWEEP_NKEYS ? cfb_sweep_keys[i] : "(none)");
    CHECK(i < CFB_SWEEP_NKEYS && !strcmp(k, cfb_sweep_keys[i]));
    CHECK_EQ(json_is_array(v), i < CFB_SWEEP_ITEMS);
    i++;
  }
  json_decref(j);
  free(text);
}

/* The line of `file` that starts with `start` (after `heading`) says `needle`. */
static void check_line_says(const char *file, const char *heading, const char *start, const char *needle) {
  char *text = slurp(file);
  const char *h = strstr(text, heading);
  if (!h) fprintf(stderr, "%s: no heading '%s'\n", file, heading);
  CHECK(h);
  const char *l = strstr(h, start);
  if (!l) fprintf(stderr, "%s: no line '%s' after '%s'\n", file, start, heading);
  CHECK(l);
  size_t n = strcspn(l, "\n");
  char line[1024];
  snprintf(line, sizeof line, "%.*s", (int)n, l);
  if (!strstr(line, needle)) fprintf(stderr, "%s: '%s' does not say '%s'\n", file, line, needle);
  CHECK(strstr(line, needle) != NULL);
  free(text);
}

/* compare.md's verdict rule is the gate's (paired_gate.c): the threshold
 * widened to the runs' noise floor, not --threshold alone. */
static void test_compare_rule(void) {
  check_line_says("docs/compare.md", "## What it decides", "| slower |", "max(threshold, floor)");
  /* and its configuration is runs_load.c's key: mode included */
  check_line_says("docs/compare.md", "## What it decides", "A configuration is (", "pin,");
  check_line_says("docs/compare.md", "## What it decides", "mode): a configuration", "mode=M");
}

/* An integer key of suites/NAME.json. */
static long suite_int(const char *name, const char *key) {
  char file[64];
  snprintf(file, sizeof file, "suites/%s.json", name);
  char *text = slurp(file);
  json_error_t e;
  json_t *j = json_loads(text, 0, &e);
  CHECK(j && json_is_integer(json_object_get(j, key)));
  long v = (long)json_integer_value(json_object_get(j, key));
  json_decref(j);
  free(text);
  return v;
}

/* docs/cfbench.md's figures of the suites are the suite files': the
 * default suite's cap, ci's adaptive rounds (it said 40, and "5
 * repetitions in 5 rounds"). */
static void test_suite_docs(void) {
  char want[128];
  snprintf(want, sizeof want, "The default suite's cap is %ld", suite_int("default", "max-rounds"));
  check_line_says("docs/cfbench.md", "## cfbench run", "The default suite's cap is", want);
  snprintf(want, sizeof want, "adaptive rounds %ld..%ld within", suite_int("ci", "min-rounds"),
           suite_int("ci", "max-rounds"));
  check_line_says("docs/cfbench.md", "## Suites", "| `ci` |", want);
  snprintf(want, sizeof want, "adaptive rounds %ld..%ld within", suite_int("default", "min-rounds"),
           suite_int("default", "max-rounds"));
  check_line_says("docs/cfbench.md", "## Suites", "| `default` |", want);
}

/* The tables themselves: names unique, arrays and enums agree, the
 * configuration columns lead both CSVs. */
static void test_tables(void) {
  CHECK_EQ(cfb_runs_columns[CFB_RUNS_NCOLS] == NULL, 1);
  CHECK_EQ(cfb_summary_columns[CFB_SUM_NCOLS] == NULL, 1);
  CHECK(!strcmp(CFB_RUNS(ITEMS_PER_S), "items_per_s"));
  CHECK(!strcmp(CFB_SUM(MEDIAN), "median"));
  CHECK(!strcmp(CFB_META(CPU_MODEL), "machine.cpu_model"));
  for (int i = 0; i < CFB_CONFIG_NCOLS; i++) CHECK(!strcmp(cfb_runs_columns[i], cfb_summary_columns[i]));
  for (int i = 0; i < CFB_RUNS_NCOLS; i++) CHECK_EQ(index_of(cfb_runs_columns, cfb_runs_columns[i]), i);
  for (int i = 0; i < CFB_SUM_NCOLS; i++) CHECK_EQ(index_of(cfb_summary_columns, cfb_summary_columns[i]), i);
  for (int i = 0; i < CFB_META_NKEYS; i++) CHECK_EQ(index_of(cfb_meta_keys, cfb_meta_keys[i]), i);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: test_schema SOURCE_DIR [test]\n");
    return 2;
  }
  src = argv[1];
  static const test_case cases[] = {{"tables", test_tables},
                                    {"runs_columns", test_runs_columns},
                                    {"summary_columns", test_summary_columns},
                                    {"verdicts_columns", test_verdicts_columns},
                                    {"meta_keys", test_meta_keys},
                                    {"compare_rule", test_compare_rule},
                                    {"suite_docs", test_suite_docs},
                                    {NULL, NULL}};
  return run_tests(cases, argc, argv);
}
