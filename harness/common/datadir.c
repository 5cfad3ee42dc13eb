/* datadir.c -- the data folders of datadir.h, found relative to the
 * running program through /proc/self/exe. */
#define _GNU_SOURCE
#include "datadir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The installed layout, from bin/ to share/cfbench (set by the build from
 * CMAKE_INSTALL_BINDIR and CMAKE_INSTALL_DATADIR). */
#ifndef CFB_SHARE_FROM_BIN
#define CFB_SHARE_FROM_BIN "../share/cfbench"
#endif

static int is_dir(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The source tree, for a cfbench run from its build tree. */
#ifndef CFB_SOURCE_DIR
#define CFB_SOURCE_DIR "."
#endif

const char *cfb_data_dir(const char *env, const char *sub, char *out, size_t len) {
  const char *e = env ? getenv(env) : NULL;
  if (e && *e) {
    snprintf(out, len, "%s", e);
    return out;
  }
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) {
      *slash = '\0';
      char cand[8400];
      snprintf(cand, sizeof cand, "%s/%s/%s", exe, CFB_SHARE_FROM_BIN, sub);
      if (is_dir(cand)) {
        snprintf(out, len, "%s", cand);
        return out;
      }
    }
  }
  snprintf(out, len, "%s/%s", CFB_SOURCE_DIR, sub);
  return out;
}
