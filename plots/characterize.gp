# characterize.gp -- `cfbench characterize`: measured throughput against
# workers per backend (points: median of the repetitions, error bars: its
# 95% CI) with the scaling model chosen for each backend (line), and the
# peak or knee that model gives (marked).  Template of `cfbench characterize`
# (the fields between at-signs are filled in).
# Generated from @TEMPLATE@; re-run with: gnuplot @BASE@.gp
load 'style.gp'
set title @TITLE@
set label 100 '@MACHINE@' at screen 0.99, screen 1 right offset 0, -1.2 font ',9' tc rgb '#555555'
set xlabel 'workers (max_workers, log2 scale)'.cf_below
set ylabel 'throughput (items/s, log scale)'
set logscale x 2
set logscale y 10
set xrange [@XMIN@:@XMAX@]
set yrange [*:*]
set format y '%.0s%c'
set xtics (@XTICS@)
@EXTRA@
do for [fmt in "png svg"] {
  if (fmt eq "png") { eval cf_png } else { eval cf_svg }
  set output '@BASE@.'.fmt
  plot @PLOT@
  set output
}
