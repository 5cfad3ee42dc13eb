/* fanout.c -- fan out work with cf_submit and collect it with
 * cf_as_completed, in completion order (the docs' URL example, with sleeps
 * standing in for downloads). */
#include <cfutures.h>

#include <stdio.h>
#include <time.h>

static int fetch(const void *arg, size_t len, cf_result *out) {
  int ms = *(const int *)arg;
  struct timespec ts = {0, ms * 1000000L};
  nanosleep(&ts, NULL);
  return cf_result_set(out, &ms, sizeof ms);
}

int main(void) {
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.max_workers = 5;
  cf_executor *ex;
  int rc = cf_executor_new(&ex, &cfg);
  if (rc) {
    fprintf(stderr, "fanout: %s\n", cf_strerror(rc));
    return 1;
  }
  const int delays[] = {50, 10, 40, 20, 30};
  cf_future *fs[5];
  for (int i = 0; i < 5; i++) cf_submit(ex, fetch, &delays[i], sizeof(int), &fs[i]);
  cf_as_completed *it;
  cf_as_completed_new(fs, 5, 5.0, &it);
  cf_future *f;
  while ((rc = cf_as_completed_next(it, &f)) == 0) {
    const void *data;
    if (cf_future_result(f, 0, &data, NULL) == 0) printf("job of %d ms done\n", *(const int *)data);
  }
  cf_as_completed_free(it);
  for (int i = 0; i < 5; i++) cf_future_release(fs[i]);
  cf_executor_free(ex);
  return rc == CF_EOF ? 0 : 1;
}
