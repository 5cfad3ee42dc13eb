#!/bin/sh
# report_html.sh -- the report's HTML on the sweep fixture: parsed
# (check_report_html.py: the who-wins <table>, every row, every image) and,
# if chromium is installed, rendered headless at 1400 px and the
# screenshot checked not blank (check_screenshot.py).
# usage: report_html.sh CFBENCH FIXTURES_DIR
set -u
CLI=$1
F=$2
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d /tmp/cfbench-html-XXXXXX)
fail() { echo "FAIL: $*" >&2; exit 1; }
cp "$F/sweep/summary.csv" "$F/sweep/meta.json" "$T/"
"$CLI" report "$T" >"$T/out" 2>&1 || { cat "$T/out"; fail "cfbench report"; }
# Debian's python3 has python3-pil; a python3 earlier on PATH may not.
PY=python3
for p in /usr/bin/python3 python3; do
  if "$p" -c 'import PIL' 2>/dev/null; then PY=$p; break; fi
done
"$PY" "$HERE/check_report_html.py" "$T" || fail "report.html structure"
CHROMIUM=${CFBENCH_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
  echo "chromium not installed ($CHROMIUM): render check skipped"
  rm -rf "$T"
  exit 77
fi
mkdir "$T/profile"
# Every network and background service off: CI has no network, and the
# render must not wait on one.  timeout only bounds a hang.
timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$T/profile" --screenshot="$T/shot.png" --window-size=1400,2000 \
  "file://$T/report.html" >"$T/chromium.log" 2>&1
[ -s "$T/shot.png" ] || { tail -5 "$T/chromium.log"; fail "chromium wrote no screenshot"; }
"$PY" "$HERE/check_screenshot.py" "$T/shot.png" || fail "blank screenshot"
[ -n "${CFBENCH_KEEP:-}" ] && cp "$T/shot.png" "$CFBENCH_KEEP" # to look at it
rm -rf "$T"
echo "ok: report_html"
