# characterize.gp -- `cfbench characterize`: measured throughput against
# workers per backend (points: median of the repetitions, error bars: its
# 95% CI) with the scaling model chosen for each backend (line), and the
# peak or knee that model gives (marked).  Template of `cfbench characterize`
# (the fields between at-signs are filled in).
# Generated from characterize.gp; re-run with: gnuplot characterize.gp
load 'style.gp'
set title 'characterize mixed: throughput against workers'."\n".'cpu_us=1ms, io_us=1ms, gil=off, work_scale=1, ipc_us=250us'
set label 100 'AMD EPYC' at screen 0.99, screen 1 right offset 0, -1.2 font ',9' tc rgb '#555555'
set xlabel 'workers (max_workers, log2 scale)'.cf_below
set ylabel 'throughput (items/s, log scale)'
set logscale x 2
set logscale y 10
set xrange [0.8:22.1]
set yrange [*:*]
set format y '%.0s%c'
set xtics ('1' 1, '2' 2, '4' 4, '8' 8, '16' 16)
set arrow 10 from 3.93934, graph 0 to 3.93934, graph 1 nohead ls 30 lc rgb '#2171b5'
set label 10 'thread saturates: 3.9 workers' at 3.93934, graph 0.95 offset 0.5,0 font ',9'
set label 20 'recommended: 6 workers (fewest_near_best)' at 6, 1837.89 point pt 8 ps 2.5 lc rgb '#000000' offset 1.5,1.2 font ',9'
set arrow 11 from 9.85677, graph 0 to 9.85677, graph 1 nohead ls 30 lc rgb '#d94801'
set label 11 'process peak: 9.9 workers' at 9.85677, graph 0.89 offset 0.5,0 font ',9'

do for [fmt in "png svg"] {
  if (fmt eq "png") { eval cf_png } else { eval cf_svg }
  set output 'characterize.'.fmt
  plot 'characterize.dat' index 0 using 1:2:3:4 with yerrorbars ls 1 title 'thread measured', '' index 1 using 1:2 with lines ls 1 title 'thread: bottleneck fit', 'characterize.dat' index 3 using 1:2:3:4 with yerrorbars ls 11 title 'process measured', '' index 4 using 1:2 with lines ls 11 title 'process: usl fit'
  set output
}
