# deploy/bench/plot.gp: PNG plots of the one-to-one chat ramp for the three servers.
# Run by deploy/bench/run from the scratch dir (reads plot/chat-*.tsv written by report.py);
#   gnuplot -e "outdir='docs/bench'" deploy/bench/plot.gp
if (!exists("outdir")) outdir = "."
if (!exists("smoke")) smoke = ""
set terminal pngcairo size 900,560 noenhanced
set key top left
set grid
set xlabel "offered load (messages/s)"
set logscale x 2
set datafile commentschars "#"
files = "kaiku ejabberd prosody"
titles = "Kaiku ejabberd Prosody"
exists_file(f) = system("test -s " . f . " && grep -vc '^#' " . f . " || echo 0") + 0 > 0

set output outdir . "/chat-throughput.png"
set title smoke . "One-to-one chat: delivered against offered"
set ylabel "delivered messages/s"
set logscale y 2
plot for [i=1:3] (exists_file("plot/chat-" . word(files, i) . ".tsv") ? "plot/chat-" . word(files, i) . ".tsv" : NaN) \
       using 1:2 with linespoints linecolor i title word(titles, i), \
     x title "offered" with lines dashtype 2 lc "gray"

set output outdir . "/chat-latency.png"
set title smoke . "One-to-one chat: latency against offered load"
set ylabel "latency (ms)"
set logscale y 10
plot for [i=1:3] (exists_file("plot/chat-" . word(files, i) . ".tsv") ? "plot/chat-" . word(files, i) . ".tsv" : NaN) \
       using 1:4 with linespoints linecolor i title word(titles, i) . " p99", \
     for [i=1:3] (exists_file("plot/chat-" . word(files, i) . ".tsv") ? "plot/chat-" . word(files, i) . ".tsv" : NaN) \
       using 1:3 with linespoints linecolor i dashtype 3 title word(titles, i) . " p50"
