# throughput_workers.gp -- throughput against the number of workers, one
# line per backend x chunksize (error bars: 95% CI of the median), dashed
# ideal scaling.  Template of `cfbench plot` (the fields between at-signs are filled in).
# Generated from @TEMPLATE@; re-run with: gnuplot @BASE@.gp
load 'style.gp'
set title @TITLE@
set label 100 '@MACHINE@' at screen 0.99, screen 1 right offset 0, -1.2 font ',9' tc rgb '#555555'
set xlabel 'workers (max_workers, log2 scale)'.cf_below
set ylabel 'throughput (items/s, log scale)'
# Log-log: perfect scaling is a straight line and equal ratios are equal
# distances, so "who wins by how much" reads the same at 1 and 64 workers.
set logscale x 2
set logscale y 10
set xrange [@XMIN@:@XMAX@]
set yrange [*:*]
set autoscale yfix
set offsets 0, 0, graph 0.12, graph 0.05
# y tics: computed by cfbench plot (in the lines below), labelled like its tables
set xtics (@XTICS@)
set mxtics default
@EXTRA@
set label 101 'error bars: 95% bootstrap CI of the median' at screen 0.01, screen 1 left offset 0, -1.2 font ',9' tc rgb '#555555'
do for [fmt in "png svg"] {
  if (fmt eq "png") { eval cf_png } else { eval cf_svg }
  set output '@BASE@.'.fmt
  plot @PLOT@
  set output
}
