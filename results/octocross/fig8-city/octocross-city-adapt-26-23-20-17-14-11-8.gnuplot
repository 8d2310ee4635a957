set terminal pngcairo size 1100,500
set output 'results/octocross/fig8-city/octocross-city-adapt-26-23-20-17-14-11-8.png'
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
plot 'results/octocross/fig8-city/octocross-city-adapt-26-23-20-17-14-11-8-octocross-r0.dat' with lines title 'octocross-r0', 'results/octocross/fig8-city/octocross-city-adapt-26-23-20-17-14-11-8-octocross-r1.dat' with lines title 'octocross-r1', 'results/octocross/fig8-city/octocross-city-adapt-26-23-20-17-14-11-8-octocross-r2.dat' with lines title 'octocross-r2', 'results/octocross/fig8-city/octocross-city-adapt-26-23-20-17-14-11-8-greedy-r0.dat' with lines title 'greedy-r0', 'results/octocross/fig8-city/octocross-city-adapt-26-23-20-17-14-11-8-greedy-r1.dat' with lines title 'greedy-r1', 'results/octocross/fig8-city/octocross-city-adapt-26-23-20-17-14-11-8-greedy-r2.dat' with lines title 'greedy-r2'
