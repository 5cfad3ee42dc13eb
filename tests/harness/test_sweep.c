/* test_sweep.c -- option parsing and sweep expansion (harness/run/cli.c,
 * sweep.c): doubling ranges, lists, parameters applied only where they
 * exist, cartesian products, duplicates dropped, the seeded order is a
 * permutation that the seed reproduces, rounds (a fresh seeded order per
 * round, repetitions split evenly over them, --rounds defaults), and every
 * suite parses and expands (so `./run.sh bench` never dies on its own
 * suite). */
#include <math.h>

#include "counters.h"
#include "runner.h"
#include "suites.h"
#include "sweep.h"
#include "task.h"

static int parse(cfb_run_opts *o, const char *const *args, char *err, size_t errlen) {
  int argc = 0;
  while (args[argc]) argc++;
  return cfb_run_opts_parse(argc, (char **)args, o, err, errlen);
}
#define PARSE(o, err, ...) parse(o, (const char *const[]){"run", __VA_ARGS__, NULL}, err, sizeof err)

static void test_ranges_and_lists(void) {
  cfb_run_opts o;
  char err[300];
  CHECK_EQ(PARSE(&o, err, "--workload", "sleep", "--workers", "3..20,1,3", "--chunksize", "1..256",
                 "--backend", "process,thread,process", "--pin", "none,scatter"),
           0);
  CHECK_EQ(o.nspecs, 1);
  const cfb_sweep_spec *s = &o.specs[0];
  CHECK_EQ(s->nworkers, 4); /* 3,6,12 then 1; the second 3 dropped */
  CHECK(s->workers[0] == 3 && s->workers[1] == 6 && s->workers[2] == 12 && s->workers[3] == 1);
  CHECK_EQ(s->nchunksizes, 9);
  CHECK_EQ(s->chunksizes[8], 256);
  CHECK_EQ(s->nbackends, 2);
  CHECK_EQ(s->backends[0], CFB_BK_PROCESS);
  CHECK_EQ(s->npins, 2);
  CHECK_EQ(s->repeat, 5); /* defaults */
  CHECK_EQ(s->warmup, 1);
  cfb_run_opts_free(&o);
  CHECK_EQ(PARSE(&o, err, "--workload", "sleep", "--workers", "1..64..2"), 2);
  CHECK_STR_CONTAINS(err, "--workers");
}

static void test_params_where_they_exist(void) {
  cfb_run_opts o;
  char err[300];
  CHECK_EQ(PARSE(&o, err, "--workload", "sleep,primes", "--param", "delay=1ms,2ms", "--param",
                 "gil=on,off", "--workers", "1,2", "--max-time", "2s", "--items", "4"),
           0);
  cfb_sweep sw;
  CHECK_EQ(cfb_sweep_expand(&o, 42, &sw, err, sizeof err), 0);
  /* sleep: 2 delays x 2 workers; primes: 2 gil values x 2 workers */
  CHECK_EQ(sw.n, 8);
  size_t sleep = 0, primes = 0;
  for (size_t i = 0; i < sw.n; i++) {
    const cfb_sweep_config *c = &sw.cfg[i];
    CHECK_EQ(c->index, i);
    CHECK(c->params && *c->params);
    CHECK_EQ(c->items, 4);
    CHECK(c->max_time_s == 2.0);
    if (!strcmp(c->w->name, "sleep")) {
      sleep++;
      CHECK_EQ(c->nkv, 1);
      CHECK(!strncmp(c->kv[0], "delay=", 6));
      CHECK(strstr(c->params, "gil") == NULL);
    } else {
      primes++;
      CHECK_EQ(c->nkv, 1);
      CHECK(!strncmp(c->kv[0], "gil=", 4));
    }
  }
  CHECK_EQ(sleep, 4);
  CHECK_EQ(primes, 4);
  /* the order is a permutation, reproduced by the seed */
  int seen[8] = {0};
  for (size_t i = 0; i < sw.n; i++) seen[sw.order[i]]++;
  for (size_t i = 0; i < 8; i++) CHECK_EQ(seen[i], 1);
  cfb_sweep again;
  CHECK_EQ(cfb_sweep_expand(&o, 42, &again, err, sizeof err), 0);
  CHECK(memcmp(sw.order, again.order, sw.n * sizeof *sw.order) == 0);
  for (size_t i = 0; i < sw.n; i++) CHECK(sw.cfg[i].seed == again.cfg[i].seed);
  cfb_sweep_free(&again);
  cfb_sweep_free(&sw);
  cfb_run_opts_free(&o);
}

static void test_bad_values(void) {
  cfb_run_opts o;
  char err[300];
  CHECK_EQ(PARSE(&o, err, "--workload", "sleep", "--param", "delay=-5ms"), 0);
  cfb_sweep sw;
  CHECK_EQ(cfb_sweep_expand(&o, 1, &sw, err, sizeof err), 2); /* the workload refuses it */
  CHECK_STR_CONTAINS(err, "delay");
  cfb_run_opts_free(&o);
  CHECK_EQ(PARSE(&o, err, "--workload", "sleep", "--param", "delay=1ms", "--param", "delay=2ms"), 2);
  CHECK_STR_CONTAINS(err, "given twice");
}

static void test_suites_expand(void) {
  char **names;
  size_t nsuites;
  CHECK_EQ(cfb_suite_names(&names, &nsuites), 0);
  CHECK_GT(nsuites, 2); /* quick, ci, default at least */
  for (size_t i = 0; i < nsuites; i++) {
    const struct {
      const char *name;
    } s = {names[i]}, *su = &s;
    cfb_run_opts o;
    char err[300];
    int rc = PARSE(&o, err, "--suite", su->name, "--repeat", "2");
    if (rc) fprintf(stderr, "suite %s: %s\n", su->name, err);
    CHECK_EQ(rc, 0);
    cfb_sweep sw;
    rc = cfb_sweep_expand(&o, 1, &sw, err, sizeof err);
    if (rc) fprintf(stderr, "suite %s: %s\n", su->name, err);
    CHECK_EQ(rc, 0);
    CHECK_GT(sw.n, 0);
    int both[CFB_BK_COUNT] = {0};
    unsigned docs_primes = 0; /* bit (backend x 2 + workers - 1) of the docs' PRIMES at 1, 2 workers */
    for (size_t k = 0; k < sw.n; k++) {
      const cfb_sweep_config *c = &sw.cfg[k];
      CHECK_EQ(c->repeat, 2); /* the command line overrides the suite */
      CHECK(c->max_time_s > 0);
      both[c->backend]++;
      if (!strcmp(c->w->name, "primes") && strstr(c->params, "preset=docs") && c->workers >= 1 && c->workers <= 2)
        docs_primes |= 1u << (c->backend * 2 + c->workers - 1);
    }
    CHECK(both[CFB_BK_THREAD] > 0 && both[CFB_BK_PROCESS] > 0); /* every suite has both backends */
    /* the python suite and the default one have CPython's executors too,
     * with the docs' PRIMES at 1 and 2 workers on every backend (the
     * report's PRIMES table whole) */
    if (!strcmp(su->name, "python") || !strcmp(su->name, "default")) {
      CHECK(both[CFB_BK_PY_THREAD] > 0 && both[CFB_BK_PY_PROCESS] > 0);
      static const cfb_backend bk[] = {CFB_BK_THREAD, CFB_BK_PROCESS, CFB_BK_PY_THREAD, CFB_BK_PY_PROCESS};
      for (size_t b = 0; b < 4; b++)
        for (int w = 1; w <= 2; w++) {
          if (!(docs_primes & (1u << (bk[b] * 2 + w - 1))))
            fprintf(stderr, "suite %s: no docs PRIMES on %s at %d workers\n", su->name, cfb_backend_name(bk[b]), w);
          CHECK(docs_primes & (1u << (bk[b] * 2 + w - 1)));
        }
    }
    fprintf(stderr, "suite %s: %zu configurations\n", su->name, sw.n);
    cfb_sweep_free(&sw);
    cfb_run_opts_free(&o);
  }
  cfb_suite_names_free(names, nsuites);
}

/* --plan-stretch: the default suite's own (6) is read from the file and
 * the command line's wins; without it, 1; out of 1..10 or not a number,
 * one line naming the option; beside --repeat (fixed rounds), refused.
 * The default suite runs the docs' PRIMES and memtouch at 1 and 2 workers
 * (suites/default.json says why), and every who-wins group of it has both
 * backends. */
static void test_suite_plan_stretch(void) {
  cfb_run_opts o;
  char err[300];
  CHECK_EQ(PARSE(&o, err, "--suite", "default"), 0);
  CHECK(o.adaptive);
  CHECK_NEAR(o.plan_stretch, 6, 0);
  CHECK_NEAR(o.target_ci, 0, 0); /* a pair closes once decided: the budget goes to the undecided */
  cfb_sweep sw;
  CHECK_EQ(cfb_sweep_expand(&o, 1, &sw, err, sizeof err), 0);
  for (size_t k = 0; k < sw.n; k++) {
    const cfb_sweep_config *c = &sw.cfg[k];
    if (!strcmp(c->w->name, "memtouch") || (!strcmp(c->w->name, "primes") && strstr(c->params, "preset=docs")))
      CHECK_LE(c->workers, 2);
    if (cfb_backend_is_py(c->backend)) continue;
    int other = 0; /* the group (workload, params) has the other backend too */
    for (size_t j = 0; j < sw.n && !other; j++)
      other = sw.cfg[j].w == c->w && !strcmp(sw.cfg[j].params, c->params) && sw.cfg[j].backend != c->backend &&
              !cfb_backend_is_py(sw.cfg[j].backend);
    CHECK(other);
  }
  cfb_sweep_free(&sw);
  cfb_run_opts_free(&o);
  CHECK_EQ(PARSE(&o, err, "--suite", "default", "--plan-stretch", "1.5"), 0);
  CHECK_NEAR(o.plan_stretch, 1.5, 0);
  cfb_run_opts_free(&o);
  CHECK_EQ(PARSE(&o, err, "--workload", "sleep", "--budget", "10s"), 0);
  CHECK_NEAR(o.plan_stretch, 1, 0);
  cfb_run_opts_free(&o);
  /* a number out of 1..10 is said to be out of range, not "not a number" */
  static const char *const bad[] = {"0.5", "11", "0", "-1", "inf", "2x", "", "nan"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    CHECK_EQ(PARSE(&o, err, "--workload", "sleep", "--plan-stretch", bad[i]), 2);
    CHECK_STR_CONTAINS(err, "--plan-stretch");
    CHECK_STR_CONTAINS(err, i < 5 ? "is out of range; allowed: 1..10" : "is not a number");
    CHECK(!strchr(err, '\n'));
  }
  CHECK_EQ(PARSE(&o, err, "--workload", "sleep", "--plan-stretch", "2", "--repeat", "3"), 2);
  CHECK_STR_CONTAINS(err, "--plan-stretch");
}

/* Shares of `repeat` over `rounds`: they add up to repeat and differ by
 * at most one, the larger first. */
static void test_round_share(void) {
  for (int repeat = 1; repeat <= 12; repeat++)
    for (int rounds = 1; rounds <= 15; rounds++) {
      cfb_sweep_config c;
      memset(&c, 0, sizeof c);
      c.repeat = repeat;
      int sum = 0, prev = repeat + 1;
      for (int r = 0; r < rounds; r++) {
        int sh = cfb_sweep_round_share(&c, rounds, r);
        CHECK(sh == repeat / rounds || sh == repeat / rounds + 1);
        CHECK_LE(sh, prev);
        prev = sh;
        sum += sh;
      }
      CHECK_EQ(sum, repeat);
      CHECK_EQ(cfb_sweep_round_share(&c, rounds, rounds), 0);
    }
}

/* Every round's order is a permutation; round 0 is the one-round order;
 * the seed reproduces every round; the rounds do not all share one order. */
static void test_round_orders(void) {
  cfb_run_opts o;
  char err[300];
  CHECK_EQ(PARSE(&o, err, "--workload", "sleep", "--param", "delay=0", "--workers", "1,2,4,8",
                 "--chunksize", "1,2", "--rounds", "4"),
           0);
  CHECK_EQ(o.rounds, 4);
  cfb_sweep sw, again, one;
  CHECK_EQ(cfb_sweep_expand(&o, 42, &sw, err, sizeof err), 0);
  CHECK_EQ(cfb_sweep_expand(&o, 42, &again, err, sizeof err), 0);
  o.rounds = 1;
  CHECK_EQ(cfb_sweep_expand(&o, 42, &one, err, sizeof err), 0);
  CHECK_EQ(sw.rounds, 4);
  CHECK_EQ(one.rounds, 1);
  CHECK_EQ(sw.n, 8);
  int differ = 0;
  for (int r = 0; r < sw.rounds; r++) {
    const size_t *ord = cfb_sweep_round_order(&sw, r);
    int seen[8] = {0};
    for (size_t i = 0; i < sw.n; i++) seen[ord[i]]++;
    for (size_t i = 0; i < 8; i++) CHECK_EQ(seen[i], 1);
    CHECK(memcmp(ord, cfb_sweep_round_order(&again, r), sw.n * sizeof *ord) == 0);
    if (r) differ |= memcmp(ord, cfb_sweep_round_order(&sw, 0), sw.n * sizeof *ord) != 0;
  }
  CHECK(differ);
  CHECK(memcmp(cfb_sweep_round_order(&sw, 0), one.order, sw.n * sizeof *one.order) == 0);
  cfb_sweep_free(&sw);
  cfb_sweep_free(&again);
  cfb_sweep_free(&one);
  cfb_run_opts_free(&o);
}

/* Pairs: thread with process and py-thread with py-process (same
 * configuration otherwise), each pair's two sides adjacent in every
 * round's order; mpi has no partner. */
static void test_pairs_adjacent(void) {
  cfb_run_opts o;
  char err[300];
  CHECK_EQ(PARSE(&o, err, "--workload", "sleep", "--backend", "thread,process,py-thread,py-process",
                 "--workers", "1,2", "--rounds", "3"),
           0);
  cfb_sweep sw;
  CHECK_EQ(cfb_sweep_expand(&o, 7, &sw, err, sizeof err), 0);
  CHECK_EQ(sw.n, 8);
  for (size_t i = 0; i < sw.n; i++) {
    const cfb_sweep_config *c = &sw.cfg[i], *p;
    CHECK(c->partner != SIZE_MAX);
    p = &sw.cfg[c->partner];
    CHECK_EQ(p->partner, i);
    CHECK_EQ((int)p->backend, (int)cfb_backend_pair(c->backend));
    CHECK_EQ(p->workers, c->workers);
    CHECK_EQ(cfb_backend_is_py(p->backend), cfb_backend_is_py(c->backend));
  }
  for (int r = 0; r < sw.rounds; r++) {
    const size_t *ord = cfb_sweep_round_order(&sw, r);
    for (size_t k = 0; k < sw.n; k += 2) CHECK_EQ(sw.cfg[ord[k]].partner, ord[k + 1]);
  }
  CHECK_EQ((int)cfb_backend_pair(CFB_BK_PY_THREAD), (int)CFB_BK_PY_PROCESS);
  CHECK_EQ((int)cfb_backend_pair(CFB_BK_MPI), (int)CFB_BK_NONE);
  cfb_sweep_free(&sw);
  cfb_run_opts_free(&o);
}

/* --configs keeps the named configurations of the expanded sweep, in
 * expansion order, with the seeds they have in the whole sweep; pairs
 * form only inside the subset; an index past the sweep is refused. */
static void test_configs_subset(void) {
  cfb_run_opts o;
  char err[300];
  cfb_sweep all, sub;
  CHECK_EQ(PARSE(&o, err, "--workload", "sleep", "--backend", "thread,process", "--workers", "1,2,4"), 0);
  CHECK_EQ(cfb_sweep_expand(&o, 9, &all, err, sizeof err), 0);
  cfb_run_opts_free(&o);
  CHECK_EQ(all.n, 6);
  CHECK_EQ(PARSE(&o, err, "--workload", "sleep", "--backend", "thread,process", "--workers", "1,2,4",
                 "--configs", "4,0-1,1"),
           0);
  CHECK_EQ(cfb_sweep_expand(&o, 9, &sub, err, sizeof err), 0);
  CHECK_EQ(sub.n, 3); /* 0, 1, 4: repeats collapse, expansion order */
  const size_t want[3] = {0, 1, 4};
  for (size_t i = 0; i < 3; i++) {
    const cfb_sweep_config *a = &all.cfg[want[i]], *b = &sub.cfg[i];
    CHECK_EQ(b->index, i);
    CHECK_EQ((int)a->backend, (int)b->backend);
    CHECK_EQ(a->workers, b->workers);
    CHECK(a->seed == b->seed);
    /* a partner outside the subset is no partner */
    if (b->partner != SIZE_MAX) CHECK_EQ(sub.cfg[b->partner].workers, b->workers);
  }
  cfb_sweep_free(&sub);
  cfb_run_opts_free(&o);
  cfb_sweep_free(&all);
  CHECK_EQ(PARSE(&o, err, "--workload", "sleep", "--workers", "1,2", "--configs", "2"), 0);
  CHECK_EQ(cfb_sweep_expand(&o, 9, &sub, err, sizeof err), 2);
  CHECK_STR_CONTAINS(err, "--configs: 2 is past the sweep's 2 configurations");
  cfb_run_opts_free(&o);
  CHECK_EQ(PARSE(&o, err, "--workload", "sleep", "--configs", "x"), 2);
  CHECK_STR_CONTAINS(err, "--configs");
  cfb_run_opts_free(&o);
}

/* --rounds defaults: 1 on the command line and for quick; ci and default
 * one round per repetition (following --repeat); --rounds overrides. */
static void test_rounds_defaults(void) {
  static const struct {
    const char *args[8];
    int rounds;
  } cases[] = {
      {{"--workload", "sleep", NULL}, 1},
      {{"--workload", "sleep", "--repeat", "7", NULL}, 1},
      {{"--workload", "sleep", "--rounds", "3", NULL}, 3},
      {{"--suite", "quick", NULL}, 1},
      {{"--suite", "ci", NULL}, 12},      /* adaptive: up to max_rounds */
      {{"--suite", "default", NULL}, 100}, /* the cap; round 1 plans the max from the budget */
      {{"--workload", "sleep", "--min-rounds", "3", "--max-rounds", "7", NULL}, 7},
      {{"--suite", "ci", "--repeat", "3", NULL}, 3},
      {{"--suite", "default", "--rounds", "2", NULL}, 2},
      {{"--suite", "ci", "--rounds=1", "--repeat", "9", NULL}, 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *argv[10] = {"run"};
    int argc = 1;
    for (size_t k = 0; cases[i].args[k]; k++) argv[argc++] = cases[i].args[k];
    argv[argc] = NULL;
    cfb_run_opts o;
    char err[300];
    CHECK_EQ(parse(&o, argv, err, sizeof err), 0);
    CHECK_EQ(o.rounds, cases[i].rounds);
    cfb_run_opts_free(&o);
  }
  cfb_run_opts o;
  char err[300];
  /* adaptive rounds: the suite's defaults, and fixed rounds cannot be mixed in */
  CHECK_EQ(PARSE(&o, err, "--suite", "ci"), 0);
  CHECK_EQ(o.adaptive, 1);
  CHECK_EQ(o.min_rounds, 5);
  CHECK_EQ(o.specs[0].repeat, o.max_rounds);
  cfb_run_opts_free(&o);
  CHECK_EQ(PARSE(&o, err, "--suite", "ci", "--repeat", "3"), 0);
  CHECK_EQ(o.adaptive, 0);
  cfb_run_opts_free(&o);
  CHECK_EQ(PARSE(&o, err, "--workload", "sleep", "--max-rounds", "4", "--repeat", "3"), 2);
  CHECK_STR_CONTAINS(err, "cannot be combined with --repeat or --rounds");
  CHECK_EQ(PARSE(&o, err, "--workload", "sleep", "--min-rounds", "9", "--max-rounds", "4"), 2);
  CHECK_STR_CONTAINS(err, "--min-rounds 9 is more than --max-rounds 4");
  CHECK_EQ(PARSE(&o, err, "--workload", "sleep", "--target-ci", "x"), 2);
  CHECK_STR_CONTAINS(err, "--target-ci: 'x' is not a fraction");
  CHECK_EQ(PARSE(&o, err, "--workload", "sleep", "--target-ci", "150%"), 2);
  CHECK_STR_CONTAINS(err, "--target-ci: 150% is out of range; allowed: 0..99%");
  CHECK_EQ(PARSE(&o, err, "--workload", "sleep", "--rounds", "0"), 2);
  CHECK_STR_CONTAINS(err, "--rounds: 0 is out of range; allowed: 1..");
  CHECK_EQ(PARSE(&o, err, "--workload", "sleep", "--rounds", "x"), 2);
  CHECK_STR_CONTAINS(err, "--rounds: 'x' is not a number");
}

/* WORKLOAD.KEY=VALUE scopes a key two workloads share: sleep.delay sets
 * sleep's delay alone, over an unscoped delay=... for the others; a scope
 * naming no selected workload's parameter is refused. */
static void test_scoped_params(void) {
  cfb_run_opts o;
  char err[300];
  CHECK_EQ(PARSE(&o, err, "--workload", "socket,sleep", "--param", "delay=0", "--param", "sleep.delay=2ms,3ms",
                 "--workers", "1", "--backend", "thread", "--items", "4"),
           0);
  cfb_sweep sw;
  CHECK_EQ(cfb_sweep_expand(&o, 42, &sw, err, sizeof err), 0);
  CHECK_EQ(sw.n, 3); /* socket delay=0; sleep 2ms, 3ms */
  size_t sleeps = 0;
  for (size_t i = 0; i < sw.n; i++) {
    const cfb_sweep_config *c = &sw.cfg[i];
    CHECK_EQ(c->nkv, 1);
    if (!strcmp(c->w->name, "sleep")) {
      sleeps++;
      CHECK(!strcmp(c->kv[0], "delay=2ms") || !strcmp(c->kv[0], "delay=3ms"));
    } else {
      CHECK(!strcmp(c->kv[0], "delay=0"));
    }
  }
  CHECK_EQ(sleeps, 2);
  cfb_sweep_free(&sw);
  cfb_run_opts_free(&o);
  CHECK_EQ(PARSE(&o, err, "--workload", "sleep", "--param", "socket.delay=1ms"), 2);
  CHECK(strstr(err, "socket.delay"));
  cfb_run_opts_free(&o);
  CHECK_EQ(PARSE(&o, err, "--workload", "sleep", "--param", "sleep.nonesuch=1"), 2);
  cfb_run_opts_free(&o);
}

static int kept_rows_ok;
static int count_row(void *ud, cfb_row *row) {
  (void)ud;
  kept_rows_ok += row->ok && row->items_done == 30;
  free(row->metrics);
  return 0;
}

/* With keep_run the workload is prepared in the configuration's first
 * round and the same prepared run serves the later ones, until its last
 * repetition (then torn down); without it, each round prepares its own. */
static void test_prepared_kept(void) {
  cfb_run_opts o;
  char err[300];
  CHECK_EQ(PARSE(&o, err, "--workload", "primes", "--param", "preset=range", "--param", "start=1000001", "--param", "count=30", "--backend",
                 "thread", "--workers", "1", "--repeat", "3", "--rounds", "3", "--warmup", "1"),
           0);
  cfb_sweep sw;
  int erc = cfb_sweep_expand(&o, 1, &sw, err, sizeof err);
  if (erc) fprintf(stderr, "%s\n", err);
  CHECK_EQ(erc, 0);
  CHECK_EQ(sw.n, 1);
  cfb_counters *ctr = NULL;
  CHECK_EQ(cfb_counters_open(CFB_CTR_RUSAGE, &ctr), 0);
  cfb_runner r = {ctr, 1, count_row, NULL, NULL};
  cfb_config_result kept, fresh;
  cfb_runner_init(&kept, &sw.cfg[0]);
  cfb_runner_init(&fresh, &sw.cfg[0]);
  kept.keep_run = 1;
  kept_rows_ok = 0;
  CHECK_EQ(cfb_runner_round(&r, &sw.cfg[0], 0, 1, &kept), 0);
  const cf_wk_run *first = kept.run;
  CHECK(first != NULL);
  CHECK(kept.t.prepare_s > 0);
  CHECK_EQ(cfb_runner_round(&r, &sw.cfg[0], 1, 1, &kept), 0);
  CHECK(kept.run == first); /* not prepared again */
  CHECK_EQ(cfb_runner_round(&r, &sw.cfg[0], 2, 1, &kept), 0);
  CHECK(kept.run == NULL); /* its last repetition: torn down */
  CHECK_EQ(kept.measured, 3);
  CHECK_EQ(kept_rows_ok, 3);
  for (int rd = 0; rd < 3; rd++) {
    CHECK_EQ(cfb_runner_round(&r, &sw.cfg[0], rd, 1, &fresh), 0);
    CHECK(fresh.run == NULL);
  }
  CHECK_EQ(kept_rows_ok, 6); /* the same checked results either way */
  cfb_runner_release(&kept); /* nothing to release: no-op */
  cfb_counters_free(ctr);
  cfb_sweep_free(&sw);
  cfb_run_opts_free(&o);
}

int main(int argc, char **argv) {
  static const test_case cases[] = {{"ranges_and_lists", test_ranges_and_lists},
                                    {"prepared_kept", test_prepared_kept},
                                    {"params_where_they_exist", test_params_where_they_exist},
                                    {"bad_values", test_bad_values},
                                    {"suites_expand", test_suites_expand},
                                    {"suite_plan_stretch", test_suite_plan_stretch},
                                    {"round_share", test_round_share},
                                    {"round_orders", test_round_orders},
                                    {"pairs_adjacent", test_pairs_adjacent},
                                    {"rounds_defaults", test_rounds_defaults},
                                    {"scoped_params", test_scoped_params},
                                    {"configs_subset", test_configs_subset},
                                    {NULL, NULL}};
  return run_tests(cases, argc, argv);
}
