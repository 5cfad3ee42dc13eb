# throughput_chunksize.gp -- throughput against the chunksize (items per
# task), one line per backend x worker count, error bars: 95% CI of the
# median.  Template of `cfbench plot` (the fields between at-signs are filled in).
# Generated from throughput_chunksize.gp; re-run with: gnuplot sleep_delay-0s_chunksize.gp
load 'style.gp'
set title 'sleep: throughput vs chunksize'."\n".'delay=0s'
set label 100 'AMD EPYC, 2 cores / 2 PUs' at screen 0.99, screen 1 right offset 0, -1.2 font ',9' tc rgb '#555555'
set xlabel 'chunksize (items per task, log2 scale)'.cf_below
set ylabel 'throughput (items/s)'
set logscale x 2
set xrange [0.7692:332.8]
set yrange [0:*]
# y tics: computed by cfbench plot (in the lines below), labelled like its tables
set xtics ("1" 1, "4" 4, "16" 16, "64" 64, "256" 256)
set ytics ("0" 0, "2M" 2000000, "4M" 4000000, "6M" 6000000, "8M" 8000000, "10M" 10000000)

set label 101 'error bars: 95% bootstrap CI of the median' at screen 0.01, screen 1 left offset 0, -1.2 font ',9' tc rgb '#555555'
do for [fmt in "png svg"] {
  if (fmt eq "png") { eval cf_png } else { eval cf_svg }
  set output 'sleep_delay-0s_chunksize.'.fmt
  plot 'sleep_delay-0s_chunksize.dat' index 0 using 1:2:3:4 with yerrorlines ls 1 title 'thread, 1 worker', \
       'sleep_delay-0s_chunksize.dat' index 1 using 1:2:3:4 with yerrorlines ls 2 title 'thread, 2 workers', \
       'sleep_delay-0s_chunksize.dat' index 2 using 1:2:3:4 with yerrorlines ls 11 title 'process, 1 worker', \
       'sleep_delay-0s_chunksize.dat' index 3 using 1:2:3:4 with yerrorlines ls 12 title 'process, 2 workers'
  set output
}
