#!/usr/bin/env python3
"""threads.py FILE.jfr: mean CPU share (user+system, of the machine) per thread group from jdk.ThreadCPULoad."""
import json, subprocess, sys, collections, re
out = subprocess.run(['jfr', 'print', '--json', '--events', 'jdk.ThreadCPULoad', sys.argv[1]], capture_output=True, text=True).stdout
ev = json.loads(out)['recording']['events']
s = collections.Counter(); times = set()
for e in ev:
    v = e['values']; t = v['eventThread']['javaName'] or v['eventThread']['osName']
    g = re.sub(r'[-#]?\d+$', '', t or '?')
    s[g] += v['user'] + v['system']; times.add(v['startTime'][:19])
tot = sum(s.values())
for g, x in s.most_common(20): print(f'{100*x/tot:5.1f}%  {g}')
