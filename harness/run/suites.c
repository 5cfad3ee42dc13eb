/* suites.c -- finding the suites (suites.h): the sweep files shipped in
 * share/cfbench/suites (suites/ in the source tree).  What each suite
 * runs is in its file; this only knows where they are. */
#include "suites.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datadir.h"
#include "options.h"
#include "strbuf.h"


const char *cfb_suites_dir(char *out, size_t len) {
  return cfb_data_dir("CFBENCH_SUITES_DIR", "suites", out, len);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int cfb_suite_names(char ***names, size_t *n) {
  *names = NULL;
  *n = 0;
  char dir[4096];
  DIR *d = opendir(cfb_suites_dir(dir, sizeof dir));
  if (!d) return -1;
  size_t cap = 0;
  int rc = 0;
  for (struct dirent *e; (e = readdir(d));) {
    size_t l = strlen(e->d_name);
    if (e->d_name[0] == '.' || l <= 5 || strcmp(e->d_name + l - 5, ".json")) continue;
    if (*n == cap) {
      cap = cap ? cap * 2 : 8;
      char **nv = realloc(*names, cap * sizeof *nv);
      if (!nv) {
        rc = -1;
        break;
      }
      *names = nv;
    }
    if (!((*names)[*n] = strndup(e->d_name, l - 5))) {
      rc = -1;
      break;
    }
    (*n)++;
  }
  closedir(d);
  if (*n) qsort(*names, *n, sizeof **names, by_name);
  return rc;
}

void cfb_suite_names_free(char **names, size_t n) {
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
}

int cfb_suite_path(const char *arg, char *out, size_t len, char *err, size_t errlen) {
  size_t l = strlen(arg);
  if (strchr(arg, '/') || (l > 5 && !strcmp(arg + l - 5, ".json"))) { /* a path */
    snprintf(out, len, "%s", arg);
    return 0;
  }
  char dir[4096];
  snprintf(out, len, "%s/%s.json", cfb_suites_dir(dir, sizeof dir), arg);
  if (*arg && access(out, R_OK) == 0) return 0;
  char **names;
  size_t n;
  cfb_suite_names(&names, &n);
  cfb_sb b = {0};
  for (size_t i = 0; i < n; i++) cfb_sb_printf(&b, "%s%s", i ? ", " : "", names[i]);
  cfb_fail(err, errlen, "--suite: unknown suite '%s'; allowed: %s (files in %s), or a path to a sweep file", arg,
           b.s ? b.s : "none", dir);
  cfb_sb_free(&b);
  cfb_suite_names_free(names, n);
  return 2;
}
