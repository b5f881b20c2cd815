package org.kaiku.engine.storage;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.kaiku.protocol.stream.XmlStreamException;
import org.kaiku.protocol.xml.DecoderLimits;
import org.kaiku.protocol.xml.StreamEvent;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.XmlStreamDecoder;
import org.kaiku.protocol.xml.XmlWriter;

/**
 * The text form of an element kept in a store ({@link AccountDataStore}): written by
 * {@link XmlWriter} with the root's namespace declared, so the text stands on its own, and read
 * back by the same restricted decoder that reads client streams (RFC 6120 section 11: no DTD, no
 * entities, no comments), so a stored document can never be interpreted more loosely than the
 * stanza it came in.
 */
public final class XmlDocument {
    private static final String OPEN = "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>";
    private static final String CLOSE = "</stream:stream>";

    private XmlDocument() {
    }

    /** The element as standalone XML text, its namespace declared on the root. */
    public static String write(XmlElement element) {
        return XmlWriter.write(element, null);
    }

    /**
     * Reads text written by {@link #write} back into an element.
     *
     * @throws IllegalArgumentException when the text is not exactly one well-formed element
     */
    public static XmlElement read(String xml) {
        String wrapped = OPEN + xml + CLOSE;
        byte[] bytes = wrapped.getBytes(StandardCharsets.UTF_8);
        DecoderLimits limits = DecoderLimits.ofStanzaBytes(Math.max(bytes.length, DecoderLimits.DEFAULT.maxStanzaBytes()));
        XmlStreamDecoder decoder = new XmlStreamDecoder(limits);
        List<StreamEvent> events;
        try {
            events = decoder.feed(bytes);
        } catch (XmlStreamException e) {
            throw new IllegalArgumentException("not a stored XML document: " + e.getMessage(), e);
        }
        XmlElement found = null;
        for (StreamEvent event : events) {
            if (event instanceof StreamEvent.StreamElement element) {
                if (found != null) {
                    throw new IllegalArgumentException("more than one element in a stored XML document");
                }
                found = element.element();
            }
        }
        if (found == null || !decoder.isClosed()) {
            throw new IllegalArgumentException("not a stored XML document: no complete element");
        }
        return found;
    }
}
