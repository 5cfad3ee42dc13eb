/* main.c -- the cfbench program: joins an MPI job when a launcher started
 * it (mpi_launch.h), then dispatches a subcommand to its cfb_cmd_* entry
 * point (cmd.h).  Exit codes: 0 ok, 1 the work failed, 2 bad input,
 * 130/143 interrupted by SIGINT/SIGTERM (run/bench). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "cmd_char.h"
#include "cmd_report.h"
#include "cmd_run.h"
#include "export.h"
#include "fileio.h"
#include "introspect.h"
#include "mpi_launch.h"

static const struct {
  const char *name;
  int (*fn)(int, char **);
  const char *help;
  /* The exit code when standard output cannot be written: 2 where the
   * output is the command's answer; 1 for run and bench, whose results are
   * in files (the work itself failed to be reported, not the input). */
  int stdout_failed;
} commands[] = {
    {"list", cfb_cmd_list, "workloads, their parameters, and the suites", 2},
    {"topology", cfb_cmd_topology, "the machine (hwloc) and where each pinning policy puts workers", 2},
    {"run", cfb_cmd_run_export, "sweep configurations; write the results directory (runs.csv ...)", 1},
    {"bench", cfb_cmd_bench, "run --suite default into results/runs/<UTC time>/, plot, report", 1},
    {"plot", cfb_cmd_plot, "plot a results directory (gnuplot)", 2},
    {"report", cfb_cmd_report, "write report.md and report.html of a results directory", 2},
    {"compare", cfb_cmd_compare, "compare two results directories; exit 1 on a regression", 2},
    {"ab", cfb_cmd_ab, "two cfbench builds paired round by round; exit 1 on a regression", 2},
    {"history", cfb_cmd_history, "results over commits: add, list, show, plot, detect, check", 2},
    {"export", cfb_cmd_export, "a results directory as Google Benchmark JSON or a Markdown table", 2},
    /* its recommendation on stdout is the answer (the measurements stay in files) */
    {"characterize", cfb_cmd_characterize, "measure one workload; recommend backend, workers, chunksize", 2},
};

/* Run command i, then make sure what it printed reached standard output
 * (>/dev/full, a closed pipe): one line and a non-zero exit if not.  A
 * command that already failed keeps its code, except that compare's 1
 * (a regression) becomes 2: its table was lost. */
static int dispatch(size_t i, int argc, char **argv) {
  int rc = commands[i].fn(argc, argv);
  if (cfb_close_stdout() == 0) return rc;
  fprintf(stderr, "cfbench %s: writing standard output failed: %s\n", commands[i].name,
          errno ? strerror(errno) : "a write error (its cause was not kept)");
  if (rc == 0 || (rc == 1 && commands[i].stdout_failed == 2)) rc = commands[i].stdout_failed;
  return rc;
}

/* The option table of command `name` (bench takes run's), or NULL. */
static const cfb_option *options_of(const char *name) {
  if (!strcmp(name, "run") || !strcmp(name, "bench")) return cfb_run_option_table();
  if (!strcmp(name, "report")) return cfb_report_option_table();
  if (!strcmp(name, "compare")) return cfb_compare_option_table();
  if (!strcmp(name, "ab")) return cfb_ab_option_table();
  if (!strcmp(name, "history")) return cfb_history_option_table();
  if (!strcmp(name, "export")) return cfb_export_option_table();
  return NULL;
}

/* --version, --help-man, --complete (introspect.c) over the tables. */
static int introspect(int argc, char **argv, int *rc) {
  enum { N = sizeof commands / sizeof commands[0] };
  cfb_cmd_info info[N];
  for (size_t i = 0; i < N; i++) info[i] = (cfb_cmd_info){commands[i].name, commands[i].help, options_of(commands[i].name)};
  return cfb_introspect(argc, argv, info, N, rc);
}

static void usage(FILE *f) {
  fprintf(f, "usage: cfbench COMMAND [OPTIONS]   (cfbench COMMAND --help for its options)\n"
             "       cfbench --version\n\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].help);
}

/* The index of command name, or -1. */
static int find_command(const char *name) {
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(name, commands[i].name)) return (int)i;
  return -1;
}

/* One line: who refused name, and the commands there are. */
static int unknown_command(const char *who, const char *name) {
  fprintf(stderr, "%s: unknown command '%s'; allowed:", who, name);
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(stderr, "%s %s", i ? "," : "", commands[i].name);
  fprintf(stderr, "%s\n", strcmp(who, "cfbench") ? "" : " (or --version)");
  return 2;
}

/* `cfbench help [CMD]`: the usage, or CMD's own --help. */
static int help_command(int argc, char **argv) {
  if (argc < 3) {
    usage(stdout);
    return 0;
  }
  if (argc > 3) {
    fprintf(stderr, "cfbench help: unexpected argument '%s'; give one command\n", argv[3]);
    return 2;
  }
  int i = find_command(argv[2]);
  if (i < 0) return unknown_command("cfbench help", argv[2]);
  char *args[] = {argv[2], "--help", NULL};
  return dispatch((size_t)i, 2, args);
}

int main(int argc, char **argv) {
  /* Before any thread: under mpiexec/srun every rank runs this program;
   * the worker ranks serve inside cf_mpi_init and are done when it returns. */
  if (cfb_mpi_join(&argc, &argv)) return 0;
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
    usage(stdout);
    return 0;
  }
  if (!strcmp(argv[1], "help")) return help_command(argc, argv);
  int i = find_command(argv[1]), rc;
  if (i >= 0) return dispatch((size_t)i, argc - 1, argv + 1);
  if (introspect(argc, argv, &rc)) return cfb_close_stdout() == 0 ? rc : 2;
  return unknown_command("cfbench", argv[1]);
}
