# Run: gnuplot fig3_barrier.gp   (set outbase to change the output names)
if (!exists("outbase")) outbase = "fig3_barrier"
set terminal pngcairo size 1000,600
set output outbase.".png"
set title "barrier (max normalised MSE along the path) against H, 6 seeds"
set xlabel "hidden units per layer H"
set ylabel "barrier"
set logscale y
set grid
set key top right
set xrange [7:28]
plot "fig3_barrier.dat" index 0 using 1:3 with points pt 7 ps 0.8 lc rgb "gray50" title "one teacher", \
     "fig3_barrier.dat" index 1 using 1:4:5:6 with yerrorlines lw 2 pt 5 lc rgb "black" title "median, min..max", \
     "fig3_barrier.dat" index 1 using 1:2 with linespoints lw 2 dt 2 pt 9 lc rgb "red" title "mean"
set terminal svg size 1000,600
set output outbase.".svg"
replot
