/* mpi_wire.h -- what the MPI backend's client (rank 0) and worker ranks
 * share: the message header, the message types, and the small I/O layer
 * both sides use (queued non-blocking sends that keep their buffers alive,
 * a probe-and-receive of the next header, payload transfer in chunks).
 * Not installed.
 *
 * A message is one MPI message on tag TAG_HDR: a cf__mpi_hdr, then
 * text_len bytes of text (function object names, or an error message),
 * then the payload when it is at most MPI_INLINE_MAX bytes (hdr.inl = 1).
 * A larger payload follows on tag TAG_DATA from the same sender, cut into
 * messages of MPI_CHUNK bytes (so counts fit an int whatever the size, and
 * a receiver that cannot store it can still drain it).  MPI keeps messages
 * of one sender on one tag in order, so the data always belongs to the
 * last header received from that sender. */
#ifndef CF_MPI_WIRE_H
#define CF_MPI_WIRE_H

#include "internal.h"

#include <mpi.h>

#define TAG_HDR 1
#define TAG_DATA 2
#define MPI_INLINE_MAX (32u << 10)
#define MPI_CHUNK (1u << 20)
#define NO_REF 0xffffffffu  /* a function / data reference that is NULL */

enum {
  MT_CREATE = 1, /* client -> rank: make a local pool (payload: cf__mpi_create + pin list) */
  MT_CREATED,    /* rank -> client: rc (0 or CF_E*), text: why not */
  MT_TASK,       /* client -> rank: run fn on the payload */
  MT_RESULT,     /* rank -> client: rc, task code, status, record; payload: result; text: message */
  MT_CLOSE,      /* client -> rank: shut the pool down */
  MT_CLOSED,     /* rank -> client */
  MT_QUIT,       /* client -> rank: leave the serve loop */
  MT_TERMINATE   /* client -> rank: cf_executor_terminate the pool, rc = the signal */
};

typedef struct cf__mpi_hdr {
  uint32_t type, exec;     /* MT_*, executor id (client-assigned) */
  uint64_t tag;            /* the future's id */
  int32_t slot, rc;        /* worker slot; 0 or CF_E* */
  int32_t task_code, status; /* CF_ETASK's code; wait status of a dead worker or -1 */
  int32_t cpu, pid;        /* where the task ran (pid on the rank's host) */
  int32_t broken, inl;     /* the rank's pool is broken; payload inline */
  uint32_t text_len;
  uint32_t fn_name_len, inner_name_len; /* names at the start of the text, NO_REF: NULL */
  uint32_t respawns;       /* RESULT, CLOSED: workers the rank's pool replaced so far */
  uint64_t len;            /* payload bytes */
  uint64_t fn_off, inner_off; /* offsets from their objects' bases */
  uint64_t start_delta, run_ns; /* RESULT: start - receipt on the rank, run time */
} cf__mpi_hdr;

/* MT_CREATE's payload; the pin list (int32 each) follows. */
typedef struct cf__mpi_create {
  int32_t workers, pin, pin_list_len, max_tasks_per_child, transport, pad;
  double task_timeout_s;
} cf__mpi_create;

/* A send in flight: its requests, the buffer it owns, the future whose
 * bytes it sends (one reference, dropped when done). */
typedef struct cf__mpi_out {
  MPI_Request *reqs;
  int nreq;
  void *buf;
  cf_future *hold;
} cf__mpi_out;

typedef struct cf__mpi_io {
  MPI_Comm comm;
  cf__mpi_out *outs;
  size_t nout, capout;
  unsigned char *rbuf;     /* the last header message */
  size_t rcap;
  unsigned char *scratch;  /* MPI_CHUNK bytes to drain payloads we cannot keep */
} cf__mpi_io;

int cf__mpi_io_init(cf__mpi_io *io, MPI_Comm comm);
/* Complete every send (blocking), free everything. */
void cf__mpi_io_close(cf__mpi_io *io);

/* Send h (text = t1 then t2, payload) to `dest`.  `hold` (may be NULL) is
 * retained until the payload has left.  0 or CF_ENOMEM. */
int cf__mpi_send(cf__mpi_io *io, int dest, cf__mpi_hdr *h, const char *t1, size_t l1,
                 const char *t2, size_t l2, const void *payload, size_t len, cf_future *hold);
/* Finish the sends that are done.  Returns how many remain. */
size_t cf__mpi_test_sends(cf__mpi_io *io);

/* A received header: valid until the next cf__mpi_poll. */
typedef struct cf__mpi_in {
  cf__mpi_hdr h;
  int src;
  const char *text;
  const unsigned char *inl;  /* inline payload, or NULL */
} cf__mpi_in;

/* Receive the next header message if one is there: 1 (in filled), 0. */
int cf__mpi_poll(cf__mpi_io *io, cf__mpi_in *in);
/* Store the payload of `in` at dst (may be NULL: drain and drop it). */
void cf__mpi_recv_payload(cf__mpi_io *io, const cf__mpi_in *in, void *dst);

/* Idle back-off shared by both sides, because MPI can only be polled:
 * pause for `spin_ns` after the last progress, then yield (always, while
 * sends are in flight: MPI moves data only while we call it) up to 200 us,
 * then sleep on `bell` (a futex word local producers ring) for 1/8 of the
 * idle time so far, between 20 us and 1 ms (mpi4py.futures polls every
 * 1 ms).  A long task's result thus waits at most ~1/8 of its run time. */
typedef struct cf__mpi_idle {
  uint64_t last_progress, spin_ns;
} cf__mpi_idle;
void cf__mpi_idle_reset(cf__mpi_idle *d, uint64_t spin_ns);
/* Call after a pass without progress; `seen` is the bell's value read
 * before the pass. */
void cf__mpi_idle_wait(cf__mpi_idle *d, _Atomic int *bell, _Atomic int *sleeping, int seen,
                       int busy_sends);

/* ---- function references (mpi_fnref.c) ---- */
/* Name the object (executable = "") holding `addr` and its offset in it.
 * *name stays valid for the process's life.  0 or CF_EINVAL (not inside a
 * loaded object: heap, stack, JIT). */
int cf__fnref_encode(const void *addr, const char **name, size_t *name_len, uint64_t *off);
/* The address of (name, off) in this process, or NULL if no loaded object
 * has that name. */
void *cf__fnref_decode(const char *name, size_t name_len, uint64_t off);

/* ---- the two sides ---- */
int cf__mpi_client_start(MPI_Comm comm);  /* rank 0: the progress thread */
void cf__mpi_client_stop(void);           /* tell ranks to quit, join */
int cf__mpi_worker_serve(MPI_Comm comm);  /* other ranks: until MT_QUIT */

#endif
