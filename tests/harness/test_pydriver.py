#!/usr/bin/env python3
"""test_pydriver.py -- the Python driver (harness/run/py/cfbench_py.py) run
as the harness runs it: every workload on each py backend (map with a
chunksize, submit + as_completed, roundtrip), the JSON rows checked; the
socket workload against a local http.server started here; bad command
lines and parameters (exit 2, one stderr line, no rows); a failing
repetition (exit 1, its row kept); and the result checks themselves, fed
wrong answers.  Usage: test_pydriver.py DRIVER"""

import http.server
import importlib.util
import json
import math
import subprocess
import sys
import threading
import unittest

DRIVER = sys.argv[1] if len(sys.argv) > 1 else "harness/run/py/cfbench_py.py"
BODY = 1000


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the embedded server
    disable_nagle_algorithm = True  # header and body in separate writes

    def do_GET(self):
        body = b"x" * BODY
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def run(*args, expect_rc=0):
    p = subprocess.run([sys.executable, DRIVER] + list(args), capture_output=True, text=True, timeout=180)
    if p.returncode != expect_rc:
        raise AssertionError("%s: exit %d, expected %d; stderr: %s" % (" ".join(args), p.returncode,
                                                                     expect_rc, p.stderr))
    return [json.loads(l) for l in p.stdout.splitlines() if l.strip()], p.stderr


class Driver(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        cls.srv.daemon_threads = True
        threading.Thread(target=cls.srv.serve_forever, daemon=True).start()
        cls.url = "http://127.0.0.1:%d/x" % cls.srv.server_address[1]

    @classmethod
    def tearDownClass(cls):
        cls.srv.shutdown()
        cls.srv.server_close()

    def check_rows(self, rows, backend, items, tasks, repeat=1, metrics=()):
        self.assertEqual(len(rows), repeat)
        for k, r in enumerate(rows):
            self.assertEqual(r["rep"], k)
            self.assertTrue(r["ok"], r["error"])
            self.assertEqual(r["error"], "")
            self.assertEqual(r["backend"], backend)
            self.assertEqual((r["items"], r["items_done"], r["items_checked"], r["items_ok"]),
                             (items, items, items, items))
            self.assertEqual(r["tasks"], tasks)
            self.assertGreater(r["wall_s"], 0)
            self.assertAlmostEqual(r["items_per_s"], items / r["wall_s"], delta=1e-6 * r["items_per_s"])
            self.assertGreaterEqual(r["cpu_s"], 0)
            self.assertAlmostEqual(r["cpu_s"], r["cpu_user_s"] + r["cpu_sys_s"], places=9)
            self.assertGreaterEqual(r["pool_start_s"], 0)
            self.assertLessEqual(r["lat_p50_us"], r["lat_p90_us"])
            self.assertLessEqual(r["lat_p90_us"], r["lat_p99_us"])
            self.assertGreaterEqual(r["qwait_p50_us"], 0)
            py = r["python"]
            self.assertEqual(py["implementation"], "CPython")
            self.assertEqual(py["version"].split(".")[:2], [str(v) for v in sys.version_info[:2]])
            if backend == "py-process":
                self.assertIn(py["start_method"], ("fork", "spawn", "forkserver"))
            else:
                self.assertEqual(py["start_method"], "none")
            names = [kv.split("=")[0] for kv in r["metrics"].split(";") if kv]
            self.assertEqual(names, list(metrics))

    def every_mode(self, workload, params, items, metrics=(), extra=()):
        for backend in ("py-thread", "py-process"):
            for mode, chunk in (("map", 3), ("submit", 1), ("roundtrip", 1)):
                with self.subTest(backend=backend, mode=mode):
                    rows, _ = run("--backend", backend, "--workload", workload, "--params", params,
                                  "--workers", "2", "--chunksize", str(chunk), "--items", str(items),
                                  "--mode", mode, *extra)
                    per = chunk if backend == "py-process" and mode == "map" else 1
                    self.check_rows(rows, backend, items, math.ceil(items / per), metrics=metrics)
                    self.assertEqual(rows[0]["workers"], 2)
                    self.assertEqual(rows[0]["mode"], mode)

    def test_sleep(self):
        self.every_mode("sleep", "delay=2ms", 7, ("overshoot_p50_us", "overshoot_p99_us"))

    def test_socket(self):
        m = ("latency_p50_us", "latency_p90_us", "latency_p99_us")
        self.every_mode("socket", "body=%dB" % BODY, 7, m, ("--target", self.url))
        # keepalive=off: urllib.request.urlopen per item, as the docs' load_url
        self.every_mode("socket", "body=%dB,keepalive=off" % BODY, 5, m, ("--target", self.url))

    def test_primes_range(self):
        self.every_mode("primes", "preset=range,start=1000000001,count=40", 8)
        rows, _ = run("--backend", "py-thread", "--workload", "primes",
                      "--params", "preset=range,start=1001,count=9", "--workers", "2")
        self.check_rows(rows, "py-thread", 9, 9)  # items = count when --items is not given

    def test_primes_docs(self):
        # The docs' PRIMES, as their example: map on a process pool (one number
        # each: ~0.4 s of CPython each).
        rows, _ = run("--backend", "py-process", "--workload", "primes", "--workers", "2", "--items", "2")
        self.check_rows(rows, "py-process", 2, 2)
        self.assertEqual(rows[0]["params"], "preset=docs,start=1000000000001,count=1000,gil=off,work_scale=1")

    def test_mixed(self):
        self.every_mode("mixed", "cpu_us=200,io_us=300us", 6, ("cpu_p50_us", "cpu_p99_us"))
        rows, _ = run("--backend", "py-serial", "--workload", "mixed", "--params", "cpu_us=2ms,io_us=0",
                      "--items", "5", "--repeat", "2", "--warmup", "1")
        self.check_rows(rows, "py-serial", 5, 5, repeat=2, metrics=("cpu_p50_us", "cpu_p99_us"))
        # calibrated in the driver: cpu_us x the measured LCG steps per second
        cal = rows[0]["calibration"]
        self.assertGreater(cal["lcg_steps_per_s"], 0)
        self.assertEqual(cal["iters"], int(2000e-6 * cal["lcg_steps_per_s"] + 0.5))

    def test_memtouch(self):
        self.every_mode("memtouch", "mib=2", 4)

    def test_start_methods(self):
        for sm in ("spawn", "forkserver"):
            with self.subTest(start_method=sm):
                rows, _ = run("--backend", "py-process", "--start-method", sm, "--workload", "sleep",
                              "--params", "delay=0", "--workers", "2", "--items", "20", "--chunksize", "4",
                              "--repeat", "2")
                self.check_rows(rows, "py-process", 20, 5, repeat=2, metrics=("overshoot_p50_us", "overshoot_p99_us"))
                self.assertEqual(rows[0]["python"]["start_method"], sm)

    def test_bad_inputs(self):
        cases = [
            (["--workload", "nope"], "unknown workload 'nope'"),
            (["--workload", "sleep", "--params", "speed=1"], "unknown parameter 'speed' (known: delay)"),
            (["--workload", "sleep", "--params", "delay=10parsecs"], "bad unit 'parsecs' (use ns, us, ms or s)"),
            (["--workload", "sleep", "--params", "delay=-1ms"], "delay=-1ms out of range [0 s, 60 s]"),
            (["--workload", "sleep", "--params", "delay=10"], "missing unit (use ns, us, ms or s)"),
            (["--workload", "memtouch", "--params", "mib=1.5"], "mib=1.5: not an integer"),
            (["--workload", "primes", "--params", "preset=all"], "must be one of docs/range"),
            (["--workload", "socket"], "needs --target URL"),
            (["--workload", "socket", "--target", "ftp://x/"], "use http://HOST[:PORT][/path]"),
            (["--workload", "sleep", "--chunksize", "0"], "--chunksize 0: must be at least 1"),
            (["--workload", "sleep", "--start-method", "spawn"], "for --backend py-process only"),
            (["--workload", "sleep", "--mode", "starmap"], "invalid choice: 'starmap'"),
        ]
        for args, msg in cases:
            with self.subTest(args=args):
                rows, err = run("--backend", "py-thread", "--items", "1", *args, expect_rc=2)
                self.assertEqual(rows, [])
                self.assertIn(msg, err)
                self.assertEqual(len(err.strip().splitlines()), 1, err)

    def test_bare_units_and_canonical(self):
        rows, _ = run("--backend", "py-thread", "--workload", "mixed", "--params", "cpu_us=100,io_us=1500us",
                      "--items", "2", "--workers", "2")
        self.assertEqual(rows[0]["params"], "cpu_us=100us,io_us=1500us,gil=off,work_scale=1,ipc_us=250us")

    def test_failed_rep_keeps_row(self):
        # The server sends 1000 bytes; expecting 1 KiB is a check failure.
        rows, err = run("--backend", "py-process", "--workload", "socket", "--target", self.url,
                        "--params", "body=1KiB", "--items", "3", "--workers", "2", "--repeat", "2",
                        expect_rc=1)
        self.assertEqual(len(rows), 1)
        self.assertFalse(rows[0]["ok"])
        self.assertEqual(rows[0]["items_done"], 0)
        self.assertEqual(rows[0]["items_checked"], 3)
        self.assertIn("body of 1000 bytes, expected 1024", rows[0]["error"])
        self.assertIn("body of 1000 bytes, expected 1024", err)


class Checks(unittest.TestCase):
    """The result checks, given wrong results: each must say so."""

    @classmethod
    def setUpClass(cls):
        spec = importlib.util.spec_from_file_location("cfbench_py", DRIVER)
        cls.d = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(cls.d)

    def work(self, wl, params, n):
        p, given, _ = self.d.parse_params(wl, params)
        return self.d.PREPARE[wl](p, given, n)

    def test_primes(self):
        w = self.work("primes", "", 6)
        self.assertEqual(w.items, self.d.DOCS_PRIMES)
        answers = [self.d.is_prime(n) for n in w.items[:1]] + [True, True, True, True, False]
        self.assertEqual(answers, [True, True, True, True, True, False])  # the docs' output
        for i, a in enumerate(answers):
            self.assertIsNone(w.check(i, a))
            self.assertIn("wrong answer", w.check(i, not a))
        w = self.work("primes", "preset=range,start=91,count=5", 0)  # 91 = 7 x 13
        self.assertEqual(w.items, [91, 93, 95, 97, 99])
        self.assertEqual([self.d.is_prime(n) for n in w.items], [False, False, False, True, False])
        self.assertIsNone(w.check(3, True))
        self.assertIsNotNone(w.check(0, True))

    def test_mixed(self):
        w = self.work("mixed", "cpu_us=50,io_us=0", 2)
        seed, iters, _ = w.items[1]
        x = self.d.lcg_chain(seed, iters)
        self.assertEqual(x, self.d.lcg_jump(seed, iters))
        self.assertIsNone(w.check(1, (x, 1e-5, 0.0)))
        self.assertIn("wrong compute result", w.check(1, (x ^ 1, 1e-5, 0.0)))
        w = self.work("mixed", "cpu_us=0,io_us=1ms", 1)
        self.assertIn("less than io_us", w.check(0, (w.items[0][0], 0.0, 0.0009)))

    def test_sleep_memtouch(self):
        w = self.work("sleep", "delay=1ms", 1)
        self.assertIsNone(w.check(0, 0.0011))
        self.assertIn("less than the delay", w.check(0, 0.0009))
        w = self.work("memtouch", "mib=1", 2)
        good, _, _ = self.d.memtouch_task(w.items[1])
        self.assertIsNone(w.check(1, good))
        self.assertIn("pages touched", w.check(1, (good[0], good[1], good[2] + 2)))  # a wrong byte
        self.assertIn("pages touched", w.check(1, (good[0], good[1] - 1, good[2])))


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
