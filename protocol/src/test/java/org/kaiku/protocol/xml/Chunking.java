package org.kaiku.protocol.xml;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.kaiku.protocol.stream.XmlStreamException;

/**
 * How a test hands bytes to a decoder: all at once, one byte per call, or in random slices.
 * Every decoder test runs under each of them and must see the same events.
 */
record Chunking(String label, int fixed, long seed) {

    static final String HEADER = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
            + "xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'>";

    static Chunking whole() {
        return new Chunking("whole", Integer.MAX_VALUE, 0);
    }

    static Chunking byteByByte() {
        return new Chunking("byte-by-byte", 1, 0);
    }

    static Chunking fixed(int size) {
        return new Chunking(size + "-byte chunks", size, 0);
    }

    static Chunking random(long seed) {
        return new Chunking("random chunks, seed " + seed, 0, seed);
    }

    /** The chunkings every decoder test is run under. */
    static Stream<Chunking> all() {
        return Stream.of(whole(), byteByByte(), random(1), random(2), random(3));
    }

    @Override
    public String toString() {
        return label;
    }

    /** What a decoder made of some input: the events before any failure, and the failure. */
    record Outcome(List<StreamEvent> events, XmlStreamException failure, long bytesFed) {
        List<XmlElement> elements() {
            List<XmlElement> out = new ArrayList<>();
            for (StreamEvent e : events) {
                if (e instanceof StreamEvent.StreamElement se) {
                    out.add(se.element());
                }
            }
            return out;
        }
    }

    Outcome run(String input) {
        return run(input.getBytes(StandardCharsets.UTF_8), DecoderLimits.DEFAULT);
    }

    Outcome run(byte[] input, DecoderLimits limits) {
        return run(new XmlStreamDecoder(limits), input);
    }

    /** Feeds {@code input} to {@code decoder}, stopping at the first failure. */
    Outcome run(XmlStreamDecoder decoder, byte[] input) {
        Random random = new Random(seed);
        List<StreamEvent> events = new ArrayList<>();
        int pos = 0;
        while (pos < input.length) {
            int n = fixed > 0 ? Math.min(fixed, input.length - pos) : Math.min(1 + random.nextInt(40), input.length - pos);
            try {
                events.addAll(decoder.feed(input, pos, n));
            } catch (XmlStreamException e) {
                return new Outcome(events, e, pos + n);
            }
            pos += n;
        }
        return new Outcome(events, null, pos);
    }
}
