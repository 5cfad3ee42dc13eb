#!/bin/sh
# mpi_rank_death.sh MPIEXEC TEST_MPI -- a task kills its rank (not a forked
# worker: the rank itself).  OpenMPI 4 cannot survive that; what cfutures
# promises (cfutures.h, "Crashes") is that nothing hangs: mpiexec ends the
# whole job, rank 0 included, with a non-zero status.  Passes when the job
# ended non-zero within the bound, after the task was sent, and the client
# did not report surviving.
mpiexec=$1
prog=$2
out=$(timeout 120 "$mpiexec" -n 3 --oversubscribe --mca btl self,vader "$prog" mpi rank_death 2>&1)
rc=$?
echo "$out"
echo "mpiexec exit status: $rc"
[ "$rc" -ne 0 ] || { echo "FAIL: the job exited 0"; exit 1; }
[ "$rc" -ne 124 ] || { echo "FAIL: the job hung (killed by timeout)"; exit 1; }
echo "$out" | grep -q "rank_death: killing rank 1" || { echo "FAIL: the task was never sent"; exit 1; }
if echo "$out" | grep -q "UNEXPECTED"; then echo "FAIL: see above"; exit 1; fi
echo "ok: the job ended with status $rc, nothing hung"
