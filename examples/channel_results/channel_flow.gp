# Run: gnuplot channel_flow.gp   (set outbase to change the output names)
if (!exists("outbase")) outbase = "channel_flow"
set terminal pngcairo size 1000,600
set output outbase.".png"
set title "loss along the channel: gradient flow in finite coordinates"
set grid
set logscale x
set format x "10^{%L}"
set xlabel "norm of the pair's outgoing weights"
set ylabel "loss"
set format y "%.8e"
set key bottom left
plot "channel_flow.dat" using 4:2 with linespoints pt 7 ps 0.5 title "run along the channel", 6.9862826453364271e-05 with lines dt 2 lw 2 title "limit (GLU network) loss"
set terminal svg size 1000,600
set output outbase.".svg"
replot
