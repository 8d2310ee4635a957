set terminal pngcairo size 1100,500
set output 'results/octocross/bench-city-adaptation-mu-floor/octocross-city-adapt-26-23-20-17-14-11-8.png'
set termoption noenhanced
set xlabel 'time (s)'
set ylabel 'objects/s delivered'
set key outside
set arrow from 120.000000, graph 0 to 120.000000, graph 1 nohead dt 2
set arrow from 240.000000, graph 0 to 240.000000, graph 1 nohead dt 2
set arrow from 360.000000, graph 0 to 360.000000, graph 1 nohead dt 2
set arrow from 480.000000, graph 0 to 480.000000, graph 1 nohead dt 2
set arrow from 600.000000, graph 0 to 600.000000, graph 1 nohead dt 2
set arrow from 720.000000, graph 0 to 720.000000, graph 1 nohead dt 2
plot 'results/octocross/bench-city-adaptation-mu-floor/octocross-city-adapt-26-23-20-17-14-11-8-octocross.dat' with lines title 'octocross'
