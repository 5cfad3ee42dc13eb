/* bench.h -- `cfbench bench` (bench.c): run the default suite, then plot
 * and report it.  Returns the exit code as the other subcommands do. */
#ifndef CFB_BENCH_H
#define CFB_BENCH_H

int cfb_cmd_bench(int argc, char **argv);

/* `cfbench run` with --export-gbench FILE honoured (bench.c). */
int cfb_cmd_run_export(int argc, char **argv);

#endif
