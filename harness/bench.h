/* bench.h -- `cfbench bench` (bench.c): run the default suite, then plot
 * and report it.  Returns the exit code as the other subcommands do. */
#ifndef CF_HARNESS_BENCH_H
#define CF_HARNESS_BENCH_H

int cf_cmd_bench(int argc, char **argv);

#endif
