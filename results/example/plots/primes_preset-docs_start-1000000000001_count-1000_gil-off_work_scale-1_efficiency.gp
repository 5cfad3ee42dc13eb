# efficiency_workers.gp -- parallel efficiency (measured / ideal rate of
# the workload's model) against workers, one line per backend x chunksize.
# Template of `cfbench plot` (the fields between at-signs are filled in).
# Generated from efficiency_workers.gp; re-run with: gnuplot primes_preset-docs_start-1000000000001_count-1000_gil-off_work_scale-1_efficiency.gp
load 'style.gp'
set title 'primes: efficiency vs workers'."\n".'preset=docs, start=1000000000001, count=1000, gil=off, work_scale=1'
set label 100 'AMD EPYC, 2 cores / 2 PUs' at screen 0.99, screen 1 right offset 0, -1.2 font ',9' tc rgb '#555555'
set xlabel 'workers (max_workers, log2 scale)'.cf_below
set ylabel 'efficiency (% of the ideal rate)'
set logscale x 2
set xrange [0.7692:2.6]
set yrange [0:110]
set xtics ("1" 1, "2" 2)
set arrow 1 from graph 0, first 100 to graph 1, first 100 nohead ls 20
set label 1 'ideal' at graph 0.99, first 100 right offset 0, 0.6 tc rgb '#777777'

do for [fmt in "png svg"] {
  if (fmt eq "png") { eval cf_png } else { eval cf_svg }
  set output 'primes_preset-docs_start-1000000000001_count-1000_gil-off_work_scale-1_efficiency.'.fmt
  plot 'primes_preset-docs_start-1000000000001_count-1000_gil-off_work_scale-1_workers.dat' index 0 using 1:($6*100) with linespoints ls 1 title 'thread, chunksize 1', \
       'primes_preset-docs_start-1000000000001_count-1000_gil-off_work_scale-1_workers.dat' index 1 using 1:($6*100) with linespoints ls 11 title 'process, chunksize 1'
  set output
}
