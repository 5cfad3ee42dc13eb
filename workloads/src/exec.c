/* exec.c -- the `exec` workload: each item runs a command (posix_spawnp,
 * no shell unless shell=on) with `{}` in its arguments replaced by the
 * item (a line of input=FILE, or the index in decimal), waits for it, and
 * fails the item on a non-zero exit status, a signal, or when it outlives
 * `timeout` (the command is then killed).  stdin and stdout are /dev/null;
 * stderr is inherited, so a failing command can say why.
 *
 * Tasks carry no parent state, so each item holds the whole command:
 * a header (timeout, argument count), the arguments NUL-separated, then the
 * item's text.  The command is split into arguments once, at prepare. */
#include "wk.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

typedef struct ex_head {
  uint64_t timeout_ns; /* 0: none */
  uint32_t argc;       /* then argc NUL-terminated arguments */
  uint32_t argbytes;
} ex_head;

/* Task return codes above the errno range: kind << 16 | detail. */
enum { EX_EXIT = 1 << 16, EX_SIGNAL = 2 << 16, EX_TIMEOUT = 3 << 16, EX_BADITEM = 4 << 16 };

static const cf_wk_param params[] = {
    {"cmd", "", "the command per item; {} is replaced by the item; a comma is written \\, (required)", 0, 0},
    {"input", "", "file whose lines are the items (default: the index 0, 1, ...)", 0, 0},
    {"shell", "off", "run cmd with /bin/sh -c (then {} is pasted into the script unquoted)", 0, 1},
    {"timeout", "0", "kill a command that runs longer (0 = never; ns, us, ms, s)", 0, 86400},
};
static const wk_pspec specs[] = {{WK_STR, 0, NULL}, {WK_STR, 0, NULL}, {WK_BOOL, 0, NULL}, {WK_DUR, 0, NULL}};

/* Split cmd into NUL-separated words in out (quotes ' and ", backslash
 * escapes, as a shell would, without expansions). */
static int split_words(const cf_wk_run *r, const char *cmd, char *out, uint32_t *argc, size_t *len, char *err,
                       size_t errlen) {
  size_t o = 0;
  uint32_t n = 0;
  const char *p = cmd;
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == '\n') p++;
    if (!*p) break;
    char q = 0;
    for (; *p && (q || (*p != ' ' && *p != '\t' && *p != '\n')); p++) {
      if (q && *p == q) q = 0;
      else if (!q && (*p == '\'' || *p == '"')) q = *p;
      else if (*p == '\\' && q != '\'' && p[1]) out[o++] = *++p;
      else out[o++] = *p;
    }
    if (q) return wk_fail(r, err, errlen, CF_EINVAL, "parameter cmd=%s: unterminated %c quote", cmd, q);
    out[o++] = '\0';
    n++;
  }
  *argc = n, *len = o;
  return 0;
}

/* Is the program on PATH (or, with a '/', that file) executable? */
static int findable(const char *prog) {
  if (strchr(prog, '/')) return access(prog, X_OK) == 0;
  const char *path = getenv("PATH");
  if (!path) path = "/usr/bin:/bin";
  char buf[4096];
  for (const char *d = path; d; d = strchr(d, ':') ? strchr(d, ':') + 1 : NULL) {
    size_t dl = strchr(d, ':') ? (size_t)(strchr(d, ':') - d) : strlen(d);
    snprintf(buf, sizeof buf, "%.*s/%s", (int)(dl ? dl : 1), dl ? d : ".", prog);
    if (access(buf, X_OK) == 0) return 1;
  }
  return 0;
}

/* cmd's arguments into words (room for strlen(cmd) + 1 bytes): the
 * script itself with shell=on, else its words, the program found. */
static int ex_words(const cf_wk_run *r, char *words, uint32_t *argc, size_t *wl, char *err, size_t errlen) {
  const char *cmd = wk_str(r, "cmd");
  if (!*cmd) return wk_fail(r, err, errlen, CF_EINVAL, "parameter cmd is required, e.g. --param cmd='gzip -k {}'");
  if (wk_num(r, "shell") != 0) {
    memcpy(words, cmd, strlen(cmd) + 1); /* one argument: the script */
    *wl = strlen(cmd) + 1, *argc = 1;
    return 0;
  }
  int rc = split_words(r, cmd, words, argc, wl, err, errlen);
  if (!rc && !*argc) rc = wk_fail(r, err, errlen, CF_EINVAL, "parameter cmd=%s: no command", cmd);
  if (!rc && !findable(words))
    rc = wk_fail(r, err, errlen, CF_EINVAL, "parameter cmd: command '%s' not found%s", words,
                 strchr(words, '/') ? " or not executable" : " in PATH");
  return rc;
}

/* The sweep's check before anything runs: a command that cannot start
 * is a bad input (exit 2), not a run of failed items.  Looking the
 * program up in PATH touches only the file system. */
static int ex_validate(const cf_wk_run *r, char *err, size_t errlen) {
  char *words = malloc(strlen(wk_str(r, "cmd")) + 16);
  if (!words) return CF_ENOMEM;
  uint32_t argc = 0;
  size_t wl = 0;
  int rc = ex_words(r, words, &argc, &wl, err, errlen);
  free(words);
  return rc ? rc : cf__wk_input_check(r, wk_str(r, "input"), err, errlen);
}

static int ex_prepare(cf_wk_run *r, char *err, size_t errlen) {
  ex_head *h = malloc(sizeof *h + strlen(wk_str(r, "cmd")) + 16);
  if (!h) return CF_ENOMEM;
  char *words = (char *)(h + 1);
  size_t wl = 0;
  uint32_t argc = 0;
  int rc = ex_words(r, words, &argc, &wl, err, errlen);
  if (!rc) {
    h->timeout_ns = (uint64_t)(wk_num(r, "timeout") * 1e9 + 0.5);
    h->argc = wk_num(r, "shell") != 0 ? 0 : argc; /* 0: the one argument is a script for /bin/sh */
    h->argbytes = (uint32_t)wl;
    rc = cf__wk_items_input(r, r->nitems, 20, h, sizeof *h + wl, wk_str(r, "input"), 1, err, errlen);
  }
  free(h);
  return rc;
}

/* s with every "{}" replaced by item (malloc'd). */
static char *subst(const char *s, const char *item, size_t il) {
  size_t n = 0;
  for (const char *p = s; (p = strstr(p, "{}")); p += 2) n++;
  char *o = malloc(strlen(s) + n * il + 1), *w = o;
  if (!o) return NULL;
  for (const char *p = s, *q; ; p = q + 2) {
    q = strstr(p, "{}");
    size_t l = q ? (size_t)(q - p) : strlen(p);
    memcpy(w, p, l), w += l;
    if (!q) break;
    memcpy(w, item, il), w += il;
  }
  *w = '\0';
  return o;
}

/* Wait for pid at most timeout_ns (0: forever); EX_TIMEOUT after a kill. */
static int wait_child(pid_t pid, uint64_t timeout_ns, int *status) {
  if (timeout_ns) {
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd >= 0) {
      struct timespec ts = {(time_t)(timeout_ns / 1000000000u), (long)(timeout_ns % 1000000000u)};
      struct pollfd pf = {fd, POLLIN, 0};
      int n;
      while ((n = ppoll(&pf, 1, &ts, NULL)) < 0 && errno == EINTR) {
      }
      close(fd);
      if (n == 0) {
        kill(pid, SIGKILL);
        while (waitpid(pid, status, 0) < 0 && errno == EINTR) {
        }
        return EX_TIMEOUT;
      }
    }
  }
  while (waitpid(pid, status, 0) < 0)
    if (errno != EINTR) return errno;
  return 0;
}

/* Spawn argv with stdin/stdout on /dev/null and default signal handling
 * (a process worker's mask must not leak into the command). */
static int spawn(char **argv, pid_t *pid) {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_init(&at);
  posix_spawnattr_setsigmask(&at, &none);
  posix_spawnattr_setsigdefault(&at, &all);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  int rc = posix_spawnp(pid, argv[0], &fa, &at, argv, environ);
  posix_spawnattr_destroy(&at);
  posix_spawn_file_actions_destroy(&fa);
  return rc;
}

static int ex_task(const void *arg, size_t len, cf_result *out) {
  ex_head h;
  if (len < sizeof h) return EX_BADITEM;
  memcpy(&h, arg, sizeof h);
  if (len < sizeof h + h.argbytes || !h.argbytes) return EX_BADITEM;
  const char *words = (const char *)arg + sizeof h, *item = words + h.argbytes;
  size_t il = len - sizeof h - h.argbytes;
  uint32_t argc = h.argc ? h.argc : 1;
  char **argv = calloc(argc + 3, sizeof *argv);
  if (!argv) return ENOMEM;
  size_t k = 0;
  if (!h.argc) argv[k++] = "/bin/sh", argv[k++] = "-c";
  int rc = 0;
  size_t first = k;
  for (const char *w = words; w < item && !rc; w += strlen(w) + 1)
    if (!(argv[k++] = subst(w, item, il))) rc = ENOMEM;
  uint64_t t0 = wk_now_ns();
  pid_t pid;
  int st = 0;
  if (!rc) rc = spawn(argv, &pid);
  if (!rc) rc = wait_child(pid, h.timeout_ns, &st);
  if (!rc && WIFEXITED(st) && WEXITSTATUS(st)) rc = EX_EXIT | WEXITSTATUS(st);
  if (!rc && WIFSIGNALED(st)) rc = EX_SIGNAL | WTERMSIG(st);
  for (size_t i = first; i < k; i++) free(argv[i]);
  free(argv);
  uint64_t ns = wk_now_ns() - t0;
  if (!rc && cf_result_set(out, &ns, sizeof ns)) rc = ENOMEM;
  return rc;
}

static int ex_check(cf_wk_run *r, size_t i, const void *res, size_t len, char *err, size_t errlen) {
  uint64_t ns;
  if (len != sizeof ns) return wk_fail(r, err, errlen, CF_EINVAL, "item %zu: result of %zu bytes, expected 8", i, len);
  memcpy(&ns, res, sizeof ns);
  wk_sample(r, (double)ns / 1e3);
  return 0;
}

static void ex_task_error(const cf_wk_run *r, int code, char *err, size_t errlen) {
  int kind = code & ~0xffff, v = code & 0xffff;
  const char *cmd = wk_str(r, "cmd");
  if (kind == EX_EXIT) wk_fail(r, err, errlen, 0, "'%s' exited with status %d", cmd, v);
  else if (kind == EX_SIGNAL) wk_fail(r, err, errlen, 0, "'%s' killed by signal %d (%s)", cmd, v, strsignal(v));
  else if (kind == EX_TIMEOUT)
    wk_fail(r, err, errlen, 0, "'%s' outlived timeout=%s and was killed", cmd, wk_str(r, "timeout"));
  else if (kind == EX_BADITEM) wk_fail(r, err, errlen, 0, "malformed item");
  else if (code > 0 && code < 4096) wk_fail(r, err, errlen, 0, "cannot run '%s': %s", cmd, strerror(code));
}

static const char *const metric_names[] = {"cmd_p50_us", "cmd_p99_us"};
static const double metric_q[] = {0.50, 0.99};

const wk_def wk_exec = {
    CF_WK_ABI_VERSION,
    {"exec", CF_WK_MIXED, "each item runs a command (cmd='...', {} = the item); exit status checked", params, 4},
    specs, ex_task, 20, ex_prepare, ex_check, NULL, NULL, ex_task_error,
    metric_names, metric_q, 2, ex_validate, NULL,
};
