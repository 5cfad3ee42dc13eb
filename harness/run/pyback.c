/* pyback.c -- runs cfbench's Python driver as a subprocess and turns its
 * JSON lines into cfb_py_row's (see pyback.h).  libc and jansson only.
 *
 * The driver is spawned (posix_spawn) in its own process group, stdin from
 * /dev/null, stdout and stderr on pipes read together with poll() so
 * neither can fill up and stall it.  Own process group: a terminal's ^C
 * goes to the harness, which decides; and a timeout kills the driver with
 * its ProcessPoolExecutor workers in one kill(). */
#define _GNU_SOURCE
#include "clock.h"
#include "pyback.h"

#include "datadir.h"
#include "format.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CFB_PY_DRIVER
#define CFB_PY_DRIVER "harness/run/py/cfbench_py.py"
#endif

extern char **environ;

void cfb_py_config_init(cfb_py_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->chunksize = 1;
  cfg->repeat = 1;
}

void cfb_py_result_free(cfb_py_result *res) {
  if (!res) return;
  free(res->rows);
  res->rows = NULL;
  res->nrows = 0;
}

static int fail(cfb_py_result *res, int code, const char *fmt, ...) {
  if (res->error[0]) return code; /* the first reason is the one to tell */
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(res->error, sizeof res->error, fmt, ap);
  va_end(ap);
  return code;
}

/* ------------------------------------------------------------ python3 */

static int is_exec_file(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

int cfb_py_find_python(char *path, size_t len, char *err, size_t errlen) {
  const char *env = getenv("CFBENCH_PYTHON");
  if (env && *env) {
    if (is_exec_file(env) && strlen(env) < len) {
      snprintf(path, len, "%s", env);
      return 0;
    }
    snprintf(err, errlen, "CFBENCH_PYTHON=%s is not an executable file: the py-thread and py-process "
             "backends need python3", env);
    return CFB_PY_ENOPYTHON;
  }
  const char *p = getenv("PATH");
  if (!p || !*p) p = "/usr/local/bin:/usr/bin:/bin";
  while (*p) {
    const char *e = strchr(p, ':');
    size_t dl = e ? (size_t)(e - p) : strlen(p);
    /* An empty PATH entry means the current directory, as for execvp. */
    int n = snprintf(path, len, "%.*s/python3", (int)dl, dl ? p : ".");
    if (n > 0 && (size_t)n < len && is_exec_file(path)) return 0;
    p += dl + (e ? 1 : 0);
  }
  snprintf(err, errlen, "python3 not found in PATH: the py-thread and py-process backends need it "
           "(install python3, or set CFBENCH_PYTHON to its path)");
  return CFB_PY_ENOPYTHON;
}

/* --------------------------------------------------------------- argv */

enum { ARGV_MAX = 40, NUMS = 8 };

typedef struct argv_buf {
  char *v[ARGV_MAX];
  int n;
  char nums[NUMS][32];
  int nnum;
} argv_buf;

static void add(argv_buf *a, const char *s) {
  if (a->n < ARGV_MAX - 1) a->v[a->n++] = (char *)s;
  a->v[a->n] = NULL;
}

static void add_opt(argv_buf *a, const char *opt, const char *val) {
  if (!val) return;
  add(a, opt);
  add(a, val);
}

static void add_num(argv_buf *a, const char *opt, long long v) {
  if (a->nnum >= NUMS) return;
  char *b = a->nums[a->nnum++];
  snprintf(b, sizeof a->nums[0], "%lld", v);
  add_opt(a, opt, b);
}

static void build_argv(argv_buf *a, const char *python, const char *driver, const cfb_py_config *c) {
  memset(a, 0, sizeof *a);
  add(a, python);
  add(a, driver);
  add_opt(a, "--backend", c->backend);
  add_opt(a, "--workload", c->workload);
  add_opt(a, "--params", c->params);
  add_opt(a, "--target", c->target);
  add_opt(a, "--start-method", c->start_method);
  add_opt(a, "--mode", c->mode);
  add_num(a, "--workers", c->workers);
  add_num(a, "--chunksize", c->chunksize);
  add_num(a, "--items", (long long)c->items);
  add_num(a, "--repeat", c->repeat);
  add_num(a, "--warmup", c->warmup);
}

/* ---------------------------------------------------------- one line */

static double num_of(json_t *o, const char *k) {
  json_t *v = json_object_get(o, k);
  return json_is_number(v) ? json_number_value(v) : NAN;
}

static size_t count_of(json_t *o, const char *k) {
  double v = num_of(o, k);
  return isfinite(v) && v > 0 ? (size_t)v : 0;
}

static void str_of(json_t *o, const char *k, char *out, size_t len) {
  const char *s = json_string_value(json_object_get(o, k));
  snprintf(out, len, "%s", s ? s : "");
}

/* "CPython 3.11.7 fork" / "CPython 3.11.7 threads": one CSV-friendly word
 * each for implementation, version, and how workers are made (the start
 * method; "threads" or "serial" where there is none). */
static void python_of(json_t *o, char *out, size_t len) {
  json_t *py = json_object_get(o, "python");
  const char *impl = json_string_value(json_object_get(py, "implementation"));
  const char *ver = json_string_value(json_object_get(py, "version"));
  const char *sm = json_string_value(json_object_get(py, "start_method"));
  const char *backend = json_string_value(json_object_get(o, "backend"));
  if (!sm || strcmp(sm, "none") == 0) sm = backend && strcmp(backend, "py-serial") == 0 ? "serial" : "threads";
  snprintf(out, len, "%s %s %s", impl ? impl : "?", ver ? ver : "?", sm);
}

static int parse_line(const char *line, cfb_py_row *r, char *why, size_t whylen) {
  json_error_t je;
  json_t *o = json_loads(line, 0, &je);
  if (!json_is_object(o)) {
    snprintf(why, whylen, "not a JSON object (%s): %.80s", o ? "other JSON value" : je.text, line);
    json_decref(o);
    return -1;
  }
  if (!json_is_number(json_object_get(o, "wall_s")) || !json_is_boolean(json_object_get(o, "ok"))) {
    snprintf(why, whylen, "a row without wall_s or ok: %.80s", line);
    json_decref(o);
    return -1;
  }
  memset(r, 0, sizeof *r);
  r->rep = (int)count_of(o, "rep");
  r->ok = json_is_true(json_object_get(o, "ok"));
  r->workers = (int)count_of(o, "workers");
  r->items = count_of(o, "items");
  r->items_done = count_of(o, "items_done");
  r->items_checked = count_of(o, "items_checked");
  r->tasks = count_of(o, "tasks");
  r->wall_s = num_of(o, "wall_s");
  r->items_per_s = num_of(o, "items_per_s");
  r->pool_start_s = num_of(o, "pool_start_s");
  r->cpu_s = num_of(o, "cpu_s");
  r->cpu_user_s = num_of(o, "cpu_user_s");
  r->cpu_sys_s = num_of(o, "cpu_sys_s");
  r->lat_p50_us = num_of(o, "lat_p50_us");
  r->lat_p90_us = num_of(o, "lat_p90_us");
  r->lat_p99_us = num_of(o, "lat_p99_us");
  r->qwait_p50_us = num_of(o, "qwait_p50_us");
  python_of(o, r->python, sizeof r->python);
  str_of(o, "params", r->params, sizeof r->params);
  str_of(o, "metrics", r->metrics, sizeof r->metrics);
  str_of(o, "error", r->error, sizeof r->error);
  json_decref(o);
  return 0;
}

/* --------------------------------------------------------- the child */

typedef struct child {
  pid_t pid;
  int out, err;             /* read ends, -1 once at EOF */
  char *line;               /* stdout bytes not yet ending in '\n' */
  size_t len, cap;
  char last_err[300];       /* the driver's last stderr line */
  char errbuf[300];         /* stderr bytes of the line being read */
  size_t errlen;
  int in;                   /* serving: the write end of its stdin, else -1 */
  int ended, end_status;    /* serving: the request's {"end": STATUS} line came */
} child;

struct cfb_py_session {
  child ch;                 /* pid -1: no driver running */
};

/* Spawn argv with stdout and stderr on pipes; stdin /dev/null, or with
 * serving a pipe whose write end becomes ch->in. */
static int spawn(child *ch, char *const argv[], int serving, cfb_py_result *res) {
  int po[2] = {-1, -1}, pe[2] = {-1, -1}, pi[2] = {-1, -1}, rc = 0;
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC) || (serving && pipe2(pi, O_CLOEXEC))) {
    rc = fail(res, CFB_PY_ESYS, "python driver: pipe: %s", strerror(errno));
    goto out;
  }
  posix_spawn_file_actions_init(&fa);
  if (serving) posix_spawn_file_actions_adddup2(&fa, pi[0], 0);
  else posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, po[1], 1);
  posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
  posix_spawnattr_init(&at);
  posix_spawnattr_setpgroup(&at, 0);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
  int e = posix_spawn(&ch->pid, argv[0], &fa, &at, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  if (e) {
    rc = fail(res, e == ENOENT || e == EACCES ? CFB_PY_ENOPYTHON : CFB_PY_ESYS, "python driver: cannot run %s: %s",
              argv[0], strerror(e));
    goto out;
  }
  ch->out = po[0], ch->err = pe[0], ch->in = pi[1];
  po[0] = pe[0] = pi[1] = -1;
out:
  for (int i = 0; i < 2; i++) {
    if (po[i] >= 0) close(po[i]);
    if (pe[i] >= 0) close(pe[i]);
    if (pi[i] >= 0) close(pi[i]);
  }
  return rc;
}

static int add_row(cfb_py_result *res, const cfb_py_row *r) {
  cfb_py_row *n = realloc(res->rows, (res->nrows + 1) * sizeof *n);
  if (!n) return -1;
  res->rows = n;
  res->rows[res->nrows++] = *r;
  return 0;
}

/* A serving driver's {"end": STATUS} after a request's rows: 1 (noted in
 * ch), else 0. */
static int end_line(child *ch, const char *line) {
  if (ch->in < 0 || strncmp(line, "{\"end\":", 7) != 0) return 0;
  json_t *o = json_loads(line, 0, NULL), *v = json_object_get(o, "end");
  int is_end = json_is_integer(v) && json_object_size(o) == 1;
  if (is_end) ch->ended = 1, ch->end_status = (int)json_integer_value(v);
  json_decref(o);
  return is_end;
}

/* Every complete line in ch->line becomes a row. */
static int take_lines(child *ch, cfb_py_result *res) {
  size_t start = 0;
  int rc = 0;
  for (char *nl; rc == 0 && (nl = memchr(ch->line + start, '\n', ch->len - start)); start = (size_t)(nl - ch->line) + 1) {
    *nl = '\0';
    if (ch->line[start] == '\0') continue;
    if (end_line(ch, ch->line + start)) continue;
    cfb_py_row r;
    char why[400];
    if (parse_line(ch->line + start, &r, why, sizeof why) != 0)
      rc = fail(res, CFB_PY_EPROTO, "python driver: %s", why);
    else if (add_row(res, &r) != 0)
      rc = fail(res, CFB_PY_ESYS, "python driver: out of memory");
  }
  memmove(ch->line, ch->line + start, ch->len - start);
  ch->len -= start;
  return rc;
}

static int read_out(child *ch, cfb_py_result *res) {
  if (ch->cap - ch->len < 4096) {
    size_t cap = ch->cap ? ch->cap * 2 : 8192;
    char *n = realloc(ch->line, cap);
    if (!n) return fail(res, CFB_PY_ESYS, "python driver: out of memory");
    ch->line = n, ch->cap = cap;
  }
  ssize_t k = read(ch->out, ch->line + ch->len, ch->cap - ch->len - 1);
  if (k < 0 && errno == EINTR) return 0;
  if (k <= 0) {
    close(ch->out);
    ch->out = -1;
    return 0;
  }
  ch->len += (size_t)k;
  return take_lines(ch, res);
}

/* stderr: keep the last non-empty line (the driver says what failed in one). */
static void read_err(child *ch) {
  char buf[1024];
  ssize_t k = read(ch->err, buf, sizeof buf);
  if (k < 0 && errno == EINTR) return;
  if (k <= 0) {
    close(ch->err);
    ch->err = -1;
    if (ch->errlen) memcpy(ch->last_err, ch->errbuf, ch->errlen), ch->last_err[ch->errlen] = '\0';
    return;
  }
  for (ssize_t i = 0; i < k; i++) {
    if (buf[i] == '\n') {
      if (ch->errlen) memcpy(ch->last_err, ch->errbuf, ch->errlen), ch->last_err[ch->errlen] = '\0';
      ch->errlen = 0;
    } else if (ch->errlen < sizeof ch->errbuf - 1) {
      ch->errbuf[ch->errlen++] = buf[i];
    }
  }
}

/* Read both pipes to EOF; kill the group once timeout_s has passed or
 * *cancel is set (polled every 100 ms then). */
static int pump(child *ch, double timeout_s, const volatile int *cancel, cfb_py_result *res) {
  double deadline = timeout_s > 0 ? cfb_now_s() + timeout_s : 0;
  int rc = 0, killed = 0;
  /* serving: until the request's end line (or the driver's death) */
  while ((ch->out >= 0 || (ch->err >= 0 && ch->in < 0)) && !ch->ended) {
    struct pollfd p[2] = {{ch->out, POLLIN, 0}, {ch->err, POLLIN, 0}};
    int wait_ms = -1;
    if (!killed && cancel) wait_ms = 100;
    if (!killed && deadline) {
      double left = deadline - cfb_now_s();
      int ms = left > 0 ? (int)(left * 1000) + 1 : 0;
      if (wait_ms < 0 || ms < wait_ms) wait_ms = ms;
    }
    int n = poll(p, 2, wait_ms);
    if (n < 0 && errno != EINTR) {
      kill(-ch->pid, SIGKILL); /* cannot read it any more: do not leave it running */
      return fail(res, CFB_PY_ESYS, "python driver: poll: %s", strerror(errno));
    }
    if (!killed && cancel && *cancel) {
      kill(-ch->pid, SIGKILL);
      killed = 1;
      rc = fail(res, CFB_PY_ECANCELED, "python driver: canceled; killed");
    } else if (!killed && deadline && cfb_now_s() >= deadline) {
      kill(-ch->pid, SIGKILL); /* the group: the driver and its pool's workers */
      killed = 1;
      rc = fail(res, CFB_PY_ETIMEDOUT, "python driver: no end after %.3g s; killed", timeout_s);
    }
    if (n <= 0) continue;
    if (ch->out >= 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      int r = read_out(ch, res);
      if (r && !rc) rc = r;
    }
    if (ch->err >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) read_err(ch);
  }
  return rc;
}

static int wait_child(pid_t pid) {
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
}

/* The call's outcome from the exit status and the rows. */
static int outcome(const cfb_py_config *cfg, const child *ch, int rc, cfb_py_result *res) {
  int st = res->exit_status;
  const char *say = ch->last_err[0] ? ch->last_err : "(nothing on stderr)";
  if (rc) return rc;
  if (st == 2) return fail(res, CFB_PY_EUSAGE, "%s", say);
  if (st == 1) {
    for (size_t i = 0; i < res->nrows; i++)
      if (!res->rows[i].ok) return fail(res, CFB_PY_EFAILED, "%s", say);
    return fail(res, CFB_PY_EPROTO, "python driver failed without a failed row: %s", say);
  }
  if (st != 0) return fail(res, CFB_PY_EPROTO, "python driver exited with status %d: %s", st, say);
  /* repeat 0 asks for one repetition: the message names the count asked. */
  long long want = cfg->repeat > 0 ? cfg->repeat : 1;
  if (res->nrows != (size_t)want)
    return fail(res, CFB_PY_EPROTO, "python driver gave %zu row%s for %lld repetition%s", res->nrows,
                cfb_plural((long long)res->nrows), want, cfb_plural(want));
  return 0;
}

/* The python and the driver to run: 0, or the error in res. */
static int find_paths(const cfb_py_config *cfg, char *python, size_t plen, char *driver, size_t dlen,
                      cfb_py_result *res) {
  int rc = cfb_py_find_python(python, plen, res->error, sizeof res->error);
  if (rc) return rc;
  const char *d = cfg->driver;
  if (!d) d = getenv("CFBENCH_PY_DRIVER");
  char shipped[4200];
  if (!d || !*d) {
    /* An installed cfbench has the driver in share/cfbench/py; one run from
     * its build tree uses the source tree's copy, compiled in. */
    char dir[4096];
    snprintf(shipped, sizeof shipped, "%s/cfbench_py.py", cfb_data_dir(NULL, "py", dir, sizeof dir));
    d = access(shipped, R_OK) == 0 ? shipped : CFB_PY_DRIVER;
  }
  if (access(d, R_OK) != 0)
    return fail(res, CFB_PY_ENOPYTHON, "python driver %s: %s (set CFBENCH_PY_DRIVER to cfbench_py.py)", d,
                strerror(errno));
  snprintf(driver, dlen, "%s", d);
  return 0;
}

/* A driver of its own for this call, to its exit. */
static int run_once(const cfb_py_config *cfg, char *const argv[], cfb_py_result *res) {
  child ch = {.pid = -1, .out = -1, .err = -1, .in = -1};
  int rc = spawn(&ch, argv, 0, res);
  if (rc) return rc;
  rc = pump(&ch, cfg->timeout_s, cfg->cancel, res);
  if (ch.out >= 0) close(ch.out);
  if (ch.err >= 0) close(ch.err);
  res->exit_status = wait_child(ch.pid);
  if (ch.len && !rc) rc = fail(res, CFB_PY_EPROTO, "python driver: output ends in an unfinished line");
  free(ch.line);
  return outcome(cfg, &ch, rc, res);
}

/* End a session's driver: EOF on its stdin, a second to exit, then SIGKILL
 * to its group; reaped, its pipes closed (pid -1 after). */
static void session_stop(cfb_py_session *s) {
  child *ch = &s->ch;
  if (ch->in >= 0) close(ch->in);
  ch->in = -1;
  for (int i = 0; ch->pid > 0 && i < 100; i++) {
    if (waitpid(ch->pid, NULL, WNOHANG) == ch->pid) {
      ch->pid = -1;
      break;
    }
    struct timespec ts = {0, 10000000};
    nanosleep(&ts, NULL);
  }
  if (ch->pid > 0) {
    kill(-ch->pid, SIGKILL);
    wait_child(ch->pid);
  }
  if (ch->out >= 0) close(ch->out);
  if (ch->err >= 0) close(ch->err);
  free(ch->line);
  *ch = (child){.pid = -1, .out = -1, .err = -1, .in = -1};
}

/* Write the request line (a JSON array of argv[2..]) to the serving
 * driver.  SIGPIPE is held while writing: a driver that died must fail
 * this call, not end the harness. */
static int send_request(child *ch, char *const argv[], cfb_py_result *res) {
  json_t *a = json_array();
  for (int i = 2; a && argv[i]; i++) json_array_append_new(a, json_string(argv[i]));
  char *line = a ? json_dumps(a, JSON_COMPACT) : NULL;
  json_decref(a);
  if (!line) return fail(res, CFB_PY_ESYS, "python driver: out of memory");
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  size_t len = strlen(line), off = 0;
  line[len++] = '\n'; /* json_dumps leaves room: its string ends in a NUL */
  int rc = 0;
  while (off < len) {
    ssize_t k = write(ch->in, line + off, len - off);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) {
      rc = fail(res, CFB_PY_EPROTO, "python driver: writing the request: %s", strerror(errno));
      break;
    }
    off += (size_t)k;
  }
  struct timespec zero = {0, 0};
  while (sigtimedwait(&pipe_set, NULL, &zero) > 0) {} /* the SIGPIPE a dead reader raised */
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  free(line);
  return rc;
}

/* stderr the driver wrote before its end line: its last line is the
 * request's reason. */
static void drain_err(child *ch) {
  struct pollfd p = {ch->err, POLLIN, 0};
  while (ch->err >= 0 && poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR))) read_err(ch);
  if (ch->errlen) memcpy(ch->last_err, ch->errbuf, ch->errlen), ch->last_err[ch->errlen] = '\0';
  ch->errlen = 0;
}

/* The call in the session's serving driver (started if none runs). */
static int run_served(const cfb_py_config *cfg, char *const argv[], cfb_py_result *res) {
  cfb_py_session *s = cfg->session;
  child *ch = &s->ch;
  if (ch->pid <= 0) {
    char *serve[] = {argv[0], argv[1], "--serve", NULL};
    int rc = spawn(ch, serve, 1, res);
    if (rc) return rc;
  }
  ch->ended = 0;
  ch->last_err[0] = '\0';
  int rc = send_request(ch, argv, res);
  if (!rc) rc = pump(ch, cfg->timeout_s, cfg->cancel, res);
  if (ch->ended) {
    drain_err(ch);
    res->exit_status = ch->end_status;
    if (ch->len && !rc) rc = fail(res, CFB_PY_EPROTO, "python driver: a line after its end line");
  } else { /* killed, or it died: reap it; the next call starts another */
    if (ch->err >= 0) drain_err(ch);
    if (ch->pid > 0) kill(-ch->pid, SIGKILL);
    res->exit_status = ch->pid > 0 ? wait_child(ch->pid) : -1;
    ch->pid = -1;
    if (!rc) rc = fail(res, CFB_PY_EPROTO, "python driver: serving driver exited (status %d) before the request's end: %s",
                       res->exit_status, ch->last_err[0] ? ch->last_err : "(nothing on stderr)");
  }
  child copy = *ch; /* outcome reads the request's stderr line */
  if (!ch->ended) session_stop(s);
  return outcome(cfg, &copy, rc, res);
}

cfb_py_session *cfb_py_session_new(void) {
  cfb_py_session *s = calloc(1, sizeof *s);
  if (s) s->ch = (child){.pid = -1, .out = -1, .err = -1, .in = -1};
  return s;
}

void cfb_py_session_free(cfb_py_session *s) {
  if (!s) return;
  session_stop(s);
  free(s);
}

long cfb_py_session_pid(const cfb_py_session *s) { return s && s->ch.pid > 0 ? (long)s->ch.pid : 0; }

int cfb_py_run(const cfb_py_config *cfg, cfb_py_result *res) {
  memset(res, 0, sizeof *res);
  res->exit_status = -1;
  char python[4096], driver[4200];
  int rc = find_paths(cfg, python, sizeof python, driver, sizeof driver, res);
  if (rc) return rc;
  argv_buf a;
  build_argv(&a, python, driver, cfg);
  return cfg->session ? run_served(cfg, a.v, res) : run_once(cfg, a.v, res);
}
