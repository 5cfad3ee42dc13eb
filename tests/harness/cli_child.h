/* cli_child.h -- what the CLI tests share: run a program as a child with
 * its standard output and error sent to files (and extra environment
 * entries), and read a whole file back.  Header-only, for the test
 * programs (test_cli, test_characterize, test_verdicts). */
#ifndef CFB_TEST_CLI_CHILD_H
#define CFB_TEST_CLI_CHILD_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "task.h"

/* Run prog with args (NULL-terminated, without argv[0]) and envs (NULL or
 * NULL-terminated "K=V" entries); stdout to out, stderr to err.  Its exit
 * status (the test fails if it did not exit). */
static inline int cli_child_run(const char *prog, const char *out, const char *err, const char *const *envs,
                                const char *const *args) {
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    for (size_t i = 0; envs && envs[i]; i++) putenv((char *)envs[i]);
    int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(o, 1);
    dup2(e, 2);
    char *argv[64];
    int n = 0;
    argv[n++] = (char *)prog;
    for (size_t i = 0; args[i]; i++) argv[n++] = (char *)args[i];
    argv[n] = NULL;
    execv(prog, argv);
    _exit(127);
  }
  int st;
  CHECK(waitpid(pid, &st, 0) == pid);
  CHECK(WIFEXITED(st));
  return WEXITSTATUS(st);
}

/* The whole file (caller frees), or NULL if it cannot be opened. */
static inline char *cli_slurp(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) return NULL;
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  int c;
  while ((c = getc(f)) != EOF) putc(c, m);
  fclose(m);
  fclose(f);
  return buf;
}

#endif
