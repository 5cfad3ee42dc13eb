/* main.c -- the cfbench program: dispatches a subcommand to its cfb_cmd_*
 * entry point (cmd.h).  Exit codes: 0 ok, 1 the work failed, 2 bad input,
 * 130 interrupted (run/bench). */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "cmd_char.h"
#include "cmd_report.h"
#include "cmd_run.h"

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
    {"characterize", cfb_cmd_characterize, "measure one workload; recommend backend, workers, chunksize"},
};

static void usage(FILE *f) {
  fprintf(f, "usage: cfbench COMMAND [OPTIONS]   (cfbench COMMAND --help for its options)\n\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char **argv) {
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
  fprintf(stderr, "cfbench: unknown command '%s'; allowed: list, topology, run, bench, plot, report, compare, characterize\n",
          argv[1]);
  return 2;
}
