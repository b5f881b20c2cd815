package org.kaiku.protocol.stream;

import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.xml.XmlWriter;

/**
 * The opening and closing tags of an outbound XML stream (RFC 6120 sections 4.2, 4.4, 4.7).
 * The response stream header carries {@code from} (the server's domain), {@code id} (fresh per
 * stream, section 4.7.3), {@code version='1.0'} and {@code xml:lang}; {@code to} is echoed
 * when the initiating entity gave a {@code from}.
 */
public final class StreamHeader {
    /** The closing tag, also what ends a stream after a {@code <stream:error/>}. */
    public static final String CLOSE = "</stream:stream>";

    private StreamHeader() {
    }

    /**
     * The XML declaration and the opening {@code <stream:stream>} tag, {@code xml:lang='en'}.
     * Null attributes are omitted; a null default namespace means {@code jabber:client}.
     */
    public static String open(String from, String to, String id, String defaultNamespace) {
        return open(from, to, id, defaultNamespace, "en");
    }

    /** As {@link #open(String, String, String, String)} with the given {@code xml:lang} (null: omitted). */
    public static String open(String from, String to, String id, String defaultNamespace, String lang) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("<?xml version='1.0'?><stream:stream");
        attr(sb, "xmlns", defaultNamespace == null ? Namespaces.CLIENT : defaultNamespace);
        attr(sb, "xmlns:stream", Namespaces.STREAMS);
        attr(sb, "from", from);
        attr(sb, "to", to);
        attr(sb, "id", id);
        attr(sb, "version", "1.0");
        attr(sb, "xml:lang", lang);
        return sb.append('>').toString();
    }

    private static void attr(StringBuilder sb, String name, String value) {
        if (value != null) {
            sb.append(' ').append(name).append("='");
            XmlWriter.escapeAttr(value, sb);
            sb.append('\'');
        }
    }
}
