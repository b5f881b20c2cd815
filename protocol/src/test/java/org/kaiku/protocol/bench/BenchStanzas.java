package org.kaiku.protocol.bench;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.kaiku.protocol.stream.XmlStreamException;
import org.kaiku.protocol.xml.StreamEvent;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.XmlStreamDecoder;

/**
 * The inputs the protocol benchmarks share: a client stream header and a chat message as a
 * current client sends it (body, chat state, receipt request, origin-id; XEP-0085, XEP-0184,
 * XEP-0359), once at 299 bytes and once padded to exactly 4 KiB with escaped and
 * non-ASCII text in the body.
 */
final class BenchStanzas {
    static final String HEADER = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
            + "xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0' xml:lang='en'>";

    private static final String HEAD = "<message from='juliet@capulet.example/balcony' to='romeo@montague.example'"
            + " type='chat' id='kq7Lm2x9'><body>";
    private static final String TAIL = "</body><active xmlns='http://jabber.org/protocol/chatstates'/>"
            + "<request xmlns='urn:xmpp:receipts'/>"
            + "<origin-id xmlns='urn:xmpp:sid:0' id='kq7Lm2x9'/></message>";
    private static final String SHORT_BODY = "Art thou not Romeo, and a Montague?";
    /** Filler for the large body: markup to escape, accents, a non-BMP emoji. */
    private static final String PARAGRAPH = "O Rom\u00e9o, Rom\u00e9o! wherefore art thou Romeo? "
            + "Deny thy father &amp; refuse thy name &lt;3 \uD83C\uDF39 ";

    /** Sizes the benchmarks take as a parameter. */
    static final String SMALL = "300";
    static final String LARGE = "4096";

    private BenchStanzas() {
    }

    /** The chat message in UTF-8: 299 bytes for "300", exactly 4096 for "4096". */
    static byte[] message(String size) {
        if (SMALL.equals(size)) {
            return utf8(HEAD + SHORT_BODY + TAIL);
        }
        if (!LARGE.equals(size)) {
            throw new IllegalArgumentException("unknown size " + size);
        }
        int target = Integer.parseInt(size);
        StringBuilder body = new StringBuilder();
        while (utf8(HEAD + body + PARAGRAPH + TAIL).length <= target) {
            body.append(PARAGRAPH);
        }
        while (utf8(HEAD + body + TAIL).length < target) {
            body.append('.');
        }
        byte[] out = utf8(HEAD + body + TAIL);
        if (out.length != target) {
            throw new IllegalStateException("large stanza is " + out.length + " bytes");
        }
        return out;
    }

    /** The message decoded as it arrives inside a jabber:client stream. */
    static XmlElement element(String size) {
        try {
            XmlStreamDecoder decoder = openStream();
            List<StreamEvent> events = decoder.feed(message(size));
            if (events.size() != 1 || !(events.get(0) instanceof StreamEvent.StreamElement e)) {
                throw new IllegalStateException("expected one stanza, got " + events);
            }
            return e.element();
        } catch (XmlStreamException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A decoder that has read the stream header and waits for stanzas. */
    static XmlStreamDecoder openStream() throws XmlStreamException {
        XmlStreamDecoder decoder = new XmlStreamDecoder();
        List<StreamEvent> events = decoder.feed(utf8(HEADER));
        if (events.size() != 1 || !(events.get(0) instanceof StreamEvent.StreamOpen)) {
            throw new IllegalStateException("stream did not open: " + events);
        }
        return decoder;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
