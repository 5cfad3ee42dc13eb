/* map.c -- cf_map: a lazy, ordered, bounded map over an input callback.
 *
 * Items are packed `chunksize` at a time into one task (so a process
 * backend ships a chunk as one message); at most `buffersize` chunks are in
 * flight ahead of the consumer, and input is pulled only to refill them.
 *
 * Chunk argument:  [u64 fn][u64 n][u64 obj] then n x ([u64 len][bytes, padded to 8]);
 *                  fn and obj as cf__objref_here takes them
 * Chunk result:    [u64 n]         then n x ([i32 rc][u32 0][u64 len][bytes, padded])
 * Items start 8-byte aligned. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define PAD8(x) (((x) + 7u) & ~(size_t)7u)

/* Items per worker the process backend's default window keeps in flight
 * (see default_buffersize). */
#define PROC_WINDOW_ITEMS 128u


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
  for (uint64_t i = 0; i < n && p + 8 <= end; i++) {
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
  }
  cf__result_reset(&r);
  return 0;
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
  /* the chunk being read */
  cf_future *cur;
  const unsigned char *cur_p, *cur_end;
  size_t cur_left;
  int cur_err;              /* whole-chunk failure: every item gets it */
  int item_code;
  int input_done;
  int input_err;            /* delivered after the items before it */
  int timed_out;
};

void cf_map_options_init(cf_map_options *opt) {
  opt->chunksize = 1;
  opt->buffersize = 0;
  opt->timeout_s = -1;
}

/* Pull up to chunksize items and submit them as one chunk.  Returns 1 if a
 * chunk was submitted, 0 if the input is exhausted, or an error. */
static int submit_chunk(cf_map *m) {
  if (m->input_done) return 0;
  cf_future *f = cf__future_new(m->ex);
  if (!f) return CF_ENOMEM;
  cf_result *b = &f->arg;
  b->len = 0;
  uint64_t hdr[3] = {m->fn_off, 0, m->fn_obj};
  int rc = buf_append(b, hdr, 24, 24);
  size_t n = 0;
  while (rc == 0 && n < m->chunksize) {
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
  f->fn = cf__map_chunk_task;
  rc = cf__submit_future(m->ex, f);
  if (rc != 0) {
    cf_future_release(f);
    return rc;
  }
  size_t slot = (m->head + m->count) % m->buffersize;
  m->ring[slot] = f;
  m->ring_items[slot] = n;
  m->count++;
  return 1;
}

static int refill(cf_map *m) {
  while (m->count < m->buffersize) {
    int rc = submit_chunk(m);
    if (rc <= 0) return rc;
  }
  return 0;
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
  int rc = ex->ops->fn_ref ? ex->ops->fn_ref(ex, (const void *)(uintptr_t)fn, &m->fn_obj, &m->fn_off) : 0;
  m->ring = calloc(m->buffersize, sizeof *m->ring);
  m->ring_items = calloc(m->buffersize, sizeof *m->ring_items);
  if (rc == 0 && (!m->ring || !m->ring_items)) rc = CF_ENOMEM;
  if (rc == 0) rc = refill(m);
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

/* Move to the next in-flight chunk; 0, CF_EOF or a map-level error. */
static int next_chunk(cf_map *m) {
  cf_future_release(m->cur);
  m->cur = NULL;
  if (m->count == 0) {
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
  m->cur = f;
  m->cur_left = items;
  m->cur_err = rc;
  if (rc == CF_ETASK) m->item_code = cf_future_task_code(f);
  if (rc == 0) {
    m->cur_p = (const unsigned char *)data + 8;
    m->cur_end = (const unsigned char *)data + len;
  }
  int r2 = refill(m);
  return r2 < 0 ? r2 : 0;
}

int cf_map_next(cf_map *m, const void **data, size_t *len) {
  if (!m) return CF_EINVAL;
  if (data) *data = NULL;
  if (len) *len = 0;
  if (m->timed_out) return CF_ETIMEDOUT;
  while (!m->cur || m->cur_left == 0) {
    int rc = next_chunk(m);
    if (rc != 0) return rc;
  }
  m->cur_left--;
  m->item_code = 0;
  if (m->cur_err) {
    if (m->cur_err == CF_ETASK) m->item_code = cf_future_task_code(m->cur);
    return m->cur_err;
  }
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
  return m && m->cur && m->cur_err ? cf_future_message(m->cur) : "";
}

void cf_map_record(const cf_map *m, cf_task_record *rec) {
  if (m && m->cur) cf_future_record(m->cur, rec);
  else memset(rec, 0, sizeof *rec);
}

void cf_map_free(cf_map *m) {
  if (!m) return;
  if (m->ring) cancel_all(m);
  cf_future_release(m->cur);
  free(m->ring);
  free(m->ring_items);
  free(m);
}
