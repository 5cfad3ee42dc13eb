/* leaks.h -- what a process executor may leave behind, counted from /proc:
 * children of this process (zombies included), open descriptors, and
 * shared anonymous mappings (the rings and status pages).  For the tests
 * that check "nothing left" after shutdown, terminate and faults. */
#ifndef CF_TEST_LEAKS_H
#define CF_TEST_LEAKS_H

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../task.h"

static inline int count_children(void) {
  DIR *d = opendir("/proc");
  CHECK(d != NULL);
  int n = 0, me = (int)getpid();
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    char path[300], buf[512];
    snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    FILE *f = fopen(path, "r");
    if (!f) continue;
    size_t got = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[got] = 0;
    char *rp = strrchr(buf, ')');
    char state;
    int ppid;
    if (rp && sscanf(rp + 1, " %c %d", &state, &ppid) == 2 && ppid == me) n++;
  }
  closedir(d);
  return n;
}

static inline int count_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  CHECK(d != NULL);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    if (e->d_name[0] != '.') n++;
  closedir(d);
  return n;
}

static inline int count_shared_maps(void) {
  FILE *f = fopen("/proc/self/maps", "r");
  CHECK(f != NULL);
  char line[512];
  int n = 0;
  while (fgets(line, sizeof line, f))
    if (strstr(line, "/dev/zero") || strstr(line, "memfd:")) n++;
  fclose(f);
  return n;
}

#endif
