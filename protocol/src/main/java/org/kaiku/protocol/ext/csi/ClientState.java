package org.kaiku.protocol.ext.csi;

import java.util.Optional;
import org.kaiku.protocol.xml.XmlElement;

/**
 * XEP-0352 Client State Indication, version 1.0.0: the stream feature a server offers once the
 * client is authenticated (section 4) and the two nonzas a client sends, {@code <active/>} and
 * {@code <inactive/>} in {@value #NAMESPACE}. They are nonzas: not stanzas, never answered and
 * never counted by XEP-0198.
 */
public final class ClientState {
    public static final String NAMESPACE = "urn:xmpp:csi:0";

    private ClientState() {
    }

    /** The stream feature {@code <csi xmlns='urn:xmpp:csi:0'/>}. */
    public static XmlElement feature() {
        return XmlElement.of("csi", NAMESPACE);
    }

    public static boolean is(XmlElement e) {
        return NAMESPACE.equals(e.namespace());
    }

    /**
     * The state a nonza indicates: true for {@code <active/>}, false for {@code <inactive/>},
     * empty for any other element (which a server treats as an unsupported stanza).
     */
    public static Optional<Boolean> parse(XmlElement e) {
        if (!is(e)) {
            return Optional.empty();
        }
        return switch (e.name()) {
            case "active" -> Optional.of(true);
            case "inactive" -> Optional.of(false);
            default -> Optional.empty();
        };
    }

    public static XmlElement active() {
        return XmlElement.of("active", NAMESPACE);
    }

    public static XmlElement inactive() {
        return XmlElement.of("inactive", NAMESPACE);
    }
}
