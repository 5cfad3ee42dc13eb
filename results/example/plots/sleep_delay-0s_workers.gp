# throughput_workers.gp -- throughput against the number of workers, one
# line per backend x chunksize (error bars: 95% CI of the median), dashed
# ideal scaling.  Template of `cfbench plot` (the fields between at-signs are filled in).
# Generated from throughput_workers.gp; re-run with: gnuplot sleep_delay-0s_workers.gp
load 'style.gp'
set title 'sleep: throughput vs workers'."\n".'delay=0s'
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
set ytics ("1.5M" 1.5e+06, "2M" 2e+06, "3M" 3e+06, "5M" 5e+06, "7M" 7e+06)

set label 101 'error bars: 95% bootstrap CI of the median' at screen 0.01, screen 1 left offset 0, -1.2 font ',9' tc rgb '#555555'
do for [fmt in "png svg"] {
  if (fmt eq "png") { eval cf_png } else { eval cf_svg }
  set output 'sleep_delay-0s_workers.'.fmt
  plot 'sleep_delay-0s_workers.dat' index 0 using 1:2:3:4 with yerrorlines ls 1 title 'thread, chunksize 1', \
       'sleep_delay-0s_workers.dat' index 1 using 1:2:3:4 with yerrorlines ls 2 title 'thread, chunksize 4', \
       'sleep_delay-0s_workers.dat' index 2 using 1:2:3:4 with yerrorlines ls 3 title 'thread, chunksize 16', \
       'sleep_delay-0s_workers.dat' index 3 using 1:2:3:4 with yerrorlines ls 4 title 'thread, chunksize 64', \
       'sleep_delay-0s_workers.dat' index 4 using 1:2:3:4 with yerrorlines ls 5 title 'thread, chunksize 256', \
       'sleep_delay-0s_workers.dat' index 5 using 1:2:3:4 with yerrorlines ls 11 title 'process, chunksize 1', \
       'sleep_delay-0s_workers.dat' index 6 using 1:2:3:4 with yerrorlines ls 12 title 'process, chunksize 4', \
       'sleep_delay-0s_workers.dat' index 7 using 1:2:3:4 with yerrorlines ls 13 title 'process, chunksize 16', \
       'sleep_delay-0s_workers.dat' index 8 using 1:2:3:4 with yerrorlines ls 14 title 'process, chunksize 64', \
       'sleep_delay-0s_workers.dat' index 9 using 1:2:3:4 with yerrorlines ls 15 title 'process, chunksize 256', \
       'sleep_delay-0s_workers.dat' index 0 using 1:5 with lines ls 20 title 'ideal scaling'
  set output
}
