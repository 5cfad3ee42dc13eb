# gil_fidelity.gp -- how true the GIL emulation is: threads / processes
# throughput (best configuration at one worker count) against mixed's
# cpu_us with gil=on, for cfutures with the emulated GIL (thread vs
# process) and for CPython's own executors (py-thread vs py-process).
# Above 1 threads win; each curve crosses 1 at its crossover (dotted).
# Template of `cfbench plot` (the fields between at-signs are filled in).
# Generated from @TEMPLATE@; re-run with: gnuplot @BASE@.gp
load 'style.gp'
set title @TITLE@
set label 100 '@MACHINE@' at screen 0.99, screen 1 right offset 0, -1.2 font ',9' tc rgb '#555555'
set xlabel 'cpu_us per item (us)'.cf_below
set ylabel 'threads / processes throughput'
set logscale x
set logscale y
set xrange [@XMIN@:@XMAX@]
set datafile missing '?'
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead ls 20
@EXTRA@
do for [fmt in "png svg"] {
  if (fmt eq "png") { eval cf_png } else { eval cf_svg }
  set output '@BASE@.'.fmt
  plot '@DATA@' using 1:2 with linespoints ls 1 title 'cfutures, emulated GIL (thread / process)', \
       '' using 1:3 with linespoints ls 6 title 'CPython (py-thread / py-process)'
  set output
}
