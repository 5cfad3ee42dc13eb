/* fanout.c -- fan out work with cf_submit and collect it with
 * cf_as_completed, in completion order (the docs' URL example, with sleeps
 * standing in for downloads).
 *
 * The docs' version relies on timing alone: on a loaded machine (or under
 * a sanitizer) a 10 ms job may well finish after a 20 ms one.  Here a job
 * also waits until every shorter job is done before it "downloads", so the
 * completion order (shortest first, not the submission order) is the same
 * on any machine, and the test that checks it never depends on luck. */
#include <cfutures.h>

#include <pthread.h>
#include <stdio.h>
#include <time.h>

static const int delays[] = {50, 10, 40, 20, 30};
#define NJOBS (int)(sizeof delays / sizeof delays[0])

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int finished; /* jobs done so far */

static int fetch(const void *arg, size_t len, cf_result *out) {
  int ms = *(const int *)arg, shorter = 0;
  for (int i = 0; i < NJOBS; i++) shorter += delays[i] < ms;
  pthread_mutex_lock(&lock);
  while (finished < shorter) pthread_cond_wait(&cond, &lock);
  pthread_mutex_unlock(&lock);
  struct timespec ts = {0, ms * 1000000L};
  nanosleep(&ts, NULL);
  int rc = cf_result_set(out, &ms, sizeof ms);
  pthread_mutex_lock(&lock);
  finished++;
  pthread_cond_broadcast(&cond);
  pthread_mutex_unlock(&lock);
  return rc;
}

int main(void) {
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.max_workers = NJOBS; /* every job runs at once: none waits for a worker */
  cf_executor *ex;
  int rc = cf_executor_new(&ex, &cfg);
  if (rc) {
    fprintf(stderr, "fanout: %s: %s\n", cf_strerror(rc), cf_last_error_message());
    return 1;
  }
  cf_future *fs[NJOBS];
  for (int i = 0; i < NJOBS; i++) cf_submit(ex, fetch, &delays[i], sizeof(int), &fs[i]);
  cf_as_completed *it;
  cf_as_completed_new(fs, NJOBS, 30.0, &it);
  cf_future *f;
  while ((rc = cf_as_completed_next(it, &f)) == 0) {
    const void *data;
    if (cf_future_result(f, 0, &data, NULL) == 0) printf("job of %d ms done\n", *(const int *)data);
  }
  cf_as_completed_free(it);
  for (int i = 0; i < NJOBS; i++) cf_future_release(fs[i]);
  cf_executor_free(ex);
  return rc == CF_EOF ? 0 : 1;
}
