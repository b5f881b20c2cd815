package org.kaiku.protocol.bosh;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.kaiku.protocol.component.ComponentProtocol;
import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.stream.StreamError.Condition;
import org.kaiku.protocol.stream.XmlStreamException;
import org.kaiku.protocol.xml.DecoderLimits;
import org.kaiku.protocol.xml.StreamEvent;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.XmlNode;
import org.kaiku.protocol.xml.XmlStreamDecoder;
import org.kaiku.protocol.xml.XmlWriter;

/**
 * One client request's {@code <body/>} (XEP-0124 section 4), parsed with the same decoder, limits
 * and restrictions as a TCP stream (RFC 6120 section 11: no DTD, comment or processing
 * instruction). The XML declaration a request may start with is allowed.
 *
 * @param attributes the body's attributes: unprefixed by name, {@code xml:lang}, and
 *                   {@code prefix:local} with its {@code xmlns:prefix} (read them with {@link #xbosh})
 * @param payloads   the first-level elements it carries, in order; COMPAT(clients omitting xmlns):
 *                   one left in the body's namespace is moved to {@code jabber:client} (XEP-0206
 *                   section 5 asks clients to qualify stanzas)
 */
public record BoshBody(Map<String, String> attributes, List<XmlElement> payloads) {
    public static final String NAMESPACE = "http://jabber.org/protocol/httpbind";
    /** XEP-0206's attributes (version, restart, restartlogic). */
    public static final String XBOSH = "urn:xmpp:xbosh";

    private static final byte[] STREAM = "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STREAM_END = "</stream:stream>".getBytes(StandardCharsets.US_ASCII);

    public BoshBody {
        attributes = Map.copyOf(attributes);
        payloads = List.copyOf(payloads);
    }

    /**
     * Parses a request. {@code limits} bound the whole body (its bytes count as one element's).
     * Anything but one {@code <body/>} in the httpbind namespace fails with bad-format.
     */
    public static BoshBody parse(byte[] request, DecoderLimits limits) throws XmlStreamException {
        XmlStreamDecoder d = new XmlStreamDecoder(limits);
        int start = skipDeclaration(request);
        List<StreamEvent> events = new ArrayList<>(d.feed(STREAM));
        events.addAll(d.feed(request, start, request.length - start));
        events.addAll(d.feed(STREAM_END));
        if (events.size() != 3 || !(events.get(1) instanceof StreamEvent.StreamElement el)
                || !el.element().name().equals("body") || !NAMESPACE.equals(el.element().namespace())) {
            throw new XmlStreamException(Condition.BAD_FORMAT, "a BOSH request is one <body/> in " + NAMESPACE);
        }
        List<XmlElement> payloads = new ArrayList<>();
        for (XmlNode n : el.element().children()) {
            if (n instanceof XmlElement e) {
                payloads.add(ComponentProtocol.moveNamespace(e, NAMESPACE, Namespaces.CLIENT));
            }
        }
        return new BoshBody(el.element().attributes(), payloads);
    }

    /** An XML declaration at the start is the document's own, not a processing instruction. */
    private static int skipDeclaration(byte[] request) {
        int i = 0;
        while (i < request.length && (request[i] == ' ' || request[i] == '\n' || request[i] == '\r' || request[i] == '\t')) {
            i++;
        }
        if (i + 5 < request.length && request[i] == '<' && request[i + 1] == '?' && request[i + 2] == 'x' && request[i + 3] == 'm'
                && request[i + 4] == 'l' && (request[i + 5] == ' ' || request[i + 5] == '\t')) {
            for (int j = i + 6; j + 1 < request.length; j++) {
                if (request[j] == '?' && request[j + 1] == '>') {
                    return j + 2;
                }
            }
        }
        return 0;
    }

    public String attr(String name) {
        return attributes.get(name);
    }

    /** An attribute in XEP-0206's {@code urn:xmpp:xbosh} namespace, whatever its prefix. */
    public String xbosh(String local) {
        for (Map.Entry<String, String> a : attributes.entrySet()) {
            String k = a.getKey();
            int colon = k.indexOf(':');
            if (colon > 0 && k.substring(colon + 1).equals(local) && XBOSH.equals(attributes.get("xmlns:" + k.substring(0, colon)))) {
                return a.getValue();
            }
        }
        return null;
    }

    /** The 'rid', when present and a non-negative integer below 2^53 (section 14.1). */
    public OptionalLong rid() {
        String rid = attributes.get("rid");
        if (rid == null || rid.isEmpty() || rid.length() > 16 || !rid.chars().allMatch(Character::isDigit)) {
            return OptionalLong.empty();
        }
        long v = Long.parseLong(rid);
        return v <= 9007199254740991L ? OptionalLong.of(v) : OptionalLong.empty();
    }

    public String sid() {
        return attributes.get("sid");
    }

    public boolean terminate() {
        return "terminate".equals(attributes.get("type"));
    }

    /**
     * A response body: {@code attributes} (values escaped, written in order) around
     * {@code payloads}, each already a standalone element with its namespaces declared.
     */
    public static String response(Map<String, String> attributes, List<String> payloads) {
        StringBuilder sb = new StringBuilder(256).append("<body xmlns='").append(NAMESPACE)
                .append("' xmlns:xmpp='").append(XBOSH).append("' xmlns:stream='").append(Namespaces.STREAMS).append('\'');
        for (Map.Entry<String, String> a : attributes.entrySet()) {
            sb.append(' ').append(a.getKey()).append("='");
            XmlWriter.escapeAttr(a.getValue(), sb);
            sb.append('\'');
        }
        if (payloads.isEmpty()) {
            return sb.append("/>").toString();
        }
        sb.append('>');
        payloads.forEach(sb::append);
        return sb.append("</body>").toString();
    }
}
