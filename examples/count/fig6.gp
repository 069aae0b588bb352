# Figure 6 of Simsek et al. 2021 (ICML): R_k(r*,m) = G(r*-k,m)/T(r*,m) and the total
# sum_k a_k R_k (a_k = 1) for r* = 30. Data: fig6.dat (written by landsym count fig6).
# Run: gnuplot fig6.gp   (set outbase to change the output names)
if (!exists("outbase")) outbase = "fig6"
if (!exists("datafile")) datafile = "fig6.dat"
# y is log10 of the ratio (columns 5+3 ..): the values go below 1e-308
set logscale x
set xlabel "width m of the overparameterized network"
set ylabel "log_{10} R_k(r^*, m)"
set title "Saddle subspaces per global-minimum subspace, r^* = 30"
set key bottom left
set grid
set xrange [31:1000]
set style line 99 lc rgb "#1f5fd6" lw 3
plot_cmd = "plot 0 w l lc rgb 'gray' dt 2 notitle"
do for [k=1:5] { plot_cmd = plot_cmd . sprintf(", datafile u 1:%d w l lw 2 title 'k = %d'", k+5+2, k) }
plot_cmd = plot_cmd . sprintf(", datafile u 1:%d w l ls 99 title 'total, a_k = 1'", 2*5+3)
if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) { set terminal pngcairo size 900,620 enhanced font ",11" } else { set terminal png size 900,620 }
set output outbase.".png"
eval plot_cmd
set terminal svg size 900,620 enhanced dynamic font ",11"
set output outbase.".svg"
eval plot_cmd
unset output
