# crossover_param.gp -- best thread vs best process throughput (any workers
# and chunksize) against one workload parameter, the others fixed; the
# dotted line marks where the winner changes.
# Template of `cfbench plot` (the fields between at-signs are filled in).
# Generated from @TEMPLATE@; re-run with: gnuplot @BASE@.gp
load 'style.gp'
set title @TITLE@
set label 100 '@MACHINE@' at screen 0.99, screen 1 right offset 0, -1.2 font ',9' tc rgb '#555555'
set xlabel '@XLABEL@'.cf_below
set ylabel 'best throughput (items/s)'
@XSCALE@
set xrange [@XMIN@:@XMAX@]
set yrange [0:*]
# y tics: computed by cfbench plot (in the lines below), labelled like its tables
@EXTRA@
set label 101 'error bars: 95% bootstrap CI of the median' at screen 0.01, screen 1 left offset 0, -1.2 font ',9' tc rgb '#555555'
do for [fmt in "png svg"] {
  if (fmt eq "png") { eval cf_png } else { eval cf_svg }
  set output '@BASE@.'.fmt
  plot '@DATA@' using 1:2:3:4 with yerrorlines ls 1 title 'best thread configuration', \
       '' using 1:5:6:7 with yerrorlines ls 11 title 'best process configuration'
  set output
}
