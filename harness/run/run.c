/* run.c -- `cfbench run`: parse, expand and validate
 * the sweep (bad input: exit 2 before anything is written), then run it in
 * rounds: each round runs every configuration still active, in that
 * round's randomized order, for its share of the repetitions, appending
 * runs.csv row by row; finally summarize every configuration over all of
 * its rows and write summary.csv, results.json and meta.json atomically.
 * SIGINT stops after the current repetition; what finished is kept and
 * summarized (exit 130).  A failed configuration is reported, sits out
 * the later rounds, and the run goes on (exit 1 at the end). */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd_run.h"
#include "console.h"
#include "env.h"
#include "output.h"
#include "runner.h"
#include "sweep.h"

typedef struct run_ctx {
  FILE *runs;
  int write_failed;
  cf_row *rows;
  size_t nrows, cap;
  cf_progress progress;
  int round;       /* the round running (0-based) */
  size_t current;  /* 1-based place of the configuration running in the round's order */
  int any_failed;
  int oom;
} run_ctx;

static void on_row(void *ud, cf_row *row) {
  run_ctx *x = ud;
  if (!row->ok) x->any_failed = 1;
  if (x->runs && cf_out_runs_append(x->runs, row) != 0 && !x->write_failed) {
    x->write_failed = 1;
    fprintf(stderr, "cfbench run: writing runs.csv failed: %s\n", strerror(errno));
  }
  if (x->nrows == x->cap) {
    size_t cap = x->cap ? x->cap * 2 : 64;
    cf_row *nr = realloc(x->rows, cap * sizeof *nr);
    if (!nr) { /* the row is on disk; keep going without it in memory */
      free(row->metrics);
      x->oom = 1;
      return;
    }
    x->rows = nr;
    x->cap = cap;
  }
  x->rows[x->nrows++] = *row;
}

static void on_rep(void *ud, const cf_sweep_config *c, int warm, int rep, int n) {
  run_ctx *x = ud;
  cf_progress_rep(&x->progress, x->round, x->current, c, warm, rep, n);
}

/* Rounds after `round` in which c has repetitions planned. */
static size_t later_steps(const cf_sweep *sw, const cf_sweep_config *c, int round) {
  size_t n = 0;
  for (int r = round + 1; r < sw->rounds; r++) n += cf_sweep_round_share(c, sw->rounds, r) > 0;
  return n;
}

static uint64_t clock_seed(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t s = (uint64_t)ts.tv_sec * 1000003u ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 20);
  return cf_rng_next(&s) % 1000000000u; /* short enough to retype */
}

static int run_main(int argc, char **argv, char *out_dir_used, size_t out_len) {
  char err[512];
  cf_run_opts o;
  int rc = cf_run_opts_parse(argc, argv, &o, err, sizeof err);
  if (rc == 1) return 0; /* --help */
  if (rc) {
    fprintf(stderr, "cfbench run: %s\n", err);
    return 2;
  }
  uint64_t seed = o.seed_given ? o.seed : clock_seed();
  cf_sweep sw;
  if ((rc = cf_sweep_expand(&o, seed, &sw, err, sizeof err))) {
    fprintf(stderr, "cfbench run: %s\n", err);
    cf_run_opts_free(&o);
    return 2;
  }
  char dir[4096];
  if (o.out) snprintf(dir, sizeof dir, "%s", o.out);
  else {
    char stamp[32];
    cf_utc_stamp(stamp, sizeof stamp, 0);
    snprintf(dir, sizeof dir, "results/runs/%s", stamp);
  }
  if (out_dir_used) snprintf(out_dir_used, out_len, "%s", dir);
  FILE *runs = NULL;
  if ((rc = cf_out_prepare_dir(dir, o.force, err, sizeof err)) ||
      !(runs = cf_out_runs_open(dir, err, sizeof err))) {
    fprintf(stderr, "cfbench run: %s\n", err);
    cf_sweep_free(&sw);
    cf_run_opts_free(&o);
    return 2;
  }

  cf_env env;
  cf_env_capture(&env);
  cf_counters *ctr = NULL;
  cf_config_result *res = calloc(sw.n, sizeof *res);
  for (size_t i = 0; res && i < sw.n; i++) cf_runner_init(&res[i], &sw.cfg[i]);
  if (cf_counters_open(o.counters, &ctr) != 0 || !res) {
    fprintf(stderr, "cfbench run: out of memory\n");
    fclose(runs);
    free(res);
    cf_counters_free(ctr);
    cf_sweep_free(&sw);
    cf_run_opts_free(&o);
    return 1;
  }
  size_t nreps = 0, nsteps = 0;
  for (size_t i = 0; i < sw.n; i++) {
    nreps += (size_t)sw.cfg[i].repeat;
    nsteps += 1 + later_steps(&sw, &sw.cfg[i], 0);
  }

  cf_meta meta;
  memset(&meta, 0, sizeof meta);
  meta.env = &env;
  meta.command_line = o.command_line;
  meta.seed = seed;
  meta.suite = o.suite;
  cf_utc_stamp(meta.started, sizeof meta.started, 1);
  meta.counter_layer = cf_counter_layer_name(cf_counters_layer(ctr));
  meta.counter_reason = cf_counters_reason(ctr);
  meta.counter_note = cf_counters_note(ctr);
  meta.repeat = o.specs[0].repeat;
  meta.warmup = o.specs[0].warmup;
  meta.rounds = sw.rounds;
  meta.items = o.specs[0].items;
  meta.max_time_s = o.specs[0].max_time_s;
  meta.configs = sw.n;
  if (cf_out_write_meta(dir, &meta) != 0)
    fprintf(stderr, "cfbench run: writing %s/meta.json failed: %s\n", dir, strerror(errno));

  cf_console_header(stdout, &env, meta.counter_layer, meta.counter_reason, meta.counter_note, seed,
                    o.suite, sw.n, nreps, sw.rounds, dir);

  run_ctx x;
  memset(&x, 0, sizeof x);
  x.runs = runs;
  cf_progress_init(&x.progress, stderr, sw.n, sw.rounds, nsteps);
  cf_runner runner = {ctr, env.usable_cpus, on_row, on_rep, &x};
  cf_interrupt_reset();
  cf_interrupt_install();
  int oom = 0;
  for (int rd = 0; rd < sw.rounds && !cf_interrupted(); rd++) {
    const size_t *order = cf_sweep_round_order(&sw, rd);
    x.round = rd;
    for (size_t k = 0; k < sw.n && !cf_interrupted(); k++) {
      size_t i = order[k];
      const cf_sweep_config *c = &sw.cfg[i];
      int share = cf_sweep_round_share(c, sw.rounds, rd);
      if (share == 0 || !cf_runner_active(&res[i])) continue; /* sits this round out */
      x.current = k + 1;
      size_t before = x.nrows;
      if (cf_runner_round(&runner, c, rd, share, &res[i]) != 0) oom = 1;
      if (x.nrows == before && cf_interrupted()) break; /* interrupted before it started */
      if (cf_runner_summarize(&res[i], x.rows, x.nrows) != 0) oom = 1;
      int final = !cf_runner_active(&res[i]);
      if (final) x.progress.steps -= later_steps(&sw, c, rd); /* stopped early */
      cf_progress_step_done(&x.progress, rd, k + 1, &res[i], final || cf_interrupted());
    }
  }
  cf_progress_finish(&x.progress);
  int interrupted = cf_interrupted();
  cf_interrupt_uninstall();
  fclose(runs);

  /* Summaries of what ran, over all rounds, in expansion order. */
  cf_config_result *done = calloc(sw.n, sizeof *done);
  size_t ndone = 0, nfailed = 0;
  for (size_t i = 0; done && i < sw.n; i++) {
    if (cf_runner_summarize(&res[i], x.rows, x.nrows) != 0) oom = 1;
    if (res[i].status == CF_CFG_NOT_RUN) continue;
    if (res[i].status == CF_CFG_FAILED) nfailed++;
    done[ndone++] = res[i];
  }
  meta.configs_done = ndone;
  meta.interrupted = interrupted;
  cf_utc_stamp(meta.finished, sizeof meta.finished, 1);
  int werr = !done;
  if (done && cf_out_write_summary(dir, done, ndone) != 0) werr = 1;
  if (done && cf_out_write_results_json(dir, &meta, done, ndone, x.rows, x.nrows) != 0) werr = 1;
  if (cf_out_write_meta(dir, &meta) != 0) werr = 1;
  if (werr) fprintf(stderr, "cfbench run: writing results in %s failed: %s\n", dir, strerror(errno));

  if (done) {
    printf("\n");
    cf_console_table(stdout, done, ndone);
  }
  printf("\n%zu of %zu configurations run, %zu failed; %zu rows in %s/runs.csv\n", ndone, sw.n,
         nfailed, x.nrows, dir);
  if (interrupted) printf("interrupted: summary.csv and meta.json cover what finished\n");

  for (size_t i = 0; i < x.nrows; i++) free(x.rows[i].metrics);
  free(x.rows);
  free(done);
  free(res);
  cf_counters_free(ctr);
  cf_sweep_free(&sw);
  cf_run_opts_free(&o);
  if (interrupted) return 130;
  return (x.any_failed || nfailed || werr || x.write_failed || oom || x.oom) ? 1 : 0;
}

int cf_cmd_run(int argc, char **argv) { return run_main(argc, argv, NULL, 0); }

int cf_cmd_run_into(int argc, char **argv, char *dir_used, size_t dir_len) {
  return run_main(argc, argv, dir_used, dir_len);
}
