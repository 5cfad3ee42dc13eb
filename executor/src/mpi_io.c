/* mpi_io.c -- the message layer both sides of the MPI backend use: queued
 * non-blocking sends that own their buffers, receipt of the next header
 * message, payloads in MPI_CHUNK pieces, and the idle back-off (see
 * mpi_wire.h for the format). */
#define _GNU_SOURCE
#include "mpi_wire.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IDLE_YIELD_NS 200000ull     /* after this much idle time, sleep */
#define IDLE_SLEEP_MIN_NS 20000ull
#define IDLE_SLEEP_MAX_NS 1000000ull

int cf__mpi_io_init(cf__mpi_io *io, MPI_Comm comm) {
  memset(io, 0, sizeof *io);
  io->comm = comm;
  io->scratch = malloc(MPI_CHUNK);
  return io->scratch ? 0 : CF_ENOMEM;
}

static void out_done(cf__mpi_out *o) {
  free(o->reqs);
  free(o->buf);
  if (o->hold) cf_future_release(o->hold);
}

void cf__mpi_io_close(cf__mpi_io *io) {
  for (size_t i = 0; i < io->nout; i++) {
    MPI_Waitall(io->outs[i].nreq, io->outs[i].reqs, MPI_STATUSES_IGNORE);
    out_done(&io->outs[i]);
  }
  free(io->outs);
  free(io->rbuf);
  free(io->scratch);
  memset(io, 0, sizeof *io);
}

static size_t nchunks(size_t len) { return (len + MPI_CHUNK - 1) / MPI_CHUNK; }

int cf__mpi_send(cf__mpi_io *io, int dest, cf__mpi_hdr *h, const char *t1, size_t l1,
                 const char *t2, size_t l2, const void *payload, size_t len, cf_future *hold) {
  if (io->nout == io->capout) {
    size_t cap = io->capout ? 2 * io->capout : 16;
    cf__mpi_out *n = realloc(io->outs, cap * sizeof *n);
    if (!n) return CF_ENOMEM;
    io->outs = n;
    io->capout = cap;
  }
  h->inl = len <= MPI_INLINE_MAX;
  h->len = len;
  h->text_len = (uint32_t)(l1 + l2);
  size_t total = sizeof *h + l1 + l2 + (h->inl ? len : 0);
  int nreq = 1 + (h->inl ? 0 : (int)nchunks(len));
  cf__mpi_out o = {calloc((size_t)nreq, sizeof(MPI_Request)), nreq, malloc(total), hold};
  if (!o.reqs || !o.buf) {
    free(o.reqs);
    free(o.buf);
    return CF_ENOMEM;
  }
  unsigned char *p = o.buf;
  memcpy(p, h, sizeof *h);
  if (l1) memcpy(p + sizeof *h, t1, l1);
  if (l2) memcpy(p + sizeof *h + l1, t2, l2);
  if (h->inl && len) memcpy(p + sizeof *h + l1 + l2, payload, len);
  MPI_Isend(o.buf, (int)total, MPI_BYTE, dest, TAG_HDR, io->comm, &o.reqs[0]);
  /* Large payloads go from the future's own buffer: no copy. */
  for (int i = 1; i < nreq; i++) {
    size_t off = (size_t)(i - 1) * MPI_CHUNK, n = len - off < MPI_CHUNK ? len - off : MPI_CHUNK;
    MPI_Isend((const unsigned char *)payload + off, (int)n, MPI_BYTE, dest, TAG_DATA, io->comm,
              &o.reqs[i]);
  }
  if (hold) cf_future_retain(hold);
  io->outs[io->nout++] = o;
  return 0;
}

size_t cf__mpi_test_sends(cf__mpi_io *io) {
  for (size_t i = 0; i < io->nout;) {
    int done = 0;
    MPI_Testall(io->outs[i].nreq, io->outs[i].reqs, &done, MPI_STATUSES_IGNORE);
    if (done) {
      out_done(&io->outs[i]);
      io->outs[i] = io->outs[--io->nout];
    } else {
      i++;
    }
  }
  return io->nout;
}

int cf__mpi_poll(cf__mpi_io *io, cf__mpi_in *in) {
  int flag = 0, count = 0;
  MPI_Message msg;
  MPI_Status st;
  MPI_Improbe(MPI_ANY_SOURCE, TAG_HDR, io->comm, &flag, &msg, &st);
  if (!flag) return 0;
  MPI_Get_count(&st, MPI_BYTE, &count);
  if ((size_t)count > io->rcap) {
    unsigned char *n = realloc(io->rbuf, (size_t)count);
    if (!n) {
      /* Cannot even hold a header: this rank cannot go on. */
      fprintf(stderr, "cfutures mpi: out of memory for a %d-byte message\n", count);
      MPI_Abort(io->comm, 1);
    }
    io->rbuf = n;
    io->rcap = (size_t)count;
  }
  MPI_Mrecv(io->rbuf, count, MPI_BYTE, &msg, MPI_STATUS_IGNORE);
  if ((size_t)count < sizeof in->h) {
    fprintf(stderr, "cfutures mpi: malformed %d-byte message from rank %d\n", count, st.MPI_SOURCE);
    MPI_Abort(io->comm, 1);
  }
  memcpy(&in->h, io->rbuf, sizeof in->h);
  in->src = st.MPI_SOURCE;
  in->text = (const char *)io->rbuf + sizeof in->h;
  in->inl = in->h.inl ? io->rbuf + sizeof in->h + in->h.text_len : NULL;
  return 1;
}

void cf__mpi_recv_payload(cf__mpi_io *io, const cf__mpi_in *in, void *dst) {
  size_t len = in->h.len;
  if (in->h.inl) {
    if (dst && len) memcpy(dst, in->inl, len);
    return;
  }
  for (size_t off = 0; off < len; off += MPI_CHUNK) {
    size_t n = len - off < MPI_CHUNK ? len - off : MPI_CHUNK;
    void *to = dst ? (unsigned char *)dst + off : io->scratch;
    MPI_Recv(to, (int)n, MPI_BYTE, in->src, TAG_DATA, io->comm, MPI_STATUS_IGNORE);
  }
}

void cf__mpi_idle_reset(cf__mpi_idle *d, uint64_t spin_ns) {
  d->last_progress = cf__now_ns();
  d->spin_ns = spin_ns;
}

void cf__mpi_idle_wait(cf__mpi_idle *d, _Atomic int *bell, _Atomic int *sleeping, int seen,
                       int busy_sends) {
  uint64_t now = cf__now_ns(), idle = now - d->last_progress;
  if (idle < d->spin_ns) {
    cf__cpu_relax();
    return;
  }
  if (busy_sends || idle < IDLE_YIELD_NS) {
    sched_yield();
    return;
  }
  /* Sleep an eighth of the idle time so far: a message that arrives while
   * we sleep waits at most ~1/8 of the time the peer took to send it. */
  uint64_t nap = idle / 8;
  if (nap < IDLE_SLEEP_MIN_NS) nap = IDLE_SLEEP_MIN_NS;
  if (nap > IDLE_SLEEP_MAX_NS) nap = IDLE_SLEEP_MAX_NS;
  atomic_store(sleeping, 1);
  /* seq_cst store then load pairs with the producer's bell increment then
   * load of `sleeping`: either it sees us asleep or we see its ring. */
  if (atomic_load(bell) == seen) cf__futex_wait(bell, seen, now + nap, 0);
  atomic_store(sleeping, 0);
}
