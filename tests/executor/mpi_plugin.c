/* mpi_plugin.c -- a task function in a library only test_mpi's rank 0
 * dlopens: the ranks cannot find it, the future says so. */
#include <cfutures.h>

int mpi_plugin_task(const void *arg, size_t len, cf_result *out) { return cf_result_set(out, arg, len); }
