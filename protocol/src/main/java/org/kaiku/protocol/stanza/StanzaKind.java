package org.kaiku.protocol.stanza;

import java.util.Locale;
import org.kaiku.protocol.xml.XmlElement;

/** The three kinds of stanza (RFC 6120 section 8.2). */
public enum StanzaKind {
    MESSAGE, PRESENCE, IQ;

    /** {@code message}, {@code presence} or {@code iq}. */
    public String elementName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The kind of a first-level stream element, or null when it is not a stanza (e.g. a SASL or
     * stream-management element). Stanzas are qualified by {@code jabber:client} or
     * {@code jabber:server}.
     */
    public static StanzaKind of(XmlElement element) {
        if (element == null || !Namespaces.isStanzaNamespace(element.namespace())) {
            return null;
        }
        return switch (element.name()) {
            case "message" -> MESSAGE;
            case "presence" -> PRESENCE;
            case "iq" -> IQ;
            default -> null;
        };
    }

    public static boolean isStanza(XmlElement element) {
        return of(element) != null;
    }
}
