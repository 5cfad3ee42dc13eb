/* history_backend.h -- what a history store backend provides to
 * history_store.c: statements with text parameters ($1, $2, ... in order
 * of first use, so one SQL text serves SQLite and PostgreSQL), a write
 * transaction under the store's lock, and its own dialect's few
 * statements.  Internal to the history store. */
#ifndef CFB_REPORT_HISTORY_BACKEND_H
#define CFB_REPORT_HISTORY_BACKEND_H

#include <stddef.h>

struct cfb_hist;

/* A result row: ncols values, NULL for SQL NULL.  Return 0 to go on. */
typedef int (*cfb_hist_row_fn)(int ncols, const char *const *vals, void *ctx);

typedef struct cfb_hist_ops {
  const char *name; /* "sqlite" / "postgresql", for messages */
  /* Run one statement; rows (if any) go to cb (may be NULL).  0, or -1
   * with the backend's message in h->err. */
  int (*exec)(struct cfb_hist *h, const char *sql, int np, const char *const *params,
              cfb_hist_row_fn cb, void *ctx);
  int (*begin_write)(struct cfb_hist *h); /* transaction holding the write lock */
  int (*commit)(struct cfb_hist *h);
  void (*rollback)(struct cfb_hist *h);
  void (*close)(struct cfb_hist *h);
  const char *schema_exists_sql; /* one row, non-NULL first value iff cfb_schema exists */
} cfb_hist_ops;

struct cfb_hist {
  const cfb_hist_ops *ops;
  void *conn;
  char where[256]; /* the file or server, for messages */
  char err[512];
};

/* Open a backend: fill h->ops and h->conn, or -1 with h->err. */
int cfb_hist_sqlite_open(struct cfb_hist *h, const char *path, int writable);
int cfb_hist_pg_open(struct cfb_hist *h, const char *url);

#endif
