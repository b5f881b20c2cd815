package org.kaiku.protocol.bench;

import java.util.concurrent.TimeUnit;
import org.kaiku.protocol.jid.Jid;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * {@link Jid#parse} per second: splitting plus RFC 7622 preparation of all three parts (PRECIS
 * UsernameCaseMapped, IDNA domain, OpaqueString resource), once for an ASCII address and once
 * for one whose every part needs mapping or normalization.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class JidBenchmark {
    /** Fields, not constants, so the JIT cannot fold the input. */
    public String ascii = "alice@example.com/phone";
    public String nonAscii = "\u00c4rger.\u03a3\u03af\u03c3\u03c5\u03c6\u03bf\u03c2@b\u00fccher.example/T\u00e9l\u00e9phone \u265a";

    @Benchmark
    public Jid parseAscii() {
        return Jid.parse(ascii);
    }

    @Benchmark
    public Jid parseNonAscii() {
        return Jid.parse(nonAscii);
    }
}
