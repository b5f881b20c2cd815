package org.kaiku.protocol.websocket;

import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.stream.StreamError;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.XmlWriter;

/**
 * What a server writes on an RFC 7395 connection, one WebSocket text message each: the
 * {@code <open/>} that answers the client's (section 3.4), every other first-level element as a
 * document of its own with all its namespaces declared (section 3.3.3: no stream root is in
 * scope, so {@code stream:features} and {@code stream:error} declare the {@code stream} prefix
 * and stanzas carry {@code xmlns='jabber:client'}), and the {@code <close/>} that ends the stream
 * (section 3.6).
 */
public final class WebSocketFraming {
    /** The framing namespace of {@code <open/>} and {@code <close/>} (RFC 7395 section 3.3.2). */
    public static final String NAMESPACE = "urn:ietf:params:xml:ns:xmpp-framing";
    /** The WebSocket subprotocol name (RFC 7395 section 3.1; the IANA registry of section 5). */
    public static final String SUBPROTOCOL = "xmpp";
    /**
     * The stream's closing element (RFC 7395 section 3.6). COMPAT(Strophe.js, under Converse.js):
     * Strophe recognizes the server's close by comparing the message with exactly this text
     * (double quotes, a space before "/>") and otherwise takes the WebSocket's closing for a
     * failed connection.
     */
    public static final String CLOSE = "<close xmlns=\"" + NAMESPACE + "\" />";

    private static final String STREAM_PREFIX_DECLARATION = " xmlns:stream=\"" + Namespaces.STREAMS + "\"";

    private WebSocketFraming() {
    }

    /**
     * The server's {@code <open/>} (RFC 7395 section 3.4): {@code from} the domain, a fresh
     * {@code id}, {@code version='1.0'}, {@code xml:lang}; null values are left out.
     */
    public static String open(String from, String to, String id, String lang) {
        XmlElement.Builder b = XmlElement.builder("open", NAMESPACE);
        if (from != null) {
            b.attr("from", from);
        }
        if (to != null) {
            b.attr("to", to);
        }
        if (id != null) {
            b.attr("id", id);
        }
        b.attr("version", "1.0");
        if (lang != null) {
            b.attr("xml:lang", lang);
        }
        return XmlWriter.write(b.build(), null);
    }

    /**
     * One first-level element as a standalone document. Elements the c2s code names
     * {@code stream:xxx} (written inside a TCP stream, where the root declares that prefix) get
     * the declaration here.
     */
    public static String element(XmlElement element) {
        String xml = XmlWriter.write(element, null);
        return element.name().startsWith("stream:") ? declareStreamPrefix(xml, element.name()) : xml;
    }

    /** A stream error as its own message (RFC 7395 section 3.5), the {@code stream} prefix declared. */
    public static String error(StreamError error) {
        return declareStreamPrefix(error.toXml(), "stream:error");
    }

    private static String declareStreamPrefix(String xml, String name) {
        int at = 1 + name.length();
        return xml.substring(0, at) + STREAM_PREFIX_DECLARATION + xml.substring(at);
    }
}
