package org.kaiku.protocol.ext.sid;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.XmlNode;

/**
 * A {@code <stanza-id xmlns='urn:xmpp:sid:0' id by/>}, XEP-0359 section 3: the id under which
 * the entity named by 'by' (for a user archive, the account's bare JID, XEP-0313 section 3.3)
 * stored the message.
 *
 * @param id the archive id, unique and stable within 'by'
 * @param by the address of the assigning entity
 */
public record StanzaId(String id, String by) {
    public static final String NAMESPACE = "urn:xmpp:sid:0";
    public static final String ELEMENT = "stanza-id";
    public static final String ORIGIN_ID = "origin-id";

    public StanzaId {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(by, "by");
    }

    public XmlElement toElement() {
        return XmlElement.builder(ELEMENT, NAMESPACE).attr("id", id).attr("by", by).build();
    }

    /** Reads one element; empty when it is not a stanza-id with both attributes (section 4). */
    public static Optional<StanzaId> fromElement(XmlElement e) {
        if (e == null || !e.is(ELEMENT, NAMESPACE) || e.attr("id") == null || e.attr("by") == null) {
            return Optional.empty();
        }
        return Optional.of(new StanzaId(e.attr("id"), e.attr("by")));
    }

    /** Every stanza-id among a stanza's direct children. */
    public static List<StanzaId> all(XmlElement stanza) {
        List<StanzaId> out = new ArrayList<>();
        for (XmlElement e : stanza.elements(ELEMENT, NAMESPACE)) {
            fromElement(e).ifPresent(out::add);
        }
        return out;
    }

    /**
     * The stanza without the stanza-id children whose 'by' is {@code by} (XEP-0359 section 5:
     * an entity that would set that 'by' MUST delete such elements, or a sender could forge an
     * archive id). Others' stanza-ids are left alone. Returns the same instance when none is there.
     */
    public static XmlElement stripSpoofed(XmlElement stanza, String by) {
        boolean found = false;
        List<XmlNode> kept = new ArrayList<>();
        for (XmlNode n : stanza.children()) {
            if (n instanceof XmlElement e && e.is(ELEMENT, NAMESPACE) && by.equals(e.attr("by"))) {
                found = true;
            } else {
                kept.add(n);
            }
        }
        return found ? stanza.withChildren(kept) : stanza;
    }

    /** The stanza with any stanza-id of the same 'by' removed and this one appended. */
    public XmlElement addTo(XmlElement stanza) {
        return stripSpoofed(stanza, by).withChild(toElement());
    }
}
