# Run: gnuplot fig6_9.gp   (set outbase to change the output names)
if (!exists("outbase")) outbase = "fig6_9"
set terminal pngcairo size 1000,600
set output outbase.".png"
set title "Thesis figure 6.9: distance from each local minimum to its nearest symmetry-induced saddle (336 minima)"
set xlabel "distance ||saddle - local minimum||"
set ylabel "local minima"
set style fill solid 0.6 border -1
set boxwidth 2.76995 absolute
set xrange [0:*]
set yrange [0:*]
plot "fig6_9.dat" using 1:3 with boxes lc rgb "#3070c0" notitle

set terminal svg size 1000,600
set output outbase.".svg"
replot
