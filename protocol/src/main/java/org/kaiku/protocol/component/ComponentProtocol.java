package org.kaiku.protocol.component;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.XmlNode;

/**
 * The facts of XEP-0114 a server needs: the stream namespace, the handshake element and its
 * digest (section 3: lowercase hex SHA-1 of the stream id followed by the shared secret), and the
 * namespace change of stanzas crossing between a component stream and the server's
 * {@code jabber:client} view of them.
 */
public final class ComponentProtocol {
    public static final String NAMESPACE = "jabber:component:accept";
    public static final String HANDSHAKE = "handshake";

    private ComponentProtocol() {
    }

    /** The handshake value a component with {@code secret} sends on the stream {@code streamId}. */
    public static String digest(String streamId, String secret) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] hash = sha1.digest((streamId + secret).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every Java platform", e);
        }
    }

    /** Whether {@code sent} (hex, either case) is the right handshake, compared in constant time. */
    public static boolean verify(String streamId, String secret, String sent) {
        if (sent == null) {
            return false;
        }
        byte[] expected = digest(streamId, secret).getBytes(StandardCharsets.US_ASCII);
        byte[] got = sent.strip().toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, got);
    }

    /** The server's empty {@code <handshake/>}: the component is authenticated. */
    public static XmlElement accepted() {
        return XmlElement.of(HANDSHAKE, NAMESPACE);
    }

    /**
     * The element with every element of namespace {@code from}, at any depth, moved into
     * {@code to}; elements of other namespaces (payloads) and their subtrees keep theirs, apart
     * from descendants that are themselves in {@code from} (an error's text in a stanza
     * namespace stays; a forwarded stanza inside a payload moves too).
     */
    public static XmlElement moveNamespace(XmlElement element, String from, String to) {
        boolean changed = false;
        List<XmlNode> children = new ArrayList<>(element.children().size());
        for (XmlNode n : element.children()) {
            XmlNode moved = n instanceof XmlElement e ? moveNamespace(e, from, to) : n;
            changed |= moved != n;
            children.add(moved);
        }
        boolean mine = element.namespace().equals(from);
        if (!mine && !changed) {
            return element;
        }
        return new XmlElement(element.name(), mine ? to : element.namespace(), element.attributes(), children);
    }
}
