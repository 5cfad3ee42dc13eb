# crossover_param.gp -- best thread vs best process throughput (any workers
# and chunksize) against one workload parameter, the others fixed; the
# dotted line marks where the winner changes.
# Template of `cfbench plot` (the fields between at-signs are filled in).
# Generated from crossover_param.gp; re-run with: gnuplot sleep_delay_crossover.gp
load 'style.gp'
set title 'sleep: threads vs processes against delay'
set label 100 'AMD EPYC, 2 cores / 2 PUs' at screen 0.99, screen 1 right offset 0, -1.2 font ',9' tc rgb '#555555'
set xlabel 'delay (ms)'
set ylabel 'best throughput (items/s)'
unset logscale x
set xrange [-0.5:10.5]
set yrange [0:*]
set format y '%.0s%c'

do for [fmt in "png svg"] {
  if (fmt eq "png") { eval cf_png } else { eval cf_svg }
  set output 'sleep_delay_crossover.'.fmt
  plot 'sleep_delay_crossover.dat' using 1:2:3:4 with yerrorlines ls 1 title 'best thread configuration', \
       '' using 1:5:6:7 with yerrorlines ls 11 title 'best process configuration'
  set output
}
