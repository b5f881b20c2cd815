#!/bin/bash
# measure.sh LABEL: fresh Kaiku (same data dir), JIT warm-up storm (users 1..1000, cold entities),
# measured storm with JFR (users 1001..2000, cold entities, warm JVM), then a storm of users 1..1000
# again (their entities still in memory: "hot"), then stop.
W=${W:-/tmp/lp}; D=$(cd "$(dirname "$0")" && pwd); L=$1; RATE=${RATE:-100}
$D/start.sh || exit 1
$D/run.sh $L-warm 1000 $RATE --first-user 1 --password PASSWORD | head -3
sleep 3
$D/run.sh $L-cold 1000 $RATE --first-user 1001 --password PASSWORD
sleep 3
$D/run.sh $L-hot 1000 $RATE --first-user 1 --password PASSWORD
K=$(cat $W/kaiku.pid); kill -TERM $K; for i in $(seq 90); do kill -0 $K 2>/dev/null || break; sleep 1; done
python3 $D/cat.py $W/$L-cold.jfr | head -25; python3 $D/threads.py $W/$L-cold.jfr | head -8
