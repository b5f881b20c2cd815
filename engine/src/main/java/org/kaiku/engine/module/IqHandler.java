package org.kaiku.engine.module;

import java.util.concurrent.CompletionStage;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.xml.XmlElement;

/**
 * Answers one kind of iq get/set. The answer is the whole response iq (result or error), built
 * with {@link org.kaiku.protocol.stanza.Stanzas}; the engine routes it back to the requester.
 */
@FunctionalInterface
public interface IqHandler {
    CompletionStage<XmlElement> handle(Request request);

    /** The scope a handler answers in (RFC 6120 section 10.3 / 10.5.3). */
    enum Scope {
        /** iq addressed to the server's domain. */
        SERVER,
        /** iq from a user to their own account (no 'to', or their own bare JID), answered by the server. */
        ACCOUNT
    }

    /** One request: the whole iq, its first child (the payload), the stamped sender and the addressee. */
    record Request(XmlElement iq, XmlElement payload, Jid from, Jid to, Scope scope) {
    }

    /** How handlers are keyed in a registration. */
    record Key(Scope scope, String namespace, String type) {
    }
}
