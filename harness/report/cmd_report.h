/* cmd_report.h -- the consumer's subcommands: each reads a results
 * directory a run left behind (runs.csv, summary.csv, results.json,
 * meta.json) and needs nothing else, so they run on a copied directory.
 * Same conventions as cmd_run.h: argv[0] is the subcommand; the return is
 * the exit code (0 ok, 1 the work failed or a regression, 2 bad input). */
#ifndef CFB_CMD_REPORT_H
#define CFB_CMD_REPORT_H

int cfb_cmd_plot(int argc, char **argv);    /* plot.c: cfbench plot DIR */
int cfb_cmd_report(int argc, char **argv);  /* report.c: cfbench report DIR */
int cfb_cmd_compare(int argc, char **argv); /* compare.c: cfbench compare BASE NEW */
int cfb_cmd_ab(int argc, char **argv);      /* ab.c: cfbench ab BASE NEW (runs both, paired rounds) */
int cfb_cmd_history(int argc, char **argv); /* history.c: cfbench history add/list/show/plot/detect/check */

#endif
