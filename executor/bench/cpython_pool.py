#!/usr/bin/env python3
"""cpython_pool.py -- CPython's ProcessPoolExecutor on the shapes of
bench_process (one round; process_peers.sh alternates it with ours).

Prints "name unit value" lines: roundtrip, batched, map/1, map/16,
map/256 (no-op tasks, 2 workers, fork start method as on Linux), and
start/<G>GiB (pool of 2 started and its first result back, with G GiB
touched in the parent; forkserver, CPython's default from 3.14)."""
import concurrent.futures as cf
import multiprocessing as mp
import sys
import time


def noop(x=None):
    return x


def add1(x):
    return x + 1


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    gibs = [float(g) for g in (sys.argv[3] if len(sys.argv) > 3 else "1,4").split(",") if float(g) > 0]
    ctx = mp.get_context("fork")
    with cf.ProcessPoolExecutor(workers, mp_context=ctx) as ex:
        ex.submit(noop).result()
        rt = max(n // 10, 1)
        t0 = time.perf_counter()
        for _ in range(rt):
            ex.submit(noop).result()
        print("roundtrip us/task %.3f" % ((time.perf_counter() - t0) / rt * 1e6))
        t0 = time.perf_counter()
        fs = [ex.submit(noop) for _ in range(n)]
        for f in fs:
            f.result()
        print("batched us/task %.3f" % ((time.perf_counter() - t0) / n * 1e6))
        for chunk in (1, 16, 256):
            items = n // 4 if chunk == 1 else n if chunk == 16 else n * 5
            t0 = time.perf_counter()
            for _ in ex.map(add1, range(items), chunksize=chunk):
                pass
            print("map/%d us/item %.3f" % (chunk, (time.perf_counter() - t0) / items * 1e6))
    for gib in gibs:
        heap = bytearray(int(gib * (1 << 30)))  # zero-filled by the allocator...
        for i in range(0, len(heap), 4096):     # ... so touch every page
            heap[i] = 1
        for method in ("fork", "forkserver"):
            t0 = time.perf_counter()
            with cf.ProcessPoolExecutor(2, mp_context=mp.get_context(method)) as ex:
                ex.submit(noop).result()
                took = time.perf_counter() - t0
            print("start/%gGiB/%s ms %.3f" % (gib, method, took * 1e3))
        del heap


if __name__ == "__main__":
    main()
