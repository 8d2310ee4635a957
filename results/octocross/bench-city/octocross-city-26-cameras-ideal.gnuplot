set terminal pngcairo size 1100,500
set output 'results/octocross/bench-city/octocross-city-26-cameras-ideal.png'
set termoption noenhanced
set style data histogram
set style histogram cluster gap 1
set style fill solid border -1
set xtics rotate by -45
set yrange [0:*]
set key outside
set title 'octocross-city, 26 cameras'
set ylabel '% of objects delivered'
plot 'results/octocross/bench-city/octocross-city-26-cameras.dat' using 3:xtic(1) title 'octocross', 'results/octocross/bench-city/octocross-city-26-cameras.dat' using 5 title 'distream', 'results/octocross/bench-city/octocross-city-26-cameras.dat' using 7 title 'gnn_lstm', 'results/octocross/bench-city/octocross-city-26-cameras.dat' using 9 title 'none'
