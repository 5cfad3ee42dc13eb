/* workloads_only.c -- a program that calls cfwork.h alone (no cf_ call of
 * cfutures.h): linked with -lcfwork only, libcfutures.so.0 is a dependency
 * of libcfwork.so.0, not of the program, so the dynamic loader finds it
 * through libcfwork.so's own RUNPATH.  Prints "workloads: N (sleep)". */
#include <cfwork.h>

#include <stdio.h>

int main(void) {
  const cf_workload *w = cf_wk_find("sleep");
  printf("workloads: %zu (%s)\n", cf_wk_count(), w ? w->name : "no sleep");
  return !w;
}
