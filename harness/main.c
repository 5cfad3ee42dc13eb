/* main.c -- the cfbench program: joins an MPI job when a launcher started
 * it (mpi_launch.h), then dispatches a subcommand to its cfb_cmd_* entry
 * point (cmd.h).  Exit codes: 0 ok, 1 the work failed, 2 bad input,
 * 130 interrupted (run/bench). */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "cmd_report.h"
#include "cmd_run.h"
#include "mpi_launch.h"

static const struct {
  const char *name;
  int (*fn)(int, char **);
  const char *help;
} commands[] = {
    {"list", cfb_cmd_list, "workloads, their parameters, and the suites"},
    {"topology", cfb_cmd_topology, "the machine (hwloc) and where each pinning policy puts workers"},
    {"run", cfb_cmd_run, "sweep configurations and write runs.csv, summary.csv, results.json, meta.json"},
    {"bench", cfb_cmd_bench, "run --suite default into results/runs/<UTC time>/, then plot and report"},
    {"plot", cfb_cmd_plot, "plot a results directory (gnuplot)"},
    {"report", cfb_cmd_report, "write a Markdown report for a results directory"},
    {"compare", cfb_cmd_compare, "compare two results directories; non-zero exit on a regression"},
    {"history", cfb_cmd_history, "results over commits: add, list, show, plot, detect, check"},
};

static void usage(FILE *f) {
  fprintf(f, "usage: cfbench COMMAND [OPTIONS]   (cfbench COMMAND --help for its options)\n\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char **argv) {
  /* Before any thread: under mpiexec/srun every rank runs this program;
   * the worker ranks serve inside cf_mpi_init and are done when it returns. */
  if (cfb_mpi_join(&argc, &argv)) return 0;
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
    usage(stdout);
    return 0;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(argv[1], commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
  fprintf(stderr, "cfbench: unknown command '%s'; allowed: list, topology, run, bench, plot, report, compare\n",
          argv[1]);
  return 2;
}
