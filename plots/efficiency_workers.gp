# efficiency_workers.gp -- parallel efficiency (measured / ideal rate of
# the workload's model) against workers, one line per backend x chunksize.
# Template of `cfbench plot` (the fields between at-signs are filled in).
# Generated from @TEMPLATE@; re-run with: gnuplot @BASE@.gp
load 'style.gp'
set title @TITLE@
set label 100 '@MACHINE@' at screen 0.99, screen 1 right offset 0, -1.2 font ',9' tc rgb '#555555'
set xlabel 'workers (max_workers, log2 scale)'.cf_below
set ylabel 'efficiency (% of the ideal rate)'
set logscale x 2
set xrange [@XMIN@:@XMAX@]
set yrange [0:@YMAX@]
set xtics (@XTICS@)
set arrow 1 from graph 0, first 100 to graph 1, first 100 nohead ls 20
set label 1 'ideal' at graph 0.99, first 100 right offset 0, 0.6 tc rgb '#777777'
@EXTRA@
do for [fmt in "png svg"] {
  if (fmt eq "png") { eval cf_png } else { eval cf_svg }
  set output '@BASE@.'.fmt
  plot @PLOT@
  set output
}
