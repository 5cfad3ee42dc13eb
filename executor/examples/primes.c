/* primes.c -- the Python docs' ProcessPoolExecutor example in C: is_prime
 * over six large numbers with cf_map, on the backend named by argv[1]
 * ("thread" or "process", default process). */
#include <cfutures.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const uint64_t PRIMES[] = {112272535095293ull, 112582705942171ull, 112272535095293ull,
                                  115280095190773ull, 115797848077099ull, 1099726899285419ull};
#define NPRIMES (sizeof PRIMES / sizeof PRIMES[0])

static int is_prime(const void *arg, size_t len, cf_result *out) {
  uint64_t n;
  if (len != sizeof n) return 1;
  memcpy(&n, arg, sizeof n);
  unsigned char yes = 1;
  if (n < 2) yes = 0;
  else if (n == 2) yes = 1;
  else if (n % 2 == 0) yes = 0;
  else {
    uint64_t limit = (uint64_t)floor(sqrt((double)n));
    for (uint64_t i = 3; i <= limit; i += 2)
      if (n % i == 0) {
        yes = 0;
        break;
      }
  }
  return cf_result_set(out, &yes, 1);
}

static int next_number(void *ud, const void **arg, size_t *len) {
  size_t *i = ud;
  if (*i >= NPRIMES) return 0;
  *arg = &PRIMES[(*i)++];
  *len = sizeof(uint64_t);
  return 1;
}

int main(int argc, char **argv) {
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.backend = (argc > 1 && strcmp(argv[1], "thread") == 0) ? CF_BACKEND_THREAD : CF_BACKEND_PROCESS;
  cf_executor *ex;
  int rc = cf_executor_new(&ex, &cfg);
  if (rc == CF_ENOSYS && cfg.backend == CF_BACKEND_PROCESS) {
    cfg.backend = CF_BACKEND_THREAD; /* process backend not available in this build */
    rc = cf_executor_new(&ex, &cfg);
  }
  if (rc) {
    fprintf(stderr, "primes: cannot create executor: %s\n", cf_strerror(rc));
    return 1;
  }
  size_t i = 0, k = 0;
  cf_map *m;
  rc = cf_map_new(ex, is_prime, next_number, &i, NULL, &m);
  const void *res;
  while (rc == 0 && (rc = cf_map_next(m, &res, NULL)) == 0) {
    printf("%llu is prime: %s\n", (unsigned long long)PRIMES[k++], *(const unsigned char *)res ? "True" : "False");
  }
  cf_map_free(m);
  cf_executor_free(ex);
  if (rc != CF_EOF) {
    fprintf(stderr, "primes: %s\n", cf_strerror(rc));
    return 1;
  }
  return 0;
}
