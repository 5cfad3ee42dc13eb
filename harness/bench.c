/* bench.c -- the commands that join the two halves of the harness, which
 * is why they live on top of them:
 *   cfbench bench  `cfbench run --suite default` into a fresh results
 *                  directory (run/), then `cfbench plot` and `cfbench
 *                  report` on that directory (report/);
 *   cfbench run    the run (run/), then the Google Benchmark JSON that
 *                  --export-gbench asks for (report/export.c). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "cmd_report.h"
#include "cmd_run.h"
#include "env.h"
#include "export.h"

/* `cfbench run`: the run (run/), then the Google Benchmark JSON that
 * --export-gbench asked for (report/), also of an interrupted or partly
 * failed run (it covers what finished). */
int cfb_cmd_run_export(int argc, char **argv) {
  cfb_run_outcome out;
  int rc = cfb_cmd_run_outcome(argc, argv, &out);
  if (rc == 2 || !out.export_gbench[0]) return rc;
  char err[512];
  if (cfb_export(out.dir, CFB_EXPORT_GBENCH, out.export_gbench, err, sizeof err)) {
    fprintf(stderr, "cfbench run: %s\n", err);
    return rc ? rc : 1;
  }
  return rc;
}

int cfb_cmd_bench(int argc, char **argv) {
  char *args[64];
  int n = 0;
  args[n++] = "run";
  args[n++] = "--suite";
  args[n++] = "default";
  char stamp[32], dir[4096] = "";
  int has_out = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      printf("usage: cfbench bench [--out DIR] [run options: --seed --counters --repeat\n"
             "                     --rounds --max-time --force]\n"
             "runs `cfbench run --suite default` into DIR (default results/runs/<UTC time>/),\n"
             "then `cfbench plot DIR` and `cfbench report DIR`\n");
      return 0;
    }
    if (!strcmp(argv[i], "--suite") || !strncmp(argv[i], "--suite=", 8)) {
      fprintf(stderr, "cfbench bench: --suite is not allowed (bench runs the default suite; use cfbench run)\n");
      return 2;
    }
    if (!strcmp(argv[i], "--out") || !strncmp(argv[i], "--out=", 6)) has_out = 1;
    if (n >= 60) {
      fprintf(stderr, "cfbench bench: too many arguments\n");
      return 2;
    }
    args[n++] = argv[i];
  }
  if (!has_out) {
    cfb_utc_stamp(stamp, sizeof stamp, 0);
    snprintf(dir, sizeof dir, "results/runs/%s", stamp);
    args[n++] = "--out";
    args[n++] = dir;
  }
  args[n] = NULL;
  int rc = cfb_cmd_run_into(n, args, dir, sizeof dir);
  if (rc == 2 || rc > 128) return rc; /* bad input, or interrupted (SIGINT/SIGTERM) */
  char *pargs[] = {"plot", dir, NULL};
  int prc = cfb_cmd_plot(2, pargs);
  char *rargs[] = {"report", dir, NULL};
  int rrc = cfb_cmd_report(2, rargs);
  char path[4200];
  snprintf(path, sizeof path, "%s/report.md", dir);
  if (rrc == 0) printf("report: %s\n", access(path, R_OK) == 0 ? path : dir);
  else printf("results: %s (the report could not be made)\n", dir);
  return rc ? rc : (prc || rrc) ? 1 : 0;
}
