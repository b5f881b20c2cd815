#!/bin/bash
# tasks.sh PID: "comm ticks" per live thread (utime+stime), comm with spaces replaced by _
for t in /proc/$1/task/*; do
  s=$(cat $t/stat 2>/dev/null) || continue
  c=${s#*(}; c=${c%%)*}; rest=${s##*) }
  set -- $rest; echo "${c// /_} $(( ${12} + ${13} ))"
done
