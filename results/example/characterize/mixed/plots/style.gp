# style.gp -- the look shared by every cfbench plot.  `cfbench plot` copies
# it beside the generated scripts (DIR/plots/style.gp); edit that copy to
# restyle all the plots of a run, then re-run `gnuplot NAME.gp` there.

# Output terminals: each script draws its plot once per format.
cf_png = "set terminal pngcairo noenhanced size 1000,680 font 'Sans,11' linewidth 1.2"
cf_svg = "set terminal svg noenhanced size 1000,680 dynamic font 'Sans,11' linewidth 1.2"

set encoding utf8
set grid xtics ytics mxtics mytics lc rgb '#dddddd' lw 1
set border 3 lc rgb '#555555'
set tics nomirror out scale 0.6
set title font ',14'
# The key goes below the plot, in as many columns as fit, so it never
# covers data and the plot keeps the canvas's whole width.
set key below center horizontal Left reverse box lc rgb '#cccccc' spacing 1.1 samplen 2.5 width 1 height 1 maxrows 5
set tmargin 4.5
# The key's box reaches half a line above its first row, onto an x label
# set right above it: the x labels of the plots with that key end in a
# blank line (set xlabel '...'.cf_below) that the box may overlap.
cf_below = "\n"
# Headroom above the data for crossover labels (autoscaled axes only).
set offsets 0, 0, graph 0.1, 0

# Backends by hue, chunksize (or workers) by shade: threads blue, processes orange.
set style line 1 lc rgb '#08306b' lw 2 pt 7 ps 1.0
set style line 2 lc rgb '#2171b5' lw 2 pt 5 ps 1.0
set style line 3 lc rgb '#4292c6' lw 2 pt 9 ps 1.1
set style line 4 lc rgb '#6baed6' lw 2 pt 11 ps 1.1
set style line 5 lc rgb '#74a9cf' lw 2 pt 13 ps 1.1
set style line 6 lc rgb '#3f007d' lw 2 pt 3 ps 1.0
set style line 7 lc rgb '#6a51a3' lw 2 pt 2 ps 1.0
set style line 11 lc rgb '#7f2704' lw 2 pt 7 ps 1.0 dt 1
set style line 12 lc rgb '#d94801' lw 2 pt 5 ps 1.0
set style line 13 lc rgb '#f16913' lw 2 pt 9 ps 1.1
set style line 14 lc rgb '#fd8d3c' lw 2 pt 11 ps 1.1
set style line 15 lc rgb '#fdb863' lw 2 pt 13 ps 1.1
set style line 16 lc rgb '#67000d' lw 2 pt 3 ps 1.0
set style line 17 lc rgb '#a50f15' lw 2 pt 2 ps 1.0
# Ideal scaling: dashed; grey when both backends share one model.
set style line 20 lc rgb '#777777' lw 1.5 dt 2
set style line 21 lc rgb '#2171b5' lw 1.5 dt 2
set style line 22 lc rgb '#d94801' lw 1.5 dt 2
# Crossover marks.
set style line 30 lc rgb '#333333' lw 1.2 dt 3

# Who-wins map: orange = processes faster, white = even, blue = threads faster.
set palette defined (-1 '#d94801', -0.5 '#fdae6b', 0 '#f7f7f7', 0.5 '#9ecae1', 1 '#2171b5')
