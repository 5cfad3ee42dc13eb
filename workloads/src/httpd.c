/* httpd.c -- the embedded HTTP/1.1 server of the `socket` workload.
 *
 * Event-driven so that it never is the bottleneck of a sweep: each of its
 * threads runs one epoll loop over non-blocking sockets; the listening
 * socket is shared (EPOLLEXCLUSIVE).  A response delay is a deadline in a
 * per-thread binary heap with one timerfd armed at the earliest deadline --
 * no thread waits per request.  GET only, Content-Length framed bodies,
 * keep-alive unless the client or the options say close, pipelined
 * requests served in order.  A stop eventfd ends the loops. */
#include "httpd.h"
#include "wk.h"

#include <cfutures.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define IN_CAP 8192

enum { C_READ, C_WAIT, C_WRITE };

typedef struct conn {
  int fd;
  int state;
  int close_after;
  size_t heap_idx;
  uint64_t due;
  size_t inlen;
  size_t hlen, off;        /* header length, bytes of header+body written */
  struct conn *prev, *next;
  char hdr[192];
  char in[IN_CAP];
} conn;

typedef struct loop {
  struct wk_httpd *h;
  pthread_t thread;
  int started;
  int ep, tfd;
  int spare; /* a descriptor held back to refuse a connection when out of them */
  conn **heap;
  size_t nheap, heapcap;
  conn *conns;
} loop;

struct wk_httpd {
  wk_httpd_opts o;
  int lfd, efd, port;
  char *body;
  loop *loops;
  int nloops;
  _Atomic uint64_t served, accepted, closed;
  _Atomic int accept_errno; /* the last accept failure that refused a client, 0: none */
};

/* epoll tags for the non-connection descriptors */
static char tag_listen, tag_stop, tag_timer;


/* ---- deadline heap ---- */

static void heap_swap(loop *l, size_t a, size_t b) {
  conn *t = l->heap[a];
  l->heap[a] = l->heap[b];
  l->heap[b] = t;
  l->heap[a]->heap_idx = a;
  l->heap[b]->heap_idx = b;
}

static void heap_up(loop *l, size_t i) {
  while (i > 0 && l->heap[(i - 1) / 2]->due > l->heap[i]->due) {
    heap_swap(l, i, (i - 1) / 2);
    i = (i - 1) / 2;
  }
}

static void heap_down(loop *l, size_t i) {
  for (;;) {
    size_t m = i, a = 2 * i + 1, b = a + 1;
    if (a < l->nheap && l->heap[a]->due < l->heap[m]->due) m = a;
    if (b < l->nheap && l->heap[b]->due < l->heap[m]->due) m = b;
    if (m == i) return;
    heap_swap(l, i, m);
    i = m;
  }
}

static int heap_push(loop *l, conn *c) {
  if (l->nheap == l->heapcap) {
    size_t cap = l->heapcap ? l->heapcap * 2 : 64;
    conn **h = realloc(l->heap, cap * sizeof *h);
    if (!h) return -1;
    l->heap = h;
    l->heapcap = cap;
  }
  c->heap_idx = l->nheap;
  l->heap[l->nheap++] = c;
  heap_up(l, c->heap_idx);
  return 0;
}

static void heap_remove(loop *l, conn *c) {
  size_t i = c->heap_idx;
  if (i >= l->nheap || l->heap[i] != c) return;
  l->nheap--;
  if (i != l->nheap) {
    l->heap[i] = l->heap[l->nheap];
    l->heap[i]->heap_idx = i;
    heap_down(l, i);
    heap_up(l, i);
  }
  c->heap_idx = (size_t)-1;
}

static void timer_arm(loop *l) {
  struct itimerspec its;
  memset(&its, 0, sizeof its);
  if (l->nheap) {
    uint64_t d = l->heap[0]->due;
    if (d == 0) d = 1; /* 0 would disarm */
    its.it_value.tv_sec = (time_t)(d / 1000000000ull);
    its.it_value.tv_nsec = (long)(d % 1000000000ull);
  }
  timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* ---- connections ---- */

static void conn_close(loop *l, conn *c) {
  if (c->state == C_WAIT) heap_remove(l, c);
  epoll_ctl(l->ep, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  atomic_fetch_add_explicit(&l->h->closed, 1, memory_order_release); /* after the close: see wk_httpd_open */
  if (c->prev) c->prev->next = c->next;
  else l->conns = c->next;
  if (c->next) c->next->prev = c->prev;
  free(c);
}

static void conn_watch(loop *l, conn *c, uint32_t ev) {
  struct epoll_event e = {.events = ev, .data.ptr = c};
  epoll_ctl(l->ep, EPOLL_CTL_MOD, c->fd, &e);
}

/* Write what can be written; 1: response done, 0: would block, -1: error. */
static int conn_write(loop *l, conn *c) {
  size_t body = l->h->o.body, total = c->hlen + body;
  while (c->off < total) {
    struct iovec iov[2];
    int n = 0;
    if (c->off < c->hlen) {
      iov[n].iov_base = c->hdr + c->off;
      iov[n++].iov_len = c->hlen - c->off;
    }
    size_t boff = c->off > c->hlen ? c->off - c->hlen : 0;
    if (body > boff) {
      iov[n].iov_base = l->h->body + boff;
      iov[n++].iov_len = body - boff;
    }
    ssize_t w = writev(c->fd, iov, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    }
    c->off += (size_t)w;
  }
  return 1;
}

static int process_input(loop *l, conn *c);

/* Start (or go on with) sending the response; may loop to the next
 * pipelined request.  Returns -1 when the connection was closed. */
static int conn_respond(loop *l, conn *c) {
  int rc = conn_write(l, c);
  if (rc < 0) {
    conn_close(l, c);
    return -1;
  }
  if (rc == 0) {
    c->state = C_WRITE;
    conn_watch(l, c, EPOLLOUT);
    return 0;
  }
  atomic_fetch_add_explicit(&l->h->served, 1, memory_order_relaxed);
  if (c->close_after) {
    shutdown(c->fd, SHUT_WR);
    conn_close(l, c);
    return -1;
  }
  c->state = C_READ;
  conn_watch(l, c, EPOLLIN);
  return process_input(l, c);
}

const char *wk_http_head_end(const char *p, size_t n) {
  for (size_t i = 0; i + 3 < n; i++)
    if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' && p[i + 3] == '\n') return p + i;
  return NULL;
}

/* Does the header block [p, e) say "Connection: close" (or HTTP/1.0
 * without keep-alive)? */
static int wants_close(const char *p, const char *e) {
  int http10 = 0, ka = 0, cl = 0;
  const char *eol = memchr(p, '\n', (size_t)(e - p));
  if (eol && eol - p >= 9 && memcmp(eol - 9, "HTTP/1.0", 8) == 0) http10 = 1;
  for (const char *q = p; q < e;) {
    const char *nl = memchr(q, '\n', (size_t)(e - q));
    if (!nl) nl = e;
    size_t len = (size_t)(nl - q);
    if (len > 11 && strncasecmp(q, "connection:", 11) == 0) {
      const char *v = q + 11;
      while (v < nl && (*v == ' ' || *v == '\t')) v++;
      if ((size_t)(nl - v) >= 5 && strncasecmp(v, "close", 5) == 0) cl = 1;
      if ((size_t)(nl - v) >= 10 && strncasecmp(v, "keep-alive", 10) == 0) ka = 1;
    }
    q = nl + 1;
  }
  return cl || (http10 && !ka);
}

/* Handle complete requests in c->in.  -1: connection closed. */
static int process_input(loop *l, conn *c) {
  const char *end = wk_http_head_end(c->in, c->inlen);
  if (!end) {
    if (c->inlen == IN_CAP) { /* request head too large */
      conn_close(l, c);
      return -1;
    }
    return 0;
  }
  size_t reqlen = (size_t)(end - c->in) + 4;
  int get = c->inlen >= 4 && memcmp(c->in, "GET ", 4) == 0;
  uint64_t delay = l->h->o.delay_ns;
  if (get) {
    const char *sp = memchr(c->in + 4, ' ', reqlen - 4);
    const char *q = memchr(c->in + 4, '?', reqlen - 4);
    if (q && sp && q < sp && strncmp(q, "?delay_us=", 10) == 0) delay = strtoull(q + 10, NULL, 10) * 1000ull;
  }
  c->close_after = !get || !l->h->o.keepalive || wants_close(c->in, end);
  int n = snprintf(c->hdr, sizeof c->hdr,
                   "HTTP/1.1 %s\r\nContent-Length: %zu\r\nContent-Type: application/octet-stream\r\n"
                   "Connection: %s\r\n\r\n",
                   get ? "200 OK" : "405 Method Not Allowed", get ? l->h->o.body : (size_t)0,
                   c->close_after ? "close" : "keep-alive");
  c->hlen = (size_t)n;
  c->off = 0;
  memmove(c->in, c->in + reqlen, c->inlen - reqlen);
  c->inlen -= reqlen;
  if (delay && get) {
    c->state = C_WAIT;
    c->due = wk_now_ns() + delay;
    if (heap_push(l, c) < 0) {
      c->state = C_READ;
      conn_close(l, c);
      return -1;
    }
    conn_watch(l, c, 0); /* still told about HUP / ERR */
    if (l->heap[0] == c) timer_arm(l);
    return 0;
  }
  if (!get) { /* 405: header only, then close */
    ssize_t w = write(c->fd, c->hdr, c->hlen);
    (void)w;
    conn_close(l, c);
    return -1;
  }
  return conn_respond(l, c);
}

static void conn_readable(loop *l, conn *c) {
  for (;;) {
    if (c->inlen == IN_CAP) break;
    ssize_t n = read(c->fd, c->in + c->inlen, IN_CAP - c->inlen);
    if (n > 0) {
      c->inlen += (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    conn_close(l, c); /* EOF or error */
    return;
  }
  process_input(l, c);
}

/* Out of descriptors: the pending client would wait until its own timeout
 * and say "timeout".  Give the spare descriptor back, accept the client and
 * close it at once (it sees the connection closed), take the spare again,
 * and remember why, so the client side can name the real cause. */
static void refuse_one(loop *l, int err) {
  atomic_store(&l->h->accept_errno, err);
  if (l->spare < 0) return;
  close(l->spare);
  int fd = accept4(l->h->lfd, NULL, NULL, SOCK_CLOEXEC);
  if (fd >= 0) close(fd);
  l->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

static void do_accept(loop *l) {
  for (;;) {
    int fd = accept4(l->h->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) refuse_one(l, errno);
      return; /* EAGAIN, or refused: the next event retries */
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    conn *c = malloc(sizeof *c);
    if (!c) {
      close(fd);
      continue;
    }
    c->fd = fd;
    c->state = C_READ;
    c->inlen = c->hlen = c->off = 0;
    c->heap_idx = (size_t)-1;
    c->prev = NULL;
    c->next = l->conns;
    if (l->conns) l->conns->prev = c;
    l->conns = c;
    struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &e) < 0) {
      c->state = C_READ;
      epoll_ctl(l->ep, EPOLL_CTL_DEL, fd, NULL);
      conn_close(l, c);
      continue;
    }
    atomic_fetch_add_explicit(&l->h->accepted, 1, memory_order_relaxed);
  }
}

static void timers_fire(loop *l) {
  uint64_t exp;
  ssize_t r = read(l->tfd, &exp, sizeof exp);
  (void)r;
  uint64_t now = wk_now_ns();
  while (l->nheap && l->heap[0]->due <= now) {
    conn *c = l->heap[0];
    heap_remove(l, c);
    c->state = C_WRITE;
    conn_respond(l, c);
  }
  timer_arm(l);
}

static void *loop_main(void *p) {
  loop *l = p;
  struct epoll_event ev[128];
  for (;;) {
    int n = epoll_wait(l->ep, ev, 128, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < n; i++) {
      void *t = ev[i].data.ptr;
      if (t == &tag_stop) goto out;
      if (t == &tag_listen) {
        do_accept(l);
        continue;
      }
      if (t == &tag_timer) {
        timers_fire(l);
        continue;
      }
      conn *c = t;
      if (ev[i].events & (EPOLLERR | EPOLLHUP)) {
        conn_close(l, c);
        continue;
      }
      if (c->state == C_READ && (ev[i].events & EPOLLIN)) conn_readable(l, c);
      else if (c->state == C_WRITE && (ev[i].events & EPOLLOUT)) conn_respond(l, c);
    }
  }
out:
  while (l->conns) conn_close(l, l->conns);
  return NULL;
}

static int fail(char *err, size_t errlen, int code, const char *what) {
  if (err && errlen) snprintf(err, errlen, "embedded http server: %s: %s", what, strerror(errno));
  return code;
}

int wk_httpd_start(const wk_httpd_opts *o, wk_httpd **out, char *err, size_t errlen) {
  *out = NULL;
  wk_httpd *h = calloc(1, sizeof *h);
  if (!h) return CF_ENOMEM;
  h->o = *o;
  h->nloops = o->threads > 0 ? o->threads : 1;
  h->lfd = h->efd = -1;
  int rc = 0;
  h->body = malloc(o->body ? o->body : 1);
  h->loops = calloc((size_t)h->nloops, sizeof *h->loops);
  if (!h->body || !h->loops) {
    wk_httpd_stop(h);
    return CF_ENOMEM;
  }
  for (size_t i = 0; i < o->body; i++) h->body[i] = (char)('a' + i % 26);
  for (int i = 0; i < h->nloops; i++) h->loops[i].ep = h->loops[i].tfd = h->loops[i].spare = -1;
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = o->addr ? o->addr : htonl(INADDR_LOOPBACK);
  char where[64] = "bind ";
  inet_ntop(AF_INET, &a.sin_addr, where + 5, sizeof where - 5);
  socklen_t al = sizeof a;
  h->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  h->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (h->lfd < 0 || h->efd < 0) rc = fail(err, errlen, CF_ENOSYS, "socket");
  else if (bind(h->lfd, (struct sockaddr *)&a, sizeof a) < 0) rc = fail(err, errlen, CF_ENOSYS, where);
  else if (listen(h->lfd, 4096) < 0) rc = fail(err, errlen, CF_ENOSYS, "listen");
  else if (getsockname(h->lfd, (struct sockaddr *)&a, &al) < 0) rc = fail(err, errlen, CF_ENOSYS, "getsockname");
  h->port = ntohs(a.sin_port);
  for (int i = 0; i < h->nloops && !rc; i++) {
    loop *l = &h->loops[i];
    l->h = h;
    l->ep = epoll_create1(EPOLL_CLOEXEC);
    l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    l->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (l->ep < 0 || l->tfd < 0) {
      rc = fail(err, errlen, CF_ENOSYS, "epoll/timerfd");
      break;
    }
    struct epoll_event el = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = &tag_listen};
    struct epoll_event es = {.events = EPOLLIN, .data.ptr = &tag_stop};
    struct epoll_event et = {.events = EPOLLIN, .data.ptr = &tag_timer};
    if (epoll_ctl(l->ep, EPOLL_CTL_ADD, h->lfd, &el) < 0 || epoll_ctl(l->ep, EPOLL_CTL_ADD, h->efd, &es) < 0 ||
        epoll_ctl(l->ep, EPOLL_CTL_ADD, l->tfd, &et) < 0) {
      rc = fail(err, errlen, CF_ENOSYS, "epoll_ctl");
      break;
    }
    if (pthread_create(&l->thread, NULL, loop_main, l) != 0) {
      rc = fail(err, errlen, CF_ENOMEM, "pthread_create");
      break;
    }
    l->started = 1;
  }
  if (rc) {
    wk_httpd_stop(h);
    return rc;
  }
  *out = h;
  return 0;
}

int wk_httpd_port(const wk_httpd *h) { return h ? h->port : 0; }
uint64_t wk_httpd_served(const wk_httpd *h) { return h ? atomic_load(&h->served) : 0; }
uint64_t wk_httpd_accepted(const wk_httpd *h) { return h ? atomic_load(&h->accepted) : 0; }
uint64_t wk_httpd_open(const wk_httpd *h) {
  if (!h) return 0;
  uint64_t closed = atomic_load_explicit(&h->closed, memory_order_acquire); /* first: never above accepted */
  return atomic_load(&h->accepted) - closed;
}

int wk_httpd_accept_errno(const wk_httpd *h) { return h ? atomic_load(&h->accept_errno) : 0; }

void wk_httpd_stop(wk_httpd *h) {
  if (!h) return;
  if (h->efd >= 0) {
    uint64_t one = 1;
    ssize_t w = write(h->efd, &one, sizeof one);
    (void)w;
  }
  for (int i = 0; h->loops && i < h->nloops; i++) {
    loop *l = &h->loops[i];
    if (l->started) pthread_join(l->thread, NULL);
    if (l->ep >= 0) close(l->ep);
    if (l->tfd >= 0) close(l->tfd);
    if (l->spare >= 0) close(l->spare);
    free(l->heap);
  }
  if (h->lfd >= 0) close(h->lfd);
  if (h->efd >= 0) close(h->efd);
  free(h->loops);
  free(h->body);
  free(h);
}
