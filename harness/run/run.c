/* run.c -- `cfbench run`: parse, expand and validate
 * the sweep (bad input: exit 2 before anything is written), then run it in
 * rounds: each round runs every configuration still active, in that
 * round's randomized order, for its share of the repetitions, appending
 * runs.csv row by row; finally summarize every configuration over all of
 * its rows and write summary.csv, results.json and meta.json atomically.
 * SIGINT or SIGTERM stops the run; what finished is kept and
 * summarized (exit 130 or 143).  A failed configuration is reported, sits out
 * the later rounds, and the run goes on (exit 1 at the end). */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd_run.h"
#include "console.h"
#include "env.h"
#include "format.h"
#include "groups.h"
#include "output.h"
#include "pyback.h"
#include "roundplan.h"
#include "runner.h"
#include "sweep.h"
#include "verdicts.h"

typedef struct run_ctx {
  cfb_runs_file *runs;
  int write_failed;
  cfb_row *rows;
  size_t nrows, cap;
  cfb_progress progress;
  int round;       /* the round running (0-based) */
  size_t current;  /* 1-based place of the configuration running in the round's order */
  int any_failed;
  int oom;
  int budget_hit;  /* the round (> 0) --budget kept from starting, 0: none */
  int rounds_run;  /* rounds started */
  double rounds_s; /* their time, start to end */
  int planned;     /* adaptive: the plan's max-rounds, fixed after round 1 (0 before) */
  size_t dropped;  /* configurations the plan dropped */
  int too_small;   /* the budget fits not even min_rounds of the shrunk plan: the run stopped (a warning) */
  char plan_line[320]; /* how it was planned (meta.json run.plan) */
  double next_round_s; /* after round 1: round 2's time as planned */
} run_ctx;

/* A finished repetition: onto runs.csv, then into memory for the summary.
 * A row that cannot be written stops the run (-1): the summary must
 * describe exactly the rows runs.csv holds, and measuring rows that
 * cannot be kept wastes the machine. */
static int on_row(void *ud, cfb_row *row) {
  run_ctx *x = ud;
  if (!row->ok) x->any_failed = 1;
  if (x->runs && cfb_out_runs_append(x->runs, row) != 0) {
    x->write_failed = 1;
    fprintf(stderr, "\ncfbench run: writing %s failed: %s; it holds %zu complete row%s%s; stopping the run\n",
            x->runs->path, strerror(x->runs->err), x->runs->rows, cfb_plural((long long)x->runs->rows),
            x->runs->cut_failed ? " and may end in a half row (cutting it back failed)" : " (cut back to the last one)");
    free(row->metrics);
    return -1;
  }
  if (x->nrows == x->cap) {
    size_t cap = x->cap ? x->cap * 2 : 64;
    cfb_row *nr = realloc(x->rows, cap * sizeof *nr);
    if (!nr) { /* the row is on disk; keep going without it in memory */
      free(row->metrics);
      x->oom = 1;
      return 0;
    }
    x->rows = nr;
    x->cap = cap;
  }
  x->rows[x->nrows++] = *row;
  return 0;
}

static void on_rep(void *ud, const cfb_sweep_config *c, int warm, int rep, int n) {
  run_ctx *x = ud;
  cfb_progress_rep(&x->progress, x->round, x->current, c, warm, rep, n);
}

/* Rounds after `round` in which c has repetitions planned. */
static size_t later_steps(const cfb_sweep *sw, const cfb_sweep_config *c, int round) {
  size_t n = 0;
  for (int r = round + 1; r < sw->rounds; r++) n += cfb_sweep_round_share(c, sw->rounds, r) > 0;
  return n;
}

static uint64_t clock_seed(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t s = (uint64_t)ts.tv_sec * 1000003u ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 20);
  return cfb_rng_next(&s) % 1000000000u; /* short enough to retype */
}

/* meta.json's view of the run before it starts. */
static void meta_init(cfb_meta *meta, const cfb_env *env, const cfb_run_opts *o, const cfb_sweep *sw,
                      const cfb_counters *ctr, uint64_t seed) {
  memset(meta, 0, sizeof *meta);
  meta->env = env;
  meta->command_line = o->command_line;
  meta->seed = seed;
  meta->suite = o->suite;
  cfb_utc_stamp(meta->started, sizeof meta->started, 1);
  meta->counter_layer = cfb_counter_layer_name(cfb_counters_layer(ctr));
  meta->counter_reason = cfb_counters_reason(ctr);
  meta->counter_note = cfb_counters_note(ctr);
  meta->specs = o->specs;
  meta->nspecs = o->nspecs;
  meta->repeat = o->specs[0].repeat;
  meta->warmup = o->specs[0].warmup;
  meta->rounds = sw->rounds;
  meta->items = o->specs[0].items;
  meta->max_time_s = o->specs[0].max_time_s;
  meta->configs = sw->n;
  meta->adaptive = o->adaptive;
  meta->min_rounds = o->min_rounds;
  meta->max_rounds = o->max_rounds;
  meta->target_ci = o->target_ci;
  meta->budget_s = o->budget_s;
  meta->start_method = cfb_start_method_name(o->start_method);
  meta->planned_max_rounds = o->adaptive ? o->max_rounds : 0; /* until round 1 plans it */
}

/* The medians so far, NAN where a configuration is no point of the
 * who-wins answers (failed, dropped, nothing measured): what the report
 * picks each backend's best by. */
static void medians_now(const cfb_sweep *sw, const cfb_config_result *res, double *median) {
  for (size_t i = 0; i < sw->n; i++)
    median[i] = res[i].stop == CFB_STOP_FAILED || res[i].stop == CFB_STOP_DROPPED || res[i].s.n == 0
                    ? NAN
                    : res[i].s.median;
}

/* Close configuration k (its later steps leave the progress bar) unless a
 * who-wins group holds it open. */
static void close_one(const cfb_sweep *sw, cfb_config_result *res, run_ctx *x, int rd, size_t k,
                      const unsigned char *hold) {
  if (k == SIZE_MAX || !cfb_runner_active(&res[k]) || (hold && hold[k])) return;
  res[k].stop = CFB_STOP_DECIDED;
  cfb_runner_release(&res[k]);
  x->progress.steps -= later_steps(sw, &sw->cfg[k], rd);
}

/* Reopen configuration k, closed as decided, for the rounds after rd: a
 * who-wins group's best moved to it after its own pair closed.  Its
 * workload is prepared again on its next round (no warm-up: it had it). */
static void reopen_one(const cfb_sweep *sw, cfb_config_result *res, run_ctx *x, int rd, size_t k) {
  if (res[k].stop != CFB_STOP_DECIDED || res[k].measured >= sw->cfg[k].repeat) return;
  res[k].stop = CFB_STOP_NONE;
  x->progress.steps += later_steps(sw, &sw->cfg[k], rd);
}

/* Adaptive rounds, after round rd: close each open pair whose look needs
 * no more rounds (or whose other side stopped: no pair left to measure),
 * and each configuration without a partner once it has min_rounds --
 * except the contenders of a who-wins group whose answer could still
 * need rounds (groups.h: each backend's best by median and every
 * configuration not yet shown slower than it), which run on; a contender
 * closed earlier (decided, not failed or out of --max-time) is reopened.
 *
 * Why holding and reopening keep the error rates: every verdict is the
 * look at the rounds its configurations ran, at the level the plan (fixed
 * after round 1, from times only) gives that many rounds, and the plan
 * bounds the probability that *any* of its looks crosses the boundary
 * under H0 by alpha; a pair or group that runs past a decision, or
 * resumes after a pause, reports a later look of the same plan, so when
 * it stops -- its own decision, its group's, the plan's end, the budget --
 * and which configurations are held (chosen on the data, by medians and
 * looks) change which look is reported, not that bound.  The test is on
 * the final pair, at the level of its final n.  The time it costs is
 * inside the budget: the plan counted every paired configuration to its
 * last round (stretched past that, --plan-stretch, the budget's check
 * between rounds ends the run).  Returns 1 if memory ran out, else 0. */
static int close_decided(const cfb_run_opts *o, const cfb_seq_plan *plan, const cfb_sweep *sw,
                         cfb_config_result *res, run_ctx *x, int rd) {
  if (rd + 1 < o->min_rounds) return 0;
  int oom = 0;
  double *median = malloc((sw->n ? sw->n : 1) * sizeof *median);
  unsigned char *hold = malloc(sw->n ? sw->n : 1);
  if (median && hold) medians_now(sw, res, median);
  if (!median || !hold || cfb_groups_hold(plan, sw, median, x->rows, x->nrows, hold) != 0) {
    oom = 1; /* no holds: the pairs close on their own verdicts, as before groups */
    free(hold);
    hold = NULL;
  }
  for (size_t i = 0; hold && i < sw->n; i++)
    if (hold[i]) reopen_one(sw, res, x, rd, i);
  for (size_t i = 0; i < sw->n; i++) {
    const cfb_sweep_config *c = &sw->cfg[i];
    if (!cfb_runner_active(&res[i])) continue;
    size_t p = c->partner != SIZE_MAX && cfb_runner_active(&res[c->partner]) ? c->partner : SIZE_MAX;
    if (p != SIZE_MAX && p < i) continue; /* the pair is looked at from its first side */
    int more = 0;
    if (p != SIZE_MAX) {
      cfb_verdict v;
      if (cfb_verdict_look(plan, sw, i, x->rows, x->nrows, &v) != 0) oom = 1;
      else more = cfb_paired_needs_more(plan, &v.r, o->target_ci);
    }
    if (more) continue;
    close_one(sw, res, x, rd, i, hold);
    close_one(sw, res, x, rd, p, hold);
  }
  free(median);
  free(hold);
  return oom;
}

/* Would another round likely end past the run's budget?  The estimate is
 * the last round's time net of its warm-ups (they run in a configuration's
 * first round only: counting them, round 1 looked twice as long as round 2
 * and a loaded machine's default suite stopped after one round): later
 * rounds only run fewer configurations. */
static double warm_seconds(const cfb_sweep *sw, const cfb_config_result *res) {
  double s = 0;
  for (size_t i = 0; i < sw->n; i++) s += res[i].warm_s;
  return s;
}

static int over_budget(const cfb_run_opts *o, double start, double last_round) {
  return o->budget_s > 0 && cfb_now_s() - start + last_round > o->budget_s;
}

/* Round 1's times as the planner takes them: each configuration's
 * repetition net of its warm-ups, and the factor that spreads what the
 * round spent between repetitions (the harness, the terminal) over them;
 * prepares and warm-ups are left out, as they do not recur. */
static void round1_costs(const cfb_sweep *sw, const cfb_config_result *res, double round_s, const int *level,
                         cfb_plan_cost *cost, double *overhead) {
  double sum = 0, once = 0;
  for (size_t i = 0; i < sw->n; i++) {
    const cfb_config_result *r = &res[i];
    const cfb_sweep_config *c = &sw->cfg[i];
    /* A py configuration's warm-ups run inside the one driver call of its
     * first round, not apart (warm_s 0): its repetition is that call's
     * share, so round 1 does not plan every later round with warm-ups. */
    double rep_s = cfb_backend_is_py(c->backend) ? r->used_s / (1 + (c->warmup > 0 ? c->warmup : 0))
                                                 : r->used_s - r->warm_s;
    cost[i] = (cfb_plan_cost){rep_s, r->used_s, c->max_time_s, c->partner != SIZE_MAX, cfb_runner_active(r),
                              level[i]};
    sum += cost[i].round_s;
    once += (r->used_s - rep_s) + r->t.prepare_s; /* warm-ups (py: the call's rest) and prepares */
  }
  *overhead = sum > 0 && round_s - once > sum ? (round_s - once) / sum : 1;
}

/* The plan's one line, for the terminal and meta.json. */
static void plan_say(run_ctx *x, const cfb_run_opts *o, const cfb_round_plan *rp, size_t n) {
  if (x->too_small)
    snprintf(x->plan_line, sizeof x->plan_line,
             "--budget %.3g s is too small for --min-rounds %d at round 1's pace: they need ~%.0f s "
             "(~%.0f s with each grid thinned to its ends); stopped after round 1",
             o->budget_s, o->min_rounds, rp->need_s, rp->need_kept_s);
  else if (rp->dropped)
    snprintf(x->plan_line, sizeof x->plan_line,
             "%d round%s planned; --min-rounds %d of all %zu configuration%s need ~%.0f s, over --budget %.3g s: "
             "dropped %zu (workers/chunksize points between their grid's ends, thinning level >= %d)",
             rp->max_rounds, cfb_plural(rp->max_rounds), o->min_rounds, n, cfb_plural((long long)n), rp->need_s,
             o->budget_s, rp->dropped, rp->drop_level);
  else if (o->budget_s > 0 && rp->max_rounds > rp->fit_rounds)
    snprintf(x->plan_line, sizeof x->plan_line,
             "%d rounds planned: --plan-stretch %.3g x the %d past --min-rounds that --budget fits at round 1's "
             "pace with every pair to the end (%d)%s; --budget ends the run (looks after rounds %d..%d)",
             rp->max_rounds, o->plan_stretch, rp->fit_rounds - o->min_rounds, rp->fit_rounds,
             rp->max_rounds == o->max_rounds ? ", within --max-rounds" : "", o->min_rounds, rp->max_rounds);
  else if (o->budget_s > 0)
    snprintf(x->plan_line, sizeof x->plan_line, "%d round%s planned: %s at round 1's pace (looks after rounds %d..%d)",
             rp->max_rounds, cfb_plural(rp->max_rounds), rp->max_rounds == o->max_rounds ? "--max-rounds, within --budget" : "what --budget fits",
             o->min_rounds, rp->max_rounds);
  else
    snprintf(x->plan_line, sizeof x->plan_line, "%d round%s planned: --max-rounds (no --budget)", rp->max_rounds,
             cfb_plural(rp->max_rounds));
}

/* The plan line, wrapped to 80 columns under its "plan: " (the stretch
 * plan's sentence is about 100). */
static void print_plan(const run_ctx *x) {
  char line[sizeof x->plan_line + 8];
  snprintf(line, sizeof line, "plan: %s", x->plan_line);
  cfb_fmt_print_wrapped(stdout, line, 80, 6);
}

/* Adaptive rounds, after round 1: fix the sequential plan's max-rounds
 * from round 1's times and the budget (roundplan.h), drop what the plan
 * drops, or stop the run if not even its smallest plan fits.
 *
 * Why planning here keeps the error rate: the plan is fixed before the
 * first look (after min_rounds >= 2), from times only -- of a pair, the
 * sum of its two sides' times is all it uses (a function that does not
 * care which side is which).  Under H0 the two sides of a pair are
 * exchangeable, so the sign of their difference is independent of any
 * such symmetric function of them, and those signs are what the
 * signed-rank test's null distribution is made of: the planned max is,
 * for the test, a constant fixed in advance, and the Wang-Tsiatis plan at
 * that max holds alpha.  It is fixed once: re-planning later, after looks had
 * closed pairs, would make the max depend on which pairs were decided,
 * and the levels already spent were computed for this max.  The plan
 * assumes every open pair runs to the max (the only case knowable without
 * looking at verdicts), so the budget holds whatever is decided; decided
 * pairs make later rounds shorter and the run end sooner.  --plan-stretch
 * plans the looks past that max (roundplan.h): a factor fixed in advance,
 * applied to a max made of times, so still a constant for the test; the
 * budget's check between rounds then ends the run, which only removes
 * looks.  Returns 1 if
 * memory ran out (the run goes on with its first plan), else 0. */
static int plan_after_round1(const cfb_run_opts *o, cfb_seq_plan *plan, cfb_sweep *sw,
                             cfb_config_result *res, run_ctx *x, double start, double round_s) {
  int *level = malloc((sw->n ? sw->n : 1) * sizeof *level);
  cfb_plan_cost *cost = malloc((sw->n ? sw->n : 1) * sizeof *cost);
  unsigned char *drop = malloc(sw->n ? sw->n : 1);
  if (!level || !cost || !drop) {
    free(level);
    free(cost);
    free(drop);
    return 1;
  }
  cfb_plan_levels(sw, level);
  cfb_plan_in in = {cost, sw->n, cfb_now_s() - start, 1, o->budget_s, o->min_rounds, o->max_rounds, o->plan_stretch};
  round1_costs(sw, res, round_s, level, cost, &in.overhead);
  cfb_round_plan rp;
  cfb_round_plan_make(&in, drop, &rp);
  x->too_small = rp.max_rounds == 0;
  x->planned = rp.max_rounds;
  x->dropped = rp.dropped;
  /* round 2's estimate for the budget's check: what the plan keeps, at
   * round 1's pace (round 1 itself ran every configuration) */
  x->next_round_s = 0;
  for (size_t i = 0; i < sw->n; i++)
    if (cost[i].active && !drop[i]) x->next_round_s += cost[i].round_s * in.overhead;
  for (size_t i = 0; i < sw->n; i++) {
    if (!cfb_runner_active(&res[i])) continue;
    if (drop[i]) { /* every later step of it goes */
      res[i].stop = CFB_STOP_DROPPED;
      cfb_runner_release(&res[i]);
      x->progress.steps -= later_steps(sw, &sw->cfg[i], 0);
    } else if (rp.max_rounds > 0) { /* the steps past the plan's last round */
      x->progress.steps -= later_steps(sw, &sw->cfg[i], rp.max_rounds - 1);
    }
  }
  if (rp.max_rounds > 0) {
    x->progress.rounds = rp.max_rounds;
    /* one repetition a round: the plan's rounds are each configuration's
     * repetitions (a configuration that ran them all is complete) */
    for (size_t i = 0; i < sw->n; i++)
      if (sw->cfg[i].repeat > rp.max_rounds) sw->cfg[i].repeat = rp.max_rounds;
  }
  plan_say(x, o, &rp, sw->n);
  if (x->progress.tty) printf("\n");
  print_plan(x);
  fflush(stdout);
  free(level);
  free(cost);
  free(drop);
  cfb_seq_plan p2;
  if (rp.max_rounds == 0) return 0;
  if (cfb_seq_plan_init(&p2, (size_t)o->min_rounds, (size_t)rp.max_rounds, CFB_PAIRED_ALPHA, CFB_SEQ_SHAPE) != 0)
    return 1;
  *plan = p2;
  return 0;
}

/* Every round, each in its shuffled order, until done, over the budget or
 * SIGINT.  Returns 1 if something ran out of memory (the run goes on),
 * else 0. */
static int run_rounds(cfb_runner *runner, const cfb_run_opts *o, cfb_seq_plan *plan,
                      cfb_sweep *sw, cfb_config_result *res, run_ctx *x) {
  int oom = 0, rounds = sw->rounds; /* adaptive: the cap, until round 1 plans the max */
  double start = cfb_now_s(), last_round = 0;
  for (int rd = 0; rd < rounds && !cfb_interrupted() && !x->write_failed && !x->too_small; rd++) {
    int open = 0; /* adaptive: all decided, no round left to run */
    for (size_t i = 0; i < sw->n && !open; i++) open = cfb_runner_active(&res[i]);
    if (!open) break;
    if (rd > 0 && over_budget(o, start, last_round)) {
      x->budget_hit = rd;
      break;
    }
    double t0 = cfb_now_s(), warm0 = warm_seconds(sw, res);
    const size_t *order = cfb_sweep_round_order(sw, rd);
    x->round = rd;
    x->rounds_run = rd + 1;
    for (size_t k = 0; k < sw->n && !cfb_interrupted() && !x->write_failed; k++) {
      size_t i = order[k];
      const cfb_sweep_config *c = &sw->cfg[i];
      int share = cfb_sweep_round_share(c, sw->rounds, rd);
      if (share == 0 || !cfb_runner_active(&res[i])) continue; /* sits this round out */
      x->current = k + 1;
      size_t before = x->nrows;
      if (cfb_runner_round(runner, c, rd, share, &res[i]) != 0) oom = 1;
      if (x->nrows == before && cfb_interrupted()) break; /* interrupted before it started */
      if (cfb_runner_summarize(&res[i], x->rows, x->nrows) != 0) oom = 1;
      int final = !cfb_runner_active(&res[i]);
      if (final) x->progress.steps -= later_steps(sw, c, rd); /* stopped early */
      cfb_progress_step_done(&x->progress, rd, k + 1, &res[i], final || cfb_interrupted() || x->write_failed);
    }
    if (o->adaptive && rd == 0 && !cfb_interrupted() && !x->write_failed) {
      if (plan_after_round1(o, plan, sw, res, x, start, cfb_now_s() - t0)) oom = 1;
      if (x->planned > 0) rounds = x->planned;
    }
    if (o->adaptive && !cfb_interrupted() && close_decided(o, plan, sw, res, x, rd)) oom = 1;
    last_round = cfb_now_s() - t0 - (warm_seconds(sw, res) - warm0);
    if (rd == 0 && x->planned > 0) last_round = x->next_round_s; /* the plan may have dropped some */
  }
  x->rounds_s = cfb_now_s() - start;
  /* What is still open ends with its last look: at the budget, or at the
   * plan's last round (a pair with a round missing on one side). */
  if (x->budget_hit || (o->adaptive && !cfb_interrupted() && !x->write_failed && !x->too_small))
    for (size_t i = 0; i < sw->n; i++)
      if (cfb_runner_active(&res[i])) res[i].stop = CFB_STOP_DECIDED;
  for (size_t i = 0; i < sw->n; i++) cfb_runner_release(&res[i]); /* decided, or the budget's end */
  return oom;
}

/* meta.json's account of the run: rounds, where their time went, the
 * workloads' calibrations. */
static void meta_account(cfb_meta *meta, const cfb_sweep *sw, const cfb_config_result *res,
                         const run_ctx *x) {
  meta->rounds_run = x->rounds_run;
  if (x->planned || x->too_small) meta->planned_max_rounds = x->planned;
  meta->dropped_configs = x->dropped;
  snprintf(meta->plan, sizeof meta->plan, "%s", x->plan_line);
  cfb_phase_times t = {x->rounds_s, 0, 0, 0, 0, 0};
  for (size_t i = 0; i < sw->n; i++) {
    t.measured_s += res[i].t.measured_s;
    t.prepare_s += res[i].t.prepare_s;
    t.setup_s += res[i].t.setup_s;
    t.warmup_s += res[i].t.warmup_s;
    t.py_driver_s += res[i].t.py_driver_s;
  }
  meta->time = t;
  cf_wk_calibration cal[32];
  size_t ncal = cf_wk_calibrations(cal, 32), off = 0;
  meta->calibrations[0] = '\0';
  for (size_t i = 0; i < ncal && i < 32 && off < sizeof meta->calibrations; i++)
    off += (size_t)snprintf(meta->calibrations + off, sizeof meta->calibrations - off, "%s%s=%.6g",
                            i ? ";" : "", cal[i].name, cal[i].value);
}

/* The fewest and most measured repetitions of a paired configuration (the
 * rounds its verdict had), or with paired_only 0 of every one that ran. */
static void paired_rounds(const cfb_sweep *sw, const cfb_config_result *res, int paired_only, int *lo, int *hi) {
  *lo = INT32_MAX;
  *hi = 0;
  for (size_t i = 0; i < sw->n; i++) {
    if ((paired_only && sw->cfg[i].partner == SIZE_MAX) || res[i].status == CFB_CFG_NOT_RUN) continue;
    if (res[i].measured < *lo) *lo = res[i].measured;
    if (res[i].measured > *hi) *hi = res[i].measured;
  }
  if (*lo == INT32_MAX) *lo = 0;
}

/* The run's last lines: how many rounds, how many verdicts decided, where
 * the time went -- what says whether the budget was enough. */
static void print_account(FILE *f, const cfb_meta *m, const cfb_sweep *sw, const cfb_config_result *res) {
  int lo, hi;
  /* no thread/process pair (one backend, or only CPython's pairs): the
   * rounds every configuration had, not "0 to 0 per paired" */
  paired_rounds(sw, res, 1, &lo, &hi);
  int paired = hi > 0;
  if (!paired) paired_rounds(sw, res, 0, &lo, &hi);
  const cfb_phase_times *t = &m->time;
  /* short lines: the closing lines fit 80 columns.  The range counts
   * repetitions (rows), named so: with --repeat 5 --rounds 2 a
   * configuration has 5 in 2 rounds; adaptive rounds run one a round. */
  char range[48];
  if (lo == hi) snprintf(range, sizeof range, "%d", hi);
  else snprintf(range, sizeof range, "%d to %d", lo, hi);
  fprintf(f, "%d round%s; %s repetition%s per %sconfiguration\n%zu of %zu verdict%s decided\n", m->rounds_run,
          cfb_plural(m->rounds_run), range, cfb_plural(hi), paired ? "paired " : "", m->verdicts_decided,
          m->verdicts, cfb_plural((long long)m->verdicts));
  fprintf(f, "time %.0f s: %.0f s measured, %.0f s around repetitions (pools, counters),\n", t->rounds_s,
          t->measured_s, t->setup_s);
  fprintf(f, "  %.0f s warm-ups, %.0f s Python drivers, %.1f s prepare, %.0f s harness\n", t->warmup_s,
          t->py_driver_s, t->prepare_s,
          t->rounds_s - t->measured_s - t->setup_s - t->warmup_s - t->py_driver_s - t->prepare_s);
}

/* Summaries of what ran, over all rounds, in expansion order; then
 * summary.csv, results.json and meta.json, and the closing table.  Sets
 * *nfailed; returns 1 if writing failed or memory ran out, else 0. */
static int finish_run(const char *dir, cfb_meta *meta, const cfb_seq_plan *plan, const cfb_sweep *sw,
                      cfb_config_result *res, const run_ctx *x, int *oom, size_t *nfailed) {
  cfb_config_result *done = calloc(sw->n, sizeof *done);
  size_t ndone = 0;
  *nfailed = 0;
  for (size_t i = 0; done && i < sw->n; i++) {
    if (cfb_runner_summarize(&res[i], x->rows, x->nrows) != 0) *oom = 1;
    if (res[i].status == CFB_CFG_NOT_RUN) continue;
    if (res[i].status == CFB_CFG_FAILED) (*nfailed)++;
    done[ndone++] = res[i];
  }
  meta->configs_done = ndone;
  meta_account(meta, sw, res, x);
  cfb_utc_stamp(meta->finished, sizeof meta->finished, 1);
  int werr = !done;
  if (done && cfb_out_write_summary(dir, done, ndone) != 0) werr = 1;
  cfb_verdict *v = NULL;
  size_t nv = 0;
  if (cfb_verdicts_all(plan, sw, x->rows, x->nrows, &v, &nv) != 0) *oom = 1;
  else if (cfb_out_write_verdicts(dir, v, nv) != 0) werr = 1;
  meta->verdicts = nv;
  meta->verdicts_decided = 0;
  for (size_t i = 0; v && i < nv; i++) meta->verdicts_decided += v[i].r.verdict != CFB_PAIRED_UNDECIDED;
  /* after the verdicts are counted: results.json's context is meta.json
   * as written here, counts included (docs/results-format.md) */
  if (done && cfb_out_write_results_json(dir, meta, done, ndone, x->rows, x->nrows) != 0) werr = 1;
  if (cfb_out_write_meta(dir, meta) != 0) werr = 1;
  if (werr) fprintf(stderr, "cfbench run: writing results in %s failed: %s\n", dir, strerror(errno));
  /* The terminal's width, else $COLUMNS, else 80: wider only when the
   * terminal (or the caller) says so. */
  size_t cols = cfb_console_width(STDOUT_FILENO);
  if (done) {
    printf("\n");
    cfb_console_table(stdout, done, ndone, cols);
  }
  cfb_console_verdicts(stdout, v, nv, cols);
  cfb_console_unreachable(stdout, plan, v, nv);
  cfb_winners w = {0};
  if (cfb_console_winners_from(&w, sw, res, v, nv) != 0) *oom = 1;
  cfb_console_winners(stdout, &w, cols);
  cfb_winners_free(&w);
  free(v);
  if (x->budget_hit)
    printf("\n--budget %.0f s: stopped before round %d; open pairs keep their last look\n",
           (double)0 + meta->budget_s, x->budget_hit + 1);
  if (x->write_failed) /* stdout may be the full disk too: say it on stderr as well */
    fprintf(stderr, "cfbench run: the run stopped after a failed write; %s holds %zu row%s%s\n", x->runs->path,
            x->runs->rows, cfb_plural((long long)x->runs->rows), werr ? "" : ", and summary.csv and results.json describe exactly those");
  char line[4400];
  snprintf(line, sizeof line, "%zu of %zu configuration%s run, %zu failed; %zu row%s in %s", ndone, sw->n,
           cfb_plural((long long)sw->n), *nfailed, x->runs->rows, cfb_plural((long long)x->runs->rows), x->runs->path);
  printf("\n");
  cfb_fmt_print_wrapped(stdout, line, 80, 2); /* a long path on a line of its own, not wrapped anywhere */
  if (x->plan_line[0]) print_plan(x);
  print_account(stdout, meta, sw, res);
  /* A warning, not a failure: the rows, plots and report of round 1 are
   * what a budget this small can give (`cfbench bench` goes on to them);
   * the line says the budget that would decide something. */
  if (x->too_small) fprintf(stderr, "cfbench run: WARNING: %s\n", x->plan_line);
  free(done);
  return werr;
}

/* The mpi backend: bad combinations are bad input; with --mpi-np outside
 * an MPI job, the sweep (validated) re-runs under mpiexec: this process
 * becomes mpiexec and does not return.  0, or 2 with err. */
static int mpi_setup(const cfb_run_opts *o, const cfb_sweep *sw, char *err, size_t errlen) {
  int uses = 0;
  for (size_t i = 0; i < sw->n; i++) uses |= cfb_backend_exec(sw->cfg[i].backend) == CF_BACKEND_MPI;
  int rc = cfb_mpi_check(&o->mpi, uses, err, errlen);
  if (rc || !o->mpi.np || cfb_mpi_under_launcher()) return rc;
  return cfb_mpi_relaunch(&o->mpi, err, errlen);
}

/* Parse, expand and open the results directory: 0, or the exit code
 * (0 after --help via *help, 2 bad input) with the message said. */
static int run_setup(const char *cmd, int argc, char **argv, cfb_run_opts *o, cfb_sweep *sw,
                     uint64_t *seed, char *dir, size_t dirlen, cfb_runs_file *runs, int *help) {
  char err[512];
  *help = 0;
  int rc = cfb_run_opts_parse_as(cmd, argc, argv, o, err, sizeof err);
  if (rc == 1) {
    *help = 1;
    return 0;
  }
  if (rc) {
    fprintf(stderr, "cfbench %s: %s\n", cmd, err);
    return 2;
  }
  *seed = o->seed_given ? o->seed : clock_seed();
  if ((rc = cfb_sweep_expand(o, *seed, sw, err, sizeof err)) || (rc = mpi_setup(o, sw, err, sizeof err))) {
    fprintf(stderr, "cfbench %s: %s\n", cmd, err);
    cfb_sweep_free(sw);
    cfb_run_opts_free(o);
    return 2;
  }
  if (o->dry_run) { /* the configurations, and nothing run or written */
    if (o->dry_run == 2) cfb_sweep_print_tsv(stdout, sw);
    else cfb_sweep_print(stdout, sw, o);
    cfb_sweep_free(sw);
    cfb_run_opts_free(o);
    *help = 1;
    return 0;
  }
  if (o->out) snprintf(dir, dirlen, "%s", o->out);
  else {
    char stamp[32];
    cfb_utc_stamp(stamp, sizeof stamp, 0);
    snprintf(dir, dirlen, "results/runs/%s", stamp);
  }
  if ((rc = cfb_out_prepare_dir(dir, o->force, err, sizeof err)) ||
      (rc = cfb_out_runs_open(runs, dir, err, sizeof err))) {
    fprintf(stderr, "cfbench %s: %s\n", cmd, err);
    cfb_sweep_free(sw);
    cfb_run_opts_free(o);
    return 2;
  }
  return 0;
}

/* --start-method forkserver: the fork server is started once for the run
 * (cf_forkserver_start), so a pool's start is its workers' forks, not the
 * server's own exec and dynamic loading as well (without the hold every
 * pool would start and stop a server of its own).  1 if held. */
static int forkserver_hold(const cfb_run_opts *o, const cfb_sweep *sw) {
  int uses = 0;
  for (size_t i = 0; i < sw->n; i++) uses |= sw->cfg[i].backend == CFB_BK_PROCESS;
  if (o->start_method != CF_START_FORKSERVER || !uses) return 0;
  if (cf_forkserver_start() == 0) return 1;
  /* each pool then tries itself and its rows say why it failed */
  fprintf(stderr, "cfbench run: --start-method forkserver: the fork server did not start: %s\n",
          cf_last_error_message());
  return 0;
}

/* cmd: the subcommand the user typed (run, or bench that forwards to run),
 * for the messages about its arguments. */
static int run_main(const char *cmd, int argc, char **argv, cfb_run_outcome *out) {
  cfb_run_opts o;
  cfb_sweep sw;
  uint64_t seed = 0;
  char dir[4096];
  cfb_runs_file runs;
  int help;
  int rc = run_setup(cmd, argc, argv, &o, &sw, &seed, dir, sizeof dir, &runs, &help);
  if (out && !rc && !help) {
    snprintf(out->dir, sizeof out->dir, "%s", dir);
    snprintf(out->export_gbench, sizeof out->export_gbench, "%s", o.export_gbench ? o.export_gbench : "");
  }
  if (rc || help) return rc;

  cfb_env env;
  cfb_env_capture(&env);
  cfb_counters *ctr = NULL;
  cfb_config_result *res = calloc(sw.n, sizeof *res);
  for (size_t i = 0; res && i < sw.n; i++) {
    cfb_runner_init(&res[i], &sw.cfg[i]);
    res[i].keep_run = 1; /* prepared once for all rounds; run_rounds releases them */
  }
  if (cfb_counters_open(o.counters, &ctr) != 0 || !res) {
    fprintf(stderr, "cfbench run: out of memory\n");
    cfb_out_runs_close(&runs);
    free(res);
    cfb_counters_free(ctr);
    cfb_sweep_free(&sw);
    cfb_run_opts_free(&o);
    return 1;
  }
  size_t nreps = 0, nsteps = 0;
  for (size_t i = 0; i < sw.n; i++) {
    nreps += (size_t)sw.cfg[i].repeat;
    nsteps += 1 + later_steps(&sw, &sw.cfg[i], 0);
  }
  cfb_meta meta;
  meta_init(&meta, &env, &o, &sw, ctr, seed);
  if (cfb_out_write_meta(dir, &meta) != 0) /* a first meta.json: an interrupted run has one too */
    fprintf(stderr, "cfbench run: writing %s/meta.json failed: %s\n", dir, strerror(errno));
  cfb_console_header(stdout, &env, meta.counter_layer, meta.counter_reason, meta.counter_note, seed,
                    o.suite, sw.n, nreps, sw.rounds, dir, cfb_console_width(STDOUT_FILENO));

  run_ctx x;
  memset(&x, 0, sizeof x);
  x.runs = &runs;
  cfb_progress_init(&x.progress, stderr, &sw, nsteps);
  cfb_runner runner = {ctr, env.usable_cpus, on_row, on_rep, &x};
  /* one Python driver for the run's py configurations and rounds (NULL,
   * out of memory, only costs a python start per call) */
  cfb_py_session *py = cfb_py_session_new();
  cfb_runner_py_serve(py);
  cfb_interrupt_reset();
  cf_wk_calibration_reset(); /* this run measures its own, once (meta.json's run.calibrations) */
  cfb_interrupt_install();
  cfb_seq_plan plan;
  if (cfb_verdict_plan(&o, sw.rounds, &plan) != 0) {
    fprintf(stderr, "cfbench run: out of memory\n");
    plan = (cfb_seq_plan){0};
  }
  int fsrv = forkserver_hold(&o, &sw);
  int oom = run_rounds(&runner, &o, &plan, &sw, res, &x);
  if (fsrv) cf_forkserver_stop();
  cfb_runner_py_serve(NULL);
  cfb_py_session_free(py);
  cfb_progress_finish(&x.progress);
  int interrupted = cfb_interrupt_signal();
  cfb_interrupt_uninstall();
  if (cfb_out_runs_close(&runs) != 0 && !x.write_failed) {
    x.write_failed = 1;
    fprintf(stderr, "cfbench run: closing %s failed: %s\n", runs.path, strerror(errno));
  }

  meta.interrupted = interrupted != 0;
  size_t nfailed;
  int werr = finish_run(dir, &meta, &plan, &sw, res, &x, &oom, &nfailed);
  if (interrupted) printf("interrupted: summary.csv and meta.json cover what finished\n");

  for (size_t i = 0; i < x.nrows; i++) free(x.rows[i].metrics);
  free(x.rows);
  free(res);
  cfb_counters_free(ctr);
  cfb_sweep_free(&sw);
  cfb_run_opts_free(&o);
  if (interrupted) return 128 + interrupted;
  return (x.any_failed || nfailed || werr || x.write_failed || oom || x.oom) ? 1 : 0;
}

/* The outcome of `cmd` (run, or bench that forwards to run). */
static int run_outcome(const char *cmd, int argc, char **argv, cfb_run_outcome *out) {
  memset(out, 0, sizeof *out);
  return run_main(cmd, argc, argv, out);
}

int cfb_cmd_run_outcome(int argc, char **argv, cfb_run_outcome *out) { return run_outcome("run", argc, argv, out); }

int cfb_cmd_run_into(int argc, char **argv, char *dir_used, size_t dir_len) {
  cfb_run_outcome out;
  int rc = run_outcome("bench", argc, argv, &out);
  if (dir_used) snprintf(dir_used, dir_len, "%s", out.dir);
  return rc;
}
