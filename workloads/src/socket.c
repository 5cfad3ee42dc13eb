/* socket.c -- the `socket` workload: each item is one HTTP/1.1 GET over
 * TCP, to the embedded server (httpd.c, started at prepare with the run's
 * `delay`, `body` and `keepalive`, listening on `listen`, loopback by
 * default: ranks of the MPI backend on other hosts need an address of this
 * host they can reach) or to `target`
 * (http://HOST:PORT/path, e.g. nginx).
 *
 * Items carry everything a task needs (address, port, the request text,
 * the expected body length, timeouts): tasks run in forked process workers
 * too and must not depend on parent state.  With keep-alive each worker
 * thread (each process, in the process backend) caches one connection in
 * thread-local storage; a connection inherited across fork is dropped, a
 * stale one (closed by the server while idle) is replaced once.  `timeout`
 * is a deadline for the whole request (connect, send, the whole response):
 * a server trickling a byte now and then cannot stretch one item past it.  Failures return a code
 * (phase x 1000 + errno, or 4001.. for timeouts and protocol errors) that
 * cf_wk_task_error() turns into a sentence.  check() verifies the status
 * (200) and, where known, the body length, and records the latency.
 *
 * Ideal rate: min(workers / (delay + t), ncpus / t), t = the round trip of
 * one request without delay, measured at prepare (50 requests on one
 * connection).  Loopback HTTP is CPU on both ends, hence the ncpus cap.  0
 * (no model) when the probe fails. */
#include "wk.h"
#include "httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

enum {
  SK_CONNECT = 1000, SK_SEND = 2000, SK_RECV = 3000,
  SK_T_CONNECT = 4001, SK_T_IO, SK_EOF, SK_PROTO, SK_CHUNKED, SK_HEAD, SK_EXTRA, SK_NOMEM, SK_CLEN
};

typedef struct sk_item {
  uint32_t addr;        /* IPv4, network byte order */
  uint16_t port;
  uint8_t keepalive;
  uint8_t pad;
  uint32_t timeout_ms;
  uint32_t reqlen;
  int64_t expect;       /* body bytes, -1: not checked */
  char req[];           /* the request text */
} sk_item;

typedef struct sk_res {
  uint64_t latency_ns;
  int64_t body;
  int32_t status;
  int32_t reused;
} sk_res;

typedef struct sk_conn {
  int fd;
  uint32_t addr;
  uint16_t port;
  pid_t pid;
} sk_conn;

typedef struct sk_priv {
  wk_httpd *srv;
  char url[320];
  double t_req;         /* s, 0: unknown */
} sk_priv;

static const cf_wk_param params[] = {
    {"target", "", "http://HOST:PORT/path to GET; empty: the embedded server", 0, 0},
    {"delay", "0", "embedded server: delay before each response (ns, us, ms, s)", 0, 60},
    {"body", "1KiB", "embedded server: body bytes; with target: expected body bytes if given", 0, 64 * 1048576.0},
    {"keepalive", "on", "reuse one connection per worker", 0, 1},
    {"timeout", "5s", "deadline for the whole request (connect, send, response)", 0.001, 600},
    {"server_threads", "1", "embedded server: event-loop threads", 1, 64},
    {"listen", "127.0.0.1", "embedded server: IPv4 address it listens on and tasks connect to", 0, 0},
};
static const wk_pspec specs[] = {{WK_STR, 0, NULL},  {WK_DUR, 0, NULL},  {WK_SIZE, 0, NULL},
                                 {WK_BOOL, 0, NULL}, {WK_DUR, 0, NULL},  {WK_INT, 0, NULL},
                                 {WK_STR, 0, NULL}};

/* ---------------------------------------------------------------- client */

static pthread_key_t conn_key;
static pthread_once_t conn_once = PTHREAD_ONCE_INIT;

static void conn_free(void *p) {
  sk_conn *c = p;
  if (c->fd >= 0) close(c->fd);
  free(c);
}

static void conn_key_make(void) { pthread_key_create(&conn_key, conn_free); }

/* This thread's cached connection (NULL when out of memory). */
static sk_conn *conn_tls(void) {
  pthread_once(&conn_once, conn_key_make);
  sk_conn *c = pthread_getspecific(conn_key);
  if (!c) {
    c = malloc(sizeof *c);
    if (!c) return NULL;
    c->fd = -1;
    c->pid = getpid();
    if (pthread_setspecific(conn_key, c) != 0) {
      free(c);
      return NULL;
    }
  }
  return c;
}

static void conn_drop(sk_conn *c) {
  if (c->fd >= 0) close(c->fd);
  c->fd = -1;
}

/* Wait for `ev` on fd until the request's deadline (wk_now_ns() time): 0,
 * or SK_T_* once it has passed. */
static int wait_fd(int fd, short ev, uint64_t deadline_ns, int tcode) {
  struct pollfd p = {fd, ev, 0};
  for (;;) {
    uint64_t now = wk_now_ns();
    if (now >= deadline_ns) return tcode;
    int n = poll(&p, 1, (int)((deadline_ns - now + 999999) / 1000000));
    if (n > 0) return 0;
    if (n == 0) return tcode;
    if (errno != EINTR) return SK_RECV + errno;
  }
}

static int do_connect(sk_conn *c, const sk_item *it, uint64_t deadline) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return SK_CONNECT + errno;
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = it->addr;
  a.sin_port = htons(it->port);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
    if (errno != EINPROGRESS) {
      int e = errno;
      close(fd);
      return SK_CONNECT + e;
    }
    int rc = wait_fd(fd, POLLOUT, deadline, SK_T_CONNECT);
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (!rc && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0) soerr = errno;
    if (rc || soerr) {
      close(fd);
      return rc ? rc : SK_CONNECT + soerr;
    }
  }
  c->fd = fd;
  c->addr = it->addr;
  c->port = it->port;
  c->pid = getpid();
  return 0;
}

static int send_all(int fd, const char *p, size_t n, uint64_t deadline) {
  while (n) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w > 0) {
      p += w;
      n -= (size_t)w;
    } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      int rc = wait_fd(fd, POLLOUT, deadline, SK_T_IO);
      if (rc) return rc;
    } else if (w < 0 && errno != EINTR) {
      return SK_SEND + errno;
    }
  }
  return 0;
}

/* recv before the deadline: >0 bytes, 0 EOF, or -(code). */
static ssize_t recv_some(int fd, char *buf, size_t n, uint64_t deadline) {
  for (;;) {
    ssize_t r = recv(fd, buf, n, 0);
    if (r >= 0) return r;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return -(SK_RECV + errno);
    int rc = wait_fd(fd, POLLIN, deadline, SK_T_IO);
    if (rc) return -rc;
  }
}

/* One request/response on c->fd.  *got: response bytes were received. */
/* A Content-Length value: digits only (no sign), at most 2^53: -1 if not. */
static int64_t parse_clen(const char *q, const char *nl) {
  while (q < nl && (*q == ' ' || *q == '\t')) q++;
  int64_t v = 0;
  const char *d = q;
  for (; q < nl && *q >= '0' && *q <= '9'; q++) {
    v = v * 10 + (*q - '0');
    if (v > ((int64_t)1 << 53)) return -1;
  }
  while (q < nl && (*q == ' ' || *q == '\t' || *q == '\r')) q++;
  return q == d || q != nl ? -1 : v;
}

static int exchange(sk_conn *c, const sk_item *it, const char *req, sk_res *res, int *got, int *close_after,
                    uint64_t deadline) {
  int rc = send_all(c->fd, req, it->reqlen, deadline);
  if (rc) return rc;
  char buf[8192];
  size_t n = 0;
  const char *end = NULL;
  while (!(end = wk_http_head_end(buf, n))) {
    if (n == sizeof buf) return SK_HEAD;
    ssize_t r = recv_some(c->fd, buf + n, sizeof buf - n, deadline);
    if (r < 0) return (int)-r;
    if (r == 0) return SK_EOF;
    *got = 1;
    n += (size_t)r;
  }
  int status = 0;
  if (n < 12 || strncmp(buf, "HTTP/1.", 7) != 0 || sscanf(buf + 9, "%3d", &status) != 1) return SK_PROTO;
  int64_t clen = -1;
  int chunked = 0, conn_close = strncmp(buf, "HTTP/1.0", 8) == 0;
  for (const char *q = memchr(buf, '\n', (size_t)(end - buf)); q && q < end;) {
    q++;
    const char *nl = memchr(q, '\n', (size_t)(end + 2 - q));
    if (!nl) break;
    if (strncasecmp(q, "content-length:", 15) == 0 && (clen = parse_clen(q + 15, nl)) < 0)
      return SK_CLEN; /* -5 or 10^23: waiting for it would only end in a timeout */
    else if (strncasecmp(q, "transfer-encoding:", 18) == 0 && memmem(q, (size_t)(nl - q), "chunked", 7)) chunked = 1;
    else if (strncasecmp(q, "connection:", 11) == 0) {
      if (memmem(q, (size_t)(nl - q), "close", 5)) conn_close = 1;
      if (memmem(q, (size_t)(nl - q), "keep-alive", 10)) conn_close = 0;
    }
    q = nl;
  }
  if (chunked) return SK_CHUNKED;
  size_t head = (size_t)(end - buf) + 4;
  int64_t body = (int64_t)(n - head);
  if (clen >= 0 && body > clen) return SK_EXTRA;
  while (clen < 0 || body < clen) {
    size_t want = sizeof buf;
    if (clen >= 0 && (int64_t)want > clen - body) want = (size_t)(clen - body);
    ssize_t r = recv_some(c->fd, buf, want, deadline);
    if (r < 0) return (int)-r;
    if (r == 0) {
      if (clen < 0) { /* close-delimited body */
        conn_close = 1;
        break;
      }
      return SK_EOF;
    }
    body += r;
  }
  res->status = status;
  res->body = body;
  *close_after = conn_close || clen < 0;
  return 0;
}

/* it: the item's fixed fields; req: its request text. */
static int request(sk_conn *c, const sk_item *it, const char *req, sk_res *res) {
  memset(res, 0, sizeof *res);
  uint64_t t0 = wk_now_ns(), deadline = t0 + (uint64_t)it->timeout_ms * 1000000u;
  if (c->fd >= 0 && (c->pid != getpid() || c->addr != it->addr || c->port != it->port)) conn_drop(c);
  for (int attempt = 0;; attempt++) {
    int reused = c->fd >= 0;
    if (!reused) {
      int rc = do_connect(c, it, deadline);
      if (rc) return rc;
    }
    int got = 0, close_after = 0;
    int rc = exchange(c, it, req, res, &got, &close_after, deadline);
    if (rc == 0) {
      if (close_after || !it->keepalive) conn_drop(c);
      res->reused = reused;
      break;
    }
    conn_drop(c);
    /* a kept-alive connection the server closed while idle: once more */
    int stale = rc == SK_EOF || rc == SK_SEND + EPIPE || rc == SK_SEND + ECONNRESET || rc == SK_RECV + ECONNRESET;
    if (!(reused && !got && stale && attempt == 0)) return rc;
  }
  res->latency_ns = wk_now_ns() - t0;
  return 0;
}

static int sk_task(const void *arg, size_t len, cf_result *out) {
  sk_item hdr; /* the bytes may be unaligned (process backend ring) */
  if (len < sizeof hdr) return 22;
  memcpy(&hdr, arg, sizeof hdr);
  if (len != sizeof hdr + hdr.reqlen) return 22;
  const sk_item *it = &hdr;
  const char *req = (const char *)arg + offsetof(sk_item, req);
  sk_conn local = {-1, 0, 0, 0};
  sk_conn *c = it->keepalive ? conn_tls() : &local;
  if (!c) return SK_NOMEM;
  sk_res res;
  int rc = request(c, it, req, &res);
  if (c == &local) conn_drop(c);
  if (rc) return rc;
  return cf_result_set(out, &res, sizeof res) ? SK_NOMEM : 0;
}

/* ------------------------------------------------------------- prepare */

/* The syntax of http://HOST[:PORT][/path]: host, port and path, no lookup. */
static int target_syntax(const cf_wk_run *r, const char *url, uint16_t *port, const char **path,
                         char *host, size_t hostlen, char *err, size_t errlen) {
  if (strncmp(url, "http://", 7) != 0)
    return wk_fail(r, err, errlen, CF_EINVAL, "parameter target=%s: must be http://HOST:PORT/path", url);
  const char *h = url + 7, *slash = strchr(h, '/'), *colon = strchr(h, ':');
  if (!slash) slash = h + strlen(h);
  if (colon && colon > slash) colon = NULL;
  const char *hend = colon ? colon : slash;
  if (hend == h || (size_t)(hend - h) >= hostlen)
    return wk_fail(r, err, errlen, CF_EINVAL, "parameter target=%s: no host", url);
  memcpy(host, h, (size_t)(hend - h));
  host[hend - h] = '\0';
  long p = 80;
  if (colon) {
    char *e;
    p = strtol(colon + 1, &e, 10);
    if (e != slash || p < 1 || p > 65535)
      return wk_fail(r, err, errlen, CF_EINVAL, "parameter target=%s: port out of range [1, 65535]", url);
  }
  *port = (uint16_t)p;
  *path = *slash ? slash : "/";
  return 0;
}

/* Parse http://HOST[:PORT][/path] and resolve HOST. */
static int parse_target(cf_wk_run *r, const char *url, uint32_t *addr, uint16_t *port, const char **path,
                        char *host, size_t hostlen, char *err, size_t errlen) {
  int rc = target_syntax(r, url, port, path, host, hostlen, err, errlen);
  if (rc) return rc;
  struct in_addr ia;
  if (inet_pton(AF_INET, host, &ia) == 1) {
    *addr = ia.s_addr;
    return 0;
  }
  struct addrinfo hints, *ai = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  int g = getaddrinfo(host, NULL, &hints, &ai);
  if (g != 0 || !ai)
    return wk_fail(r, err, errlen, CF_EINVAL, "parameter target=%s: cannot resolve %s: %s", url, host, gai_strerror(g));
  *addr = ((struct sockaddr_in *)ai->ai_addr)->sin_addr.s_addr;
  freeaddrinfo(ai);
  return 0;
}

static sk_item *item_make(uint32_t addr, uint16_t port, const char *host, const char *path, const char *query,
                          int keepalive, uint32_t tmo_ms, int64_t expect, size_t *len) {
  char req[1024];
  int n = snprintf(req, sizeof req, "GET %s%s HTTP/1.1\r\nHost: %s:%u\r\nUser-Agent: cfbench\r\nConnection: %s\r\n\r\n",
                   path, query, host, (unsigned)port, keepalive ? "keep-alive" : "close");
  if (n < 0 || (size_t)n >= sizeof req) return NULL;
  sk_item *it = calloc(1, sizeof *it + (size_t)n);
  if (!it) return NULL;
  it->addr = addr;
  it->port = port;
  it->keepalive = (uint8_t)keepalive;
  it->timeout_ms = tmo_ms;
  it->reqlen = (uint32_t)n;
  it->expect = expect;
  memcpy(it->req, req, (size_t)n);
  *len = sizeof *it + (size_t)n;
  return it;
}

/* The embedded server's address: an IPv4 literal the tasks can connect
 * to, so not 0.0.0.0 (on the MPI backend with ranks on other hosts: an
 * address of this host they reach). */
static int listen_addr(const cf_wk_run *r, uint32_t *addr, char *err, size_t errlen) {
  const char *s = wk_str(r, "listen");
  struct in_addr ia;
  if (inet_pton(AF_INET, s, &ia) != 1)
    return wk_fail(r, err, errlen, CF_EINVAL, "parameter listen=%s: not an IPv4 address (e.g. 127.0.0.1, 10.0.0.5)", s);
  if (ia.s_addr == htonl(INADDR_ANY))
    return wk_fail(r, err, errlen, CF_EINVAL, "parameter listen=%s: tasks connect to this address; give one of this host's addresses", s);
  /* An address of another host parses but cannot be bound: found here, at
   * parse time (bad input), not when the server starts.  Port 0, closed
   * at once: nothing is started. */
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr = ia};
  if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 && errno == EADDRNOTAVAIL) {
    close(fd);
    return wk_fail(r, err, errlen, CF_EINVAL, "parameter listen=%s: not an address of this host; give one of this host's addresses", s);
  }
  if (fd >= 0) close(fd);
  *addr = ia.s_addr;
  return 0;
}

/* The rules on the values alone (cf_wk_params_check): a target's syntax,
 * and no embedded-server knobs with a target. */
static int sk_validate(const cf_wk_run *r, char *err, size_t errlen) {
  const char *target = wk_str(r, "target");
  uint32_t a;
  if (!target[0]) return listen_addr(r, &a, err, errlen);
  /* Name only the knobs the user gave: the others are defaults, not errors. */
  static const char *const server_only[] = {"delay", "server_threads", "listen"};
  const char *g[3];
  int ngiven = 0;
  for (size_t i = 0; i < sizeof server_only / sizeof server_only[0]; i++)
    if (wk_given(r, server_only[i])) g[ngiven++] = server_only[i];
  char given[64] = "";
  for (int i = 0; i < ngiven; i++)
    snprintf(given + strlen(given), sizeof given - strlen(given), "%s%s",
             i == 0 ? "" : i == ngiven - 1 ? " and " : ", ", g[i]);
  if (ngiven)
    return wk_fail(r, err, errlen, CF_EINVAL, "parameter%s %s appl%s to the embedded server, not to target=%s",
                   ngiven > 1 ? "s" : "", given, ngiven > 1 ? "y" : "ies", target);
  uint16_t port;
  const char *path;
  char host[256];
  return target_syntax(r, target, &port, &path, host, sizeof host, err, errlen);
}

/* Wait (up to timeout_ms) until the embedded server has closed the probe's
 * connection.  Its loop thread closes it when it reads the EOF, a moment
 * after our close: without the wait that descriptor was still in the
 * process's table when the measured run began, and was freed during it
 * (a run with the descriptors exhausted then saw accept succeed). */
static void server_settle(const wk_httpd *srv, uint32_t timeout_ms) {
  uint64_t end = wk_now_ns() + (uint64_t)timeout_ms * 1000000;
  while (srv && wk_httpd_open(srv) > 0 && wk_now_ns() < end) wk_sleep_ns(100000);
}

static int sk_prepare(cf_wk_run *r, char *err, size_t errlen) {
  sk_priv *p = calloc(1, sizeof *p);
  if (!p) return CF_ENOMEM;
  r->priv = p;
  const char *target = wk_str(r, "target");
  int embedded = !target[0];
  uint32_t addr = 0;
  uint16_t port = 0;
  const char *path = "/";
  char host[256];
  int64_t expect = -1;
  int keepalive = wk_num(r, "keepalive") != 0;
  uint32_t tmo = (uint32_t)(wk_num(r, "timeout") * 1000 + 0.5);
  if (embedded) {
    int rc = listen_addr(r, &addr, err, errlen);
    if (rc) return rc;
    wk_httpd_opts o = {(uint64_t)(wk_num(r, "delay") * 1e9 + 0.5), (size_t)wk_num(r, "body"), keepalive,
                       (int)wk_num(r, "server_threads"), addr};
    char e[200] = "";
    rc = wk_httpd_start(&o, &p->srv, e, sizeof e);
    if (rc) return wk_fail(r, err, errlen, rc, "%s", e);
    port = (uint16_t)wk_httpd_port(p->srv);
    snprintf(host, sizeof host, "%s", wk_str(r, "listen"));
    expect = (int64_t)wk_num(r, "body");
  } else {
    int rc = parse_target(r, target, &addr, &port, &path, host, sizeof host, err, errlen);
    if (rc) return rc;
    if (wk_given(r, "body")) expect = (int64_t)wk_num(r, "body");
  }
  snprintf(p->url, sizeof p->url, "http://%s:%u%s", host, (unsigned)port, path);
  size_t len;
  sk_item *it = item_make(addr, port, host, path, "", keepalive, tmo, expect, &len);
  if (!it) return wk_fail(r, err, errlen, CF_EINVAL, "parameter target: path too long");
  int rc = wk_items_same(r, r->nitems ? r->nitems : 1000, it, len);
  free(it);
  if (rc) return rc;
  /* probe: t = the mean of 50 requests on one connection, without delay */
  sk_item *probe = item_make(addr, port, host, path, embedded ? (strchr(path, '?') ? "&delay_us=0" : "?delay_us=0") : "",
                             1, tmo < 2000 ? tmo : 2000, -1, &len);
  if (!probe) return CF_ENOMEM;
  sk_conn c = {-1, 0, 0, 0};
  sk_res res;
  int ok = 1;
  for (int k = 0; k < 5 && ok; k++) ok = request(&c, probe, probe->req, &res) == 0; /* warm up */
  uint64_t t0 = wk_now_ns();
  for (int k = 0; k < 50 && ok; k++) ok = request(&c, probe, probe->req, &res) == 0;
  if (ok) p->t_req = (double)(wk_now_ns() - t0) / 50 / 1e9;
  conn_drop(&c);
  free(probe);
  server_settle(p->srv, tmo);
  return 0;
}

static int sk_check(cf_wk_run *r, size_t i, const void *resb, size_t len, char *err, size_t errlen) {
  const sk_priv *p = r->priv;
  const sk_item *it = r->item_ptr[i];
  sk_res res;
  if (len != sizeof res) return wk_fail(r, err, errlen, CF_EINVAL, "item %zu: result of %zu bytes, expected %zu", i, len, sizeof res);
  memcpy(&res, resb, sizeof res);
  if (res.status != 200)
    return wk_fail(r, err, errlen, CF_EINVAL, "item %zu: GET %s: HTTP status %d", i, p->url, (int)res.status);
  if (it->expect >= 0 && res.body != it->expect)
    return wk_fail(r, err, errlen, CF_EINVAL, "item %zu: GET %s: body of %lld bytes, expected %lld", i, p->url,
                   (long long)res.body, (long long)it->expect);
  wk_sample(r, (double)res.latency_ns / 1e3);
  return 0;
}

static void sk_task_error(const cf_wk_run *r, int code, char *err, size_t errlen) {
  const sk_priv *p = r->priv;
  const sk_item *it = r->nitems ? r->item_ptr[0] : NULL;
  unsigned tmo = it ? it->timeout_ms : 0;
  const char *phase = code >= SK_RECV ? "read" : code >= SK_SEND ? "send" : "connect";
  /* The embedded server refused clients for want of descriptors: say so,
   * not the timeout or closed connection the client saw. */
  int aerr = wk_httpd_accept_errno(p->srv);
  if (aerr && code != SK_CLEN && code != SK_PROTO) {
    wk_fail(r, err, errlen, 0, "GET %s: the embedded server cannot accept connections: accept: %s (%s)", p->url,
            strerror(aerr), aerr == EMFILE ? "EMFILE" : "ENFILE");
    return;
  }
  if (code > SK_CONNECT && code < SK_T_CONNECT)
    wk_fail(r, err, errlen, 0, "GET %s: %s: %s", p->url, phase, strerror(code % 1000));
  else if (code == SK_T_CONNECT) wk_fail(r, err, errlen, 0, "GET %s: connect timed out after %u ms", p->url, tmo);
  else if (code == SK_T_IO) wk_fail(r, err, errlen, 0, "GET %s: no complete response within %u ms (timeout)", p->url, tmo);
  else if (code == SK_CLEN) wk_fail(r, err, errlen, 0, "GET %s: malformed response (bad Content-Length)", p->url);
  else if (code == SK_EOF) wk_fail(r, err, errlen, 0, "GET %s: connection closed before the response was complete", p->url);
  else if (code == SK_PROTO) wk_fail(r, err, errlen, 0, "GET %s: malformed HTTP response", p->url);
  else if (code == SK_CHUNKED) wk_fail(r, err, errlen, 0, "GET %s: chunked responses are not supported", p->url);
  else if (code == SK_HEAD) wk_fail(r, err, errlen, 0, "GET %s: response head larger than 8 KiB", p->url);
  else if (code == SK_EXTRA) wk_fail(r, err, errlen, 0, "GET %s: more bytes than Content-Length", p->url);
  else if (code == SK_NOMEM) wk_fail(r, err, errlen, 0, "GET %s: out of memory", p->url);
}

static double sk_ideal(const cf_wk_run *r, int workers, int ncpus, cf_backend b) {
  const sk_priv *p = r->priv;
  double d = wk_str(r, "target")[0] ? 0 : wk_num(r, "delay"), t = p->t_req;
  if (t <= 0) return d > 0 ? workers / d : 0;
  double rate = workers / (d + t), cap = ncpus / t;
  return rate < cap ? rate : cap;
}

static void sk_teardown(cf_wk_run *r) {
  sk_priv *p = r->priv;
  if (!p) return;
  wk_httpd_stop(p->srv);
  free(p);
  r->priv = NULL;
}

static const char *const metric_names[] = {"latency_p50_us", "latency_p90_us", "latency_p99_us"};
static const double metric_q[] = {0.50, 0.90, 0.99};

/* The embedded server's URL (or target's), for peers that make their own
 * requests (the Python driver). */
static const char *sk_url(const cf_wk_run *r) { return ((const sk_priv *)r->priv)->url; }

long long cf__wk_socket_server_open(const cf_wk_run *r) {
  const sk_priv *p = r->priv;
  return p && p->srv ? (long long)wk_httpd_open(p->srv) : -1;
}

const wk_def wk_socket = {
    CF_WK_ABI_VERSION,
    {"socket", CF_WK_IO, "each item is an HTTP/1.1 GET (embedded loopback server or target)", params, 7},
    specs, sk_task, 1000, sk_prepare, sk_check, sk_ideal, sk_teardown, sk_task_error,
    metric_names, metric_q, 3, sk_validate, sk_url,
};
