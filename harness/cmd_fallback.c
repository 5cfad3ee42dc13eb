/* cmd_fallback.c -- weak stand-ins for the plot, report and compare
 * subcommands, so cfbench links before those parts are built.  The real
 * definitions (plot.c, report.c, compare.c) override these. */
#include <stdio.h>

#include "cmd.h"

__attribute__((weak)) int cf_cmd_plot(int argc, char **argv) {
  (void)argc, (void)argv;
  fprintf(stderr, "cfbench plot: not built yet\n");
  return 1;
}

__attribute__((weak)) int cf_cmd_report(int argc, char **argv) {
  (void)argc, (void)argv;
  fprintf(stderr, "cfbench report: not built yet\n");
  return 1;
}

__attribute__((weak)) int cf_cmd_compare(int argc, char **argv) {
  (void)argc, (void)argv;
  fprintf(stderr, "cfbench compare: not built yet\n");
  return 1;
}
