set terminal pngcairo size 900,500
set output 'results/roomie/bench-edge-twitter-like/roomie-edge-twitter-like-usher-x1.00-r2-latency.png'
set xlabel 'time (s)'
set ylabel 'end-to-end latency (ms)'
set key outside
plot 'results/roomie/bench-edge-twitter-like/roomie-edge-twitter-like-usher-x1.00-r2-queries.dat' using 1:2 with points pt 7 ps 0.4 title 'queries'
