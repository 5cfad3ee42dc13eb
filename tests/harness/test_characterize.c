/* test_characterize.c -- `cfbench characterize` end to end (the program's
 * path in argv[1], the test in argv[2]): characterize.json's schema and
 * contents on a fast I/O-bound workload (sleep, small delay: kind io, low
 * on-CPU fraction) and a CPU-bound one (primes: kind cpu, high fraction);
 * the report half re-analysing a saved directory holding only
 * measure.json (same answers, nothing run); each bad input exiting 2 with
 * one line.  No timing assertions: figures are only checked for their
 * kind and range, never against a speed. */
#define _GNU_SOURCE
#include "cli_child.h"

#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "task.h"

static const char *cfbench;
static char tmp[256], out_txt[300], err_txt[300];

static int run(const char *const *args) { return cli_child_run(cfbench, out_txt, err_txt, NULL, args); }
#define RUN(...) run((const char *const[]){__VA_ARGS__, NULL})

static size_t lines_of(const char *path) {
  FILE *f = fopen(path, "r");
  CHECK(f != NULL);
  size_t n = 0;
  int c;
  while ((c = fgetc(f)) != EOF) n += c == '\n';
  fclose(f);
  return n;
}

static json_t *load(const char *dir, const char *file) {
  char p[600];
  snprintf(p, sizeof p, "%s/%s", dir, file);
  json_error_t je;
  json_t *j = json_load_file(p, 0, &je);
  if (!j) fprintf(stderr, "%s: %s\n", p, je.text);
  CHECK(j != NULL);
  return j;
}

static int is_num_or_null(const json_t *v) { return json_is_number(v) || json_is_null(v); }

/* Every key the issue names, with the right type. */
static void check_backend(const json_t *b) {
  CHECK(json_is_object(b));
  const json_t *ms = json_object_get(b, "models");
  CHECK(json_is_array(ms));
  CHECK_EQ(json_array_size(ms), 3);
  for (size_t i = 0; i < 3; i++) {
    const json_t *m = json_array_get(ms, i);
    CHECK(json_is_string(json_object_get(m, "name")));
    if (json_is_true(json_object_get(m, "ok"))) {
      const json_t *par = json_object_get(m, "parameters");
      CHECK(json_is_object(json_object_get(par, "lambda")));
      CHECK(is_num_or_null(json_object_get(json_object_get(par, "lambda"), "ci_lo")));
      CHECK(is_num_or_null(json_object_get(m, "heldout_rmse")));
    }
  }
  CHECK(json_is_string(json_object_get(b, "chosen_model")));
  CHECK(is_num_or_null(json_object_get(b, "max_items_per_s")));
  CHECK(is_num_or_null(json_object_get(b, "n_peak")));
  CHECK(json_object_get(b, "n_peak") != NULL);
  CHECK(json_object_get(b, "n_knee") != NULL && is_num_or_null(json_object_get(b, "n_knee")));
  CHECK(json_number_value(json_object_get(b, "overhead_per_task_us")) > 0);
  CHECK_GE(json_integer_value(json_object_get(b, "recommended_chunksize")), 1);
}

static void check_schema(const char *dir, const char *kind) {
  json_t *j = load(dir, "characterize.json");
  CHECK(!strcmp(json_string_value(json_object_get(j, "kind")), kind));
  CHECK(json_is_number(json_object_get(j, "cpu_fraction")));
  const json_t *bs = json_object_get(j, "backends");
  check_backend(json_object_get(bs, "thread"));
  check_backend(json_object_get(bs, "process"));
  CHECK(json_is_number(json_object_get(j, "overhead_per_task_us")));
  CHECK(json_is_integer(json_object_get(j, "recommended_chunksize")));
  const json_t *r = json_object_get(j, "recommendation");
  const char *be = json_string_value(json_object_get(r, "backend"));
  CHECK(be && (!strcmp(be, "thread") || !strcmp(be, "process")));
  CHECK_GE(json_integer_value(json_object_get(r, "workers")), 1);
  CHECK_GE(json_integer_value(json_object_get(r, "chunksize")), 1);
  CHECK(is_num_or_null(json_object_get(r, "predicted_items_per_s")));
  CHECK(json_number_value(json_object_get(r, "measured_items_per_s")) > 0);
  json_decref(j);
  char p[600];
  snprintf(p, sizeof p, "%s/characterize.md", dir);
  CHECK_GT(lines_of(p), 10);
  snprintf(p, sizeof p, "%s/plots/characterize.gp", dir);
  CHECK(access(p, R_OK) == 0);
  snprintf(p, sizeof p, "%s/plots/characterize.dat", dir);
  CHECK(access(p, R_OK) == 0);
}

static double cpu_fraction(const char *dir) {
  json_t *j = load(dir, "characterize.json");
  double f = json_number_value(json_object_get(j, "cpu_fraction"));
  json_decref(j);
  return f;
}

#define QUICK "--max-workers", "8", "--repeat", "2", "--rep-time", "30ms", "--quiet", "--force"

/* The time box (charrule.h): every point's repetitions hold what its
 * pilot's rate gives in --rep-time (30 ms; at least two chunks of each
 * worker), and its chunksize was cut to give every worker two; the
 * recommended chunksize is the rule's, in measure.json's overhead. */
static void check_time_box(const char *dir, double rep_s) {
  json_t *m = load(dir, "measure.json"), *p;
  size_t i, piloted = 0;
  json_array_foreach(json_object_get(m, "points"), i, p) {
    double pilot = json_number_value(json_object_get(p, "pilot_items_per_s"));
    json_int_t items = json_integer_value(json_object_get(p, "items"));
    json_int_t w = json_integer_value(json_object_get(p, "workers"));
    json_int_t chunk = json_integer_value(json_object_get(p, "chunksize"));
    if (!(pilot > 0)) continue;
    piloted++;
    /* the file's figures carry fewer digits than the run's: +-1 */
    double want = ceil(fmax(pilot * rep_s, 2.0 * (double)w));
    CHECK_LE(fabs((double)items - want), 1);
    CHECK_LE(2 * w * chunk, items < 2 * w ? 2 * w : items);
  }
  CHECK_GT(piloted, 0);
  json_t *ov = json_object_get(m, "overhead"), *o;
  const char *key;
  json_object_foreach(ov, key, o) CHECK_GE(json_integer_value(json_object_get(o, "chunksize")), 1);
  json_decref(m);
}

/* The no-op calibration measures the pool, not the scheduler: at the
 * thread backend's default window (2 chunks at one worker) every no-op
 * woke the worker and the consumer, 1.2-1.7 context switches a task and
 * ~50 us a task under load; with the calibration's window the worker never
 * waits for the consumer.  A count, not a time: load adds preemptions,
 * a few per thousand tasks, not one per task. */
static void check_noop(const char *dir) {
  json_t *m = load(dir, "measure.json"), *o;
  const char *key;
  size_t n = 0;
  json_object_foreach(json_object_get(m, "overhead"), key, o) {
    double sw = json_number_value(json_object_get(o, "switches_per_task_chunk1"));
    fprintf(stderr, "   no-op on %s: %.3f context switches per task, %.2f us per task\n", key, sw,
            json_number_value(json_object_get(o, "us_chunk1")));
    CHECK_GE(json_integer_value(json_object_get(o, "window_items")), 64);
    CHECK(sw >= 0 && sw < 0.5);
    n++;
  }
  CHECK_EQ(n, 2);
  json_decref(m);
}

static void test_io_sleep(void) {
  char dir[300];
  snprintf(dir, sizeof dir, "%s/sleep", tmp);
  CHECK_EQ(RUN("characterize", "--workload", "sleep", "--param", "delay=2ms", "--out", dir, QUICK), 0);
  check_schema(dir, "io");
  CHECK(cpu_fraction(dir) < 0.2);
  check_time_box(dir, 0.03);
  check_noop(dir);
  /* the progress lines (not --quiet) and the summary fit 80 columns */
  const char *const loud[] = {"characterize", "--workload", "sleep", "--param", "delay=2ms", "--out", dir,
                              "--max-workers", "8", "--repeat", "2", "--rep-time", "30ms", "--force", NULL};
  CHECK_EQ(run(loud), 0);
  const char *const files[] = {out_txt, err_txt};
  for (int k = 0; k < 2; k++) {
    FILE *f = fopen(files[k], "r");
    char line[1024];
    CHECK(f != NULL);
    while (fgets(line, sizeof line, f)) CHECK_LE(strcspn(line, "\n"), 79);
    fclose(f);
  }
}

static void test_cpu_primes(void) {
  char dir[300];
  snprintf(dir, sizeof dir, "%s/primes", tmp);
  /* numbers near 1e12: about 1 ms of trial division each */
  CHECK_EQ(RUN("characterize", "--workload", "primes", "--param", "preset=range", "--param", "start=1000000000001",
               "--param", "count=200", "--out", dir, "--max-workers", "4", "--repeat", "2", "--rep-time", "30ms",
               "--quiet", "--force"),
           0);
  /* the figure the kind is decided on, in the log when the kind is wrong */
  fprintf(stderr, "   primes: on a CPU %.0f%% of its own time\n", 100 * cpu_fraction(dir));
  check_schema(dir, "cpu");
  CHECK(cpu_fraction(dir) > 0.8);
}

/* A directory holding only measure.json: the report half alone gives the
 * same characterize.json as the run that measured it. */
static void test_reanalyze(void) {
  char src[300], dst[300], cmd[700];
  snprintf(src, sizeof src, "%s/sleep", tmp);
  snprintf(dst, sizeof dst, "%s/copy", tmp);
  CHECK_EQ(mkdir(dst, 0755), 0);
  snprintf(cmd, sizeof cmd, "cp %s/measure.json %s/", src, dst);
  CHECK_EQ(system(cmd), 0);
  CHECK_EQ(RUN("characterize", "--from", dst), 0);
  json_t *a = load(src, "characterize.json"), *b = load(dst, "characterize.json");
  CHECK(json_equal(a, b));
  json_decref(a);
  json_decref(b);
}

static void expect_bad(const char *const *args, const char *needle) {
  CHECK_EQ(run(args), 2);
  CHECK_EQ(lines_of(err_txt), 1);
  FILE *f = fopen(err_txt, "r");
  char line[1024] = "";
  CHECK(fgets(line, sizeof line, f) != NULL);
  fclose(f);
  CHECK_STR_CONTAINS(line, needle);
}
#define BAD(needle, ...) expect_bad((const char *const[]){__VA_ARGS__, NULL}, needle)

static void test_bad_inputs(void) {
  char dir[300], bad[300];
  snprintf(dir, sizeof dir, "%s/bad", tmp);
  BAD("--workload (or --from DIR) is required", "characterize");
  BAD("unknown workload 'nosuch'", "characterize", "--workload", "nosuch", "--out", dir);
  BAD("is not KEY=VALUE", "characterize", "--workload", "sleep", "--param", "delay");
  BAD("characterize takes one", "characterize", "--workload", "sleep", "--param", "delay=1ms,2ms");
  BAD("delay", "characterize", "--workload", "sleep", "--param", "delay=abc", "--out", dir);
  /* run's parser: "\," reaches the workload as a comma, as it does for run */
  BAD("parameter delay=1,5ms:", "characterize", "--workload", "sleep", "--param", "delay=1\\,5ms", "--out", dir);
  BAD("parameter cmd is required", "characterize", "--workload", "exec", "--out", dir);
  CHECK(access(dir, F_OK) != 0); /* refused before the directory is made */
  /* nor the default results/characterize/NAME-TIME/ (relative to the cwd) */
  CHECK_EQ(chdir(tmp), 0);
  BAD("parameter cmd is required", "characterize", "--workload", "exec");
  BAD("delay", "characterize", "--workload", "sleep", "--param", "delay=abc");
  CHECK(access("results", F_OK) != 0);
  BAD("parameter 'delay' given twice", "characterize", "--workload", "sleep", "--param", "delay=1ms", "--param",
      "delay=2ms");
  BAD("--param delay: empty list", "characterize", "--workload", "sleep", "--param", "delay=");
  BAD("--repeat: bad value '1'", "characterize", "--workload", "sleep", "--repeat", "1");
  BAD("unknown option '--bogus'", "characterize", "--bogus");
  BAD("measure.json", "characterize", "--from", "/nonexistent/cf-characterize");
  /* a directory that is not a characterization says so; a bench's points one level down */
  snprintf(bad, sizeof bad, "%s/notchar", tmp);
  CHECK_EQ(mkdir(bad, 0755), 0);
  BAD("no measure.json there (characterize --out DIR writes one)", "characterize", "--from", bad);
  char sub[400];
  snprintf(sub, sizeof sub, "%s/characterize", bad);
  CHECK_EQ(mkdir(sub, 0755), 0);
  BAD("no measure.json there; a bench's characterizations are in its characterize/NAME/", "characterize", "--from",
      bad);
  snprintf(bad, sizeof bad, "%s/badver", tmp);
  CHECK_EQ(mkdir(bad, 0755), 0);
  char p[400];
  snprintf(p, sizeof p, "%s/measure.json", bad);
  FILE *f = fopen(p, "w");
  fputs("{\"version\": 99, \"points\": [], \"profile\": {}}\n", f);
  fclose(f);
  BAD("version 99, this program reads version 1", "characterize", "--from", bad);
  f = fopen(p, "w");
  fputs("{\"version\": 1, \"points\": [{\"backend\": \"gpu\"}], \"profile\": {}}\n", f);
  fclose(f);
  BAD("point 0: a point without a backend", "characterize", "--from", bad);
  f = fopen(p, "w");
  fputs("{\"version\": 1, ", f);
  fclose(f);
  BAD("measure.json", "characterize", "--from", bad);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s CFBENCH TEST\n", argv[0]);
    return 2;
  }
  cfbench = argv[1];
  snprintf(tmp, sizeof tmp, "/tmp/cf_test_char_XXXXXX");
  CHECK(mkdtemp(tmp) != NULL);
  snprintf(out_txt, sizeof out_txt, "%s/out.txt", tmp);
  snprintf(err_txt, sizeof err_txt, "%s/err.txt", tmp);
  if (!strcmp(argv[2], "io_sleep_and_reanalyze")) {
    test_io_sleep();
    test_reanalyze();
  } else if (!strcmp(argv[2], "cpu_primes")) {
    test_cpu_primes();
  } else if (!strcmp(argv[2], "bad_inputs")) {
    test_bad_inputs();
  } else {
    fprintf(stderr, "unknown test %s\n", argv[2]);
    return 2;
  }
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
  if (system(cmd) != 0) return 1;
  puts("ok");
  return 0;
}
