package org.kaiku.protocol.stanza;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.XmlNode;

/**
 * Helpers for the common stanza attributes (RFC 6120 section 8.1) and the two standard answers:
 * an IQ result (section 8.2.3) and an error stanza (section 8.3.1).
 */
public final class Stanzas {
    private Stanzas() {
    }

    public static String to(XmlElement stanza) {
        return stanza.attr("to");
    }

    public static String from(XmlElement stanza) {
        return stanza.attr("from");
    }

    public static String id(XmlElement stanza) {
        return stanza.attr("id");
    }

    public static String type(XmlElement stanza) {
        return stanza.attr("type");
    }

    /** Whether the stanza is itself an error, which must never be answered with one (RFC 6120 section 8.3.1). */
    public static boolean isError(XmlElement stanza) {
        return "error".equals(type(stanza));
    }

    /**
     * The error reply to {@code stanza} (RFC 6120 section 8.3.1): same element and namespace,
     * {@code to} and {@code from} swapped, {@code type='error'}, the same {@code id} and other
     * attributes, the original payload followed by the error element. Callers check
     * {@link #isError} first: an error is never answered with an error.
     */
    public static XmlElement errorReply(XmlElement stanza, StanzaError error) {
        Map<String, String> attributes = swapped(stanza);
        attributes.put("type", "error");
        XmlElement reply = new XmlElement(stanza.name(), stanza.namespace(), attributes, stanza.children());
        return reply.withChild(error.toElement(stanza.namespace()));
    }

    /**
     * The error reply with an application-specific condition (RFC 6120 section 8.3.4) added to
     * its {@code <error/>}, the last child of {@code errorReply}.
     */
    public static XmlElement withApplicationCondition(XmlElement errorReply, XmlElement condition) {
        List<XmlNode> children = new java.util.ArrayList<>(errorReply.children());
        XmlElement error = (XmlElement) children.remove(children.size() - 1);
        children.add(error.withChild(condition));
        return errorReply.withChildren(children);
    }

    /**
     * {@code <iq type='result'/>} answering {@code iq} (RFC 6120 section 8.2.3): same {@code id},
     * addressed back to its sender, with the payload if one is given.
     */
    public static XmlElement iqResult(XmlElement iq, XmlElement payloadOrNull) {
        Map<String, String> attributes = new LinkedHashMap<>();
        putIfPresent(attributes, "from", to(iq));
        putIfPresent(attributes, "to", from(iq));
        putIfPresent(attributes, "id", id(iq));
        attributes.put("type", "result");
        List<XmlNode> children = payloadOrNull == null ? List.of() : List.of(payloadOrNull);
        return new XmlElement("iq", iq.namespace(), attributes, children);
    }

    /** Attributes with {@code to} and {@code from} exchanged, absent ones staying absent. */
    private static Map<String, String> swapped(XmlElement stanza) {
        Map<String, String> attributes = new LinkedHashMap<>(stanza.attributes());
        String to = attributes.remove("to");
        String from = attributes.remove("from");
        Map<String, String> out = new LinkedHashMap<>();
        putIfPresent(out, "from", to);
        putIfPresent(out, "to", from);
        out.putAll(attributes);
        return out;
    }

    private static void putIfPresent(Map<String, String> map, String key, String value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
