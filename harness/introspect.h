/* introspect.h -- what cfbench says about itself, from its own tables:
 * `--version`, the man page (`--help-man`), the words of the bash
 * completion (`--complete KIND`).  Hidden options of the program, so the
 * man page, harness/cfbench.bash and the docs test cannot drift from the
 * subcommand, option, workload, parameter and suite tables. */
#ifndef CFB_INTROSPECT_H
#define CFB_INTROSPECT_H

#include <stddef.h>

#include "options.h"

/* One subcommand as main.c's table has it, with its option table (NULL:
 * none but --help). */
typedef struct cfb_cmd_info {
  const char *name, *help;
  const cfb_option *opts;
} cfb_cmd_info;

/* argv[1] is one of the hidden options: run it and set *rc (0, or 2 on
 * bad input); returns 1.  Otherwise returns 0. */
int cfb_introspect(int argc, char **argv, const cfb_cmd_info *cmds, size_t n, int *rc);

#endif
