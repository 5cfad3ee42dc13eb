/* httpd.h -- the embedded HTTP/1.1 server (loopback unless told otherwise) of the `socket`
 * workload (httpd.c).  Internal to the workloads library and its tests. */
#ifndef CF_WK_HTTPD_H
#define CF_WK_HTTPD_H

#include <stddef.h>
#include <stdint.h>

typedef struct wk_httpd wk_httpd;

typedef struct wk_httpd_opts {
  uint64_t delay_ns;  /* before each response; per request "?delay_us=N" overrides */
  size_t body;        /* response body bytes */
  int keepalive;      /* 0: answer "Connection: close" and close */
  int threads;        /* event loops (each epoll + timerfd); <= 0: 1 */
  uint32_t addr;      /* IPv4 address to listen on, network order; 0: 127.0.0.1 */
} wk_httpd_opts;

/* Bind addr (default 127.0.0.1) on an ephemeral port and start the event
 * loop threads.
 * 0, or a CF_E* code with a message in err. */
int wk_httpd_start(const wk_httpd_opts *o, wk_httpd **out, char *err, size_t errlen);
int wk_httpd_port(const wk_httpd *h);
uint64_t wk_httpd_served(const wk_httpd *h);   /* responses fully written */
uint64_t wk_httpd_accepted(const wk_httpd *h); /* connections accepted */
/* Connections accepted and not yet closed (each counted closed once its
 * descriptor is). */
uint64_t wk_httpd_open(const wk_httpd *h);
/* The errno of the last accept that had to refuse a client (EMFILE,
 * ENFILE: out of descriptors), 0 if none. */
int wk_httpd_accept_errno(const wk_httpd *h);
/* Stop the threads, close every connection, free. NULL is ignored. */
void wk_httpd_stop(wk_httpd *h);

/* The end of an HTTP header block in p[0..n): the "\r\n\r\n" that ends it,
 * or NULL while it is incomplete.  Shared by the server (requests) and the
 * socket workload's client (responses). */
const char *wk_http_head_end(const char *p, size_t n);

#endif
