/* test_console.c -- what the terminal shows: text cut to a width with an
 * ellipsis, the progress line fits its terminal, the ETA from measured
 * step times counts down without jumping, the winner phrase, the final
 * tables fit 80 columns (long parameters wrapped, PU lists cut with "…"). */
#include <math.h>

#include "console.h"
#include "format.h"
#include "task.h"

static void test_fit(void) {
  char b[64];
  cfb_fmt_fit(b, sizeof b, "count=1000", 40);
  CHECK(!strcmp(b, "count=1000"));
  cfb_fmt_fit(b, sizeof b, "count=1000", 8);
  CHECK(!strcmp(b, "count=1\xE2\x80\xA6")); /* never "count=10" silently */
  CHECK_EQ(cfb_fmt_cols(b), 8);
  cfb_fmt_fit(b, sizeof b, "count=1000", 10);
  CHECK(!strcmp(b, "count=1000"));
  cfb_fmt_fit(b, 6, "abcdefghij", 40); /* buffer smaller than the text: cut, still an ellipsis */
  CHECK_LE(strlen(b), 5);
  cfb_fmt_fit(b, sizeof b, "\xC3\xA9\xC3\xA9\xC3\xA9", 2); /* UTF-8 counted by characters */
  CHECK(!strcmp(b, "\xC3\xA9\xE2\x80\xA6"));
}

static void test_speedup(void) {
  char b[96];
  cfb_fmt_speedup(b, sizeof b, "thread", "process", "b", 0.5, 0.4, 0.8);
  CHECK(!strcmp(b, "process 2.00x faster [1.25, 2.50]"));
  cfb_fmt_speedup(b, sizeof b, "thread", "process", "a", 1.9, 1.8, 2.0);
  CHECK(!strcmp(b, "thread 1.90x faster [1.80, 2.00]"));
  cfb_fmt_speedup(b, sizeof b, "thread", "process", "equivalent", 1.0, 0.99, 1.01);
  CHECK(!strncmp(b, "equivalent", 10));
  cfb_fmt_speedup(b, sizeof b, "thread", "process", "undecided", 1.0, NAN, NAN);
  CHECK(!strncmp(b, "undecided", 9));
}

static void test_line_fits(void) {
  const char *label = "primes preset=range,start=1000001,count=10000,gil=off,work_scale=1 process w=4 c=256 pin=none";
  static const size_t widths[] = {20, 40, 80, 160};
  for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
    char line[1024];
    cfb_progress_line(line, sizeof line, widths[i], 3, 10, "round 2/5 13/108", "1:23", label, "rep 3/5");
    CHECK_LE(cfb_fmt_cols(line), widths[i] - 1);
    if (widths[i] >= 80) {
      CHECK(strstr(line, "ETA 1:23"));
      CHECK(strstr(line, "rep 3/5"));
      CHECK(strstr(line, "\xE2\x80\xA6")); /* the label was cut, visibly */
    }
  }
  char line[1024];
  cfb_progress_line(line, sizeof line, 400, 3, 10, "3/10", "0:10", label, "rep 1/5");
  CHECK(strstr(line, label)); /* wide enough: the whole label */
}

/* Two configurations, one 1 s a step and one 9 s, alternating, 10 steps
 * each: the ETA counts down towards the truth and never jumps by more
 * than the new estimate's third. */
static void test_eta(void) {
  cfb_sweep_config cfg[2];
  memset(cfg, 0, sizeof cfg);
  cfb_sweep sw = {cfg, 2, 10, NULL};
  cfb_progress p;
  FILE *f = tmpfile();
  CHECK(f);
  cfb_progress_init(&p, f, &sw, 20);
  p.t0 = p.last = 0;
  CHECK(isnan(cfb_progress_eta(&p, 0)));
  double t = 0, prev = NAN;
  for (int s = 0; s < 20; s++) {
    size_t k = (size_t)s % 2;
    t += k ? 9 : 1;
    cfb_progress_note_step(&p, k, t);
    double eta = cfb_progress_eta(&p, t), truth = (20 - s - 1) / 2 * 10.0 + (k ? 0 : 9);
    CHECK(isfinite(eta));
    if (s >= 4) CHECK_NEAR(eta, truth, 0.35 * truth + 5);
    if (s >= 2 && isfinite(prev)) CHECK_LE(fabs(eta - prev), 0.5 * prev + 9.5);
    prev = eta;
  }
  CHECK_NEAR(cfb_progress_eta(&p, t), 0, 1e-9);
  CHECK_NEAR(cfb_progress_eta(&p, t - 5), 5, 1e-9); /* counts down between steps */
  cfb_progress_finish(&p);
  fclose(f);
}

/* Every line of f (rewound) at most `max` display columns; how many lines
 * hold `needle`. */
static size_t lines_fit(FILE *f, size_t max, const char *needle) {
  char line[2048];
  size_t hits = 0;
  rewind(f);
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = '\0';
    if (cfb_fmt_cols(line) > max) fprintf(stderr, "%zu columns > %zu: %s\n", cfb_fmt_cols(line), max, line);
    CHECK_LE(cfb_fmt_cols(line), max);
    hits += strstr(line, needle) != NULL;
  }
  return hits;
}

/* The run's closing tables (configurations, verdicts) for a terminal of
 * 80 columns: no line wider than 79 however long the parameters, the
 * figures or a PU list; the parameters wrapped whole at 80 and on one
 * line at 300, each group's parameters once above its rows. */
static void test_tables_fit(void) {
  static const char params[] = "preset=range,start=1000001,count=10000,gil=off,work_scale=1,extra=aaaaaaaaaaaa";
  int pus[40];
  char label[200] = "list:";
  for (int i = 0; i < 40; i++) {
    pus[i] = i;
    snprintf(label + strlen(label), sizeof label - strlen(label), "%s%d", i ? "," : "", i);
  }
  cfb_sweep_config cfg[3];
  cfb_config_result res[3];
  memset(cfg, 0, sizeof cfg);
  memset(res, 0, sizeof res);
  for (int i = 0; i < 3; i++) {
    cfg[i].w = cf_wk_at(0);
    cfg[i].params = (char *)params;
    cfg[i].backend = i ? CFB_BK_PROCESS : CFB_BK_THREAD;
    cfg[i].workers = 4096;
    cfg[i].chunksize = 16777216;
    res[i].cfg = &cfg[i];
    res[i].s = (cfb_summary){5, 123456789.0, 98765432.1, 0, 0, 1.5e-3, 987654321.0, 0, 0};
    res[i].efficiency_median = 1.11;
  }
  cfg[2].pin = CF_PIN_LIST;
  cfg[2].pin_list = (cfb_pin_list){pus, 40, label};
  res[2].status = CFB_CFG_FAILED;
  snprintf(res[2].error, sizeof res[2].error, "executor: no");
  cfb_verdict v[2] = {{&cfg[0], &cfg[1], {0}}, {&cfg[2], &cfg[1], {0}}};
  v[0].r = (cfb_paired){8, 1.9, 1.8, 2.0, 0.95, 0.05, 1, CFB_PAIRED_A};
  v[1].r = (cfb_paired){8, 0.5, 0.45, 0.55, 0.95, 0.05, 1, CFB_PAIRED_B};
  FILE *f = tmpfile();
  CHECK(f);
  cfb_console_table(f, res, 3, 80);
  cfb_console_verdicts(f, v, 2, 80);
  /* cut visibly: the PU list in each table; the group line of each table
   * wrapped whole (it was cut with "…" too, hiding the last parameters) */
  CHECK_EQ(lines_fit(f, 79, "\xE2\x80\xA6"), 2);
  CHECK_EQ(lines_fit(f, 79, "    extra=aaaaaaaaaaaa"), 2);
  CHECK_EQ(lines_fit(f, 79, "list:0,"), 2);
  CHECK_EQ(lines_fit(f, 79, "123M"), 3);         /* every row's figures are whole */
  CHECK_EQ(lines_fit(f, 79, "executor: no"), 1); /* the failure's reason, under its row */
  fclose(f);
  CHECK((f = tmpfile()));
  cfb_console_table(f, res, 3, 300);
  CHECK_EQ(lines_fit(f, 299, params), 1);
  fclose(f);
}

/* An undecided pair whose 3 rounds cannot reach 95% is said so, with the
 * rounds that can (its range [2.02, 2.16] excludes 1: "CI too wide" would
 * be wrong); one with rounds enough gets no such line. */
static void test_unreachable(void) {
  cfb_sweep_config cfg[2] = {0};
  cfg[0].backend = CFB_BK_THREAD;
  cfg[1].backend = CFB_BK_PROCESS;
  cfb_seq_plan plan;
  CHECK_EQ(cfb_seq_plan_init(&plan, 3, 3, 0.05, CFB_SEQ_SHAPE), 0);
  cfb_verdict v[2] = {{&cfg[0], &cfg[1], {0}}, {&cfg[0], &cfg[1], {0}}};
  v[0].r = (cfb_paired){3, 2.11, 2.02, 2.16, 0.95, 0.03, 0, CFB_PAIRED_UNDECIDED};
  v[1].r = (cfb_paired){8, 1.01, 0.9, 1.1, 0.95, 0.1, 1, CFB_PAIRED_UNDECIDED};
  char buf[512] = "";
  FILE *f = tmpfile();
  CHECK(f);
  cfb_console_unreachable(f, &plan, v, 2);
  rewind(f);
  size_t got = fread(buf, 1, sizeof buf - 1, f);
  buf[got] = '\0';
  fclose(f);
  CHECK_STR_CONTAINS(buf, "1 undecided: 3 rounds cannot reach the 95% level; needs >= 6\n");
  CHECK(!strstr(buf, "8 rounds"));
  CHECK((f = tmpfile()));
  cfb_console_unreachable(f, &plan, v + 1, 1);
  CHECK_EQ(ftell(f), 0);
  fclose(f);
}

int main(void) {
  test_fit();
  test_tables_fit();
  test_speedup();
  test_line_fits();
  test_eta();
  test_unreachable();
  printf("ok: console\n");
  return 0;
}
