/* process_transfer.c -- the parent's resumable send of requests and
 * receive of responses on either transport, and completing a future from
 * its response.  It never blocks on one worker: a 16 MiB result streams
 * through a 256 KiB ring while other workers are served. */
#define _GNU_SOURCE
#include "process_internal.h"

#include <errno.h>
#include <string.h>
#include <signal.h>
#include <sys/epoll.h>
#include <unistd.h>

/* Send up to n bytes without blocking; -1 if the channel is dead. */
static ssize_t chan_send(proc_backend *pb, pslot *s, const unsigned char *p, size_t n) {
  if (pb->shm) return (ssize_t)cf__proc_ring_write_some(&s->sh->req, p, n);
  if (s->tx_dead) return -1;
  ssize_t w = write(s->req_fd, p, n);
  if (w >= 0) return w;
  if (errno == EAGAIN || errno == EINTR) return 0;
  s->tx_dead = 1; /* EPIPE: the worker is gone; its pidfd will tell */
  return -1;
}

static ssize_t chan_recv(proc_backend *pb, pslot *s, unsigned char *p, size_t n) {
  if (pb->shm) return (ssize_t)cf__proc_ring_read_some(&s->sh->res, p, n);
  if (s->res_eof || !s->rx_ready) return 0;
  ssize_t r = read(s->res_fd, p ? p : pb->scratch, p || n < sizeof pb->scratch ? n : sizeof pb->scratch);
  if (r > 0) return r;
  if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
    s->rx_ready = 0;
    return 0;
  }
  s->res_eof = 1; /* EOF: the worker is gone */
  epoll_ctl(pb->epfd, EPOLL_CTL_DEL, s->res_fd, NULL);
  return -1;
}

static void tx_set_blocked(proc_backend *pb, pslot *s, int blocked) {
  if (s->tx_blocked == blocked) return;
  s->tx_blocked = blocked;
  if (pb->shm) atomic_store(&s->sh->req.prod_sleep, blocked);
  else if (!s->tx_dead) cf__proc_ep_ctl(pb, EPOLL_CTL_MOD, s->req_fd, blocked ? EPOLLOUT : 0, EV_REQ, s->index);
}

/* Continue sending the requests not yet sent.  Returns 1 on progress. */
int cf__proc_tx_pump(proc_backend *pb, pslot *s) {
  int progress = 0;
  while (s->qsent < s->qn) {
    inflight *e = q_at(s, s->qsent);
    size_t total = sizeof e->h + (size_t)e->h.len; /* not e->f: a stolen one may be gone */
    while (s->tx_off < total) {
      const unsigned char *p;
      size_t n;
      if (s->tx_off < sizeof e->h) {
        p = (const unsigned char *)&e->h + s->tx_off;
        n = sizeof e->h - s->tx_off;
      } else {
        p = e->f->arg.data + (s->tx_off - sizeof e->h);
        n = total - s->tx_off;
      }
      ssize_t w = chan_send(pb, s, p, n);
      if (w <= 0) {
        if (w == 0) tx_set_blocked(pb, s, 1);
        return progress;
      }
      s->tx_off += (size_t)w;
      progress = 1;
    }
    s->qsent++;
    s->tx_off = 0;
  }
  tx_set_blocked(pb, s, 0);
  return progress;
}

/* Finish s's head future from the received response. */
static void complete_head(proc_backend *pb, pslot *s) {
  res_hdr h = s->rx_hdr;
  int nomem = s->rx_nomem;
  size_t base = s->rx_base;
  inflight *e = q_pop(s);
  cf_future *f = e->f;
  if (e->stolen || h.type == MSG_SKIP) {
    /* Stolen: f is another worker's now.  Else the user cancelled it, and
     * that call completed f. */
    if (!e->stolen) {
      cf__future_lock(f);
      cf__fflag_clear(f, CF__F_OFFERED);
      cf__future_unlock(f);
      cf_future_release(f);
    }
    cf__proc_dispatch_slot(pb, s);
    return;
  }
  if (e->offered) cf__proc_adopt(s, e);
  cf__proc_note_run(pb, s, h.run_ns);
  if (s->qn && pb->ex->cfg.task_timeout_s > 0) s->dispatch_ns = cf__now_ns();
  cf__proc_dispatch_slot(pb, s); /* keep the worker busy before running callbacks */
  /* The worker's clock (clock.c: within about a microsecond of the
   * parent's, each process with its own anchor): clamped as clock.c asks,
   * since a future given past the queue (pb_give) starts a few hundred ns
   * after its enqueue stamp. */
  f->rec.start_ns = h.start_ns > f->rec.enqueue_ns ? h.start_ns : f->rec.enqueue_ns;
  f->rec.cpu = h.cpu;
  /* The end as the worker saw it, on the start's clock: the parent's clock
   * now would add the answer's trip and the parent's turnaround, and with
   * requests pipelined the next task's start would come before this end.
   * A run time that did not fit its 32 bits: the parent's clock. */
  uint64_t end = h.run_ns < UINT32_MAX ? h.start_ns + h.run_ns : cf__clock_ns();
  if (nomem) {
    f->res.len = 0;
    cf__future_fail(f, CF_ENOMEM, -1, "out of memory for the task's result in the parent");
  } else if (h.rc != 0) {
    f->res.len = 0;
    f->task_code = h.rc;
    cf__future_finish_at(f, CF_ETASK, end);
  } else {
    f->res.len = base + (size_t)h.len;
    cf__future_finish_at(f, 0, end);
  }
  cf_future_release(f);
}

/* s's worker wrote what is no answer to its head: treat it as a crash.
 * Nothing more is read from it (rx_bad): the death's drain would
 * otherwise go on from the bad header (rx_off past it) and take the bytes
 * behind it for the head's result, finishing the head with garbage
 * instead of failing it as the task its worker died in. */
static void protocol_error(pslot *s) {
  kill(s->pid, SIGKILL);
  s->dead_pending = 1;
  s->rx_bad = 1;
  s->rx_off = 0;
}

/* The head's answer from the mailbox (its request went there, and the
 * answer fit with nothing sent as parts): what the ring's receive does,
 * from one line. */
enum { MB_TAKEN, MB_RING, MB_NONE, MB_ERROR };
static int rx_mbox(proc_backend *pb, pslot *s, inflight *e) {
  if (s->rx_off || s->rx_parts) return MB_RING; /* it comes through the ring */
  /* Not there: the answers to the requests behind it may be in the ring
   * already, and their bytes must not be taken for this one's.  The
   * worker put this answer in the mailbox before it wrote those, so once
   * the ring's tail shows data (acquire), a second look at the mailbox
   * sees it; still not there, the ring's data up to that tail is this
   * one's answer.  An empty ring: nothing yet (data arriving after that
   * look may be the next one's). */
  if (!cf__proc_mbox_ready(s)) {
    if (ring_used(&s->sh->res) == 0) return MB_NONE;
    if (!cf__proc_mbox_ready(s)) return MB_RING;
  }
  const unsigned char *d = s->sh->rs.data;
  /* Taken (see rs_ack): a line the worker reads only when its lazy-bell
   * time is up, so the store stays in this CPU's cache. */
  atomic_store_explicit(&s->sh->rs_ack, e->mb, memory_order_relaxed);
  memcpy(&s->rx_hdr, d, sizeof s->rx_hdr);
  size_t len = (size_t)s->rx_hdr.len;
  if (s->rx_hdr.type != MSG_RESULT || s->rx_hdr.tag != e->h.tag || len > MBOX_BYTES - sizeof s->rx_hdr) {
    protocol_error(s);
    return MB_ERROR;
  }
  e->f->res.len = 0;
  s->rx_base = 0;
  if (cf__result_reserve(&e->f->res, len, 0) != 0) s->rx_nomem = 1;
  else if (len) memcpy(e->f->res.data, d + sizeof s->rx_hdr, len);
  complete_head(pb, s);
  return MB_TAKEN;
}

/* Receive what is available for s's sent requests.  Returns 1 on progress. */
int cf__proc_rx_pump(proc_backend *pb, pslot *s) {
  int progress = 0;
  if (s->rx_bad) return 0; /* see protocol_error */
  while (s->qsent > 0) {
    inflight *e = q_at(s, 0);
    int mb = e->mb ? rx_mbox(pb, s, e) : MB_RING;
    if (mb == MB_NONE || mb == MB_ERROR) return progress;
    if (mb == MB_TAKEN) {
      progress = 1;
      continue;
    }
    if (s->rx_off < sizeof s->rx_hdr) {
      ssize_t r = chan_recv(pb, s, (unsigned char *)&s->rx_hdr + s->rx_off, sizeof s->rx_hdr - s->rx_off);
      if (r <= 0) return progress;
      progress = 1;
      s->rx_off += (size_t)r;
      if (s->rx_off < sizeof s->rx_hdr) continue;
      int skip = s->rx_hdr.type == MSG_SKIP && s->rx_hdr.len == 0 && e->h.claim != CLAIM_NONE;
      int answer = s->rx_hdr.type == MSG_RESULT || s->rx_hdr.type == MSG_PART;
      if ((!answer && !skip) || s->rx_hdr.tag != e->h.tag || (skip && s->rx_parts)) {
        protocol_error(s);
        return progress;
      }
      if (!skip) { /* parts first, then the rest: one result */
        if (!s->rx_parts) e->f->res.len = 0;
        s->rx_base = e->f->res.len;
        if (!s->rx_nomem && cf__result_reserve(&e->f->res, s->rx_base + (size_t)s->rx_hdr.len, s->rx_base) != 0)
          s->rx_nomem = 1;
      }
    }
    size_t got = s->rx_off - sizeof s->rx_hdr, len = (size_t)s->rx_hdr.len;
    while (got < len) {
      ssize_t r = chan_recv(pb, s, s->rx_nomem ? NULL : e->f->res.data + s->rx_base + got, len - got);
      if (r <= 0) return progress;
      progress = 1;
      got += (size_t)r;
      s->rx_off += (size_t)r;
    }
    if (s->rx_hdr.type == MSG_PART) { /* the chunk goes on: keep what came */
      if (!s->rx_nomem) e->f->res.len = s->rx_base + len;
      s->rx_parts++;
      s->rx_off = 0;
      continue;
    }
    complete_head(pb, s);
    progress = 1;
  }
  return progress;
}
