/* test_socket.c -- the socket workload and its embedded server: body
 * lengths with and without keep-alive, response delays served by timers
 * (64 delayed requests at once), 256 concurrent clients without an error,
 * an explicit target (the embedded server started alone, with a right and
 * a wrong expected length), and failures that must be clear and fast: a
 * refused port, a server that resets, one that never answers, and an
 * embedded server out of descriptors (a real RLIMIT_NOFILE), which must
 * be named as such, not as a timeout. */
#include "wk_test.h"
#include "httpd.h"
#include "wk.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static void t_basic(void) {
  const char *kv[] = {"body=1000"};
  cf_wk_run *r = wk_prep("socket", kv, 1, 200);
  wk_outcome o;
  wk_run(r, 8, &o, NULL, 0);
  CHECK_EQ(o.ok, 200);
  double p50 = wk_metric(r, "latency_p50_us"), p90 = wk_metric(r, "latency_p90_us"),
         p99 = wk_metric(r, "latency_p99_us");
  CHECK(p50 > 0 && p50 <= p90 && p90 <= p99);
  CHECK(cf_wk_ideal_rate(r, 8, 2, CF_BACKEND_THREAD) > 0);
  /* a result with another body length fails */
  struct { uint64_t lat; int64_t body; int32_t status, reused; } fake = {1000, 999, 200, 0};
  char err[256];
  CHECK_EQ(cf_wk_check(r, 0, &fake, sizeof fake, err, sizeof err), CF_EINVAL);
  CHECK_STR_CONTAINS(err, "body of 999 bytes, expected 1000");
  fake.body = 1000;
  fake.status = 404;
  CHECK_EQ(cf_wk_check(r, 0, &fake, sizeof fake, err, sizeof err), CF_EINVAL);
  CHECK_STR_CONTAINS(err, "HTTP status 404");
  cf_wk_teardown(r);
}

static void t_close_big(void) {
  const char *kv[] = {"keepalive=off", "body=300KiB"};
  cf_wk_run *r = wk_prep("socket", kv, 2, 40);
  wk_outcome o;
  wk_run(r, 4, &o, NULL, 0);
  CHECK_EQ(o.ok, 40);
  cf_wk_teardown(r);
  const char *kv2[] = {"body=0", "server_threads=2"};
  r = wk_prep("socket", kv2, 2, 100);
  wk_run(r, 4, &o, NULL, 0);
  CHECK_EQ(o.ok, 100);
  cf_wk_teardown(r);
}

static void t_delay(void) {
  /* 64 requests delayed 100 ms each, all at once: timers, not a blocked
   * server thread per request (which would need 6.4 s) */
  const char *kv[] = {"delay=100ms"};
  cf_wk_run *r = wk_prep("socket", kv, 1, 64);
  wk_outcome o;
  wk_run(r, 64, &o, NULL, 0);
  CHECK_EQ(o.ok, 64);
  CHECK(wk_metric(r, "latency_p50_us") >= 100000);
  CHECK(o.seconds < 3.0);
  double ideal = cf_wk_ideal_rate(r, 64, 2, CF_BACKEND_THREAD);
  CHECK(ideal > 0 && ideal <= 640);
  cf_wk_teardown(r);
}

static void t_256(void) {
  cf_wk_run *r = wk_prep("socket", NULL, 0, 256 * 8);
  wk_outcome o;
  wk_run(r, 256, &o, NULL, 0);
  CHECK_EQ(o.task_failed, 0);
  CHECK_EQ(o.check_failed, 0);
  CHECK_EQ(o.ok, 256 * 8);
  cf_wk_teardown(r);
}

static void t_target(void) {
  wk_httpd_opts opts = {0, 777, 1, 1, 0};
  wk_httpd *h;
  char err[256];
  CHECK_EQ(wk_httpd_start(&opts, &h, err, sizeof err), 0);
  char t[128];
  snprintf(t, sizeof t, "target=http://127.0.0.1:%d/some/path", wk_httpd_port(h));
  const char *kv[] = {t, "body=777"};
  cf_wk_run *r = wk_prep("socket", kv, 2, 50);
  wk_outcome o;
  wk_run(r, 4, &o, NULL, 0);
  CHECK_EQ(o.ok, 50);
  cf_wk_teardown(r);
  const char *kv2[] = {t, "body=778"};
  r = wk_prep("socket", kv2, 2, 10);
  wk_run(r, 2, &o, NULL, 0);
  CHECK_EQ(o.check_failed, 10);
  CHECK_STR_CONTAINS(o.first_err, "body of 777 bytes, expected 778");
  cf_wk_teardown(r);
  const char *kv3[] = {t}; /* length not given: any length is fine */
  r = wk_prep("socket", kv3, 1, 10);
  wk_run(r, 2, &o, NULL, 0);
  CHECK_EQ(o.ok, 10);
  cf_wk_teardown(r);
  CHECK_GE(wk_httpd_served(h), 70);
  /* keep-alive (the default) reuses a connection per worker: the 70
   * items and 3 x 55 probe requests above came on at most 4 + 2 + 2
   * worker connections and one probe connection per preparation;
   * without it each item opens its own (and the probe its one) */
  uint64_t kept = wk_httpd_accepted(h);
  CHECK(kept >= 3 && kept <= 3 + 8);
  const char *kv4[] = {t, "keepalive=off"};
  r = wk_prep("socket", kv4, 2, 10);
  wk_run(r, 2, &o, NULL, 0);
  CHECK_EQ(o.ok, 10);
  cf_wk_teardown(r);
  CHECK_EQ(wk_httpd_accepted(h) - kept, 1 + 10);
  wk_httpd_stop(h);
}

/* Is some socket listening on the IPv4 address `hex` (/proc/net/tcp's
 * form, e.g. 0200007F = 127.0.0.2)? */
static int listening_on(const char *hex) {
  FILE *f = fopen("/proc/net/tcp", "r");
  CHECK(f != NULL);
  char line[512], local[64];
  unsigned st;
  int found = 0;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, " %*d: %63s %*s %x", local, &st) == 2 && st == 0x0A && !strncmp(local, hex, 8)) found = 1;
  fclose(f);
  return found;
}

/* listen=: the embedded server binds that address and the items go there
 * (127.0.0.2: loopback too, so the test needs no network); bad values and
 * listen with a target are refused with one line. */
static void t_listen(void) {
  CHECK(!listening_on("0200007F"));
  const char *kv[] = {"listen=127.0.0.2"};
  cf_wk_run *r = wk_prep("socket", kv, 1, 20);
  CHECK(listening_on("0200007F"));
  CHECK_STR_CONTAINS(cf_wk_params_string(r), "listen=127.0.0.2");
  wk_outcome o;
  wk_run(r, 2, &o, NULL, 0);
  CHECK_EQ(o.ok, 20);
  cf_wk_teardown(r);
  CHECK(!listening_on("0200007F"));
  char err[256];
  /* 192.0.2.1 (TEST-NET-1, RFC 5737): no host's address, refused when parsed */
  const char *bad[][2] = {{"listen=0.0.0.0", NULL}, {"listen=host.example", NULL},
                          {"listen=127.0.0.2", "target=http://127.0.0.1:1/"}, {"listen=192.0.2.1", NULL}};
  const char *why[] = {"give one of this host's addresses", "not an IPv4 address",
                       "parameter listen applies to the embedded server",
                       "parameter listen=192.0.2.1: not an address of this host"};
  for (int i = 0; i < 4; i++) {
    CHECK_EQ(wk_prep_err("socket", bad[i], bad[i][1] ? 2 : 1, err, sizeof err), CF_EINVAL);
    CHECK_STR_CONTAINS(err, why[i]);
  }
}

/* A loopback listener; port in *port.  backlog only, no accept. */
static int listener(int *port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(fd >= 0);
  struct sockaddr_in a = {.sin_family = AF_INET};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t al = sizeof a;
  CHECK_EQ(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
  CHECK_EQ(listen(fd, 64), 0);
  CHECK_EQ(getsockname(fd, (struct sockaddr *)&a, &al), 0);
  *port = ntohs(a.sin_port);
  return fd;
}

static void run_failing(int port, const char *timeout, size_t n, const char *msg, double max_s) {
  char t[128];
  snprintf(t, sizeof t, "target=http://127.0.0.1:%d/", port);
  const char *kv[] = {t, timeout};
  cf_wk_run *r = wk_prep("socket", kv, 2, n);
  wk_outcome o;
  wk_run(r, 4, &o, NULL, 0);
  CHECK_EQ(o.task_failed, n);
  CHECK_EQ(o.first_code, CF_ETASK);
  CHECK_STR_CONTAINS(o.first_err, "workload socket: GET http://127.0.0.1:");
  CHECK_STR_CONTAINS(o.first_err, msg);
  CHECK(o.seconds < max_s);
  CHECK(cf_wk_ideal_rate(r, 4, 2, CF_BACKEND_THREAD) == 0); /* the probe failed: no model */
  cf_wk_teardown(r);
}

static void t_refused(void) {
  int port;
  int fd = listener(&port);
  close(fd); /* nobody listens there now */
  run_failing(port, "timeout=10s", 20, "connect: Connection refused", 5.0);
}

static void t_timeout(void) {
  int port;
  int fd = listener(&port); /* accepts in the kernel, never answers */
  run_failing(port, "timeout=200ms", 4, "(timeout)", 10.0);
  close(fd);
}

static _Atomic int reset_stop;
static void *resetter(void *p) {
  int lfd = *(int *)p;
  while (!reset_stop) {
    int c = accept(lfd, NULL, NULL);
    if (c < 0) break;
    char buf[512];
    ssize_t n = recv(c, buf, sizeof buf, 0); /* read the request, then reset */
    (void)n;
    struct linger lg = {1, 0};
    setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(c);
  }
  return NULL;
}

static void t_reset(void) {
  int port;
  int fd = listener(&port);
  pthread_t th;
  pthread_create(&th, NULL, resetter, &fd);
  char t[128];
  snprintf(t, sizeof t, "target=http://127.0.0.1:%d/", port);
  const char *kv[] = {t, "timeout=5s"};
  cf_wk_run *r = wk_prep("socket", kv, 2, 10);
  wk_outcome o;
  wk_run(r, 2, &o, NULL, 0);
  CHECK_EQ(o.task_failed, 10);
  CHECK(strstr(o.first_err, "Connection reset by peer") || strstr(o.first_err, "connection closed before"));
  CHECK(o.seconds < 5.0);
  cf_wk_teardown(r);
  reset_stop = 1;
  shutdown(fd, SHUT_RDWR);
  pthread_join(th, NULL);
  close(fd);
}

/* Prepare leaves the embedded server with no connection open: the probe's
 * is closed on the server's side too before the run begins (its
 * descriptor, closed a moment later by the server's thread, was freed
 * during the emfile run below, which then saw accept succeed). */
static void t_prepare_settles(void) {
  const char *kv[][1] = {{"keepalive=on"}, {"keepalive=off"}};
  for (int i = 0; i < 2; i++) {
    cf_wk_run *r = wk_prep("socket", kv[i], 1, 3);
    CHECK_EQ(cf__wk_socket_server_open(r), 0);
    cf_wk_teardown(r);
  }
}

/* One try: exhaust the descriptors but one and run 3 items on 1 worker. */
static void emfile_try(cf_wk_run *r, wk_outcome *o) {
  struct rlimit old;
  CHECK_EQ(getrlimit(RLIMIT_NOFILE, &old), 0);
  int top = 0;
  for (int fd = 0; fd < 4096; fd++)
    if (fcntl(fd, F_GETFD) >= 0) top = fd;
  struct rlimit low = {(rlim_t)top + 16, old.rlim_max};
  CHECK_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  static int fill[8192];
  int nfill = 0;
  while (nfill < 8192 && (fill[nfill] = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0) nfill++;
  CHECK(nfill > 0 && nfill < 8192);
  close(fill[--nfill]); /* one left: the client's socket */
  wk_run(r, 1, o, NULL, 0);
  for (int i = 0; i < nfill; i++) close(fill[i]);
  CHECK_EQ(setrlimit(RLIMIT_NOFILE, &old), 0);
}

/* The process's descriptors exhausted but one, which each client socket
 * takes: the server's accept fails with EMFILE.  Thread backend only: the
 * clients must share the server's descriptor table.  A descriptor freed
 * by the runtime at the wrong moment (sanitizer or libc internals) can let
 * a try pass without the fault, so up to 5 tries must show it once; every
 * try that does fail must name EMFILE. */
static void t_emfile(void) {
  if (wk_backend != CF_BACKEND_THREAD) return;
  const char *kv[] = {"keepalive=off", "timeout=3s"};
  int faulted = 0;
  for (int t = 0; t < 5 && !faulted; t++) {
    cf_wk_run *r = wk_prep("socket", kv, 2, 3);
    wk_outcome o;
    emfile_try(r, &o);
    if (o.ok < 3) {
      faulted = 1;
      CHECK_STR_CONTAINS(o.first_err, "cannot accept connections: accept: Too many open files (EMFILE)");
    }
    cf_wk_teardown(r);
  }
  CHECK(faulted);
}

int main(int argc, char **argv) {
  static const test_case cases[] = {{"basic", t_basic},     {"close_big", t_close_big}, {"delay", t_delay},
                                    {"256", t_256},         {"target", t_target},       {"refused", t_refused},
                                    {"timeout", t_timeout}, {"reset", t_reset},         {"emfile", t_emfile},
                                    {"prepare_settles", t_prepare_settles},
                                    {"listen", t_listen},     {NULL, NULL}};
  wk_set_backend(argc, argv);
  return run_tests(cases, argc, argv);
}
