/* cmd_run.h -- the producer's subcommands, one entry point each, so main.c
 * only dispatches.  Each takes the arguments after the subcommand name
 * (argv[0] is the subcommand) and returns the process exit code: 0 ok,
 * 1 the work failed (e.g. a failed configuration), 2 bad input, 130 / 143
 * interrupted by SIGINT / SIGTERM. */
#ifndef CFB_CMD_RUN_H
#define CFB_CMD_RUN_H

#include <stddef.h>

int cfb_cmd_list(int argc, char **argv);     /* list.c: cfbench list */
int cfb_cmd_topology(int argc, char **argv); /* topology.c: cfbench topology */

/* `cfbench run` that also says where it wrote: the results directory it
 * used (--out or the default results/runs/<UTC time>) is copied into
 * dir_used (dir_len bytes, may be NULL).  For `cfbench bench` (bench.c),
 * which then plots and reports that directory. */
int cfb_cmd_run_into(int argc, char **argv, char *dir_used, size_t dir_len);

/* The option tables, for the man page, the completion and the docs test
 * (introspect.c): run's (bench takes the same), ending with {NULL}. */
struct cfb_option;
const struct cfb_option *cfb_run_option_table(void);
/* What this cfbench was built from: version, `git describe`, CMake build
 * type and the compiler flags. */
void cfb_build_info(const char **version, const char **git_revision, const char **build_type,
                    const char **flags);
/* What a run leaves for the program on top of both halves: the results
 * directory it used, and the file --export-gbench asked for ("" if none),
 * which the report half writes from that directory (harness/bench.c). */
typedef struct cfb_run_outcome {
  char dir[4096];
  char export_gbench[4096];
} cfb_run_outcome;
int cfb_cmd_run_outcome(int argc, char **argv, cfb_run_outcome *out);

#endif
