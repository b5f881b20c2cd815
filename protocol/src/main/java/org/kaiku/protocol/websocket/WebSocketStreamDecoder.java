package org.kaiku.protocol.websocket;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.kaiku.protocol.stream.StreamError.Condition;
import org.kaiku.protocol.stream.XmlStreamException;
import org.kaiku.protocol.xml.DecoderLimits;
import org.kaiku.protocol.xml.StreamEvent;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.XmlStreamDecoder;

/**
 * Decodes the client side of one RFC 7395 stream into the same {@link StreamEvent}s a TCP stream
 * gives, so the c2s negotiation serves both: {@code <open/>} becomes a {@link StreamEvent.StreamOpen}
 * with the content namespace {@code jabber:client}, {@code <close/>} a
 * {@link StreamEvent.StreamClose}, any other element a {@link StreamEvent.StreamElement}.
 *
 * <p>Each WebSocket text message must be one complete XML element, parsed as a document of its
 * own (section 3.3.3). A message is fed in the chunks the WebSocket layer delivers and parsed as
 * they come, by an {@link XmlStreamDecoder} made for that message and primed with a stream root
 * that declares the {@code stream} prefix and {@code jabber:client} as default namespace; at the
 * message's end the root is closed, which makes an unfinished element a well-formedness error.
 * So every limit of {@link DecoderLimits} and every restriction of RFC 6120 section 11 (no DTD,
 * comment, processing instruction or XML declaration, UTF-8 only) applies per message exactly as
 * on TCP, and an oversized message fails as soon as the limit is crossed, not when it ends. The
 * cost is one aalto parser per message (a factory and a reader, a few kilobytes, garbage once the
 * message is decoded).
 *
 * <p>Failures, as {@link XmlStreamException}s naming the stream error to send:
 * <ul>
 *   <li>not well-formed XML, no element or more than one element in a message: not-well-formed;</li>
 *   <li>text outside the element: bad-format;</li>
 *   <li>a first element other than {@code <open/>} in the framing namespace: invalid-namespace
 *       (what the TCP decoder answers a root that is not a stream header);</li>
 *   <li>another element of the framing namespace, or {@code <open/>} again on an open stream:
 *       bad-format (a restart is a new decoder, see below);</li>
 *   <li>a limit crossed: policy-violation.</li>
 * </ul>
 * A stream restart (after SASL success, section 3.7) is a new decoder, which expects a new
 * {@code <open/>}. Not thread-safe: one connection, one decoder.
 *
 * <p>COMPAT(clients omitting xmlns): a stanza without a namespace declaration is read in
 * {@code jabber:client}, as it would be inside a TCP stream; section 3.3.3 asks clients to
 * declare it.
 */
public final class WebSocketStreamDecoder {
    private static final byte[] ROOT = ("<stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:client'>")
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ROOT_END = "</stream:stream>".getBytes(StandardCharsets.US_ASCII);

    private final DecoderLimits limits;
    /** The decoder of the message being received, or null between messages. */
    private XmlStreamDecoder message;
    private final List<StreamEvent> events = new ArrayList<>(3);
    private boolean opened;
    private boolean closed;
    private XmlStreamException failure;

    public WebSocketStreamDecoder(DecoderLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** The next chunk of the current text message (UTF-8). Nothing is reported before the message ends. */
    public void feed(byte[] buf, int off, int len) throws XmlStreamException {
        check();
        try {
            if (message == null) {
                message = new XmlStreamDecoder(limits);
                events.addAll(message.feed(ROOT));
            }
            events.addAll(message.feed(buf, off, len));
        } catch (XmlStreamException e) {
            throw failed(e);
        }
    }

    /** The current text message has ended: returns what it carried. */
    public StreamEvent endOfMessage() throws XmlStreamException {
        if (message == null) {
            feed(new byte[0], 0, 0);
        }
        try {
            events.addAll(message.feed(ROOT_END));
        } catch (XmlStreamException e) {
            throw failed(e);
        } finally {
            message = null;
        }
        // events: the primed root, what the message held, the root's end
        int count = events.size() - 2;
        StreamEvent inner = count == 1 ? events.get(1) : null;
        events.clear();
        if (!(inner instanceof StreamEvent.StreamElement el)) {
            throw failed(new XmlStreamException(Condition.NOT_WELL_FORMED,
                    "a WebSocket message must hold exactly one XML element, it held " + Math.max(count, 0)));
        }
        return translate(el.element());
    }

    /** Whether a {@code <close/>} has been received. */
    public boolean isClosed() {
        return closed;
    }

    private StreamEvent translate(XmlElement e) throws XmlStreamException {
        boolean framing = WebSocketFraming.NAMESPACE.equals(e.namespace());
        if (!opened) {
            if (!framing || !e.name().equals("open")) {
                throw failed(new XmlStreamException(Condition.INVALID_NAMESPACE,
                        "the stream must start with <open/> in " + WebSocketFraming.NAMESPACE));
            }
            opened = true;
            return new StreamEvent.StreamOpen("", "jabber:client", e.attributes());
        }
        if (!framing) {
            return new StreamEvent.StreamElement(e);
        }
        if (e.name().equals("close")) {
            closed = true;
            return new StreamEvent.StreamClose();
        }
        throw failed(new XmlStreamException(Condition.BAD_FORMAT, "unexpected <" + e.name() + "/> in the framing namespace"));
    }

    private void check() throws XmlStreamException {
        if (failure != null) {
            throw new XmlStreamException(failure.condition(), failure.getMessage(), failure);
        }
        if (closed) {
            throw failed(new XmlStreamException(Condition.NOT_WELL_FORMED, "data after <close/>"));
        }
    }

    private XmlStreamException failed(XmlStreamException e) {
        failure = e;
        message = null;
        events.clear();
        return e;
    }
}
