/* mpi_session.c -- cf_mpi_init / cf_mpi_finalize: MPI's start and end for
 * the MPI backend, and the split of roles: rank 0 returns to the program
 * as the client (with the progress thread running), every other rank
 * serves tasks inside cf_mpi_init until the client finalizes. */
#include "mpi_wire.h"

#include <stdio.h>
#include <stdlib.h>

static struct session {
  int active, we_init, rank, size;
  MPI_Comm comm;
} S;

static void finalize_at_exit(void) { cf_mpi_finalize(); }

/* Start MPI (unless the program did), with the thread level we need. */
static int mpi_start(int *argc, char ***argv) {
  int inited = 0, prov = MPI_THREAD_SINGLE;
  MPI_Initialized(&inited);
  if (!inited) {
    if (MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &prov) != MPI_SUCCESS) return CF_ENOSYS;
    S.we_init = 1;
  } else {
    MPI_Query_thread(&prov);
  }
  /* The client's progress thread calls MPI while the program's threads do
   * not: SERIALIZED is enough for us; the program itself needs MULTIPLE to
   * call MPI while an executor is open. */
  if (prov < MPI_THREAD_SERIALIZED) {
    fprintf(stderr, "cfutures mpi: MPI gives thread level %d, the MPI backend needs "
                    "MPI_THREAD_SERIALIZED or better\n", prov);
    if (S.we_init) MPI_Finalize();
    S.we_init = 0;
    return CF_ENOSYS;
  }
  /* A communicator of our own: the program's messages never match ours. */
  MPI_Comm_dup(MPI_COMM_WORLD, &S.comm);
  MPI_Comm_rank(S.comm, &S.rank);
  MPI_Comm_size(S.comm, &S.size);
  return 0;
}

static void mpi_end(void) {
  MPI_Comm_free(&S.comm);
  if (S.we_init) MPI_Finalize();
  S.we_init = 0;
}

int cf_mpi_init(int *argc, char ***argv) {
  if (S.active) return S.rank == 0 ? CF_MPI_CLIENT : CF_EINVAL;
  int rc = mpi_start(argc, argv);
  if (rc) return rc;
  if (S.rank != 0) {
    rc = cf__mpi_worker_serve(S.comm);
    mpi_end();
    return rc ? rc : CF_MPI_WORKER_DONE;
  }
  rc = cf__mpi_client_start(S.comm);
  if (rc) {
    mpi_end();
    return rc;
  }
  S.active = 1;
  static int registered;
  if (!registered) atexit(finalize_at_exit);
  registered = 1;
  return CF_MPI_CLIENT;
}

int cf_mpi_finalize(void) {
  if (!S.active) return 0;
  cf__mpi_client_stop();
  mpi_end();
  S.active = 0;
  return 0;
}

int cf_mpi_workers(void) {
  return S.active ? S.size - 1 : 0;
}
