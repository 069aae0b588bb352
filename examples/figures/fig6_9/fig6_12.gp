# Run: gnuplot fig6_12.gp   (set outbase to change the output names)
if (!exists("outbase")) outbase = "fig6_12"
set terminal pngcairo size 1000,600
set output outbase.".png"
set title "Thesis figure 6.12: the cones u^T H u <= 0 at the saddle of seed 37 (index 1)" noenhanced
set xlabel "s, along the eigenvector of lambda_min = -8.579e-06" noenhanced
set ylabel "t, along the eigenvector of lambda_1 = 1.650e-04" noenhanced
set xrange [-0.02:0.02]
set yrange [-0.0045600979211707672:0.0045600979211707672]
set clip two
set palette defined (-1 "#2040a0", 0 "white", 1 "#a02020")
set cblabel "L - L(saddle)"
stats "fig6_12.dat" index 0 using 3 nooutput
m = (abs(STATS_min) > abs(STATS_max) ? abs(STATS_min) : abs(STATS_max))
set cbrange [-m:m]
set key outside right bottom noenhanced
plot "fig6_12.dat" index 0 using 1:2:3 with image notitle, \
     "" index 1 using 1:2 with lines lw 2 lc rgb "black" title "cone boundaries t = +-0.228 s"

set terminal svg size 1000,600
set output outbase.".svg"
replot
