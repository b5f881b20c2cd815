import sys, collections, re
def load(f):
    d = collections.Counter()
    for l in open(f):
        c, t = l.split(); d[c] += int(t)
    return d
a, b, n = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
g = collections.Counter()
for c in b:
    x = b[c] - a.get(c, 0)
    k = 'JIT compiler' if 'Compiler' in c else 'GC' if re.match(r'(GC_|G1_)', c) else 'other'
    g[k] += x
print('kaiku threads (alive at both ends): ' + ', '.join(f'{k} {10*v/n:.2f} ms/login' for k, v in g.most_common()))
