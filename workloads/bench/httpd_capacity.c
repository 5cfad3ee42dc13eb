/* httpd_capacity.c -- how many requests per second the embedded HTTP
 * server of the `socket` workload sustains, so that a sweep knows it never
 * is the limit.  N blocking client threads, one kept-alive connection
 * each, GET in a loop for a fixed time (clients share the machine's CPUs
 * with the server, as in a sweep).  Prints requests/s per point.
 *   usage: bench_httpd_capacity [seconds per point, default 2] */
#include "httpd.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct client {
  pthread_t t;
  int port;
  size_t body;
  _Atomic int *stop;
  uint64_t done, failed;
} client;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int connect_to(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* One GET on fd; 0 or -1. */
static int get(int fd, size_t body) {
  static const char req[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n";
  if (send(fd, req, sizeof req - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof req - 1)) return -1;
  char buf[16384];
  size_t n = 0, want = 0;
  for (;;) {
    ssize_t r = recv(fd, buf + n, sizeof buf - n, 0);
    if (r <= 0) return -1;
    n += (size_t)r;
    char *e = memmem(buf, n, "\r\n\r\n", 4);
    if (e) {
      want = (size_t)(e - buf) + 4 + body;
      break;
    }
    if (n == sizeof buf) return -1;
  }
  while (n < want) {
    ssize_t r = recv(fd, buf, sizeof buf < want - n ? sizeof buf : want - n, 0);
    if (r <= 0) return -1;
    n += (size_t)r;
  }
  return n == want ? 0 : -1;
}

static void *client_main(void *p) {
  client *c = p;
  int fd = connect_to(c->port);
  while (!atomic_load_explicit(c->stop, memory_order_relaxed)) {
    if (fd < 0 || get(fd, c->body) < 0) {
      c->failed++;
      if (fd >= 0) close(fd);
      fd = connect_to(c->port);
      continue;
    }
    c->done++;
  }
  if (fd >= 0) close(fd);
  return NULL;
}

static void point(int nclients, size_t body, int threads, double secs) {
  wk_httpd_opts o = {.delay_ns = 0, .body = body, .keepalive = 1, .threads = threads}; /* addr 0: 127.0.0.1 */
  wk_httpd *h;
  char err[200];
  if (wk_httpd_start(&o, &h, err, sizeof err)) {
    fprintf(stderr, "%s\n", err);
    exit(1);
  }
  _Atomic int stop = 0;
  client *cs = calloc((size_t)nclients, sizeof *cs);
  for (int i = 0; i < nclients; i++) {
    cs[i].port = wk_httpd_port(h);
    cs[i].body = body;
    cs[i].stop = &stop;
    pthread_create(&cs[i].t, NULL, client_main, &cs[i]);
  }
  double t0 = now_s();
  struct timespec d = {(time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9)};
  nanosleep(&d, NULL);
  atomic_store(&stop, 1);
  uint64_t done = 0, failed = 0;
  for (int i = 0; i < nclients; i++) {
    pthread_join(cs[i].t, NULL);
    done += cs[i].done;
    failed += cs[i].failed;
  }
  double dt = now_s() - t0;
  printf("clients %4d  body %6zu B  server threads %d  keep-alive  %9.0f req/s  (%llu requests, %llu errors)\n",
         nclients, body, threads, (double)done / dt, (unsigned long long)done, (unsigned long long)failed);
  fflush(stdout);
  free(cs);
  wk_httpd_stop(h);
}

int main(int argc, char **argv) {
  double secs = argc > 1 ? atof(argv[1]) : 2.0;
  if (secs <= 0) secs = 2.0;
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  printf("embedded httpd capacity, %ld CPUs shared by clients and server, %.1f s per point\n", ncpu, secs);
  point(64, 1024, 1, secs);
  point(256, 1024, 1, secs);
  point(64, 1024, 2, secs);
  point(256, 1024, 2, secs);
  point(64, 65536, 1, secs);
  return 0;
}
