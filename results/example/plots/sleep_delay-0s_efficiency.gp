# efficiency_workers.gp -- parallel efficiency (measured / ideal rate of
# the workload's model) against workers, one line per backend x chunksize.
# Template of `cfbench plot` (the fields between at-signs are filled in).
# Generated from efficiency_workers.gp; re-run with: gnuplot sleep_delay-0s_efficiency.gp
load 'style.gp'
set title 'sleep: efficiency vs workers'."\n".'delay=0s'
set label 100 'AMD EPYC, 2 cores / 2 PUs' at screen 0.99, screen 1 right offset 0, -1.2 font ',9' tc rgb '#555555'
set xlabel 'workers (max_workers, log2 scale)'
set ylabel 'efficiency (% of the ideal rate)'
set logscale x 2
set xrange [0.7692:2.6]
set yrange [0:100]
set xtics ("1" 1, "2" 2)
set arrow 1 from graph 0, first 100 to graph 1, first 100 nohead ls 20
set label 1 'ideal' at graph 0.99, first 100 right offset 0, 0.6 tc rgb '#777777'

do for [fmt in "png svg"] {
  if (fmt eq "png") { eval cf_png } else { eval cf_svg }
  set output 'sleep_delay-0s_efficiency.'.fmt
  plot 'sleep_delay-0s_workers.dat' index 0 using 1:($6*100) with linespoints ls 1 title 'thread, chunksize 1', \
       'sleep_delay-0s_workers.dat' index 1 using 1:($6*100) with linespoints ls 2 title 'thread, chunksize 2', \
       'sleep_delay-0s_workers.dat' index 2 using 1:($6*100) with linespoints ls 3 title 'thread, chunksize 4', \
       'sleep_delay-0s_workers.dat' index 3 using 1:($6*100) with linespoints ls 4 title 'thread, chunksize 8', \
       'sleep_delay-0s_workers.dat' index 4 using 1:($6*100) with linespoints ls 5 title 'thread, chunksize 16', \
       'sleep_delay-0s_workers.dat' index 5 using 1:($6*100) with linespoints ls 6 title 'thread, chunksize 32', \
       'sleep_delay-0s_workers.dat' index 6 using 1:($6*100) with linespoints ls 7 title 'thread, chunksize 64', \
       'sleep_delay-0s_workers.dat' index 7 using 1:($6*100) with linespoints ls 1 title 'thread, chunksize 128', \
       'sleep_delay-0s_workers.dat' index 8 using 1:($6*100) with linespoints ls 2 title 'thread, chunksize 256', \
       'sleep_delay-0s_workers.dat' index 9 using 1:($6*100) with linespoints ls 11 title 'process, chunksize 1', \
       'sleep_delay-0s_workers.dat' index 10 using 1:($6*100) with linespoints ls 12 title 'process, chunksize 2', \
       'sleep_delay-0s_workers.dat' index 11 using 1:($6*100) with linespoints ls 13 title 'process, chunksize 4', \
       'sleep_delay-0s_workers.dat' index 12 using 1:($6*100) with linespoints ls 14 title 'process, chunksize 8', \
       'sleep_delay-0s_workers.dat' index 13 using 1:($6*100) with linespoints ls 15 title 'process, chunksize 16', \
       'sleep_delay-0s_workers.dat' index 14 using 1:($6*100) with linespoints ls 16 title 'process, chunksize 32', \
       'sleep_delay-0s_workers.dat' index 15 using 1:($6*100) with linespoints ls 17 title 'process, chunksize 64', \
       'sleep_delay-0s_workers.dat' index 16 using 1:($6*100) with linespoints ls 11 title 'process, chunksize 128', \
       'sleep_delay-0s_workers.dat' index 17 using 1:($6*100) with linespoints ls 12 title 'process, chunksize 256'
  set output
}
