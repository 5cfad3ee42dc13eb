/* map.c -- cf_map: a lazy, ordered, bounded map over an input callback.
 *
 * Items are packed `chunksize` at a time into one task (so a process
 * backend ships a chunk as one message); at most `buffersize` chunks are in
 * flight ahead of the consumer, and input is pulled only to refill them.
 *
 * Itemwise chunks (process backend, chunksize 1): one message per item
 * costs a future, a dispatch and a completion each (~11 us per item at
 * W=2), so consecutive items travel together, as many as take about
 * ITEMWISE_CHUNK_NS to run (measured from the chunks done so far), but each
 * keeps the semantics of a task of its own: the worker sends each item's
 * result as soon as it has it and counts the items it started
 * (cf__self.map_flush / map_started), so when it dies only the items it had
 * started and not answered fail (CF_EBROKEN); the items after them are
 * sent again as a new chunk.  buffersize then counts items.  Not with a
 * task timeout or max_tasks_per_child, which count tasks.
 *
 * Chunk argument:  [u64 fn][u64 n][u64 obj] then n x ([u64 len][bytes, padded to 8]);
 *                  fn and obj as cf__objref_here takes them
 * Chunk result:    [u64 n]         then n x ([i32 rc][u32 0][u64 len][bytes, padded]),
 *                  itemwise then [u64 ns the items took in the worker]
 * Items start 8-byte aligned. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define PAD8(x) (((x) + 7u) & ~(size_t)7u)

/* Items per worker the process backend's default window keeps in flight
 * (see default_buffersize). */
#define PROC_WINDOW_ITEMS 128u
/* Itemwise chunks: about this long to run, at most ITEMWISE_MAX items. */
#define ITEMWISE_CHUNK_NS 50000u
#define ITEMWISE_MAX 64u


static int buf_append(cf_result *b, const void *p, size_t len, size_t padded) {
  size_t off = b->len;
  if (cf__result_reserve(b, off + padded, off) != 0) return CF_ENOMEM;
  if (len) memcpy(b->data + off, p, len);
  if (padded > len) memset(b->data + off + len, 0, padded - len);
  b->len = off + padded;
  return 0;
}

int cf__map_chunk_task(const void *arg, size_t len, cf_result *out) {
  const unsigned char *p = arg, *end = p + len;
  uint64_t fnbits, n, obj;
  if (len < 24) return CF_EINVAL;
  memcpy(&fnbits, p, 8);
  memcpy(&n, p + 8, 8);
  memcpy(&obj, p + 16, 8);
  p += 24;
  cf_task_fn fn = (cf_task_fn)cf__objref_here((uint32_t)obj, fnbits);
  if (!fn) return CF_ENOSYS; /* its object cannot be loaded in this worker */
  out->len = 0;
  if (buf_append(out, &n, 8, 8)) return CF_ENOMEM;
  cf_result r;
  cf__result_init(&r);
  int itemwise = (obj & CF__MAP_ITEMWISE) != 0;
  uint64_t t0 = itemwise ? cf__now_ns() : 0;
  for (uint64_t i = 0; i < n && p + 8 <= end; i++) {
    if (itemwise && cf__self.map_started)
      atomic_store_explicit(cf__self.map_started, i + 1, memory_order_relaxed);
    uint64_t ilen;
    memcpy(&ilen, p, 8);
    const void *item = p + 8;
    p += 8 + PAD8(ilen);
    r.len = 0;
    int32_t rc = (int32_t)fn(item, (size_t)ilen, &r);
    uint64_t rlen = rc ? 0 : r.len;
    unsigned char hdr[16] = {0};
    memcpy(hdr, &rc, 4);
    memcpy(hdr + 8, &rlen, 8);
    if (buf_append(out, hdr, 16, 16) || buf_append(out, r.data, rlen, PAD8(rlen))) {
      cf__result_reset(&r);
      return CF_ENOMEM;
    }
    if (itemwise && cf__self.map_flush) cf__self.map_flush(out);
  }
  cf__result_reset(&r);
  uint64_t ns = itemwise ? cf__now_ns() - t0 : 0;
  return itemwise && buf_append(out, &ns, 8, 8) ? CF_ENOMEM : 0;
}

struct cf_map {
  cf_executor *ex;
  cf_task_fn fn;
  uint64_t fn_off;          /* fn as the chunk argument names it (fn_ref), */
  uint32_t fn_obj;          /* resolved once: not per chunk */
  cf_map_input_fn input;
  void *ud;
  size_t chunksize, buffersize;
  uint64_t deadline;
  /* in-flight chunks, a ring in submission order */
  cf_future **ring;
  size_t *ring_items;
  size_t head, count;
  int itemwise;             /* chunksize 1 items sent together (see the top) */
  size_t batch;             /* itemwise: items in the next chunk */
  size_t inflight_items;    /* items in the ring */
  /* the chunk being read */
  cf_future *cur;
  const unsigned char *cur_p, *cur_end;
  size_t cur_left;
  size_t cur_ok;            /* items of cur with a result, before cur_err */
  int cur_err;              /* chunk failure: the items after cur_ok get it */
  int item_err;             /* the last returned item got cur_err */
  int item_code;
  int input_done;
  int input_err;            /* delivered after the items before it */
  /* A chunk the executor refused (shut down, broken, out of memory): its
   * error, returned once the chunks before it have been read, and then on
   * every call; nothing more is pulled from the input. */
  int submit_err;
  int timed_out;
};

void cf_map_options_init(cf_map_options *opt) {
  opt->chunksize = 1;
  opt->buffersize = 0;
  opt->timeout_s = -1;
}

/* Submit chunk f of n items and put it in the ring: last in line, or
 * first (a dead worker's unstarted tail goes before the chunks queued after
 * it).  0, or CF_E* with f released. */
static int ring_submit(cf_map *m, cf_future *f, size_t n, int first) {
  f->fn = cf__map_chunk_task;
  int rc = cf__submit_future(m->ex, f);
  if (rc != 0) {
    cf_future_release(f);
    return rc;
  }
  size_t slot;
  if (first) slot = m->head = (m->head + m->buffersize - 1) % m->buffersize;
  else slot = (m->head + m->count) % m->buffersize;
  m->ring[slot] = f;
  m->ring_items[slot] = n;
  m->count++;
  m->inflight_items += n;
  return 0;
}

/* Pull up to chunksize items and submit them as one chunk.  Returns 1 if a
 * chunk was submitted, 0 if the input is exhausted, or an error. */
static int submit_chunk(cf_map *m) {
  if (m->input_done) return 0;
  cf_future *f = cf__future_new(m->ex);
  if (!f) return CF_ENOMEM;
  cf_result *b = &f->arg;
  b->len = 0;
  uint64_t hdr[3] = {m->fn_off, 0, m->fn_obj | (m->itemwise ? CF__MAP_ITEMWISE : 0)};
  int rc = buf_append(b, hdr, 24, 24);
  size_t n = 0, want = m->itemwise ? m->batch : m->chunksize;
  while (rc == 0 && n < want) {
    const void *item = NULL;
    size_t len = 0;
    int got = m->input(m->ud, &item, &len);
    if (got <= 0) {
      m->input_done = 1;
      if (got < 0) m->input_err = got;
      break;
    }
    if (!item && len) {
      m->input_done = 1;
      m->input_err = CF_EINVAL;
      break;
    }
    uint64_t l = len;
    rc = buf_append(b, &l, 8, 8);
    if (rc == 0) rc = buf_append(b, item, len, PAD8(len));
    n++;
  }
  if (rc != 0 || n == 0) {
    cf_future_release(f);
    return rc;
  }
  uint64_t n64 = n;
  memcpy(b->data + 8, &n64, 8);
  rc = ring_submit(m, f, n, 0);
  return rc ? rc : 1;
}

/* Room for another chunk?  Itemwise, buffersize counts items, and a chunk
 * waits for room for a whole batch (else the window would stay split into
 * single items). */
static int window_room(const cf_map *m) {
  if (!m->itemwise) return m->count < m->buffersize;
  return m->count == 0 || m->inflight_items + m->batch <= m->buffersize;
}

/* Keep the window full.  A refused chunk is not an error of the item being
 * returned now: it waits in submit_err for its turn (the items ahead of it
 * are in flight and come first), and stops the refills. */
static void refill(cf_map *m) {
  while (!m->submit_err && window_room(m)) {
    int rc = submit_chunk(m);
    if (rc < 0) m->submit_err = rc;
    if (rc <= 0) return;
  }
}

/* Itemwise: size the next chunks from how long chunk result data/len's
 * items took in the worker (its trailer; not the transfer, which a bigger
 * chunk shares), growing at most twofold per chunk, and never past a
 * 2 x workers share of the window (every worker stays fed). */
static void adapt_batch(cf_map *m, const unsigned char *data, size_t len, size_t items) {
  uint64_t ns = 0;
  if (len >= 16) memcpy(&ns, data + len - 8, 8);
  uint64_t per = ns / items;
  size_t want = per ? (size_t)(ITEMWISE_CHUNK_NS / per) : ITEMWISE_MAX;
  size_t share = m->buffersize / (2 * (size_t)m->ex->nworkers);
  if (want > 2 * m->batch) want = 2 * m->batch;
  if (want > ITEMWISE_MAX) want = ITEMWISE_MAX;
  if (want > share) want = share;
  m->batch = want ? want : 1;
}

/* Complete item results at the start of chunk result data/len. */
static size_t results_in(const unsigned char *data, size_t len, size_t items) {
  size_t done = 0, off = 8;
  while (done < items && off + 16 <= len) {
    uint64_t rlen;
    memcpy(&rlen, data + off + 8, 8);
    if (rlen > len - off - 16 || PAD8(rlen) > len - off - 16) break;
    off += 16 + PAD8(rlen);
    done++;
  }
  return len >= 8 ? done : 0;
}

/* Queue items [from, end) of chunk f's argument as a new chunk first in
 * line (cf was just taken off the ring, so there is room).  0 or CF_E*. */
static int resend_tail(cf_map *m, const cf_future *f, size_t from, size_t items) {
  const unsigned char *p = f->arg.data + 24;
  for (size_t i = 0; i < from; i++) {
    uint64_t ilen;
    memcpy(&ilen, p, 8);
    p += 8 + PAD8(ilen);
  }
  cf_future *g = cf__future_new(m->ex);
  if (!g) return CF_ENOMEM;
  size_t tail = (size_t)(f->arg.data + f->arg.len - p);
  uint64_t hdr[3] = {m->fn_off, items - from, m->fn_obj | CF__MAP_ITEMWISE};
  g->arg.len = 0;
  int rc = buf_append(&g->arg, hdr, 24, 24);
  if (rc == 0) rc = buf_append(&g->arg, p, tail, tail);
  if (rc != 0) {
    cf_future_release(g);
    return rc;
  }
  return ring_submit(m, g, items - from, 1);
}

/* Itemwise chunk f (items) ended with err after its worker died: the
 * results it sent stand, the items it started and did not answer get err
 * (at least one: the task the backend blames), the rest is sent again.
 * f->task_code: items started, as the process backend recorded it; 0 when
 * it never ran (the whole chunk fails, as a task would). */
static void salvage(cf_map *m, const cf_future *f, size_t items) {
  if (f->task_code <= 0) return;
  size_t done = results_in(f->res.data, f->res.len, items);
  size_t started = (size_t)f->task_code;
  if (started <= done) started = done + 1;
  if (started > items) started = items;
  m->cur_ok = done;
  if (done) {
    m->cur_p = f->res.data + 8;
    m->cur_end = f->res.data + f->res.len;
  }
  if (started < items && resend_tail(m, f, started, items) == 0) m->cur_left = started;
}

/* buffersize 0: 2 chunks per worker on threads, where a queued chunk
 * reaches an idle worker at once.  On processes a chunk is a message that
 * the io thread sends and answers, so 2 per worker leave every worker
 * waiting on the consumer's turnaround at small chunks (~11 us per item at
 * chunksize 1, W=2): keep about PROC_WINDOW_ITEMS items per worker in
 * flight instead, bounded in items (not chunks) so big chunks stay at 2. */
static size_t default_buffersize(const cf_executor *ex, size_t chunksize) {
  size_t w = (size_t)ex->nworkers, chunks = 2 * w;
  if (ex->ops == &cf__process_backend) {
    size_t want = (PROC_WINDOW_ITEMS * w + chunksize - 1) / chunksize;
    if (want > chunks) chunks = want;
  }
  return chunks;
}

int cf_map_new(cf_executor *ex, cf_task_fn fn, cf_map_input_fn input, void *input_ud,
               const cf_map_options *opt, cf_map **out) {
  if (!out) return CF_EINVAL;
  *out = NULL;
  if (cf__self.in_process_child) return CF_EINTASK;
  if (!ex || !fn || !input) return CF_EINVAL;
  cf_map_options def;
  if (!opt) {
    cf_map_options_init(&def);
    opt = &def;
  }
  if (opt->chunksize == 0 || opt->chunksize > CF_MAX_CHUNKSIZE) return CF_EINVAL;
  if (atomic_load(&ex->shutdown)) return CF_ESHUTDOWN;
  cf_map *m = calloc(1, sizeof *m);
  if (!m) return CF_ENOMEM;
  m->ex = ex;
  m->fn = fn;
  m->input = input;
  m->ud = input_ud;
  m->chunksize = opt->chunksize;
  m->buffersize = opt->buffersize ? opt->buffersize : default_buffersize(ex, opt->chunksize);
  m->deadline = cf__deadline(opt->timeout_s);
  m->fn_off = (uint64_t)(uintptr_t)fn;
  m->itemwise = opt->chunksize == 1 && ex->ops == &cf__process_backend && ex->cfg.task_timeout_s <= 0 &&
                ex->cfg.max_tasks_per_child == 0;
  m->batch = 1;
  int rc = ex->ops->fn_ref ? ex->ops->fn_ref(ex, (const void *)(uintptr_t)fn, &m->fn_obj, &m->fn_off) : 0;
  m->ring = calloc(m->buffersize, sizeof *m->ring);
  m->ring_items = calloc(m->buffersize, sizeof *m->ring_items);
  if (rc == 0 && (!m->ring || !m->ring_items)) rc = CF_ENOMEM;
  if (rc == 0) {
    refill(m);
    if (m->count == 0) rc = m->submit_err; /* nothing went in: no map */
  }
  if (rc < 0) {
    cf_map_free(m);
    return rc;
  }
  *out = m;
  return 0;
}

static void cancel_all(cf_map *m) {
  while (m->count) {
    cf_future *f = m->ring[m->head];
    cf_future_cancel(f);
    cf_future_release(f);
    m->head = (m->head + 1) % m->buffersize;
    m->count--;
  }
}

/* Move to the next in-flight chunk; 0, CF_EOF or a map-level error.  The
 * chunk read last stays cur until the next one replaces it, so that
 * cf_map_record still has it after CF_EOF or an error. */
static int next_chunk(cf_map *m) {
  if (m->count == 0) {
    if (m->submit_err) return m->submit_err; /* sticky: the input it had pulled is lost */
    if (m->input_err) {
      int e = m->input_err;
      m->input_err = 0;
      return e;
    }
    return CF_EOF;
  }
  cf_future *f = m->ring[m->head];
  size_t items = m->ring_items[m->head];
  uint64_t now = cf__now_ns();
  double left = m->deadline == UINT64_MAX ? -1.0
                : (m->deadline > now ? (double)(m->deadline - now) / 1e9 : 0.0);
  const void *data = NULL;
  size_t len = 0;
  int rc = cf_future_result(f, left, &data, &len);
  if (rc == CF_ETIMEDOUT && !cf_future_done(f)) {
    m->timed_out = 1;
    cancel_all(m);
    return CF_ETIMEDOUT;
  }
  if (rc == CF_EDEADLK) return rc; /* the chunk stays first in line */
  m->head = (m->head + 1) % m->buffersize;
  m->count--;
  m->inflight_items -= items;
  cf_future_release(m->cur);
  m->cur = f;
  m->cur_left = items;
  m->cur_ok = rc == 0 ? items : 0;
  m->cur_err = rc;
  if (rc == CF_ETASK) m->item_code = cf_future_task_code(f);
  if (rc == 0) {
    m->cur_p = (const unsigned char *)data + 8;
    m->cur_end = (const unsigned char *)data + len;
    if (m->itemwise) adapt_batch(m, data, len, items);
  } else if (m->itemwise && (rc == CF_EBROKEN || rc == CF_ETIMEDOUT)) {
    salvage(m, f, items);
  }
  refill(m);
  return 0;
}

int cf_map_next(cf_map *m, const void **data, size_t *len) {
  if (!m) return CF_EINVAL;
  if (data) *data = NULL;
  if (len) *len = 0;
  if (m->timed_out) return CF_ETIMEDOUT;
  while (!m->cur || m->cur_left == 0) {
    int rc = next_chunk(m);
    if (rc != 0) {
      m->item_err = 0; /* no item returned: cf_map_message has no failure to tell of */
      return rc;
    }
  }
  m->cur_left--;
  m->item_code = 0;
  m->item_err = 0;
  if (m->cur_ok == 0 && m->cur_err) {
    m->item_err = m->cur_err;
    if (m->cur_err == CF_ETASK) m->item_code = cf_future_task_code(m->cur);
    return m->cur_err;
  }
  if (m->cur_ok) m->cur_ok--;
  if (m->cur_p + 16 > m->cur_end) return CF_EBROKEN; /* malformed chunk result */
  int32_t rc;
  uint64_t rlen;
  memcpy(&rc, m->cur_p, 4);
  memcpy(&rlen, m->cur_p + 8, 8);
  const unsigned char *item = m->cur_p + 16;
  m->cur_p = item + PAD8(rlen);
  if (rc != 0) {
    m->item_code = rc;
    return CF_ETASK;
  }
  if (data) *data = item;
  if (len) *len = (size_t)rlen;
  return 0;
}

int cf_map_task_code(const cf_map *m) { return m ? m->item_code : 0; }

const char *cf_map_message(const cf_map *m) {
  return m && m->cur && m->item_err ? cf_future_message(m->cur) : "";
}

void cf_map_record(const cf_map *m, cf_task_record *rec) {
  if (m && m->cur) {
    cf_future_record(m->cur, rec); /* after CF_EOF or an error too: the last chunk read */
  } else { /* no item returned yet: a record of nothing */
    memset(rec, 0, sizeof *rec);
    rec->worker = -1;
    rec->cpu = -1;
  }
}

void cf_map_free(cf_map *m) {
  if (!m) return;
  if (m->ring) cancel_all(m);
  cf_future_release(m->cur);
  free(m->ring);
  free(m->ring_items);
  free(m);
}
