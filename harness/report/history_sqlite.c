/* history_sqlite.c -- the SQLite backend of the history store (a file).
 * Writers take the database's write lock up front (BEGIN IMMEDIATE) and
 * wait up to CFB_SQLITE_BUSY_MS for another writer to finish; readers
 * open the file read-only, so a missing file is an error, not a new db. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "history_backend.h"
#include "history_store.h"

/* Long enough for another `history add` of a big run to commit. */
#define CFB_SQLITE_BUSY_MS 60000

static void set_err(struct cfb_hist *h, sqlite3 *db) {
  snprintf(h->err, sizeof h->err, "%s: %s", h->where, db ? sqlite3_errmsg(db) : "out of memory");
}

static int sq_exec(struct cfb_hist *h, const char *sql, int np, const char *const *params,
                   cfb_hist_row_fn cb, void *ctx) {
  sqlite3 *db = h->conn;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
    set_err(h, db);
    return -1;
  }
  for (int i = 0; i < np; i++) {
    int rc = params[i] ? sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_TRANSIENT)
                       : sqlite3_bind_null(st, i + 1);
    if (rc != SQLITE_OK) {
      set_err(h, db);
      sqlite3_finalize(st);
      return -1;
    }
  }
  int rc, ncols = sqlite3_column_count(st), stop = 0;
  const char *vals[32];
  if (ncols > 32) ncols = 32;
  while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    for (int c = 0; c < ncols; c++) vals[c] = (const char *)sqlite3_column_text(st, c);
    if (cb) stop = cb(ncols, vals, ctx);
  }
  if (!stop && rc != SQLITE_DONE) {
    set_err(h, db);
    sqlite3_finalize(st);
    return -1;
  }
  sqlite3_finalize(st);
  return 0;
}

static int sq_begin(struct cfb_hist *h) { return sq_exec(h, "BEGIN IMMEDIATE", 0, NULL, NULL, NULL); }
static int sq_commit(struct cfb_hist *h) { return sq_exec(h, "COMMIT", 0, NULL, NULL, NULL); }

static void sq_rollback(struct cfb_hist *h) {
  char keep[sizeof h->err];
  memcpy(keep, h->err, sizeof keep); /* the first error is the one to report */
  sq_exec(h, "ROLLBACK", 0, NULL, NULL, NULL);
  memcpy(h->err, keep, sizeof keep);
}

static void sq_close(struct cfb_hist *h) { sqlite3_close(h->conn); }

static const cfb_hist_ops sqlite_ops = {
    "sqlite", sq_exec, sq_begin, sq_commit, sq_rollback, sq_close,
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'cfb_schema'"};

int cfb_hist_sqlite_open(struct cfb_hist *h, const char *path, int writable) {
  snprintf(h->where, sizeof h->where, "%s", path);
  struct stat st;
  if (!writable && stat(path, &st) != 0) {
    snprintf(h->err, sizeof h->err, "%s: no history database there (history add creates it)", path);
    return -1;
  }
  sqlite3 *db = NULL;
  int flags = writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
  if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
    set_err(h, db);
    sqlite3_close(db);
    return -1;
  }
  sqlite3_busy_timeout(db, CFB_SQLITE_BUSY_MS);
  sqlite3_extended_result_codes(db, 0);
  h->conn = db;
  h->ops = &sqlite_ops;
  /* The rollback journal (not WAL): a committed add lives in the one file
   * CI keeps as its artifact.  foreign_keys: results need their run. */
  return sq_exec(h, "PRAGMA foreign_keys = ON", 0, NULL, NULL, NULL);
}
