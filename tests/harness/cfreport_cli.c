/* cfreport_cli.c -- a small driver for the plot, report and compare
 * subcommands alone (`cfreport_cli plot DIR`), so their CLI tests do not
 * need the whole cfbench program (workloads, sweep) to run. */
#include <stdio.h>
#include <string.h>

#include "cmd_report.h"

int main(int argc, char **argv) {
  if (argc >= 2 && !strcmp(argv[1], "plot")) return cfb_cmd_plot(argc - 1, argv + 1);
  if (argc >= 2 && !strcmp(argv[1], "report")) return cfb_cmd_report(argc - 1, argv + 1);
  if (argc >= 2 && !strcmp(argv[1], "compare")) return cfb_cmd_compare(argc - 1, argv + 1);
  fprintf(stderr, "usage: cfreport_cli plot|report|compare ARGS...\n");
  return 2;
}
