package org.kaiku.protocol.xml;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.stream.StreamHeader;
import org.kaiku.protocol.stream.XmlStreamException;

/** Fixtures for extension codec tests: a stanza as the decoder delivers it from a client stream. */
public final class StanzaFixtures {
    private StanzaFixtures() {
    }

    /** Decodes one stanza written in a jabber:client stream, fed to the decoder one byte at a time. */
    public static XmlElement decodeByteByByte(String stanza) throws XmlStreamException {
        byte[] input = (StreamHeader.open(null, "example.com", null, Namespaces.CLIENT) + stanza).getBytes(StandardCharsets.UTF_8);
        XmlStreamDecoder decoder = new XmlStreamDecoder();
        List<StreamEvent> events = new ArrayList<>();
        for (byte b : input) {
            events.addAll(decoder.feed(new byte[] {b}));
        }
        return ((StreamEvent.StreamElement) events.get(1)).element();
    }
}
