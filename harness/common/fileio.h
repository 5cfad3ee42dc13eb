/* fileio.h -- the file operations both halves of the harness need: read a
 * whole file, write one atomically (so a reader never sees half a file and
 * an interrupted run never leaves one), create a directory with parents,
 * open an input that cannot hang or never end, and close stdout checked. */
#ifndef CFB_FILEIO_H
#define CFB_FILEIO_H

#include <stddef.h>
#include <stdio.h>

/* Open `path` for reading only if it is a regular file: a FIFO would block
 * the reader (or never end), a device such as /dev/zero never ends.  The
 * open itself does not block (O_NONBLOCK, cleared once it is known to be a
 * regular file).  NULL with one line in err ("PATH: not a regular file (a
 * FIFO)", "PATH: No such file or directory") and errno set (EINVAL for
 * the wrong kind of file). */
FILE *cfb_open_input(const char *path, char *err, size_t errlen);

/* Can `file` be written: its directory exists and is writable, and it is
 * not a directory itself?  Asked up front (an option's value), so a bad
 * path is bad input, not a failure found after the work.  0, or -1 with
 * one line in err naming `opt` ("--out: cannot write F: DIR: Permission
 * denied"). */
int cfb_writable_file(const char *opt, const char *file, char *err, size_t errlen);

/* fputs(text, stdout), keeping the errno of a failed write for
 * cfb_close_stdout's line: 0, or -1. */
int cfb_put_stdout(const char *text);

/* Flush and close standard output, as a program's last act: a full disk or
 * a closed pipe would otherwise lose the output without a word.  0, or -1
 * with errno set (the caller says so and exits non-zero): the cause of the
 * first failed cfb_put_stdout, else of the final flush, else 0 (an earlier
 * fflush(stdout) of the caller's failed, and its cause is gone). */
int cfb_close_stdout(void);

/* Read a whole regular file (cfb_open_input) into a NUL-terminated buffer (caller frees); *len (may
 * be NULL) is its length.  0, or -1 with errno set. */
int cfb_read_file(const char *path, char **buf, size_t *len);

/* A file written under a temporary name (DIR/.NAME.tmp.PID) and renamed to
 * its path when committed: readers see the old file or the whole new one. */
typedef struct cfb_atomic_file {
  char path[4096], tmp[4200];
  FILE *f; /* write here between open and commit */
} cfb_atomic_file;

/* 0, or -1 with errno set (ENAMETOOLONG for a path over 4095 bytes). */
int cfb_atomic_open(cfb_atomic_file *a, const char *path);
/* Flush, fsync, close and rename into place.  0, or -1 with errno set (the
 * temporary file is removed and the old file, if any, left as it was). */
int cfb_atomic_commit(cfb_atomic_file *a);

/* Give up: close and remove the temporary file, keep errno. */
void cfb_atomic_abort(cfb_atomic_file *a);

/* mkdir -p: 0, or -1 with errno set. */
int cfb_mkdir_p(const char *dir);

#endif
