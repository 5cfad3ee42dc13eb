# whowins_map.gp -- who wins: workers x chunksize, colour = log2(thread /
# process throughput) (blue: threads faster, orange: processes faster),
# each cell labelled with its paired verdict (T threads faster, P processes
# faster, = equivalent within 3%, ~ undecided) and the paired ratio.
# Template of `cfbench plot` (the fields between at-signs are filled in).
# Generated from whowins_map.gp; re-run with: gnuplot primes_preset-range_start-1000001_count-10000_gil-off_work_scale-1_map.gp
load 'style.gp'
set title 'primes: who wins (thread / process throughput)'."\n".'preset=range, start=1000001, count=10000, gil=off, work_scale=1'
set label 100 'AMD EPYC, 2 cores / 2 PUs' at screen 0.99, screen 1 right offset 0, -1.2 font ',9' tc rgb '#555555'
set xlabel 'workers'
set ylabel 'chunksize (items per task)'
set xrange [-0.5:2-0.5]
set yrange [-0.5:5-0.5]
set xtics ("1" 0, "2" 1)
set ytics ("1" 0, "4" 1, "16" 2, "64" 3, "256" 4)
unset grid
unset key
set border 15
set cbrange [-1.50:1.50]
set cblabel 'log2(thread / process throughput):  < 0 processes faster,  > 0 threads faster'
set colorbox vertical user origin graph 1.03, graph 0 size character 2, graph 1
set rmargin 16
set bmargin 5
set offsets 0, 0, 0, 0

set label 101 'paired verdict per round:  T threads faster,  P processes faster,  = equivalent (±3%),  ~ undecided (CI too wide or too few rounds);  number: thread/process ratio' at screen 0.01, screen 0.015 left font ',9' tc rgb '#555555'
do for [fmt in "png svg"] {
  if (fmt eq "png") { eval cf_png } else { eval cf_svg }
  set output 'primes_preset-range_start-1000001_count-10000_gil-off_work_scale-1_map.'.fmt
  plot 'primes_preset-range_start-1000001_count-10000_gil-off_work_scale-1_map.dat' using 1:2:(0.5):(0.5):3 with boxxyerror fc palette fs solid 1.0 border lc rgb '#ffffff' notitle, \
       '' using 1:2:4 with labels font ',11' tc rgb '#111111' notitle
  set output
}
