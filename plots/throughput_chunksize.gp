# throughput_chunksize.gp -- throughput against the chunksize (items per
# task), one line per backend x worker count, error bars: 95% CI of the
# median.  Template of `cfbench plot` (the fields between at-signs are filled in).
# Generated from @TEMPLATE@; re-run with: gnuplot @BASE@.gp
load 'style.gp'
set title @TITLE@
set label 100 '@MACHINE@' at screen 0.99, screen 1 right offset 0, -1.2 font ',9' tc rgb '#555555'
set xlabel 'chunksize (items per task, log2 scale)'.cf_below
set ylabel 'throughput (items/s)'
set logscale x 2
set xrange [@XMIN@:@XMAX@]
set yrange [0:*]
# y tics: computed by cfbench plot (in the lines below), labelled like its tables
set xtics (@XTICS@)
@EXTRA@
set label 101 'error bars: 95% bootstrap CI of the median' at screen 0.01, screen 1 left offset 0, -1.2 font ',9' tc rgb '#555555'
do for [fmt in "png svg"] {
  if (fmt eq "png") { eval cf_png } else { eval cf_svg }
  set output '@BASE@.'.fmt
  plot @PLOT@
  set output
}
