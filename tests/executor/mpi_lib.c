/* mpi_lib.c -- a task function in a shared library, for test_mpi: linked
 * (so loaded in every rank) and dlopen'ed on rank 0 only. */
#include <cfutures.h>

#include <stdint.h>
#include <string.h>

int mpi_lib_triple(const void *arg, size_t len, cf_result *out) {
  uint64_t v;
  if (len != sizeof v) return 5;
  memcpy(&v, arg, sizeof v);
  v *= 3;
  return cf_result_set(out, &v, sizeof v);
}
