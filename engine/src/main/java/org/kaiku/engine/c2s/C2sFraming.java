package org.kaiku.engine.c2s;

import java.util.List;
import org.kaiku.engine.c2s.TlsFraming.Incoming;
import org.kaiku.protocol.stream.StreamError;
import org.kaiku.protocol.stream.StreamHeader;
import org.kaiku.protocol.stream.XmlStreamException;
import org.kaiku.protocol.websocket.WebSocketFraming;
import org.kaiku.protocol.websocket.WebSocketStreamDecoder;
import org.kaiku.protocol.xml.DecoderLimits;
import org.kaiku.protocol.xml.StreamEvent;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.XmlStreamDecoder;
import org.kaiku.protocol.xml.XmlWriter;

/**
 * How one client connection carries its XML stream; everything else about the session (the
 * negotiation of {@link C2sNegotiation}, the established stream, stream management) is the same
 * {@link C2sSession} for every transport.
 * <ul>
 *   <li>{@link #TCP}: RFC 6120 section 4, one XML document over the connection's bytes,
 *       STARTTLS or direct TLS in the same connection, whitespace keepalives;</li>
 *   <li>{@link #WEBSOCKET}: RFC 7395, one element per text message (see
 *       {@link WebSocketStreamDecoder}), TLS below the XMPP layer (WSS, or a TLS-terminating proxy
 *       in front of a loopback listener), so no STARTTLS (section 3.9: the server MUST NOT offer
 *       it) and the stream counts as encrypted; keepalives are WebSocket pings sent by the HTTP
 *       layer, since a whitespace message is not an element. No channel binding is offered: the
 *       session cannot see the TLS layer (pekko-http's JSSE, or a proxy's), and the one type it
 *       could vouch for on its own listener, tls-server-end-point, would break Smack 4.5's
 *       WebSocket transport, which takes a -PLUS offer but has no TLS session to bind.</li>
 * </ul>
 */
abstract sealed class C2sFraming {
    static final C2sFraming TCP = new Tcp();
    static final C2sFraming WEBSOCKET = new WebSocket();

    /** Decodes what the connection delivers into stream events; one per stream (a restart makes a new one). */
    interface Decoder {
        List<StreamEvent> decode(Incoming incoming) throws XmlStreamException;
    }

    abstract Decoder newDecoder(DecoderLimits limits);

    abstract String streamOpen(String from, String to, String id);

    abstract String streamClose();

    abstract String element(XmlElement element);

    abstract String streamError(StreamError error);

    abstract boolean whitespaceKeepalive();

    /** TLS runs below the XMPP stream, outside the session's sight: no STARTTLS, the stream counts as encrypted. */
    abstract boolean encryptedBelow();

    private static final class Tcp extends C2sFraming {
        @Override
        Decoder newDecoder(DecoderLimits limits) {
            XmlStreamDecoder d = new XmlStreamDecoder(limits);
            return in -> {
                if (in instanceof TlsFraming.Received r) {
                    byte[] arr = r.bytes().toArray();
                    return d.feed(arr, 0, arr.length);
                }
                return List.of();
            };
        }

        @Override
        String streamOpen(String from, String to, String id) {
            return StreamHeader.open(from, to, id, "jabber:client");
        }

        @Override
        String streamClose() {
            return StreamHeader.CLOSE;
        }

        @Override
        String element(XmlElement element) {
            return XmlWriter.write(element, "jabber:client");
        }

        @Override
        String streamError(StreamError error) {
            return error.toXml();
        }

        @Override
        boolean whitespaceKeepalive() {
            return true;
        }

        @Override
        boolean encryptedBelow() {
            return false;
        }
    }

    private static final class WebSocket extends C2sFraming {
        @Override
        Decoder newDecoder(DecoderLimits limits) {
            WebSocketStreamDecoder d = new WebSocketStreamDecoder(limits);
            return in -> {
                if (in instanceof TlsFraming.Received r) {
                    byte[] arr = r.bytes().toArray();
                    d.feed(arr, 0, arr.length);
                    return List.of();
                }
                if (in instanceof TlsFraming.MessageEnd end) {
                    if (!end.text()) {
                        // RFC 7395 section 3.2: XMPP data is sent in text messages only
                        throw new XmlStreamException(StreamError.Condition.BAD_FORMAT, "binary WebSocket message");
                    }
                    return List.of(d.endOfMessage());
                }
                return List.of();
            };
        }

        @Override
        String streamOpen(String from, String to, String id) {
            return WebSocketFraming.open(from, to, id, "en");
        }

        @Override
        String streamClose() {
            return WebSocketFraming.CLOSE;
        }

        @Override
        String element(XmlElement element) {
            return WebSocketFraming.element(element);
        }

        @Override
        String streamError(StreamError error) {
            return WebSocketFraming.error(error);
        }

        @Override
        boolean whitespaceKeepalive() {
            return false;
        }

        @Override
        boolean encryptedBelow() {
            return true;
        }
    }
}
