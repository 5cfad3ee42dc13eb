#!/usr/bin/env python3
"""cfbench_py.py -- cfbench's Python driver: the workloads of cfbench run
through CPython's own concurrent.futures executors, so the harness can
measure ThreadPoolExecutor and ProcessPoolExecutor beside cfutures (backends
py-thread and py-process).  Standard library only.  The harness runs it as a
subprocess (harness/run/pyback.c) and reads one JSON line per repetition.

Usage:
  python3 cfbench_py.py --backend py-thread|py-process|py-serial
      --workload sleep|socket|primes|mixed|memtouch [--params 'k=v,...']
      [--workers N] [--chunksize C] [--items K] [--repeat R] [--warmup W]
      [--target URL] [--start-method fork|spawn|forkserver]
      [--mode map|submit|roundtrip]

  --backend    py-thread: ThreadPoolExecutor; py-process: ProcessPoolExecutor
               (mp_context from --start-method, default the platform's);
               py-serial: the same items in a plain loop, no executor (the
               baseline a speedup is measured against).
  --params     the workload's parameters, as cfbench takes them (units and
               ranges as in docs/workloads.md): e.g. delay=10ms, cpu_us=100,
               preset=range,start=1000001,count=50.  Unknown names, bad
               units and out-of-range values exit 2.
  --workers    max_workers (default 0 = CPython's default rule: threads
               min(32, CPUs + 4), processes CPUs; the rows give the number).
  --chunksize  map's chunksize (default 1; ThreadPoolExecutor ignores it,
               as CPython does).
  --items      items per repetition (default 0 = the workload's natural
               count: sleep 100, socket 1000, primes docs 6 / range count,
               mixed 100, memtouch 32).
  --repeat     measured repetitions (default 1), each printing one line.
  --warmup     unmeasured repetitions first (default 0), printing nothing.
  --target     socket: the URL to GET (the harness's embedded server or
               e.g. nginx); the same as params target=URL.
  --mode       map: executor.map(fn, items, chunksize=C), results in order
               (the docs' PRIMES example); submit: submit every item, then
               as_completed (the docs' load_url example); roundtrip: submit
               one item, wait for its result, then the next (per-task cost).

Each repetition uses a fresh executor, created and warmed (every worker
started) outside the timed region, as the C runner does; the timed region is
from the first submit to the last result checked; the executor's shutdown
comes after it.  Every result is checked as it arrives, as the C workloads
check theirs: sleep (slept at least the delay), socket (status 200; body
length when `body` is given), primes (the answer against Miller-Rabin),
mixed (the LCG chain's final value by jump-ahead; slept at least io_us),
memtouch (every page read back with its byte; the byte sum).

Output, one JSON object per measured repetition on stdout:
  rep, backend, workload, params (canonical), mode, workers, chunksize,
  items, items_done, items_checked, items_ok, ok, error, wall_s,
  items_per_s, pool_start_s, cpu_s (getrusage self + children, user+sys,
  from before the executor is made to after its shutdown; children count
  once reaped, i.e. after shutdown), cpu_user_s, cpu_sys_s, tasks (a task is
  what the executor handles: an item, or a map chunk on processes),
  lat_p50_us, lat_p90_us, lat_p99_us (task start to end, in the worker),
  qwait_p50_us (task enqueue to start), metrics ("name=value;..." as the C
  workloads name them), python {implementation, version, start_method}.
Times are CLOCK_MONOTONIC (time.monotonic), one clock across processes.

Exit: 0 every repetition ok; 1 a repetition failed (its row is printed with
ok false, then one line on stderr); 2 bad command line, workload or
parameter (one line on stderr, nothing on stdout).

Serving: `python3 cfbench_py.py --serve` reads one request per line on
stdin, a JSON array of the arguments above (e.g. ["--backend", "py-thread",
"--workload", "sleep"]), runs it as the command line would, and after its
rows (and stderr line) prints {"end": EXIT} with the exit code it would
have had; it ends at EOF.  The harness keeps one such driver for a whole
run, so python's start-up and imports are paid once, not per configuration
and round; the repetitions themselves are the same (a fresh executor each),
and both sides of a py-thread/py-process pair run in the same interpreter.

The GIL is real here: the workloads' `gil` parameter is accepted (so the
harness can pass the same parameters to every backend) and changes nothing;
so does mixed's `ipc_us` (the emulation of ProcessPoolExecutor's own serial
cost per item: here that cost is real).  socket's `delay`, `server_threads` and `listen` configure the harness's
embedded server; the driver accepts and ignores them.
"""

import argparse
import bisect
import concurrent.futures
import http.client
import json
import math
import mmap
import multiprocessing
import os
import platform
import resource
import sys
import threading
import time
import urllib.parse
import urllib.request

# ---------------------------------------------------------------- params
#
# One table per workload, as in workloads/src/*.c: (name, type, default,
# min, max, extra).  extra: the bare-number unit of a duration (1e-6 for
# cpu_us / io_us), or the choices of an enum.

DUR, SIZE, BOOL, ENUM, INT, NUM, STR = "dur", "size", "bool", "enum", "int", "num", "str"

PARAMS = {
    "sleep": [("delay", DUR, "10ms", 0, 60, 0)],
    "socket": [
        ("target", STR, "", 0, 0, None),
        ("delay", DUR, "0", 0, 60, 0),
        ("body", SIZE, "1KiB", 0, 64 * 1048576.0, None),
        ("keepalive", BOOL, "on", 0, 1, None),
        ("timeout", DUR, "5s", 0.001, 600, 0),
        ("server_threads", INT, "1", 1, 64, None),
        ("listen", STR, "127.0.0.1", 0, 0, None),
    ],
    "primes": [
        ("preset", ENUM, "docs", 0, 0, ("docs", "range")),
        ("start", INT, "1000000000001", 3, 1e18, None),
        ("count", INT, "1000", 1, 10000000, None),
        ("gil", BOOL, "off", 0, 1, None),
        ("work_scale", NUM, "1", 0.1, 10, None),
    ],
    "mixed": [
        ("cpu_us", DUR, "1ms", 0, 10, 1e-6),
        ("io_us", DUR, "1ms", 0, 10, 1e-6),
        ("gil", BOOL, "off", 0, 1, None),
        ("work_scale", NUM, "1", 0.1, 10, None),
        ("ipc_us", DUR, "250us", 0, 1, 1e-6),
    ],
    "memtouch": [("mib", INT, "16", 1, 4096, None), ("gil", BOOL, "off", 0, 1, None)],
}

NATURAL_ITEMS = {"sleep": 100, "socket": 1000, "primes": 6, "mixed": 100, "memtouch": 32}

DUR_UNITS = (("ns", 1e-9), ("us", 1e-6), ("ms", 1e-3), ("s", 1.0))
SIZE_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1048576, "mb": 1048576,
              "mib": 1048576, "g": 1073741824, "gb": 1073741824, "gib": 1073741824}
BOOL_WORDS = {"on": 1, "1": 1, "true": 1, "yes": 1, "off": 0, "0": 0, "false": 0, "no": 0}


class Usage(Exception):
    """Bad command line, workload or parameter: exit 2."""


def fmt_value(typ, v, sep=""):
    """The value in base units with the unit that shows it exactly (params.c)."""
    if typ == DUR:
        ns = round(v * 1e9)
        if ns == 0:
            return "0%ss" % sep
        for f, u in ((1e9, "s"), (1e6, "ms"), (1e3, "us"), (1, "ns")):
            if math.fmod(ns, f) == 0 or u == "ns":
                return "%.15g%s%s" % (ns / f, sep, u)
    if typ == SIZE:
        b = round(v)
        if b == 0:
            return "0%sB" % sep
        for f, u in ((1073741824, "GiB"), (1048576, "MiB"), (1024, "KiB"), (1, "B")):
            if b % f == 0:
                return "%.15g%s%s" % (b / f, sep, u)
    return "%.15g" % v


def split_number(s):
    """(number, unit) of '10ms', as strtod would split it; None: no number."""
    s = s.strip()
    for end in range(len(s), 0, -1):
        try:
            x = float(s[:end])
        except ValueError:
            continue
        if not math.isfinite(x) or s[:end].strip().lower() in ("inf", "nan", "infinity"):
            return None
        return x, s[end:].strip()
    return None


def parse_value(wl, spec, v):
    """(number, canonical string) of one value, or Usage naming what is wrong."""
    name, typ, _, lo, hi, extra = spec
    bad = "workload %s: parameter %s=%s" % (wl, name, v)
    if typ == BOOL:
        if v.lower() not in BOOL_WORDS:
            raise Usage(bad + ": must be on or off")
        x = BOOL_WORDS[v.lower()]
        return x, "on" if x else "off"
    if typ == ENUM:
        if v not in extra:
            raise Usage(bad + ": must be one of " + "/".join(extra))
        return extra.index(v), v
    if typ == STR:
        return 0, v
    nu = split_number(v)
    if nu is None:
        raise Usage(bad + ": not a number")
    x, unit = nu
    if typ == DUR:
        f = None
        if not unit:
            f = extra if extra else (1.0 if x == 0 else None)
        else:
            f = dict(DUR_UNITS).get(unit)
        if f is None:
            what = "bad unit '%s'" % unit if unit else "missing unit"
            raise Usage(bad + ": %s (use ns, us, ms or s)" % what)
        x *= f
    elif typ == SIZE:
        if unit.lower() not in SIZE_UNITS:
            raise Usage(bad + ": bad unit '%s' (use B, KiB, MiB or GiB)" % unit)
        x *= SIZE_UNITS[unit.lower()]
    elif unit:
        raise Usage(bad + ": bad unit '%s' (a plain number is expected)" % unit)
    if typ == INT and x != math.floor(x):
        raise Usage(bad + ": not an integer")
    if typ == SIZE and x != math.floor(x):
        raise Usage(bad + ": not a whole number of bytes")
    if x < lo or x > hi:
        raise Usage(bad + " out of range [%s, %s]" % (fmt_value(typ, lo, " "), fmt_value(typ, hi, " ")))
    return x, fmt_value(typ, x)


def parse_params(wl, text):
    """{name: number-or-string}, the set of names given, and the canonical string."""
    specs = PARAMS[wl]
    val, canon, given = {}, {}, set()
    for spec in specs:
        val[spec[0]], canon[spec[0]] = parse_value(wl, spec, spec[2])
    for kv in [p for p in (text or "").split(",") if p != ""]:
        if "=" not in kv:
            raise Usage("workload %s: parameter '%s' is not key=value" % (wl, kv))
        k, v = kv.split("=", 1)
        spec = next((s for s in specs if s[0] == k), None)
        if spec is None:
            raise Usage("workload %s: unknown parameter '%s' (known: %s)"
                        % (wl, k, ", ".join(s[0] for s in specs)))
        x, c = parse_value(wl, spec, v)
        val[k] = c if spec[1] == STR else x
        canon[k] = c
        given.add(k)
    return val, given, ",".join("%s=%s" % (s[0], canon[s[0]]) for s in specs)


# ------------------------------------------------------------- workloads
#
# Task functions are module-level (picklable by reference for processes)
# and return (value, start, end): the worker's own timestamps.

def now():
    return time.monotonic()


# sleep -- each item sleeps `delay`; delay 0 makes no call (a no-op item).
def sleep_task(delay):
    t0 = now()
    if delay > 0:
        time.sleep(delay)
    t1 = now()
    return t1 - t0, t0, t1


# primes -- the Python docs' is_prime, exactly as in their example.
def is_prime(n):
    if n % 2 == 0:
        return False

    sqrt_n = int(math.floor(math.sqrt(n)))
    for i in range(3, sqrt_n + 1, 2):
        if n % i == 0:
            return False
    return True


def primes_task(n):
    t0 = now()
    p = is_prime(n)
    return p, t0, now()


DOCS_PRIMES = [112272535095293, 112582705942171, 112272535095293,
               115280095190773, 115797848077099, 1099726899285419]


def is_prime_mr(n):
    """Deterministic Miller-Rabin for n < 3.3e24: the independent answer."""
    if n < 2:
        return False
    bases = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41)
    for p in bases:
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for a in bases:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


# mixed -- compute cpu_us (the same LCG chain as mixed.c, in pure Python),
# then sleep io_us (time.sleep releases the GIL, as blocking calls do).
LCG_A, LCG_C, MASK64 = 6364136223846793005, 1442695040888963407, (1 << 64) - 1


def lcg_chain(x, n):
    for _ in range(n):
        x = (x * LCG_A + LCG_C) & MASK64
    return x


def lcg_jump(x, n):
    """x after n steps, by composing the affine map (as mixed.c does)."""
    a, c, ra, rc = LCG_A, LCG_C, 1, 0
    while n:
        if n & 1:
            ra, rc = ra * a & MASK64, (rc * a + c) & MASK64
        c = (c * a + c) & MASK64
        a = a * a & MASK64
        n >>= 1
    return (ra * x + rc) & MASK64


def mixed_task(item):
    seed, iters, io_s = item
    t0 = now()
    x = lcg_chain(seed, iters)
    t1 = now()
    if io_s > 0:
        time.sleep(io_s)
    t2 = now()
    return (x, t1 - t0, t2 - t1), t0, t2


CALIBRATED = {}


def lcg_calibrate():
    """LCG steps per second of this interpreter: best of 5 runs of ~5 ms."""
    n, best = 1000, 0.0
    while True:  # grow n until one run takes >= 5 ms
        t0 = time.perf_counter()
        lcg_chain(1, n)
        dt = time.perf_counter() - t0
        if dt >= 0.005:
            break
        n *= 2
    for k in range(5):
        t0 = time.perf_counter()
        lcg_chain(k, n)
        dt = time.perf_counter() - t0
        best = max(best, n / dt)
    return best


# memtouch -- map `mib` MiB (private anonymous), write one byte per page,
# read every page back, unmap; the bytes and offsets of memtouch.c.
def page_byte(i, seed):
    return ((i * 131 + seed) | 1) & 0xFF


def memtouch_task(item):
    nbytes, page, seed = item
    t0 = now()
    m = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    pages = nbytes // page
    for i in range(pages):
        m[i * page + (i * 64) % page] = page_byte(i, seed)
    nonzero = total = 0
    for i in range(pages):
        b = m[i * page + (i * 64) % page]
        nonzero += b != 0
        total += b
    m.close()
    return (pages, nonzero, total), t0, now()


# socket -- one GET per item.  keepalive=on: one http.client connection per
# worker thread (per process), replaced once if the server closed it while
# idle; keepalive=off: urllib.request.urlopen, as the docs' load_url does
# (through an opener without proxies: a loopback benchmark must not go
# through $http_proxy).
_conn = threading.local()
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _get_keepalive(host, port, path, timeout):
    c = getattr(_conn, "c", None)
    if c is not None and _conn.pid != os.getpid():
        c = None  # inherited across fork: not ours
    for attempt in (0, 1):
        fresh = c is None
        if fresh:
            c = http.client.HTTPConnection(host, port, timeout=timeout)
            _conn.c, _conn.pid = c, os.getpid()
        try:
            c.request("GET", path)
            r = c.getresponse()
            body = r.read()
            if r.will_close:
                c.close()
                _conn.c = None
            return r.status, len(body)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            c.close()
            _conn.c = c = None
            if fresh or attempt:
                raise


def socket_task(item):
    url, host, port, path, timeout, keepalive = item
    t0 = now()
    try:
        if keepalive:
            status, n = _get_keepalive(host, port, path, timeout)
        else:
            with _opener.open(url, timeout=timeout) as conn:
                status, n = conn.status, len(conn.read())
    except (OSError, http.client.HTTPException) as e:
        # One sentence naming the URL, as the C workload's errors do.
        r = getattr(e, "reason", e)  # urllib wraps the OSError in URLError.reason
        why = getattr(r, "strerror", None) or str(r) or type(r).__name__
        raise RuntimeError("GET %s: %s" % (url, why)) from None
    t1 = now()
    return (status, n, t1 - t0), t0, t1


def noop_task(_):
    return None


def barrier_task(b):
    b.wait()


# ------------------------------------------------------- prepare / check
#
# A workload's prepare gives the task function, the items, and check(i,
# value) -> None or a sentence; metrics: (name, quantile) of the samples,
# sample(value) -> one item's sample (us), as the C workloads' metrics.

class Work:
    def __init__(self, fn, items, check, metrics=(), sample=None):
        self.fn, self.items, self.check = fn, items, check
        self.metrics, self.sample = metrics, sample


def prep_sleep(p, given, n):
    d = p["delay"]

    def check(i, slept):
        if slept < d:
            return "item %d: slept %.0f ns, less than the delay %.0f ns" % (i, slept * 1e9, d * 1e9)
        return None
    return Work(sleep_task, [d] * n, check, (("overshoot_p50_us", 0.5), ("overshoot_p99_us", 0.99)),
                lambda v: (v - d) * 1e6)


def prep_socket(p, given, n):
    url = p["target"]
    u = urllib.parse.urlsplit(url)
    if u.scheme != "http" or not u.hostname:
        raise Usage("workload socket: parameter target=%s: use http://HOST[:PORT][/path]" % url
                    if url else "workload socket: needs --target URL (the harness starts the server)")
    path = (u.path or "/") + ("?" + u.query if u.query else "")
    item = (url, u.hostname, u.port or 80, path, p["timeout"], bool(p["keepalive"]))
    expect = int(p["body"]) if "body" in given else None

    def check(i, v):
        status, nbody, _ = v
        if status != 200:
            return "item %d: GET %s: status %d" % (i, url, status)
        if expect is not None and nbody != expect:
            return "item %d: GET %s: body of %d bytes, expected %d" % (i, url, nbody, expect)
        return None
    return Work(socket_task, [item] * n, check, (("latency_p50_us", 0.5), ("latency_p90_us", 0.9), ("latency_p99_us", 0.99)),
                lambda v: v[2] * 1e6)


def prep_primes(p, given, n):
    if p["work_scale"] != 1:
        raise Usage("workload primes: parameter work_scale=%s: only 1 in the Python driver "
                    "(the docs' is_prime has no division limit)" % fmt_value(NUM, p["work_scale"]))
    docs = p["preset"] == 0
    if not n:
        n = 6 if docs else int(p["count"])
    start = int(p["start"]) | 1
    items = [DOCS_PRIMES[i % 6] if docs else start + 2 * i for i in range(n)]
    expect = {x: is_prime_mr(x) for x in set(items)}

    def check(i, v):
        if v is not expect[items[i]]:
            return "item %d: wrong answer for %d: %s, expected %s" % (
                i, items[i], "prime" if v else "composite", "prime" if expect[items[i]] else "composite")
        return None
    return Work(primes_task, items, check)


def prep_mixed(p, given, n):
    # once per driver process: a serving driver's configurations (both
    # sides of a pair, every round) then do the same work per item
    if "lcg" not in CALIBRATED:
        CALIBRATED["lcg"] = lcg_calibrate()
    rate = CALIBRATED["lcg"]
    iters = int(p["cpu_us"] * p["work_scale"] * rate + 0.5)
    io_s = p["io_us"]
    items = [((i * 0x9E3779B97F4A7C15 + 1) & MASK64, iters, io_s) for i in range(n)]

    def check(i, v):
        x, _, slept = v
        seed = items[i][0]
        if x != lcg_jump(seed, iters):
            return "item %d: wrong compute result (%d steps)" % (i, iters)
        if slept < io_s:
            return "item %d: slept %.0f ns, less than io_us" % (i, slept * 1e9)
        return None
    w = Work(mixed_task, items, check, (("cpu_p50_us", 0.5), ("cpu_p99_us", 0.99)), lambda v: v[1] * 1e6)
    w.calibration = {"lcg_steps_per_s": rate, "iters": iters}
    return w


def prep_memtouch(p, given, n):
    page = mmap.PAGESIZE
    nbytes = int(p["mib"]) << 20
    pages = nbytes // page
    items = [(nbytes, page, i) for i in range(n)]
    # The expected byte sums, computed here, outside the timed region.
    sums = [sum(page_byte(k, seed) for k in range(pages)) for seed in range(n)]

    def check(i, v):
        got_pages, nonzero, total = v
        if got_pages != pages or nonzero != pages or total != sums[i]:
            return "item %d: %d of %d pages touched (sum %d, expected %d)" % (
                i, nonzero, pages, total, sums[i])
        return None
    return Work(memtouch_task, items, check)


PREPARE = {"sleep": prep_sleep, "socket": prep_socket, "primes": prep_primes,
           "mixed": prep_mixed, "memtouch": prep_memtouch}


# ------------------------------------------------------------- executors

def make_executor(backend, workers, start_method):
    """A warmed executor (every worker started) and the seconds it took."""
    t0 = time.monotonic()
    if backend == "py-serial":
        return None, 0.0
    if backend == "py-thread":
        ex = concurrent.futures.ThreadPoolExecutor(max_workers=workers)
        n = workers
        # Threads start on demand and are reused when idle: hold every task
        # until all n have started, or fewer threads would exist.
        b = threading.Barrier(n, timeout=60)
        for f in [ex.submit(barrier_task, b) for _ in range(n)]:
            f.result()
    else:
        ctx = multiprocessing.get_context(start_method)
        ex = concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
        n = workers
        # Submitted back to back, before any worker is idle: one process each.
        for f in [ex.submit(noop_task, None) for _ in range(n)]:
            f.result()
    return ex, time.monotonic() - t0


class Feed:
    """The items as an iterator that stamps when each one is taken (just
    before the executor submits it, or the chunk holding it)."""

    def __init__(self, items):
        self.items, self.taken = items, [0.0] * len(items)

    def __iter__(self):
        for i, x in enumerate(self.items):
            self.taken[i] = now()
            yield x


def run_items(ex, fn, feed, n, mode, chunksize):
    """Yield (index, (value, start, end)) or (index, exception), in the
    order the mode delivers them."""
    if ex is None:
        for i, x in enumerate(feed):
            yield i, fn(x)
    elif mode == "map":
        it = ex.map(fn, feed, chunksize=chunksize)
        for i in range(n):
            try:
                yield i, next(it)
            except Exception as e:  # map's results stop at the first failure
                yield i, e
                return
    elif mode == "submit":
        fs = {ex.submit(fn, x): i for i, x in enumerate(feed)}
        for f in concurrent.futures.as_completed(fs):
            e = f.exception()
            yield fs[f], e if e is not None else f.result()
    else:  # roundtrip
        for i, x in enumerate(feed):
            f = ex.submit(fn, x)
            e = f.exception()
            yield i, e if e is not None else f.result()


def quantile(s, q):
    """Linear interpolation on sorted s, as cf_stats_quantile_sorted."""
    if not s:
        return None
    h = (len(s) - 1) * q
    lo = int(math.floor(h))
    if lo + 1 >= len(s):
        return s[-1]
    return s[lo] + (h - lo) * (s[lo + 1] - s[lo])


def task_times(times, taken, per_task):
    """(latencies, queue waits) in us of the executor's tasks: items, or
    chunks of per_task consecutive items (ProcessPoolExecutor.map)."""
    lat, qw = [], []
    for k in range(0, len(times), per_task):
        group = [t for t in times[k:k + per_task] if t is not None]
        if not group:
            continue
        start = min(t[0] for t in group)
        end = max(t[1] for t in group)
        enq = max(taken[k:k + per_task])  # a chunk is submitted once its last item is taken
        lat.append((end - start) * 1e6)
        qw.append((start - enq) * 1e6)
    return sorted(lat), sorted(qw)


def rusage_s():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + c.ru_utime, s.ru_stime + c.ru_stime


def one_rep(a, work):
    """One repetition: the row (a dict)."""
    n = len(work.items)
    u0, s0 = rusage_s()
    ex, pool_s = make_executor(a.backend, a.workers, a.start_method)
    times, samples = [None] * n, []
    done = checked = 0
    error = ""
    feed = Feed(work.items)
    t0 = now()
    for i, r in run_items(ex, work.fn, feed, n, a.mode, a.chunksize):
        if isinstance(r, BaseException):
            kind = "" if type(r) is RuntimeError else type(r).__name__ + ": "  # ours say what failed
            error = error or "item %d: %s%s" % (i, kind, r)
            continue
        value, ts, te = r
        times[i] = (ts, te)
        checked += 1
        why = work.check(i, value)
        if why:
            error = error or "check failed: " + why
            continue
        if work.sample:
            samples.append(work.sample(value))
        done += 1
    t1 = now()
    if ex is not None:
        ex.shutdown(wait=True)
    u1, s1 = rusage_s()
    if done != n and not error:
        error = "items completed %d of %d items requested" % (done, n)
    per_task = a.chunksize if (a.backend == "py-process" and a.mode == "map") else 1
    lat, qw = task_times(times, feed.taken, per_task)
    samples.sort()
    metrics = ";".join("%s=%.6g" % (m, quantile(samples, q)) for m, q in work.metrics if samples)
    wall = t1 - t0
    return {
        "items": n, "items_done": done, "items_checked": checked, "items_ok": done,
        "ok": done == n and not error, "error": error,
        "wall_s": wall, "items_per_s": done / wall if wall > 0 else None,
        "pool_start_s": pool_s,
        "cpu_s": (u1 - u0) + (s1 - s0), "cpu_user_s": u1 - u0, "cpu_sys_s": s1 - s0,
        "tasks": len(lat),
        "lat_p50_us": quantile(lat, 0.5), "lat_p90_us": quantile(lat, 0.9),
        "lat_p99_us": quantile(lat, 0.99), "qwait_p50_us": quantile(qw, 0.5),
        "metrics": metrics,
    }


# ------------------------------------------------------------------ main

class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise Usage(message)


def parse_args(argv):
    ap = Parser(prog="cfbench_py.py", add_help=True)
    ap.add_argument("--backend", required=True, choices=("py-thread", "py-process", "py-serial"))
    ap.add_argument("--workload", required=True)
    ap.add_argument("--params", default="")
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--chunksize", type=int, default=1)
    ap.add_argument("--items", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=0)
    ap.add_argument("--target", default=None)
    ap.add_argument("--start-method", default=None, choices=("fork", "spawn", "forkserver"))
    ap.add_argument("--mode", default="map", choices=("map", "submit", "roundtrip"))
    a = ap.parse_args(argv)
    if a.workload not in PARAMS:
        raise Usage("unknown workload '%s' (known: %s)" % (a.workload, ", ".join(PARAMS)))
    for name, lo in (("workers", 0), ("chunksize", 1), ("items", 0), ("repeat", 1), ("warmup", 0)):
        if getattr(a, name) < lo:
            raise Usage("--%s %d: must be at least %d" % (name, getattr(a, name), lo))
    if a.start_method and a.backend != "py-process":
        raise Usage("--start-method is for --backend py-process only")
    if a.start_method is None and a.backend == "py-process":
        a.start_method = multiprocessing.get_start_method()
    if a.workers == 0:  # CPython's default rules (3.8+), made explicit for the rows
        ncpu = os.cpu_count() or 1
        a.workers = {"py-thread": min(32, ncpu + 4), "py-process": ncpu, "py-serial": 1}[a.backend]
    return a


def python_info(a):
    return {"implementation": platform.python_implementation(), "version": platform.python_version(),
            "start_method": a.start_method if a.backend == "py-process" else "none"}


def main(argv):
    try:
        a = parse_args(argv)
        text = a.params
        if a.target is not None:
            if a.workload != "socket":
                raise Usage("--target is for --workload socket only")
            text = (text + "," if text else "") + "target=" + a.target
        p, given, canon = parse_params(a.workload, text)
        n = a.items or (0 if a.workload == "primes" else NATURAL_ITEMS[a.workload])
        work = PREPARE[a.workload](p, given, n)
    except Usage as e:
        print("cfbench_py: %s" % e, file=sys.stderr)
        return 2
    head = {"backend": a.backend, "workload": a.workload, "params": canon, "mode": a.mode,
            "workers": a.workers, "chunksize": a.chunksize, "python": python_info(a)}
    if hasattr(work, "calibration"):
        head["calibration"] = work.calibration
    for _ in range(a.warmup):
        one_rep(a, work)
    for rep in range(a.repeat):
        row = dict(head, rep=rep)
        row.update(one_rep(a, work))
        print(json.dumps(row), flush=True)
        if not row["ok"]:
            print("cfbench_py: %s %s rep %d: %s" % (a.backend, a.workload, rep, row["error"]),
                  file=sys.stderr)
            return 1
    return 0


def serve():
    """--serve: one request (a JSON array of arguments) per stdin line."""
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            argv = json.loads(line)
            if not isinstance(argv, list) or not all(isinstance(x, str) for x in argv):
                raise Usage("a request is a JSON array of strings")
            rc = main(argv)
        except (Usage, ValueError) as e:
            print("cfbench_py: %s" % e, file=sys.stderr)
            rc = 2
        except SystemExit as e:  # --help
            rc = e.code if isinstance(e.code, int) else 0
        sys.stderr.flush()
        print(json.dumps({"end": rc}), flush=True)
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        sys.exit(serve())
    sys.exit(main(sys.argv[1:]))
