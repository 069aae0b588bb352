# Run: gnuplot channel_weights.gp   (set outbase to change the output names)
if (!exists("outbase")) outbase = "channel_weights"
set terminal pngcairo size 1000,600
set output outbase.".png"
set grid
set logscale x
set format x "10^{%L}"
set xlabel "gradient-flow time t"
set multiplot layout 1,2
set title "incoming weights of the pair"
set ylabel "incoming weight (first input)"
plot "channel_flow.dat" using 1:6 with lines lw 2 title "w_i", "" using 1:7 with lines lw 2 title "w_j"
set title "outgoing weights of the pair"
set ylabel "outgoing weight"
set logscale y
set format y "10^{%L}"
plot "channel_flow.dat" using 1:(abs($8)) with lines lw 2 title "|a_i|", "" using 1:(abs($9)) with lines lw 2 title "|a_j|"
unset multiplot
set terminal svg size 1000,600
set output outbase.".svg"
replot
