/* cmd.h -- the cfbench subcommands, one entry point each, so main.c only
 * dispatches.  Each takes the arguments after the subcommand name (argv[0]
 * is the subcommand) and returns the process exit code: 0 ok, 1 the work
 * failed (e.g. a regression, a failed configuration), 2 bad input. */
#ifndef CF_HARNESS_CMD_H
#define CF_HARNESS_CMD_H

int cf_cmd_list(int argc, char **argv);      /* main.c / sweep.c */
int cf_cmd_topology(int argc, char **argv);
int cf_cmd_run(int argc, char **argv);
int cf_cmd_bench(int argc, char **argv);     /* run --suite default, plot, report */
int cf_cmd_plot(int argc, char **argv);      /* plot.c:  cfbench plot DIR */
int cf_cmd_report(int argc, char **argv);    /* report.c: cfbench report DIR */
int cf_cmd_compare(int argc, char **argv);   /* compare.c: cfbench compare BASE NEW */
int cfb_cmd_history(int argc, char **argv);  /* report/history.c: cfbench history ACTION */

#endif
