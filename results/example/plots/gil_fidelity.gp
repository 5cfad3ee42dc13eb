# gil_fidelity.gp -- how true the GIL emulation is: threads / processes
# throughput (best configuration at one worker count) against mixed's
# cpu_us with gil=on, for cfutures with the emulated GIL (thread vs
# process) and for CPython's own executors (py-thread vs py-process).
# Above 1 threads win; each curve crosses 1 at its crossover (dotted).
# Template of `cfbench plot` (the fields between at-signs are filled in).
# Generated from gil_fidelity.gp; re-run with: gnuplot gil_fidelity.gp
load 'style.gp'
set title 'mixed: GIL emulation against CPython, 2 workers'."\n".'io_us=200us, gil=on, work_scale=1, ipc_us=250us'
set label 100 'AMD EPYC, 2 cores / 2 PUs' at screen 0.99, screen 1 right offset 0, -1.2 font ',9' tc rgb '#555555'
set xlabel 'cpu_us per item (us)'.cf_below
set ylabel 'threads / processes throughput'
set logscale x
set logscale y
set xrange [7.143:1400]
set datafile missing '?'
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead ls 20
set arrow 10 from 595.3, graph 0 to 595.3, graph 1 nohead ls 30
set label 10 'emulated crossover ~ 595 us' at 595.3, graph 0.95 right offset -0.5, 0 font ',10' tc rgb '#333333'
set arrow 11 from 578.6, graph 0 to 578.6, graph 1 nohead ls 30
set label 11 'CPython crossover ~ 579 us' at 578.6, graph 0.89 right offset -0.5, 0 font ',10' tc rgb '#333333'

do for [fmt in "png svg"] {
  if (fmt eq "png") { eval cf_png } else { eval cf_svg }
  set output 'gil_fidelity.'.fmt
  plot 'gil_fidelity.dat' using 1:2 with linespoints ls 1 title 'cfutures, emulated GIL (thread / process)', \
       '' using 1:3 with linespoints ls 6 title 'CPython (py-thread / py-process)'
  set output
}
