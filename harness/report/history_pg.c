/* history_pg.c -- the PostgreSQL backend of the history store, through
 * libpq.  The URL is libpq's (postgresql://user@host/db?..., or
 * key=value pairs).  Writers serialize on a transaction-scoped advisory
 * lock, so migrations and adds of several runners never interleave. */
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "history_backend.h"
#include "history_store.h"

/* Advisory lock key of the history's writers ("cfbhist" in ASCII). */
#define CFB_PG_LOCK "6580585819919732"
/* A dead or unreachable server is an error after this, not a hang. */
#define CFB_PG_CONNECT_TIMEOUT "10"

/* libpq's message up to its first line break, after where. */
static void set_err(struct cfb_hist *h, const char *msg) {
  size_t n = strcspn(msg, "\n");
  snprintf(h->err, sizeof h->err, "%s: %.*s", h->where, (int)n, msg);
}

static int pg_exec(struct cfb_hist *h, const char *sql, int np, const char *const *params,
                   cfb_hist_row_fn cb, void *ctx) {
  PGresult *r = PQexecParams(h->conn, sql, np, NULL, params, NULL, NULL, 0);
  ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
    set_err(h, r ? PQresultErrorMessage(r) : PQerrorMessage(h->conn));
    PQclear(r);
    return -1;
  }
  int ncols = PQnfields(r), nrows = PQntuples(r);
  const char *vals[32];
  if (ncols > 32) ncols = 32;
  for (int i = 0; cb && i < nrows; i++) {
    for (int c = 0; c < ncols; c++) vals[c] = PQgetisnull(r, i, c) ? NULL : PQgetvalue(r, i, c);
    if (cb(ncols, vals, ctx)) break;
  }
  PQclear(r);
  return 0;
}

static int pg_begin(struct cfb_hist *h) {
  if (pg_exec(h, "BEGIN", 0, NULL, NULL, NULL) != 0) return -1;
  if (pg_exec(h, "SELECT pg_advisory_xact_lock(" CFB_PG_LOCK ")", 0, NULL, NULL, NULL) != 0) {
    pg_exec(h, "ROLLBACK", 0, NULL, NULL, NULL);
    return -1;
  }
  return 0;
}

static int pg_commit(struct cfb_hist *h) { return pg_exec(h, "COMMIT", 0, NULL, NULL, NULL); }

static void pg_rollback(struct cfb_hist *h) {
  char keep[sizeof h->err];
  memcpy(keep, h->err, sizeof keep);
  pg_exec(h, "ROLLBACK", 0, NULL, NULL, NULL);
  memcpy(h->err, keep, sizeof keep);
}

static void pg_close(struct cfb_hist *h) { PQfinish(h->conn); }

static const cfb_hist_ops pg_ops = {"postgresql", pg_exec, pg_begin, pg_commit, pg_rollback,
                                    pg_close, "SELECT to_regclass('cfb_schema')"};

static void quiet(void *arg, const char *msg) { (void)arg, (void)msg; } /* "already exists, skipping" */

/* The URL without its password ("user:secret@" -> "user:***@"), for messages. */
static void describe(char *out, size_t len, const char *url) {
  const char *scheme = strstr(url, "://");
  const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
  const char *colon = at ? memchr(scheme + 3, ':', (size_t)(at - scheme - 3)) : NULL;
  if (colon) snprintf(out, len, "%.*s***%s", (int)(colon + 1 - url), url, at);
  else snprintf(out, len, "%s", url);
}

int cfb_hist_pg_open(struct cfb_hist *h, const char *url) {
  describe(h->where, sizeof h->where, url);
  /* Later keywords override earlier ones, so the URL's own
   * connect_timeout, if any, wins over the default. */
  const char *const keys[] = {"connect_timeout", "dbname", NULL};
  const char *const vals[] = {CFB_PG_CONNECT_TIMEOUT, url, NULL};
  PGconn *c = PQconnectdbParams(keys, vals, 1);
  if (!c || PQstatus(c) != CONNECTION_OK) {
    set_err(h, c ? PQerrorMessage(c) : "out of memory");
    PQfinish(c);
    return -1;
  }
  PQsetNoticeProcessor(c, quiet, NULL);
  h->conn = c;
  h->ops = &pg_ops;
  return 0;
}
