/* backend_process.c -- the process backend (forked workers, shared-memory
 * ring).  Not built yet: creating a process executor returns CF_ENOSYS. */
#include "internal.h"

static int pb_start(cf_executor *ex) {
  (void)ex;
  return CF_ENOSYS;
}

const cf__backend_ops cf__process_backend = {"process", pb_start, NULL, NULL};
