package org.kaiku.engine.module;

import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
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

    /**
     * One request: the whole iq, its first child (the payload), the stamped sender and the
     * addressee. {@code push} sends a stanza to the requester ahead of the answer (XEP-0313
     * results precede the iq result): whatever a handler pushes before its stage completes is
     * written before the answer.
     */
    record Request(XmlElement iq, XmlElement payload, Jid from, Jid to, Scope scope, Consumer<XmlElement> push) {
        public Request {
            push = push == null ? stanza -> { } : push;
        }

        /** A request whose handler has nothing to push ahead of its answer. */
        public Request(XmlElement iq, XmlElement payload, Jid from, Jid to, Scope scope) {
            this(iq, payload, from, to, scope, null);
        }
    }

    /** How handlers are keyed in a registration. */
    record Key(Scope scope, String namespace, String type) {
    }
}
