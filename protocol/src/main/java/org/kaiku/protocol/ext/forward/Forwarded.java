package org.kaiku.protocol.ext.forward;

import java.util.Objects;
import java.util.Optional;
import org.kaiku.protocol.ext.delay.Delay;
import org.kaiku.protocol.xml.XmlElement;

/**
 * A forwarded stanza, XEP-0297 section 3: the stanza as it was, with a delay element saying
 * when the forwarding entity received it (section 3.1 recommends it; XEP-0313 results carry it).
 *
 * @param delay   when the original was received, or null
 * @param stanza  the forwarded stanza, in its own namespace
 */
public record Forwarded(Delay delay, XmlElement stanza) {
    public static final String NAMESPACE = "urn:xmpp:forward:0";
    public static final String ELEMENT = "forwarded";

    public Forwarded {
        Objects.requireNonNull(stanza, "stanza");
    }

    public XmlElement toElement() {
        return XmlElement.builder(ELEMENT, NAMESPACE)
                .child(delay == null ? null : delay.toElement())
                .child(stanza)
                .build();
    }

    /** Reads a forwarded element; empty when it is none or carries no stanza. */
    public static Optional<Forwarded> fromElement(XmlElement e) {
        if (e == null || !e.is(ELEMENT, NAMESPACE)) {
            return Optional.empty();
        }
        XmlElement stanza = null;
        for (XmlElement c : e.elements()) {
            if (!c.is(Delay.ELEMENT, Delay.NAMESPACE)) {
                stanza = c;
                break;
            }
        }
        if (stanza == null) {
            return Optional.empty();
        }
        return Optional.of(new Forwarded(Delay.of(e).orElse(null), stanza));
    }
}
