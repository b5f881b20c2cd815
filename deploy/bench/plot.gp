# deploy/bench/plot.gp: PNG plots of the one-to-one chat and group chat ramps, one line per server measured.
# Run by deploy/bench/run from the scratch dir, after `report.py tsv` wrote plot/chat-*.tsv and
# plot/servers.txt (line 1: file names, line 2: titles):
#   gnuplot -e "outdir='docs/bench'; smoke=''" deploy/bench/plot.gp
if (!exists("outdir")) outdir = "."
if (!exists("smoke")) smoke = ""
files = system("sed -n 1p plot/servers.txt")
titles = system("sed -n 2p plot/servers.txt")
n = words(files)
if (n == 0) exit
set terminal pngcairo size 900,560 noenhanced
set key top left
set grid
set xlabel "offered load (messages/s)"
set logscale x 2
set datafile commentschars "#"
data(i) = "plot/chat-" . word(files, i) . ".tsv"

set output outdir . "/chat-throughput.png"
set title smoke . "One-to-one chat: delivered against offered"
set ylabel "delivered messages/s"
set logscale y 2
plot for [i=1:n] data(i) using 1:2 with linespoints linecolor i title word(titles, i), \
     x title "offered" with lines dashtype 2 lc "gray"

set output outdir . "/chat-latency.png"
set title smoke . "One-to-one chat: latency against offered load"
set ylabel "latency (ms)"
set logscale y 10
plot for [i=1:n] data(i) using 1:4 with linespoints linecolor i title word(titles, i) . " p99", \
     for [i=1:n] data(i) using 1:3 with linespoints linecolor i dashtype 3 title word(titles, i) . " p50"

# Group chat: deliveries (messages times occupants) against offered, from plot/muc-*.tsv
mfiles = system("sed -n 1p plot/muc-servers.txt 2>/dev/null")
mtitles = system("sed -n 2p plot/muc-servers.txt 2>/dev/null")
m = words(mfiles)
if (m == 0) exit
mdata(i) = "plot/muc-" . word(mfiles, i) . ".tsv"
set output outdir . "/muc-throughput.png"
set title smoke . "Group chat (one room): deliveries against offered"
set xlabel "offered deliveries/s (messages/s times occupants)"
set ylabel "deliveries/s"
set logscale y 2
plot for [i=1:m] mdata(i) using 1:2 with linespoints linecolor i title word(mtitles, i), \
     x title "offered" with lines dashtype 2 lc "gray"
