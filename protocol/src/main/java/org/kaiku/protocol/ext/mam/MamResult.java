package org.kaiku.protocol.ext.mam;

import java.util.Objects;
import java.util.Optional;
import org.kaiku.protocol.ext.forward.Forwarded;
import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.xml.XmlElement;

/**
 * One query result, XEP-0313 section 4.2: {@code <result xmlns='urn:xmpp:mam:2' queryid id>}
 * around the forwarded original (XEP-0297) with the delay stamp of when it was archived.
 *
 * @param queryId the query's 'queryid', or null when the query had none
 * @param id      the archive UID of the message
 * @param forwarded the archived message and its stamp
 */
public record MamResult(String queryId, String id, Forwarded forwarded) {
    public static final String ELEMENT = "result";

    public MamResult {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(forwarded, "forwarded");
    }

    public XmlElement toElement() {
        return XmlElement.builder(ELEMENT, Mam.NAMESPACE).attr("queryid", queryId).attr("id", id)
                .child(forwarded.toElement()).build();
    }

    /** The message that carries this result to {@code to} (section 4.2's example: no type). */
    public XmlElement toMessage(String messageId, String from, String to) {
        return XmlElement.builder("message", Namespaces.CLIENT).attr("id", messageId).attr("from", from).attr("to", to)
                .child(toElement()).build();
    }

    /** Reads a result element; empty when it is none, lacks an id or forwards nothing. */
    public static Optional<MamResult> fromElement(XmlElement e) {
        if (e == null || !e.is(ELEMENT, Mam.NAMESPACE) || e.attr("id") == null) {
            return Optional.empty();
        }
        return Forwarded.fromElement(e.child(Forwarded.ELEMENT, Forwarded.NAMESPACE))
                .map(f -> new MamResult(e.attr("queryid"), e.attr("id"), f));
    }
}
