# Run: gnuplot fig2.gp   (set outbase to change the output names)
if (!exists("outbase")) outbase = "fig2"
set terminal pngcairo size 1000,600
set output outbase.".png"
set title "Simsek et al. 2021, figure 2: gradient flow of a permutation-symmetric loss"
set xlabel "w1"
set ylabel "w2"
set size ratio -1
set xrange [-0.5:3.5]
set yrange [-0.5:3.5]
set palette defined (0 "white", 1 "#c8c8c8", 2 "#707070")
set cblabel "L(w1,w2)"
set key outside right bottom box opaque
plot "fig2.dat" index 0 using 1:2:3 with image notitle, \
     "" index 1 using 1:2 with lines lw 1 lc rgb "#3070c0" title "flow lines", \
     "" index 2 using 1:2 with lines lw 3 lc rgb "#20a020" title "flow started on w1 = w2", \
     "" index 3 using 1:2 with points pt 7 ps 2 lc rgb "red" title "global minima", \
     "" index 4 using 1:2 with points pt 7 ps 2 lc rgb "purple" title "saddle", \
     x with lines dt 2 lw 2 lc rgb "black" title "symmetry subspace w1 = w2"

set terminal svg size 1000,600
set output outbase.".svg"
replot
