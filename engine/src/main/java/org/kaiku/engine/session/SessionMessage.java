package org.kaiku.engine.session;

import java.util.Set;
import org.kaiku.engine.serialization.CborSerializable;
import org.kaiku.protocol.stream.StreamError;
import org.kaiku.protocol.xml.XmlElement;

/**
 * What the account entity and the router send to one connected client session. Not sealed: the
 * session actor (c2s) has private messages of its own under this type, so that the ref the
 * entity watches is the session actor itself.
 */
public interface SessionMessage extends CborSerializable {

    /** Write this stanza to the client as it is ({@code to} and {@code from} already set). */
    record Deliver(XmlElement stanza) implements SessionMessage {
    }

    /**
     * The account's blocklist (XEP-0191), sent at bind when it is not empty and after every
     * change: the session refuses stanzas to these JIDs itself, so its messages still go
     * straight to the router.
     */
    record Blocklist(Set<String> jids) implements SessionMessage {
        public Blocklist {
            jids = Set.copyOf(jids);
        }
    }

    /** Send this stream error and close the stream (e.g. CONFLICT when another session took the resource). */
    record Kick(StreamError.Condition condition, String text) implements SessionMessage {
    }
}
