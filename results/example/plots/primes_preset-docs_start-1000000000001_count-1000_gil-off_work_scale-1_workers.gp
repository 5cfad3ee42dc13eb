# throughput_workers.gp -- throughput against the number of workers, one
# line per backend x chunksize (error bars: 95% CI of the median), dashed
# ideal scaling.  Template of `cfbench plot` (the fields between at-signs are filled in).
# Generated from throughput_workers.gp; re-run with: gnuplot primes_preset-docs_start-1000000000001_count-1000_gil-off_work_scale-1_workers.gp
load 'style.gp'
set title 'primes: throughput vs workers'."\n".'preset=docs, start=1000000000001, count=1000, gil=off, work_scale=1'
set label 100 'AMD EPYC, 2 cores / 2 PUs' at screen 0.99, screen 1 right offset 0, -1.2 font ',9' tc rgb '#555555'
set xlabel 'workers (max_workers, log2 scale)'.cf_below
set ylabel 'throughput (items/s, log scale)'
# Log-log: perfect scaling is a straight line and equal ratios are equal
# distances, so "who wins by how much" reads the same at 1 and 64 workers.
set logscale x 2
set logscale y 10
set xrange [0.7692:2.6]
set yrange [*:*]
set autoscale yfix
set offsets 0, 0, graph 0.12, graph 0.05
# y tics: computed by cfbench plot (in the lines below), labelled like its tables
set xtics ("1" 1, "2" 2)
set mxtics default
set ytics ("100" 100, "150" 150)

set label 101 'error bars: 95% bootstrap CI of the median' at screen 0.01, screen 1 left offset 0, -1.2 font ',9' tc rgb '#555555'
do for [fmt in "png svg"] {
  if (fmt eq "png") { eval cf_png } else { eval cf_svg }
  set output 'primes_preset-docs_start-1000000000001_count-1000_gil-off_work_scale-1_workers.'.fmt
  plot 'primes_preset-docs_start-1000000000001_count-1000_gil-off_work_scale-1_workers.dat' index 0 using 1:2:3:4 with yerrorlines ls 1 title 'thread, chunksize 1', \
       'primes_preset-docs_start-1000000000001_count-1000_gil-off_work_scale-1_workers.dat' index 1 using 1:2:3:4 with yerrorlines ls 11 title 'process, chunksize 1', \
       'primes_preset-docs_start-1000000000001_count-1000_gil-off_work_scale-1_workers.dat' index 0 using 1:5 with lines ls 20 title 'ideal scaling'
  set output
}
