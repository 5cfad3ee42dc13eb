# efficiency_workers.gp -- parallel efficiency (measured / ideal rate of
# the workload's model) against workers, one line per backend x chunksize.
# Template of `cfbench plot` (the fields between at-signs are filled in).
# Generated from efficiency_workers.gp; re-run with: gnuplot mixed_cpu_us-1ms_io_us-200us_gil-on_work_scale-1_ipc_us-250us_efficiency.gp
load 'style.gp'
set title 'mixed: efficiency vs workers'."\n".'cpu_us=1ms, io_us=200us, gil=on, work_scale=1, ipc_us=250us'
set label 100 'AMD EPYC, 2 cores / 2 PUs' at screen 0.99, screen 1 right offset 0, -1.2 font ',9' tc rgb '#555555'
set xlabel 'workers (max_workers, log2 scale)'.cf_below
set ylabel 'efficiency (% of the ideal rate)'
set logscale x 2
set xrange [1.538:10.4]
set yrange [0:110]
set xtics ("2" 2, "4" 4, "8" 8)
set arrow 1 from graph 0, first 100 to graph 1, first 100 nohead ls 20
set label 1 'ideal' at graph 0.99, first 100 right offset 0, 0.6 tc rgb '#777777'

do for [fmt in "png svg"] {
  if (fmt eq "png") { eval cf_png } else { eval cf_svg }
  set output 'mixed_cpu_us-1ms_io_us-200us_gil-on_work_scale-1_ipc_us-250us_efficiency.'.fmt
  plot 'mixed_cpu_us-1ms_io_us-200us_gil-on_work_scale-1_ipc_us-250us_workers.dat' index 0 using 1:($6*100) with linespoints ls 1 title 'thread, chunksize 1', \
       'mixed_cpu_us-1ms_io_us-200us_gil-on_work_scale-1_ipc_us-250us_workers.dat' index 1 using 1:($6*100) with linespoints ls 11 title 'process, chunksize 1'
  set output
}
