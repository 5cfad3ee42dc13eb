/* task.h -- a tiny assertion and runner header for the test programs (in
 * the spirit of libuv's test/task.h).  A failed check prints file, line,
 * the expression and both values, then aborts the test program. */
#ifndef CF_TEST_TASK_H
#define CF_TEST_TASK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(expr)                                                        \
  do {                                                                     \
    if (!(expr)) {                                                         \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #expr); \
      abort();                                                             \
    }                                                                      \
  } while (0)

#define CHECK_OP(a, op, b)                                                 \
  do {                                                                     \
    long long va_ = (long long)(a), vb_ = (long long)(b);                  \
    if (!(va_ op vb_)) {                                                   \
      fprintf(stderr, "%s:%d: CHECK failed: %s %s %s (%lld vs %lld)\n",    \
              __FILE__, __LINE__, #a, #op, #b, va_, vb_);                  \
      abort();                                                             \
    }                                                                      \
  } while (0)

#define CHECK_EQ(a, b) CHECK_OP(a, ==, b)
#define CHECK_NE(a, b) CHECK_OP(a, !=, b)
#define CHECK_LE(a, b) CHECK_OP(a, <=, b)
#define CHECK_LT(a, b) CHECK_OP(a, <, b)
#define CHECK_GE(a, b) CHECK_OP(a, >=, b)
#define CHECK_GT(a, b) CHECK_OP(a, >, b)
/* |a - b| <= eps for doubles (needs <math.h>), printing both values. */
#define CHECK_NEAR(a, b, eps)                                                        \
  do {                                                                               \
    double a_ = (a), b_ = (b);                                                       \
    if (!(fabs(a_ - b_) <= (eps))) {                                                 \
      fprintf(stderr, "%s:%d: %s = %.9g, expected %.9g\n", __FILE__, __LINE__, #a, a_, b_); \
      abort();                                                                       \
    }                                                                                \
  } while (0)

#define CHECK_STR_CONTAINS(hay, needle)                                    \
  do {                                                                     \
    if (!strstr((hay), (needle))) {                                        \
      fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, \
              __LINE__, (hay), (needle));                                  \
      abort();                                                             \
    }                                                                      \
  } while (0)

typedef struct {
  const char *name;
  void (*fn)(void);
} test_case;

/* Runs every case, or the one named in argv[2] (argv[1] is the backend). */
static inline int run_tests(const test_case *cases, int argc, char **argv) {
  int ran = 0;
  for (const test_case *t = cases; t->name; t++) {
    if (argc > 2 && strcmp(argv[2], t->name) != 0) continue;
    fprintf(stderr, "-- %s\n", t->name);
    t->fn();
    ran++;
  }
  if (!ran) {
    fprintf(stderr, "no test named %s\n", argc > 2 ? argv[2] : "?");
    return 1;
  }
  fprintf(stderr, "ok: %d tests\n", ran);
  return 0;
}

#endif
