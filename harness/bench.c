/* bench.c -- the commands that join the two halves of the harness, which
 * is why they live on top of them:
 *   cfbench bench  `cfbench run --suite default` into a fresh results
 *                  directory (run/), `cfbench characterize` of each
 *                  built-in workload into its characterize/NAME/ (run/
 *                  measures, report/ analyses), then `cfbench plot` and
 *                  `cfbench report` on that directory (report/, which
 *                  finds the characterizations there);
 *   cfbench run    the run (run/), then the Google Benchmark JSON that
 *                  --export-gbench asks for (report/export.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "characterize.h"
#include "characterize_run.h"
#include "charrule.h"
#include "cmd_report.h"
#include "cmd_run.h"
#include "env.h"
#include "export.h"
#include "json.h"
#include "output.h"

/* The characterizations' measuring effort: the shortest repetitions and
 * the fewest rounds characterize allows, so the five built-in workloads
 * take about a minute of ./run.sh bench's six (the rounds interleave the
 * points, so drift hits all of them alike even so). */
#define BENCH_CHAR_REP_S 0.05
/* I/O-bound work would go to 256 workers; the default suite's sweeps stop
 * at 64, and a process pool of 256 forked per repetition is most of the
 * time (CPU-bound sweeps stay below this anyway). */
#define BENCH_CHAR_MAX_WORKERS 64
#define BENCH_CHAR_REPEAT 3

/* `cfbench run`: the run (run/), then the Google Benchmark JSON that
 * --export-gbench asked for (report/), also of an interrupted or partly
 * failed run (it covers what finished). */
int cfb_cmd_run_export(int argc, char **argv) {
  cfb_run_outcome out;
  int rc = cfb_cmd_run_outcome(argc, argv, &out);
  if (rc == 2 || !out.export_gbench[0]) return rc;
  char err[512];
  if (cfb_export(out.dir, CFB_EXPORT_GBENCH, out.export_gbench, err, sizeof err)) {
    fprintf(stderr, "cfbench run: %s\n", err);
    return rc ? rc : 1;
  }
  return rc;
}

/* Characterize one workload with its default parameters into
 * dir/characterize/NAME/ and print its summary.  0, 128 + the signal when
 * one stopped it (its measure.json keeps what it measured), or
 * 1 (one line on stderr; the other workloads go on). */
static int characterize_one(const char *dir, const cf_workload *w, uint64_t seed) {
  char sub[4300], err[512];
  snprintf(sub, sizeof sub, "%s/" CFB_CHAR_BENCH_SUBDIR "/%s", dir, w->name);
  cfb_char_spec s = {w->name, w, NULL, 0, sub, 0, BENCH_CHAR_MAX_WORKERS, BENCH_CHAR_REPEAT, BENCH_CHAR_REP_S, seed, 0};
  int wrote = 0, rc = cfb_out_prepare_dir(sub, 1, err, sizeof err);
  if (!rc) rc = cfb_char_measure(&s, &wrote, err, sizeof err);
  if (rc > 128) return rc; /* SIGINT or SIGTERM: the bench stops (it went on after a SIGTERM) */
  if (rc) {
    fprintf(stderr, "cfbench bench: characterize %s: %s\n", w->name, err);
    return 1;
  }
  rc = cfb_char_report(sub, stdout);
  printf("\n");
  return rc ? 1 : 0;
}

/* Every built-in workload that runs with its defaults (not exec, which
 * needs a command): what kind it is and how to run it, for the report. */
static int characterize_builtins(const char *dir) {
  int bad = 0;
  for (size_t i = 0; i < cf_wk_count(); i++) {
    const cf_workload *w = cf_wk_at(i);
    char *canon = NULL, err[256];
    int usable = cf_wk_params_check(w, NULL, 0, &canon, err, sizeof err) == 0;
    free(canon);
    if (!usable) continue;
    printf("cfbench bench: characterize %s\n", w->name);
    fflush(stdout);
    int rc = characterize_one(dir, w, 1 + i);
    if (rc > 128) return rc;
    bad |= rc;
  }
  return bad;
}

/* The sweep's outcome again, last (the characterizations' output came
 * between): rounds and decided verdicts, from meta.json. */
static void say_outcome(const char *dir) {
  char path[4200], err[256];
  snprintf(path, sizeof path, "%s/meta.json", dir);
  json_t *m = cfb_json_load_file(path, err, sizeof err);
  double rounds, nv, nd;
  if (m && !cfb_json_get_number(m, "run.rounds", &rounds) && !cfb_json_get_number(m, "run.verdicts", &nv) &&
      !cfb_json_get_number(m, "run.verdicts_decided", &nd))
    printf("sweep: %.0f rounds, %.0f of %.0f paired verdicts decided (%s/verdicts.csv)\n", rounds, nd, nv, dir);
  json_decref(m);
}

int cfb_cmd_bench(int argc, char **argv) {
  char *args[64];
  int n = 0;
  args[n++] = "run";
  args[n++] = "--suite";
  args[n++] = "default";
  char stamp[32], dir[4096] = "";
  int has_out = 0, characterize = 1;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      printf("usage: cfbench bench [--out DIR] [--no-characterize] [run options: --seed\n"
             "                     --counters --repeat --rounds --max-time --force]\n"
             "runs `cfbench run --suite default` into DIR (default\n"
             "results/runs/<UTC time>/), `cfbench characterize` of each built-in\n"
             "workload into DIR/" CFB_CHAR_BENCH_SUBDIR "/NAME/ (not with --no-characterize),\n"
             "then `cfbench plot DIR` and `cfbench report DIR`.\n"
             /* suites/default.json's min-rounds, max-rounds, budget, plan-stretch
              * (tests/harness/sweep_files.sh checks they agree) */
             "The suite's adaptive rounds (6..100) end within its --budget 300s: after\n"
             "round 1 the rounds that fit the budget at round 1's pace (every pair\n"
             "to the end), those past 6 times 6 (--plan-stretch), fix the plan's\n"
             "max (a 'plan:' line), and the budget ends the run; on a machine too\n"
             "slow for 6 rounds of every configuration the points between each\n"
             "workers/chunksize grid's ends are dropped, finest first, until 6\n"
             "fit; if not even the ends fit, the\n"
             "run stops after round 1 with a WARNING naming the budget that would\n"
             "fit, and plots and reports round 1 (nothing decided)\n"
             "(cfbench run --help, docs/cfbench.md)\n");
      return 0;
    }
    if (!strcmp(argv[i], "--no-characterize")) {
      characterize = 0;
      continue;
    }
    if (!strcmp(argv[i], "--suite") || !strncmp(argv[i], "--suite=", 8)) {
      fprintf(stderr, "cfbench bench: --suite is not allowed (bench runs the default suite; use cfbench run)\n");
      return 2;
    }
    if (!strcmp(argv[i], "--out") || !strncmp(argv[i], "--out=", 6)) has_out = 1;
    if (n >= 60) {
      fprintf(stderr, "cfbench bench: too many arguments\n");
      return 2;
    }
    args[n++] = argv[i];
  }
  if (!has_out) {
    cfb_utc_stamp(stamp, sizeof stamp, 0);
    snprintf(dir, sizeof dir, "results/runs/%s", stamp);
    args[n++] = "--out";
    args[n++] = dir;
  }
  args[n] = NULL;
  int rc = cfb_cmd_run_into(n, args, dir, sizeof dir);
  if (rc == 2 || rc > 128) return rc; /* bad input, or interrupted (SIGINT/SIGTERM) */
  int crc = characterize ? characterize_builtins(dir) : 0;
  if (crc > 128) return crc;
  char *pargs[] = {"plot", dir, NULL};
  int prc = cfb_cmd_plot(2, pargs);
  char *rargs[] = {"report", dir, NULL};
  int rrc = cfb_cmd_report(2, rargs);
  char path[4200];
  snprintf(path, sizeof path, "%s/report.md", dir);
  say_outcome(dir);
  if (rrc == 0) printf("report: %s\n", access(path, R_OK) == 0 ? path : dir);
  else printf("results: %s (the report could not be made)\n", dir);
  return rc ? rc : (prc || rrc || crc) ? 1 : 0;
}
