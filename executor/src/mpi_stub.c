/* mpi_stub.c -- the MPI backend's entry points in a build without MPI:
 * every one says CF_ENOSYS, so programs and tests link either way. */
#include "internal.h"

int cf_mpi_init(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  return CF_ENOSYS;
}

int cf_mpi_finalize(void) { return 0; }

int cf_mpi_workers(void) { return 0; }

static int stub_start(cf_executor *ex) {
  (void)ex;
  return CF_ENOSYS;
}

const cf__backend_ops cf__mpi_backend = {.name = "mpi", .start = stub_start};
