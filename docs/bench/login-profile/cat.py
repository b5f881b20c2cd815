#!/usr/bin/env python3
"""cat.py FILE.jfr: ExecutionSamples by category (first matching rule walking from the top frame down)."""
import json, subprocess, sys, collections
out = subprocess.run(['jfr', 'print', '--json', '--stack-depth', '64', '--events', 'jdk.ExecutionSample', sys.argv[1]], capture_output=True, text=True).stdout
ev = json.loads(out)['recording']['events']
rules = [  # (category, substring of "class.method"), checked frame by frame from the top
    ('TLS handshake (JSSE: EC, X25519, signature)', 'sun.security.ssl.'),
    ('TLS handshake (JSSE: EC, X25519, signature)', 'sun.security.util.math'),
    ('TLS handshake (JSSE: EC, X25519, signature)', 'sun.security.ec'),
    ('TLS record crypto (AES-GCM)', 'com.sun.crypto.provider'),
    ('TLS (Bouncy Castle)', 'org.bouncycastle'),
    ('SCRAM / SASL', 'org.kaiku.protocol.sasl'),
    ('SCRAM / SASL', 'javax.crypto.Mac'),
    ('XML decode/encode', 'org.kaiku.protocol.xml'),
    ('Cassandra driver', 'com.datastax'),
    ('Netty (driver I/O)', 'io.netty'),
    ('Pekko persistence (journal, recovery)', 'org.apache.pekko.persistence'),
    ('Pekko cluster sharding', 'org.apache.pekko.cluster.sharding'),
    ('Pekko distributed data', 'org.apache.pekko.cluster.ddata'),
    ('Pekko cluster', 'org.apache.pekko.cluster'),
    ('Pekko streams (TCP/TLS stages)', 'org.apache.pekko.stream'),
    ('Pekko remote/artery', 'org.apache.pekko.remote'),
    ('Kaiku engine', 'org.kaiku.engine'),
    ('Kaiku other', 'org.kaiku'),
    ('Jackson (serialization)', 'com.fasterxml'),
    ('Pekko actor/dispatch', 'org.apache.pekko'),
    ('Scala collections/futures', 'scala.'),
]
cats = collections.Counter(); tops = collections.Counter()
for e in ev:
    frames = e['values']['stackTrace']['frames'] if e['values'].get('stackTrace') else []
    names = [(f['method']['type']['name'] + '.' + f['method']['name']).replace('/', '.') for f in frames]
    c = 'other (JDK, GC-free frames)'
    done = False
    for n in names:
        for cat, s in rules:
            if s in n:
                c = cat; done = True; break
        if done: break
    cats[c] += 1
total = sum(cats.values())
print(f'{total} samples')
for c, n in cats.most_common():
    print(f'{n:6d} {100*n/total:5.1f}%  {c}')
print('-- inclusive (category anywhere in the stack)')
inc = collections.Counter()
for e in ev:
    frames = e['values']['stackTrace']['frames'] if e['values'].get('stackTrace') else []
    names = [(f['method']['type']['name'] + '.' + f['method']['name']).replace('/', '.') for f in frames]
    seen = set()
    for n in names:
        for cat, s in rules + [('Kaiku UserEntity', 'org.kaiku.engine.user'), ('Kaiku c2s', 'org.kaiku.engine.c2s'), ('Pekko ask/futures', 'scala.concurrent'), ('JDK CompletableFuture', 'java.util.concurrent.CompletableFuture')]:
            if s in n: seen.add(cat)
    for c in seen: inc[c] += 1
for c, n in inc.most_common():
    print(f'{n:6d} {100*n/total:5.1f}%  {c}')
