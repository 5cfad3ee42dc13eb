/* fileio.c -- whole-file reads, atomic writes and mkdir -p (fileio.h). */
#define _GNU_SOURCE
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cfb_writable_file(const char *opt, const char *file, char *err, size_t errlen) {
  struct stat st;
  if (stat(file, &st) == 0 && S_ISDIR(st.st_mode)) {
    snprintf(err, errlen, "%s: %s is a directory; give a file name", opt, file);
    return -1;
  }
  const char *slash = strrchr(file, '/');
  char dir[4096];
  snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash == file ? 1 : slash - file) : 1, slash ? file : ".");
  if (access(dir, W_OK | X_OK) != 0) {
    snprintf(err, errlen, "%s: cannot write %s: %s: %s", opt, file, dir, strerror(errno));
    return -1;
  }
  return 0;
}

static const char *file_kind(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISSOCK(m)) return "a socket";
  return "not a file";
}

FILE *cfb_open_input(const char *path, char *err, size_t errlen) {
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    int e = errno;
    if (err) snprintf(err, errlen, "%s: %s", path, strerror(e));
    errno = e;
    return NULL;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    if (err) snprintf(err, errlen, "%s: %s", path, strerror(e));
    close(fd);
    errno = e;
    return NULL;
  }
  if (!S_ISREG(st.st_mode)) {
    if (err) snprintf(err, errlen, "%s: not a regular file (%s)", path, file_kind(st.st_mode));
    close(fd);
    errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL; /* for callers that say strerror(errno) */
    return NULL;
  }
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  FILE *f = fdopen(fd, "rb");
  if (!f) {
    int e = errno;
    if (err) snprintf(err, errlen, "%s: %s", path, strerror(e));
    close(fd);
    errno = e;
  }
  return f;
}

/* The errno of the first failed cfb_put_stdout since the last close: a
 * text larger than stdio's buffer is written at once, so by the close
 * nothing is left to fail again and say why. */
static int stdout_errno;

int cfb_put_stdout(const char *text) {
  errno = 0;
  if (fputs(text, stdout) != EOF) return 0;
  if (!stdout_errno) stdout_errno = errno;
  return -1;
}

int cfb_close_stdout(void) {
  int rc = 0;
  errno = 0;
  if (fflush(stdout) != 0 || ferror(stdout)) rc = -1;
  /* errno 0: a write failed earlier and nothing was left to flush now
   * (glibc keeps an unwritten buffer, so a flush failing now says why) */
  int e = errno ? errno : stdout_errno;
  stdout_errno = 0;
  if (fclose(stdout) != 0 && rc == 0 && errno != EBADF) { /* EBADF: stdout was closed on purpose */
    rc = -1;
    e = errno;
  }
  errno = e;
  return rc;
}

int cfb_read_file(const char *path, char **buf, size_t *len) {
  *buf = NULL;
  if (len) *len = 0;
  FILE *f = cfb_open_input(path, NULL, 0);
  if (!f) return -1;
  size_t cap = 4096, n = 0;
  char *b = malloc(cap);
  if (!b) goto fail;
  for (;;) {
    if (cap - n < 2) {
      char *nb = realloc(b, cap * 2);
      if (!nb) goto fail;
      b = nb;
      cap *= 2;
    }
    size_t got = fread(b + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0) break;
  }
  if (ferror(f)) goto fail;
  fclose(f);
  b[n] = '\0';
  *buf = b;
  if (len) *len = n;
  return 0;
fail: {
  int e = errno ? errno : ENOMEM;
  free(b);
  fclose(f);
  errno = e;
  return -1;
}
}

int cfb_atomic_open(cfb_atomic_file *a, const char *path) {
  a->f = NULL;
  if (snprintf(a->path, sizeof a->path, "%s", path) >= (int)sizeof a->path) {
    errno = ENAMETOOLONG;
    return -1;
  }
  /* The temporary name is hidden and carries the pid, so two writers of one
   * directory (and a reader listing it) never see each other's halves. */
  const char *slash = strrchr(path, '/');
  int dirlen = slash ? (int)(slash - path + 1) : 0;
  snprintf(a->tmp, sizeof a->tmp, "%.*s.%s.tmp.%ld", dirlen, path, path + dirlen, (long)getpid());
  a->f = fopen(a->tmp, "w");
  return a->f ? 0 : -1;
}

int cfb_atomic_commit(cfb_atomic_file *a) {
  int rc = 0;
  if (fflush(a->f) != 0 || ferror(a->f) || fsync(fileno(a->f)) != 0) rc = -1;
  if (fclose(a->f) != 0) rc = -1;
  a->f = NULL;
  if (rc == 0 && rename(a->tmp, a->path) != 0) rc = -1;
  if (rc != 0) {
    int e = errno ? errno : EIO;
    unlink(a->tmp);
    errno = e;
  }
  return rc;
}

void cfb_atomic_abort(cfb_atomic_file *a) {
  int e = errno;
  if (a->f) fclose(a->f);
  a->f = NULL;
  unlink(a->tmp);
  errno = e;
}

int cfb_mkdir_p(const char *dir) {
  char buf[4096];
  if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf) {
    errno = ENAMETOOLONG;
    return -1;
  }
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
    *p = '/';
  }
  if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
  return 0;
}
