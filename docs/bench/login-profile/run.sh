#!/bin/bash
# (docs/bench/login-profile: the scripts behind docs/bench/LOGIN-PROFILE.md)
# run.sh NAME USERS RATE [extra bench args]: one login storm with JFR, tablestats and per-process CPU before/after
W=${W:-/tmp/lp}; R=${R:-$(cd "$(dirname "$0")/../../.." && pwd)}; N=$1; U=$2; RT=$3; shift 3
K=$(cat $W/kaiku.pid); C=$(awk '{print $1}' $W/kaiku/data/cassandra/cassandra.pid)
cpu() { awk '{print $14+$15}' /proc/$1/stat; }
$(dirname "$0")/ts.sh | grep -v '^system' > $W/$N.ts0
$(dirname "$0")/tasks.sh $K > $W/$N.t0
jcmd $K JFR.start name=$N settings=profile >/dev/null
k0=$(cpu $K); c0=$(cpu $C); ku0=$(awk '{print $14}' /proc/$K/stat); cu0=$(awk '{print $14}' /proc/$C/stat); l0=$(cat /proc/loadavg)
KAIKU_MVN_ARGS=-o KAIKU_JAVA_OPTS=-Xmx512m $R/deploy/bin/kaiku bench login --port 16222 --users $U --login-rate $RT --max-in-flight 1000 --server-pid $K,$C --label $N --out $W/$N.json "$@" > $W/$N.out 2> $W/$N.err
$(dirname "$0")/tasks.sh $K > $W/$N.t1; k1=$(cpu $K); c1=$(cpu $C); ku1=$(awk '{print $14}' /proc/$K/stat); cu1=$(awk '{print $14}' /proc/$C/stat); l1=$(cat /proc/loadavg)
jcmd $K JFR.dump name=$N filename=$W/$N.jfr >/dev/null; jcmd $K JFR.stop name=$N >/dev/null; sleep 3
$(dirname "$0")/ts.sh | grep -v '^system' > $W/$N.ts1
{ echo "== $N: kaiku ticks $((k1-k0)) cassandra ticks $((c1-c0)) (1 tick = 10 ms; kaiku user $((ku1-ku0)), cassandra user $((cu1-cu0))) for $U logins; load $l0 -> $l1"
cat $W/$N.out
python3 $(dirname "$0")/tdiff.py $W/$N.t0 $W/$N.t1 $U
join <(sort $W/$N.ts0) <(sort $W/$N.ts1) | awk -v u=$U '{dr=$4-$2; dw=$5-$3; if (dr+dw>0) printf "%s reads %d (%.2f/login) writes %d (%.2f/login)\n", $1, dr, dr/u, dw, dw/u}'; } | tee $W/$N.sum
