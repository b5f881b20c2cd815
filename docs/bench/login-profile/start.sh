#!/bin/bash
# start.sh: Kaiku on ports 16222 (c2s), 16290 (admin), 16552 (cluster), CQL 16942, storage 16700, JMX 16799
set -e
W=${W:-/tmp/lp}; R=${R:-$(cd "$(dirname "$0")/../../.." && pwd)}
mkdir -p $W/kaiku
cat > $W/kaiku/kaiku.conf <<EOC
kaiku.tls.keystore = "$W/tls/server.p12"
kaiku.tls.keystore-password = "changeit"
kaiku.sasl.scram-iterations = 4096
kaiku.cassandra.local.cql-port = 16942
kaiku.cassandra.local.storage-port = 16700
kaiku.cassandra.local.jmx-port = 16799
EOC
KAIKU_MVN_ARGS=-o KAIKU_JAVA_OPTS='-Xms1g -Xmx1g' $R/deploy/bin/kaiku run --domain localhost --data-dir $W/kaiku/data --c2s-port 16222 --c2s-tls-port -1 --admin-port 16290 --cluster-port 16552 --config $W/kaiku/kaiku.conf > $W/kaiku/kaiku.log 2>&1 &
echo $! > $W/kaiku.pid
for i in $(seq 240); do grep -q "Kaiku ready" $W/kaiku/kaiku.log && break; sleep 1; done
grep -q "Kaiku ready" $W/kaiku/kaiku.log || { tail -30 $W/kaiku/kaiku.log; exit 1; }
echo "kaiku $(cat $W/kaiku.pid) cassandra $(awk '{print $1}' $W/kaiku/data/cassandra/cassandra.pid)"
