# crossover_param.gp -- best thread vs best process throughput (any workers
# and chunksize) against one workload parameter, the others fixed; the
# dotted line marks where the winner changes.
# Template of `cfbench plot` (the fields between at-signs are filled in).
# Generated from crossover_param.gp; re-run with: gnuplot mixed_cpu_us_io_us-200us_gil-on_work_scale-1_ipc_us-250us_crossover.gp
load 'style.gp'
set title 'mixed: threads vs processes against cpu_us'."\n".'io_us=200us, gil=on, work_scale=1, ipc_us=250us'
set label 100 'AMD EPYC, 2 cores / 2 PUs' at screen 0.99, screen 1 right offset 0, -1.2 font ',9' tc rgb '#555555'
set xlabel 'cpu_us (us)'.cf_below
set ylabel 'best throughput (items/s)'
set logscale x
set xrange [7.143:1400]
set yrange [0:*]
# y tics: computed by cfbench plot (in the lines below), labelled like its tables
set ytics ("0" 0, "5k" 5000, "10k" 10000, "15k" 15000, "20k" 20000, "25k" 25000, "30k" 30000)
set arrow 10 from 378.1, graph 0 to 378.1, graph 1 nohead ls 30
set label 10 'threads faster below, processes above cpu_us ≈ 378us' at 378.1, graph 0.97 right offset -0.5, 0 font ',10' tc rgb '#333333'

set label 101 'error bars: 95% bootstrap CI of the median' at screen 0.01, screen 1 left offset 0, -1.2 font ',9' tc rgb '#555555'
do for [fmt in "png svg"] {
  if (fmt eq "png") { eval cf_png } else { eval cf_svg }
  set output 'mixed_cpu_us_io_us-200us_gil-on_work_scale-1_ipc_us-250us_crossover.'.fmt
  plot 'mixed_cpu_us_io_us-200us_gil-on_work_scale-1_ipc_us-250us_crossover.dat' using 1:2:3:4 with yerrorlines ls 1 title 'best thread configuration', \
       '' using 1:5:6:7 with yerrorlines ls 11 title 'best process configuration'
  set output
}
