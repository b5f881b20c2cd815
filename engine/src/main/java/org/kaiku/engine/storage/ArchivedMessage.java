package org.kaiku.engine.storage;

import java.time.Instant;
import java.util.Objects;

/**
 * One message in an account's archive (XEP-0313 section 3).
 *
 * @param id       its archive id, which also gives the time it was archived
 * @param with     the other party as the stanza named it: 'to' of an outgoing message, 'from' of
 *                 an incoming one (a full or bare JID string, prepared)
 * @param outgoing whether the account sent it
 * @param stanza   the message as XML text, as it was delivered (without our stanza-id)
 */
public record ArchivedMessage(ArchiveId id, String with, boolean outgoing, String stanza) {
    public ArchivedMessage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(with, "with");
        Objects.requireNonNull(stanza, "stanza");
    }

    public Instant stamp() {
        return id.instant();
    }
}
