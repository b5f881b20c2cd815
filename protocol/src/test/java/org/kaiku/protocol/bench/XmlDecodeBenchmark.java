package org.kaiku.protocol.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.kaiku.protocol.stream.XmlStreamException;
import org.kaiku.protocol.xml.StreamEvent;
import org.kaiku.protocol.xml.XmlStreamDecoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Inbound stanzas per second through {@link XmlStreamDecoder}, inside a stream opened once per
 * iteration (RFC 6120 section 4): one operation is one chat message, handed over in one chunk
 * or in 64-byte chunks, as a TCP read of a slow or busy link would deliver it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class XmlDecodeBenchmark {
    @Param({BenchStanzas.SMALL, BenchStanzas.LARGE})
    public String stanzaBytes;

    /** 0: the whole stanza in one feed; otherwise the size of each feed. */
    @Param({"0", "64"})
    public int chunkBytes;

    private byte[] stanza;
    private XmlStreamDecoder decoder;

    @Setup(Level.Trial)
    public void prepare() {
        stanza = BenchStanzas.message(stanzaBytes);
    }

    @Setup(Level.Iteration)
    public void openStream() throws XmlStreamException {
        decoder = BenchStanzas.openStream();
    }

    @Benchmark
    public void decode(Blackhole bh) throws XmlStreamException {
        if (chunkBytes == 0) {
            bh.consume(decoder.feed(stanza, 0, stanza.length));
            return;
        }
        for (int off = 0; off < stanza.length; off += chunkBytes) {
            List<StreamEvent> events = decoder.feed(stanza, off, Math.min(chunkBytes, stanza.length - off));
            bh.consume(events);
        }
    }
}
