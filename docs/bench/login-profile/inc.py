#!/usr/bin/env python3
"""inc.py FILE.jfr PREFIX [N]: inclusive sample counts per method whose class starts with PREFIX."""
import json, subprocess, sys, collections
out = subprocess.run(['jfr', 'print', '--json', '--stack-depth', '64', '--events', 'jdk.ExecutionSample', sys.argv[1]], capture_output=True, text=True).stdout
ev = json.loads(out)['recording']['events']
inc = collections.Counter()
for e in ev:
    frames = e['values']['stackTrace']['frames'] if e['values'].get('stackTrace') else []
    seen = set()
    for f in frames:
        n = (f['method']['type']['name'] + '.' + f['method']['name']).replace('/', '.')
        if n.startswith(sys.argv[2]): seen.add(n)
    for n in seen: inc[n] += 1
print(len(ev), 'samples')
for n, c in inc.most_common(int(sys.argv[3]) if len(sys.argv) > 3 else 40):
    print(f'{c:6d} {100*c/len(ev):5.1f}%  {n}')
