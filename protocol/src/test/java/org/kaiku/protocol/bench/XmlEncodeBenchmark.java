package org.kaiku.protocol.bench;

import java.util.concurrent.TimeUnit;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.XmlWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Outbound stanzas per second through {@link XmlWriter}: the decoded chat message written back
 * inside a {@code jabber:client} stream (no redundant xmlns, escaped text, RFC 6120 section 11).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class XmlEncodeBenchmark {
    @Param({BenchStanzas.SMALL, BenchStanzas.LARGE})
    public String stanzaBytes;

    private XmlElement element;

    @Setup
    public void prepare() {
        element = BenchStanzas.element(stanzaBytes);
    }

    @Benchmark
    public String encode() {
        return XmlWriter.write(element, "jabber:client");
    }
}
