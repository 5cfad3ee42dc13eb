/* cmd_report.h -- the consumer's subcommands: each reads a results
 * directory a run left behind (runs.csv, summary.csv, results.json,
 * meta.json) and needs nothing else, so they run on a copied directory.
 * Same conventions as cmd_run.h: argv[0] is the subcommand; the return is
 * the exit code (0 ok, 1 the work failed or a regression, 2 bad input). */
#ifndef CFB_CMD_REPORT_H
#define CFB_CMD_REPORT_H

int cfb_cmd_plot(int argc, char **argv);    /* plot.c: cfbench plot DIR */
int cfb_cmd_report(int argc, char **argv);  /* report.c: cfbench report DIR [--history-db URL] */
int cfb_cmd_compare(int argc, char **argv); /* compare.c: cfbench compare BASE NEW */
int cfb_cmd_ab(int argc, char **argv);      /* ab.c: cfbench ab BASE NEW (runs both, paired rounds) */

int cfb_cmd_history(int argc, char **argv); /* history.c: cfbench history add/list/show/plot/detect/check */

/* The option tables of report, compare, ab, history and export (introspect.c),
 * ending with {NULL}. */
struct cfb_option;
const struct cfb_option *cfb_report_option_table(void);  /* report.c */
const struct cfb_option *cfb_compare_option_table(void);
const struct cfb_option *cfb_ab_option_table(void);
const struct cfb_option *cfb_history_option_table(void); /* history_cli.c */
const struct cfb_option *cfb_export_option_table(void);  /* export.c */

#endif
