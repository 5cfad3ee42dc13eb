/* test_map.c -- cf_map: order, chunksize, the buffersize bound on input
 * consumption, per-item errors, input errors, timeout, bad options, a
 * shutdown under a running map, the chunk record at both ends. */
#include "common.h"

typedef struct counter_input {
  uint64_t next, end;
  size_t calls;       /* how often the input callback was called */
  uint64_t cur;
  int fail_at;        /* return this error instead of item `fail_at`... */
  int fail_code;
} counter_input;

static int counter_next(void *ud, const void **arg, size_t *len) {
  counter_input *in = ud;
  in->calls++;
  if (in->fail_code && in->next == (uint64_t)in->fail_at) return in->fail_code;
  if (in->next >= in->end) return 0;
  in->cur = in->next++;
  *arg = &in->cur;
  *len = sizeof in->cur;
  return 1;
}

/* Items sleep a pseudo-random 0..3 ms, so completion order is shuffled. */
static int t_jitter_add1(const void *arg, size_t len, cf_result *out) {
  uint64_t v;
  memcpy(&v, arg, sizeof v);
  sleep_ms((int)(((v * 2654435761u) >> 7) % 4));
  v++;
  return cf_result_set(out, &v, sizeof v);
}

/* Odd items fail with their value as code. */
static int t_fail_odd(const void *arg, size_t len, cf_result *out) {
  uint64_t v;
  memcpy(&v, arg, sizeof v);
  if (v % 2) return (int)v;
  return cf_result_set(out, &v, sizeof v);
}

/* A map of fn over in's counter items with these options (0: default). */
static cf_map *map_open(cf_executor *ex, cf_task_fn fn, counter_input *in, size_t chunksize, size_t buffersize) {
  cf_map_options opt;
  cf_map_options_init(&opt);
  opt.chunksize = chunksize;
  opt.buffersize = buffersize;
  cf_map *m;
  CHECK_EQ(cf_map_new(ex, fn, counter_next, in, &opt, &m), 0);
  return m;
}

/* Read items while they come, each the 8-byte value *expect (then one
 * more); returns the code that ended the run (CF_EOF, an error). */
static int read_in_order(cf_map *m, uint64_t *expect) {
  const void *d;
  size_t len;
  int rc;
  while ((rc = cf_map_next(m, &d, &len)) == 0) {
    uint64_t v;
    CHECK_EQ(len, 8);
    memcpy(&v, d, 8);
    CHECK_EQ(v, *expect);
    (*expect)++;
  }
  return rc;
}

static void map_order(void) {
  cf_executor *ex = make_ex(4);
  size_t sizes[] = {1, 3, 16, 1000};
  for (size_t s = 0; s < 4; s++) {
    counter_input in = {0, 200, 0, 0, 0, 0};
    cf_map_options opt;
    cf_map_options_init(&opt);
    opt.chunksize = sizes[s];
    cf_map *m;
    CHECK_EQ(cf_map_new(ex, t_jitter_add1, counter_next, &in, &opt, &m), 0);
    const void *d;
    size_t len;
    uint64_t expect = 1;
    CHECK_EQ(read_in_order(m, &expect), CF_EOF);
    CHECK_EQ(expect, 201);
    CHECK_EQ(cf_map_next(m, &d, &len), CF_EOF);
    cf_task_record rec;
    cf_map_record(m, &rec);
    cf_map_free(m);
  }
  cf_executor_free(ex);
}

static void map_buffersize_bound(void) {
  cf_executor *ex = make_ex(2);
  size_t chunks[] = {1, 4};
  size_t bufs[] = {1, 3};
  for (int c = 0; c < 2; c++)
    for (int b = 0; b < 2; b++) {
      counter_input in = {0, 1000000, 0, 0, 0, 0}; /* a "huge" input */
      cf_map_options opt;
      cf_map_options_init(&opt);
      opt.chunksize = chunks[c];
      opt.buffersize = bufs[b];
      cf_map *m;
      CHECK_EQ(cf_map_new(ex, t_add1, counter_next, &in, &opt, &m), 0);
      /* before consuming anything: at most buffersize chunks pulled */
      CHECK_LE(in.calls, bufs[b] * chunks[c]);
      const void *d;
      for (size_t consumed = 1; consumed <= 50; consumed++) {
        CHECK_EQ(cf_map_next(m, &d, NULL), 0);
        /* the chunk being read plus buffersize chunks ahead, no more */
        size_t chunks_read = (consumed + chunks[c] - 1) / chunks[c];
        CHECK_LE(in.calls, (chunks_read + bufs[b]) * chunks[c]);
      }
      sleep_ms(20); /* workers idle: still no eager pull */
      CHECK_LE(in.calls, (50 / chunks[c] + 1 + bufs[b]) * chunks[c]);
      cf_map_free(m);
    }
  cf_executor_free(ex);
}

/* buffersize 0: the window cfutures.h documents, pulled at cf_map_new and
 * kept while consuming: 2 chunks per worker on threads and MPI; on
 * processes 128 items per worker (chunksize 1 and 16), but never fewer than
 * 2 chunks per worker (chunksize 256). */
static void map_default_window(void) {
  const int w = 2;
  cf_executor *ex = make_ex(w);
  size_t chunks[] = {1, 16, 256};
  for (int c = 0; c < 3; c++) {
    size_t cs = chunks[c], win = 2 * (size_t)w;
    if (g_backend == CF_BACKEND_PROCESS && 128 * (size_t)w / cs > win) win = 128 * (size_t)w / cs;
    counter_input in = {0, 1000000, 0, 0, 0, 0};
    cf_map_options opt;
    cf_map_options_init(&opt);
    opt.chunksize = cs;
    cf_map *m;
    CHECK_EQ(cf_map_new(ex, t_add1, counter_next, &in, &opt, &m), 0);
    CHECK_EQ(in.calls, win * cs); /* the whole window, not one call more */
    for (size_t i = 0; i < 3 * cs; i++) CHECK_EQ(cf_map_next(m, NULL, NULL), 0);
    /* refilled as chunks are read; itemwise chunks (processes, chunksize 1)
     * wait for room for a whole batch, so there it is a bound */
    if (g_backend == CF_BACKEND_PROCESS && cs == 1) CHECK_LE(in.calls, (3 + win) * cs);
    else CHECK_EQ(in.calls, (3 + win) * cs);
    cf_map_free(m);
  }
  cf_executor_free(ex);
}

static void map_item_errors(void) {
  cf_executor *ex = make_ex(2);
  counter_input in = {0, 20, 0, 0, 0, 0};
  cf_map *m = map_open(ex, t_fail_odd, &in, 3, 0);
  for (uint64_t i = 0; i < 20; i++) {
    const void *d;
    int rc = cf_map_next(m, &d, NULL);
    if (i % 2) {
      CHECK_EQ(rc, CF_ETASK);
      CHECK_EQ(cf_map_task_code(m), (int)i);
    } else {
      CHECK_EQ(rc, 0);
      CHECK_EQ(*(const uint64_t *)d, i);
      CHECK_EQ(cf_map_task_code(m), 0);
    }
  }
  CHECK_EQ(cf_map_next(m, NULL, NULL), CF_EOF);
  cf_map_free(m);
  cf_executor_free(ex);
}

static void map_input_error(void) {
  cf_executor *ex = make_ex(2);
  counter_input in = {0, 100, 0, 0, 7, -777};
  cf_map *m;
  CHECK_EQ(cf_map_new(ex, t_add1, counter_next, &in, NULL, &m), 0);
  for (int i = 0; i < 7; i++) CHECK_EQ(cf_map_next(m, NULL, NULL), 0);
  CHECK_EQ(cf_map_next(m, NULL, NULL), -777);
  CHECK_EQ(cf_map_next(m, NULL, NULL), CF_EOF);
  cf_map_free(m);
  cf_executor_free(ex);
}

/* Items are key << 8 | index: items 0 and 1 take 10 ms, the others wait
 * for the gate file of the key (the test's pid), which the test makes
 * after its timeouts, so no late wake-up on a loaded machine can see them
 * finish first (a map's items carry no path; the key names it). */
static void map_gate_path(char *buf, size_t cap, uint64_t key) {
  snprintf(buf, cap, "/tmp/cf_test_map_gate_%llu", (unsigned long long)key);
}

static int t_gated_u64(const void *arg, size_t len, cf_result *out) {
  uint64_t v;
  memcpy(&v, arg, 8);
  if ((v & 0xff) < 2) {
    sleep_ms(10);
  } else {
    char path[64];
    map_gate_path(path, sizeof path, v >> 8);
    for (int i = 0; i < 30000 && access(path, F_OK) != 0; i++) sleep_ms(1); /* bounds a hang */
  }
  return cf_result_set(out, &v, 8);
}

static void map_timeout(void) {
  cf_executor *ex = make_ex(2);
  uint64_t key = (uint64_t)getpid();
  char gate[64];
  map_gate_path(gate, sizeof gate, key);
  counter_input in = {key << 8, (key << 8) + 6, 0, 0, 0, 0};
  cf_map_options opt;
  cf_map_options_init(&opt);
  /* 2 s: the two 10 ms items must be done within it even when spawned
   * TSan workers start slowly on a loaded machine */
  opt.timeout_s = 2.0;
  double t0 = now_s();
  cf_map *m;
  CHECK_EQ(cf_map_new(ex, t_gated_u64, counter_next, &in, &opt, &m), 0);
  CHECK_EQ(cf_map_next(m, NULL, NULL), 0);
  CHECK_EQ(cf_map_next(m, NULL, NULL), 0);
  CHECK_EQ(cf_map_next(m, NULL, NULL), CF_ETIMEDOUT);
  double took = now_s() - t0;
  CHECK(took >= 1.999);
  CHECK(took < 20.0); /* at the timeout, not never: 10x it, loose for loaded CI */
  CHECK_EQ(cf_map_next(m, NULL, NULL), CF_ETIMEDOUT);
  FILE *g = fopen(gate, "w");
  CHECK(g != NULL);
  fclose(g);
  cf_map_free(m);
  cf_executor_free(ex);
  unlink(gate);
}

static void map_bad_options(void) {
  cf_executor *ex = make_ex(1);
  counter_input in = {0, 6, 0, 0, 0, 0};
  cf_map_options opt;
  cf_map_options_init(&opt);
  opt.chunksize = 0;
  cf_map *m;
  CHECK_EQ(cf_map_new(ex, t_add1, counter_next, &in, &opt, &m), CF_EINVAL);
  CHECK_EQ(cf_map_new(ex, NULL, counter_next, &in, NULL, &m), CF_EINVAL);
  CHECK_EQ(cf_map_new(ex, t_add1, NULL, &in, NULL, &m), CF_EINVAL);
  CHECK_EQ(in.calls, 0);
  cf_executor_shutdown(ex, 1, 0);
  CHECK_EQ(cf_map_new(ex, t_add1, counter_next, &in, NULL, &m), CF_ESHUTDOWN);
  cf_executor_free(ex);
}

/* The executor shut down while a map runs: the chunks already in flight
 * come out in order, then CF_ESHUTDOWN on this and every later call, never
 * CF_EOF (the refused chunk's items were pulled and never ran).  It used
 * to return CF_ESHUTDOWN in place of the next item, that item on the
 * call after, and CF_EOF at the end with input lost. */
static void map_after_shutdown(void) {
  size_t chunks[] = {1, 3};
  for (int c = 0; c < 2; c++) {
    cf_executor *ex = make_ex(2);
    counter_input in = {0, 1000, 0, 0, 0, 0};
    cf_map *m = map_open(ex, t_add1, &in, chunks[c], 2);
    const void *d;
    size_t len;
    CHECK_EQ(cf_map_next(m, &d, &len), 0);
    cf_executor_shutdown(ex, 0, 0);
    uint64_t expect = 2; /* item 0 came back as 1 */
    CHECK_EQ(read_in_order(m, &expect), CF_ESHUTDOWN);
    CHECK_EQ(cf_map_next(m, &d, &len), CF_ESHUTDOWN);
    CHECK_EQ(cf_map_next(m, &d, &len), CF_ESHUTDOWN);
    size_t calls = in.calls;
    CHECK_EQ(cf_map_next(m, &d, &len), CF_ESHUTDOWN);
    CHECK_EQ(in.calls, calls); /* nothing more pulled */
    cf_map_free(m);
    cf_executor_free(ex);
  }
}

/* cf_map_record: before the first item a record of nothing (worker and
 * cpu -1, not worker 0 on CPU 0); after CF_EOF still the last chunk's
 * (it used to read all zeros once the map had ended). */
static void map_record_ends(void) {
  cf_executor *ex = make_ex(2);
  counter_input in = {0, 7, 0, 0, 0, 0};
  cf_map *m = map_open(ex, t_add1, &in, 3, 0); /* chunks of items 0-2, 3-5, 6 */
  cf_task_record rec;
  cf_map_record(m, &rec);
  CHECK_EQ(rec.id, 0);
  CHECK_EQ(rec.worker, -1);
  CHECK_EQ(rec.cpu, -1);
  CHECK_EQ(rec.end_ns, 0);
  int n = 0;
  while (cf_map_next(m, NULL, NULL) == 0) n++;
  CHECK_EQ(n, 7);
  cf_task_record last;
  cf_map_record(m, &last); /* after CF_EOF */
  CHECK(last.id > 0);
  CHECK(last.worker >= 0 && last.worker < 2);
  CHECK(last.end_ns >= last.start_ns && last.start_ns > 0);
  CHECK_EQ(last.status, 0);
  CHECK_EQ(cf_map_next(m, NULL, NULL), CF_EOF);
  cf_map_record(m, &rec);
  CHECK_EQ(rec.id, last.id);
  CHECK_EQ(rec.end_ns, last.end_ns);
  cf_map_free(m);
  cf_executor_free(ex);
}

int main(int argc, char **argv) {
  set_backend(argc, argv);
  static const test_case cases[] = {
      {"map_order", map_order},
      {"map_buffersize_bound", map_buffersize_bound},
      {"map_default_window", map_default_window},
      {"map_item_errors", map_item_errors},
      {"map_input_error", map_input_error},
      {"map_timeout", map_timeout},
      {"map_bad_options", map_bad_options},
      {"map_after_shutdown", map_after_shutdown},
      {"map_record_ends", map_record_ends},
      {NULL, NULL}};
  return run_tests(cases, argc, argv);
}
