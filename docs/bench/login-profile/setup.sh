#!/bin/bash
# setup.sh: scratch dir $W (default /tmp/lp) with a P-256 certificate (as deploy/bench/run makes)
# and 2,000 accounts bench1..bench2000@localhost (password PASSWORD) in Kaiku's own Cassandra.
set -e
W=${W:-/tmp/lp}; R=${R:-$(cd "$(dirname "$0")/../../.." && pwd)}; D=$(cd "$(dirname "$0")" && pwd)
mkdir -p $W/tls
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 -keyout $W/tls/key.pem \
  -out $W/tls/cert.pem -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" 2>/dev/null
openssl pkcs12 -export -in $W/tls/cert.pem -inkey $W/tls/key.pem -name localhost -out $W/tls/server.p12 -passout pass:changeit
$D/start.sh
printf 'PASSWORD\n' | KAIKU_MVN_ARGS=-o $R/deploy/bin/kaiku user add-many bench 2000 - --domain localhost \
  --admin-port 16290 --data-dir $W/kaiku/data --parallel 4
K=$(cat $W/kaiku.pid); kill -TERM $K; while kill -0 $K 2>/dev/null; do sleep 1; done
