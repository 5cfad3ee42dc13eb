/* mpi_launch.h -- cfbench on the MPI backend: joining an MPI job that a
 * launcher started, and starting one for --mpi-np (mpi_launch.c). */
#ifndef CFB_MPI_LAUNCH_H
#define CFB_MPI_LAUNCH_H

#include <stddef.h>

/* The `cfbench run` options that say how to start the ranks. */
typedef struct cfb_mpi_opts {
  int np;           /* --mpi-np: worker ranks to start (0: none given) */
  char *hostfile;   /* --mpi-hostfile (owned), or NULL */
  char *hosts;      /* --mpi-hosts "a,b:4" (owned), or NULL */
} cfb_mpi_opts;

/* Is this process a rank that mpiexec or srun started? */
int cfb_mpi_under_launcher(void);

/* First thing in main, before any thread: under a launcher, join the job
 * (cf_mpi_init).  Returns 1 on a worker rank that has served and should
 * exit(0), else 0 (rank 0, or no launcher: go on). */
int cfb_mpi_join(int *argc, char ***argv);

/* Bad combinations of the options (uses_mpi: the sweep has backend mpi),
 * an unreadable hostfile, a host that does not resolve: 0, or 2 with one
 * line in err. */
int cfb_mpi_check(const cfb_mpi_opts *m, int uses_mpi, char *err, size_t errlen);

/* Re-run this command line under `mpiexec -n np+1 ...` and exit with its
 * status (mpiexec's own messages folded into one line; 255, it could not
 * start the job: exit 1).  Returns only when mpiexec cannot be run: 2 with
 * one line in err. */
int cfb_mpi_relaunch(const cfb_mpi_opts *m, char *err, size_t errlen);

#endif
