#!/bin/bash
# ts.sh: "keyspace.table reads writes" for every table with nonzero counts
$(dirname "$0")/nodetool.sh tablestats 2>/dev/null | awk '/^Keyspace:/{ks=$2} /Table:/{t=$2} /Local read count:/{r=$4} /Local write count:/{w=$4; if (r+w>0 || ks=="kaiku") print ks"."t, r, w}'
