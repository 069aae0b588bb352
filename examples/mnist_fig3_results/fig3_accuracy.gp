# Run: gnuplot fig3_accuracy.gp   (set outbase to change the output names)
if (!exists("outbase")) outbase = "fig3_accuracy"
set terminal pngcairo size 1000,600
set output outbase.".png"
set title "Brea et al. 2019 fig. 3B: training accuracy, merging two units of hidden layer 2"
set xlabel "distance d / d0"
set ylabel "training accuracy"
set logscale x
set xrange [*:*] reverse
set grid
set key outside right title "H"
hs = "10 15 20 25"
seeds = 6
plot for [i=0:23] "fig3_accuracy.dat" index i using 1:3 with lines lw 1.5 lc (i/seeds + 1) title (i % seeds == 0 ? word(hs, i/seeds + 1) : "")
set terminal svg size 1000,600
set output outbase.".svg"
replot
