#!/bin/sh
# ab_synthetic_side.sh -- a stand-in for a cfbench side of `cfbench ab` that
# writes synthetic measurements instead of running a workload, so a test can
# check ab's decision on data whose truth is known.
# usage (as ab calls a side): ab_synthetic_side.sh SALT CPU_SCALE [WAIT_S] run ... [--dry-run[=tsv]]
#                             [--seed S] [--out DIR]
# One configuration, 100 items.  Each invocation draws (seeded by ab's round
# seed and SALT, so BASE and NEW draw apart) the share of a CPU the machine
# gave it, uniform in [0.4, 1] (a neighbour's load), and a CPU-time jitter of
# +-0.2%; an item costs CPU_SCALE x 10 ms of CPU.  So per CPU-second NEW's
# step shows clearly, per wall-second it drowns in the share's spread.
# WAIT_S (default 0) is wall time the invocation spends waiting on top, with
# no CPU (a slower wake-up, a sleep): seen per wall-second only.
salt=$1 scale=$2 wait=0
shift 2
case $1 in run) ;; *) wait=$1; shift ;; esac
seed=1 out="" dry=0
while [ $# -gt 0 ]; do
  case $1 in
  --seed) seed=$2; shift ;;
  --out) out=$2; shift ;;
  --dry-run) dry=1 ;;
  --dry-run=tsv) dry=2 ;;
  esac
  shift
done
if [ "$dry" = 2 ]; then
  printf 'index\tworkload\tparams\tbackend\tworkers\tchunksize\tpin\tmode\titems\trepeat\twarmup\tmax_time_s\n'
  printf '0\tsynthetic\tx=1\tthread\t1\t1\tnone\tmap\t100\t1\t0\t0\n'
  exit 0
fi
if [ "$dry" = 1 ]; then
  printf 'rounds 1, 1 configurations\nsynthetic x=1 thread workers=1 chunksize=1\n'
  exit 0
fi
mkdir -p "$out" || exit 2
awk -v s="$seed" -v salt="$salt" -v k="$scale" -v w="$wait" 'BEGIN {
  srand(s * 7 + salt); share = 0.4 + 0.6 * rand(); jit = 1 + 0.004 * (rand() - 0.5)
  cpu = 100 * 0.010 * k * jit; wall = cpu / share + w
  print "workload,kind,params,backend,workers,chunksize,pin,mode,repeat,round,items,items_done,wall_s,items_per_s,cpu_user_s,cpu_sys_s,status"
  printf "synthetic,cpu,x=1,thread,1,1,none,map,0,0,100,100,%.6f,%.6f,%.6f,0,ok\n", wall, 100 / wall, cpu
}' >"$out/runs.csv"
