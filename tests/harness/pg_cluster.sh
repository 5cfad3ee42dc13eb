# pg_cluster.sh -- sourced by the history tests: a throw-away PostgreSQL
# cluster of the test's own (Debian's postgresql package), in a temp dir,
# on a unix socket there and no TCP port, as an unprivileged user when
# run as root (postgres refuses to run as root).
#   pg_start: sets PGURL (libpq URL) or returns 1 with the reason in PGWHY
#   pg_stop:  stops the server and removes the directory
PGT= PGBIN= PGAS=
pg_start() {
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
    PGWHY="no /usr/lib/postgresql/*/bin/initdb (package postgresql not installed)"
    return 1
  fi
  PGT=$(mktemp -d /tmp/cfb-pg-XXXXXX) || { PGWHY="mktemp failed"; return 1; }
  chmod 755 "$PGT"
  PGAS=""
  if [ "$(id -u)" -eq 0 ]; then
    chown nobody "$PGT" || { PGWHY="chown nobody failed"; return 1; }
    PGAS="runuser -u nobody --"
  fi
  cd "$PGT" || return 1
  if ! $PGAS "$PGBIN/initdb" -D "$PGT/data" -U cfb --auth=trust -E UTF8 --no-sync \
      >"$PGT/initdb.log" 2>&1; then
    PGWHY="initdb failed: $(tail -n 1 "$PGT/initdb.log")"
    cd - >/dev/null; return 1
  fi
  if ! $PGAS "$PGBIN/pg_ctl" -D "$PGT/data" -w -t 60 -l "$PGT/server.log" \
      -o "-c listen_addresses='' -c unix_socket_directories=$PGT -c fsync=off" start \
      >"$PGT/pg_ctl.log" 2>&1; then
    PGWHY="server did not start: $(tail -n 1 "$PGT/server.log" 2>/dev/null)"
    cd - >/dev/null; return 1
  fi
  cd - >/dev/null
  PGURL="postgresql://cfb@/postgres?host=$PGT"
  return 0
}
pg_stop() {
  [ -n "$PGT" ] || return 0
  [ -f "$PGT/data/postmaster.pid" ] && $PGAS "$PGBIN/pg_ctl" -D "$PGT/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$PGT"
  PGT=
}
