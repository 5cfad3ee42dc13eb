#!/bin/sh
# faults.sh -- cfbench under real faults (issue 11, harness items): a
# tmpfs that fills up, /dev/full as stdout, SIGSTOP/SIGKILL of a process
# worker, SIGTERM, a run killed mid-way, hostile inputs (/dev/zero, a
# FIFO, a 2 MiB line, duplicated rows), RLIMIT_NPROC for user nobody, and
# a server that trickles or lies about Content-Length (bad_server).
# Timings only bound hangs, generously (`timeout`); nothing asserts speed.
# usage: faults.sh CFBENCH BAD_SERVER FIXTURES CASE    (exit 77 = skipped)
set -u
B=$1 SRV=$2 FIX=$3 CASE=$4
T=$(mktemp -d /tmp/cfbench-faults-XXXXXX)
chmod 755 "$T"
MNT= SERVERS=
cleanup() {
  for s in $SERVERS; do kill "$s" 2>/dev/null; done
  [ -n "$MNT" ] && umount "$MNT" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL ($CASE): $*" >&2; exit 1; }
skip() { echo "SKIP ($CASE): $*"; exit 77; }
Q="--workload sleep --workers 1 --warmup 0"
D="--param delay=1ms --items 2"

# rows FILE: data lines of a CSV (no quoted newlines in these runs)
rows() { [ -f "$1" ] && echo $(($(wc -l <"$1") - 1)) || echo 0; }
# wait_rows FILE N: until FILE has N rows (a hang bound of 60 s)
wait_rows() {
  i=0
  while [ "$(rows "$1")" -lt "$2" ]; do
    i=$((i + 1))
    [ $i -gt 600 ] && fail "no $2 rows in $1 after 60 s"
    sleep 0.1
  done
}
# wait_bounded PID SECONDS: wait for the child PID, killing it after SECONDS
# (a hang bound); its exit code in $rc (137 when it had to be killed)
wait_bounded() {
  i=0
  while kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" | cut -c1)" != Z ]; do
    i=$((i + 1))
    [ $i -gt $(($2 * 10)) ] && kill -KILL "$1"
    sleep 0.1
  done
  wait "$1"
  rc=$?
}
# expect_err RC PATTERN CMD...: exit code RC and PATTERN in one line of stderr
expect_err() {
  want=$1 pat=$2
  shift 2
  timeout 60 "$@" >"$T/out" 2>"$T/err" </dev/null
  rc=$?
  [ "$rc" -eq "$want" ] || fail "$* : exit $rc, wanted $want; stderr: $(cat "$T/err")"
  [ -z "$pat" ] || grep -q -- "$pat" "$T/err" || fail "$* : stderr lacks '$pat': $(cat "$T/err")"
}
# expect_line RC PATTERN CMD...: expect_err, and stderr is that one line only
expect_line() {
  expect_err "$@"
  [ "$(wc -l <"$T/err")" -eq 1 ] || fail "$* : more than one line: $(cat "$T/err")"
}
# the summary's n over all configurations
sum_n() { awk -F, 'NR==1{for(i=1;i<=NF;i++)if($i=="n")c=i;next}{s+=$c}END{print s+0}' "$1"; }
# "finished": null in meta.json?
unfinished() { grep -q '"finished": null' "$1/meta.json"; }
first_worker() { # the first child of pid $1 (a process worker), waiting for it
  i=0
  while :; do
    w=$(pgrep -P "$1" | head -1)
    [ -n "$w" ] && { echo "$w"; return; }
    i=$((i + 1))
    [ $i -gt 600 ] && fail "no worker of $1"
    sleep 0.1
  done
}
# start_server MODE: bad_server in the background; its port in $PORT
start_server() {
  "$SRV" "$1" >"$T/port.$1" &
  SERVERS="$SERVERS $!"
  i=0
  until [ -s "$T/port.$1" ]; do
    i=$((i + 1))
    [ $i -gt 600 ] && fail "bad_server $1 did not start"
    sleep 0.1
  done
  PORT=$(cat "$T/port.$1")
}
mount_tmpfs() { # mount_tmpfs DIR SIZE, or skip
  mkdir -p "$1"
  mount -t tmpfs -o "size=$2" tmpfs "$1" 2>/dev/null || skip "mount -t tmpfs not permitted (needs root)"
  MNT=$1
}

case $CASE in
# 5: a stopped worker.  With --task-timeout the task times out by itself;
# without, SIGINT ends the run (workers killed), rows kept.
stopped_worker)
  "$B" run $Q --param delay=20ms --backend process --items 20 --repeat 4 --out "$T/a" \
    --task-timeout 1s >/dev/null 2>"$T/err" &
  P=$!
  wait_rows "$T/a/runs.csv" 1
  kill -STOP "$(first_worker $P)"
  # The stopped task fails with CF_ETIMEDOUT (or runs elsewhere); the run ends by itself.
  wait_bounded $P 120
  [ "$rc" -eq 1 ] || [ "$rc" -eq 0 ] || fail "--task-timeout: exit $rc (killed after 120 s?)"
  [ "$rc" -eq 0 ] || grep -q "CF_ETIMEDOUT" "$T/a/runs.csv" || fail "--task-timeout: no timed-out row"

  "$B" run $Q --param delay=20ms --backend process --items 20 --repeat 200 --out "$T/b" >/dev/null 2>&1 &
  P=$!
  wait_rows "$T/b/runs.csv" 2
  kill -STOP "$(first_worker $P)"
  sleep 0.5
  n=$(rows "$T/b/runs.csv")
  kill -INT $P
  wait_bounded $P 30
  [ "$rc" -eq 130 ] || fail "SIGINT with a stopped worker: exit $rc, wanted 130 (137: still hung after 30 s)"
  [ "$(rows "$T/b/runs.csv")" -ge "$n" ] || fail "rows lost"
  [ "$(sum_n "$T/b/summary.csv")" -eq "$(rows "$T/b/runs.csv")" ] || fail "summary.csv does not cover runs.csv"
  pgrep -P $P >/dev/null 2>&1 && fail "workers left behind"
  ;;

# 8: runs.csv on a disk that fills up: cut back to the last whole row,
# the run stops, the count said, exit 1; the summary describes those rows.
disk_full)
  mount_tmpfs "$T/small" 64k
  # runs.csv alone on the small disk (a symlink), the other files beside
  mkdir "$T/r"
  ln -s "$T/small/runs.csv" "$T/r/runs.csv"
  "$B" run $Q --param delay=1ms --items 1 --repeat 5000 --out "$T/r" --force >/dev/null 2>"$T/err"
  rc=$?
  [ "$rc" -eq 1 ] || fail "exit $rc, wanted 1"
  n=$(rows "$T/small/runs.csv")
  [ "$n" -gt 0 ] || fail "no rows"
  [ "$(tail -c 1 "$T/small/runs.csv" | od -An -c | tr -d ' ')" = '\n' ] || fail "runs.csv ends in a half row"
  nf=$(head -1 "$T/small/runs.csv" | awk -F, '{print NF}')
  awk -F, -v nf="$nf" 'NF != nf { exit 1 }' "$T/small/runs.csv" || fail "a row with the wrong field count"
  grep -q "holds $n complete row" "$T/err" || fail "stderr does not say $n rows: $(cat "$T/err")"
  [ "$(sum_n "$T/r/summary.csv")" -eq "$n" ] || fail "summary.csv n = $(sum_n "$T/r/summary.csv"), runs.csv has $n"
  [ "$(grep -o '"items_done":' "$T/r/results.json" | wc -l)" -eq "$n" ] || fail "results.json runs != $n"
  "$B" compare "$T/r" "$T/r" >/dev/null 2>&1
  [ $? -le 1 ] || fail "compare refuses the cut runs.csv"
  # everything on the full disk: no half row, and an honest count
  umount "$MNT"
  mount_tmpfs "$T/small" 64k
  "$B" run $Q --param delay=1ms --items 1 --repeat 5000 --out "$T/small/run" >/dev/null 2>"$T/err"
  rc=$?
  [ "$rc" -eq 1 ] || fail "full disk: exit $rc, wanted 1"
  n=$(rows "$T/small/run/runs.csv")
  [ "$(tail -c 1 "$T/small/run/runs.csv" | od -An -c | tr -d ' ')" = '\n' ] || fail "full disk: a half row"
  grep -q "holds $n complete row" "$T/err" || fail "full disk: count not said: $(cat "$T/err")"
  if [ -f "$T/small/run/summary.csv" ]; then
    [ "$(sum_n "$T/small/run/summary.csv")" -eq "$n" ] || fail "full disk: summary.csv disagrees"
  fi
  ;;

# characterize on a disk that fills while it writes its outputs: exit 1,
# a line for each output that failed, and the summary's "wrote" line
# names only what is there (characterize.md and the plot are not).
char_disk_full)
  mount_tmpfs "$T/small" 16k
  timeout 300 "$B" characterize --workload sleep --param delay=2ms --max-workers 8 --repeat 2 --rep-time 30ms \
    --quiet --out "$T/small/c" >"$T/out" 2>"$T/err"
  rc=$?
  [ "$rc" -eq 1 ] || fail "exit $rc, wanted 1: $(cat "$T/err")"
  grep -q "cannot write $T/small/c/characterize.md" "$T/err" || fail "the failed characterize.md not named: $(cat "$T/err")"
  [ -s "$T/small/c/characterize.md" ] && fail "characterize.md written after all"
  w=$(grep '^wrote ' "$T/out") || fail "no wrote line: $(cat "$T/out")"
  case $w in *md*) fail "the summary claims the failed characterize.md: $w" ;; esac
  if [ ! -s "$T/small/c/plots/characterize.png" ]; then
    case $w in *plots/*) fail "the summary claims the failed plot: $w" ;; esac
  fi
  ;;

# 9: --force into an older run's directory, killed mid-way: nothing old
# left beside the new rows; plot and report refuse the unfinished run.
force_killed)
  "$B" run $Q $D --repeat 3 --out "$T/d" >/dev/null 2>&1 || fail "first run"
  [ -f "$T/d/summary.csv" ] || fail "first run wrote no summary.csv"
  "$B" run $Q --items 2 --param delay=50ms --repeat 500 --out "$T/d" --force >/dev/null 2>&1 &
  P=$!
  i=0
  until unfinished "$T/d" 2>/dev/null; do # the new run has started (its first meta.json)
    i=$((i + 1))
    [ $i -gt 600 ] && fail "the second run did not start"
    sleep 0.1
  done
  wait_rows "$T/d/runs.csv" 1
  kill -KILL $P
  wait $P
  [ -f "$T/d/summary.csv" ] && fail "the old summary.csv is still there"
  [ -f "$T/d/results.json" ] && fail "the old results.json is still there"
  unfinished "$T/d" || fail "meta.json of the killed run has a finish time"
  expect_err 2 "did not finish" "$B" report "$T/d"
  expect_err 2 "did not finish" "$B" plot "$T/d"
  # a summary.csv beside an unfinished meta.json (the window between the two writes)
  cp "$FIX/sweep/summary.csv" "$T/d/"
  expect_err 2 "did not finish" "$B" report "$T/d"
  ;;

# 10: duplicated rows and a stray header line in compare's input
compare_input)
  "$B" run $Q $D --repeat 4 --out "$T/a" >/dev/null 2>&1 || fail "run a"
  "$B" run $Q $D --repeat 4 --out "$T/b" >/dev/null 2>&1 || fail "run b"
  cp "$T/b/runs.csv" "$T/dup.csv"
  tail -n 4 "$T/b/runs.csv" >>"$T/dup.csv"
  expect_err 2 "dup.csv: line 6: the same configuration, repeat 0 and round 0 as line 2" \
    "$B" compare "$T/a" "$T/dup.csv"
  cp "$T/b/runs.csv" "$T/hdr.csv"
  cat "$T/b/runs.csv" >>"$T/hdr.csv"
  expect_err 2 "hdr.csv: line 6: a second header line" "$B" compare "$T/a" "$T/hdr.csv"
  expect_err 2 "given twice" "$B" compare "$T/a" "$T/b,$T/b"
  "$B" compare "$T/a" "$T/b" >/dev/null 2>&1
  [ $? -le 1 ] || fail "clean input refused"
  # one line for each, not the usage text after it
  expect_line 2 "give BASE and NEW" "$B" compare "$T/a"
  expect_line 2 "alpha" "$B" compare "$T/a" "$T/b" --alpha 2
  # ab: a side that is no command, or refuses an option, is named in one
  # line before any round runs (it used to say the sweeps differ, then
  # the cause, then "round 1 done")
  expect_line 2 "BASE '$T/nosuch' failed" "$B" ab "$T/nosuch" "$B" $Q $D --out "$T/ab1"
  expect_line 2 "unknown option '--bogus'" "$B" ab "$B" "$B" $Q $D --bogus --out "$T/ab2"
  ;;

# 11: standard output that cannot be written
stdout_full)
  for c in list topology; do
    expect_line 2 "cfbench $c: writing standard output failed: No space left on device" \
      sh -c "exec \"$B\" $c >/dev/full"
  done
  # compare and export print their whole answer at once: one line, with
  # the cause (an explicit flush of their own used to spend the errno, so
  # the line said "Input/output error", and export said it twice)
  for c in "compare $FIX/cmp_base $FIX/cmp_same --format json" "compare $FIX/cmp_base $FIX/cmp_regress" \
           "export --format md $FIX/cmp_base" "export --format gbench $FIX/cmp_base"; do
    expect_line 2 "cfbench ${c%% *}: writing standard output failed: No space left on device" \
      sh -c "exec \"$B\" $c >/dev/full"
  done
  expect_err 1 "cfbench run: writing standard output failed" \
    sh -c "exec \"$B\" run $Q $D --repeat 1 --out \"$T/r\" >/dev/full"
  [ "$(rows "$T/r/runs.csv")" -eq 1 ] || fail "run: the row was lost"
  ;;

# 12: SIGTERM finishes a run as SIGINT does
sigterm)
  "$B" run $Q --items 2 --param delay=20ms --repeat 500 --out "$T/s" >/dev/null 2>&1 &
  P=$!
  wait_rows "$T/s/runs.csv" 2
  kill -TERM $P
  wait $P
  rc=$?
  [ "$rc" -eq 143 ] || fail "exit $rc, wanted 143"
  [ -f "$T/s/summary.csv" ] && [ -f "$T/s/results.json" ] || fail "no summary.csv or results.json"
  unfinished "$T/s" && fail "meta.json has no finish time"
  grep -q '"interrupted": true' "$T/s/meta.json" || fail "meta.json does not say interrupted"
  [ "$(sum_n "$T/s/summary.csv")" -eq "$(rows "$T/s/runs.csv")" ] || fail "summary.csv does not cover runs.csv"
  ;;

# characterize stopped by SIGTERM or SIGINT: 128 + the signal, as run
# exits, and the line saying nothing was analysed.
char_signal)
  # A signal keeps what was measured: during the sweep (its first round
  # done) the outputs of a finished run, marked partial; during the
  # profile the raw measurements.  The exit code is the signal's.
  for sig in TERM INT; do
    "$B" characterize --workload sleep --param delay=20ms --max-workers 8 --repeat 16 \
      --out "$T/c$sig" >"$T/out" 2>"$T/err" &
    P=$!
    if [ $sig = TERM ]; then
      i=0 # until the sweep's second round has begun: the first is whole
      until grep -q "round 2/16" "$T/err"; do
        i=$((i + 1))
        [ $i -gt 1200 ] && { kill -9 $P; fail "no sweep round 2 in 120 s: $(cat "$T/err")"; }
        sleep 0.1
      done
    else
      until grep -q "profile on one worker" "$T/err"; do sleep 0.02; done
    fi
    kill -$sig $P
    wait $P
    rc=$?
    want=143 during=sweep signo=15
    [ $sig = INT ] && want=130 during=profile signo=2
    [ "$rc" -eq $want ] || fail "SIG$sig: exit $rc, wanted $want: $(cat "$T/err")"
    /usr/bin/python3 - "$T/c$sig" $during $signo <<'PY' || fail "SIG$sig: what was measured was not kept (above)"
import json, os, sys
d, during, signo = sys.argv[1], sys.argv[2], int(sys.argv[3])
m = json.load(open(d + "/measure.json"))
assert m["interrupted"] == {"during": during, "signal": signo}, m.get("interrupted")
if during == "sweep":
    assert any(p["items_per_s"] for p in m["points"]), "no sweep repetition kept"
    c = json.load(open(d + "/characterize.json"))
    assert c["interrupted"] == "sweep" and c["recommendation"], c.get("interrupted")
    assert open(d + "/characterize.md").read().count("**Partial: the run was interrupted during the sweep.**") == 1
else:
    assert m["profile"]["items"] >= 0 and not os.path.exists(d + "/characterize.json")
PY
    # the last message, its wrapped lines joined (a long DIR goes on a line of its own)
    said=$(sed -n '/^cfbench characterize: interrupted/,$p' "$T/err" | sed -e ':a' -e 'N;s/\n  / /;ba')
    if [ $sig = TERM ]; then
      grep -q "^PARTIAL    interrupted during the sweep" "$T/out" || fail "SIG$sig: the summary is not marked: $(cat "$T/out")"
      [ "$said" = "cfbench characterize: interrupted during the sweep; partial results in $T/c$sig/" ] ||
        fail "SIG$sig: no line saying where: $(cat "$T/err")"
      ! grep -q "round 3/16" "$T/err" || fail "SIG$sig: rounds announced after the signal: $(cat "$T/err")"
    else
      [ "$said" = "cfbench characterize: interrupted during the profile; what it measured: $T/c$sig/measure.json (too little to analyse)" ] ||
        fail "SIG$sig: no line saying where: $(cat "$T/err")"
    fi
    awk 'length($0) > 79 { bad = 1 } END { exit bad }' "$T/out" "$T/err" || fail "SIG$sig: wider than 80 columns"
    # --from re-analyses the partial directory, still marked
    [ $sig = INT ] || { "$B" characterize --from "$T/c$sig" >"$T/from" 2>&1 && grep -q "^PARTIAL" "$T/from"; } ||
      fail "SIG$sig: --from of the partial run: $(cat "$T/from")"
  done
  ;;

# 13: inputs that never end or block
endless_inputs)
  expect_err 2 "/dev/zero: not a regular file (a character device)" "$B" compare /dev/zero "$FIX/cmp_base"
  mkfifo "$T/fifo"
  expect_err 2 "fifo: not a regular file (a FIFO)" "$B" compare "$FIX/cmp_base" "$T/fifo"
  mkdir "$T/d"
  mkfifo "$T/d/summary.csv"
  expect_err 2 "not a regular file (a FIFO)" "$B" report "$T/d"
  expect_err 2 "not a regular file (a FIFO)" "$B" plot "$T/d"
  head -c 2097152 /dev/zero | tr '\0' a >"$T/long.csv"
  expect_err 2 "long.csv: line 1: a record longer than" "$B" compare "$T/long.csv" "$FIX/cmp_base"
  ;;

# 14: --max-time cuts running items off (process: workers killed; thread:
# no further item starts), and the socket timeout is a whole-request deadline
deadlines)
  # 30 s items, a 1 s budget: without a real deadline this takes 60 s and `timeout 25` kills it
  expect_err 1 "" timeout 25 "$B" run $Q --items 2 --param delay=30s --backend process --repeat 1 --max-time 1s --out "$T/p"
  grep -q "failed,timed out after --max-time 1 s" "$T/p/runs.csv" || fail "process: no timed-out row"
  # thread: 2 s items, 1 worker, 30 items: the running one finishes, no other starts (60 s
  # otherwise; the bound of 30 s is 10x the ~3 s it takes, for a loaded machine)
  expect_err 1 "" timeout 30 "$B" run $Q --param delay=2s --items 30 --repeat 1 --max-time 1s --out "$T/t"
  grep -q "failed,timed out after --max-time 1 s" "$T/t/runs.csv" || fail "thread: no timed-out row"
  start_server trickle
  # 40 bytes at 2 per second: 20 s per item if the timeout were per read
  expect_err 1 "" timeout 15 "$B" run --workload socket --param "target=http://127.0.0.1:$PORT/" \
    --param timeout=1s --workers 1 --items 1 --repeat 1 --warmup 0 --out "$T/k"
  grep -q "no complete response within 1000 ms" "$T/k/runs.csv" || fail "socket: not a deadline: $(cut -d, -f30- "$T/k/runs.csv")"
  ;;

# 15: the messages say what happened
messages)
  for mode in clen-neg clen-huge; do
    start_server $mode
    expect_err 1 "" timeout 20 "$B" run --workload socket --param "target=http://127.0.0.1:$PORT/" \
      --param timeout=30s --workers 1 --items 1 --repeat 1 --warmup 0 --out "$T/$mode"
    grep -q "malformed response" "$T/$mode/runs.csv" || fail "$mode: $(cut -d, -f30- "$T/$mode/runs.csv")"
  done
  # a killed process worker: the row says which and how
  "$B" run $Q --param delay=5s --backend process --items 1 --repeat 1 --out "$T/k" >/dev/null 2>&1 &
  P=$!
  W=$(first_worker $P)
  sleep 0.5
  kill -KILL "$W"
  wait $P
  grep -q "worker 0 (pid $W) killed by signal 9" "$T/k/runs.csv" || fail "killed worker: $(cut -d, -f30- "$T/k/runs.csv")"
  expect_err 2 "cfbench bench: unknown option '--frob'" "$B" bench --frob
  expect_err 2 "BASE: empty path" "$B" compare "" ""
  expect_err 2 "' 2' is not a number" "$B" run $Q $D --workers " 2" --out "$T/w"
  expect_err 2 "'+2' is not a number" "$B" run $Q $D --workers "+2" --out "$T/w"
  expect_err 2 "no row of either side has a parameter 'bogus'" "$B" compare "$FIX/cmp_base" "$FIX/cmp_same" \
    --ignore-param bogus
  "$B" run $Q $D --repeat 4 --out "$T/z" >/dev/null 2>&1 || fail "a run to spoil"
  awk -F, 'BEGIN{OFS=","} NR==1{for(i=1;i<=NF;i++)if($i=="workers")c=i} NR==2{$c=0} {print}' \
    "$T/z/summary.csv" >"$T/s0" && mv "$T/s0" "$T/z/summary.csv"
  expect_err 2 "summary.csv: line 2: workers '0'" "$B" plot "$T/z"
  awk -F, 'BEGIN{OFS=","} NR==1{for(i=1;i<=NF;i++)if($i=="items_per_s")c=i} NR==2{$c="abc"} {print}' \
    "$T/z/runs.csv" >"$T/abc.csv"
  expect_err 2 "abc.csv: line 2: status ok but items_per_s 'abc'" "$B" compare "$T/abc.csv" "$T/z"
  ;;

# 15: under ulimit -u (user nobody), the real reason: fork / thread creation
nproc)
  [ "$(id -u)" -eq 0 ] || skip "needs root to run as nobody"
  command -v setpriv >/dev/null && command -v prlimit >/dev/null || skip "no setpriv or prlimit"
  cp "$B" "$T/cfbench"
  chmod 755 "$T/cfbench"
  mkdir "$T/o" && chmod 777 "$T/o"
  # nobody's processes + threads limited to a few: the 8 workers cannot all start
  for be in thread process; do
    prlimit --nproc=4:4 -- setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
      "$T/cfbench" run $Q $D --backend $be --workers 8 --repeat 1 --out "$T/o/$be" >/dev/null 2>"$T/err"
    rc=$?
    [ "$rc" -eq 1 ] || fail "$be: exit $rc: $(cat "$T/err")"
    e=$(cut -d, -f30- "$T/o/$be/runs.csv" | tail -1)
    echo "$e" | grep -q "Resource temporarily unavailable (CF_EAGAIN)" || fail "$be: $e"
    echo "$e" | grep -q "out of memory\|not ready yet" && fail "$be: $e"
  done
  ;;
*) fail "unknown case" ;;
esac
echo "ok: faults $CASE"
