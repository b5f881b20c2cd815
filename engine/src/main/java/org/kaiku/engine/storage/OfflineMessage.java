package org.kaiku.engine.storage;

import java.time.Instant;
import java.util.Objects;

/**
 * One stored offline message (XEP-0160) as {@link OfflineStore#fetch} returns it.
 *
 * @param id         the store's identifier, opaque to the engine, ordered by the store
 * @param receivedAt when the server accepted it for storage (the XEP-0203 delay stamp)
 * @param stanza     the message as XML text
 */
public record OfflineMessage(String id, Instant receivedAt, String stanza) {
    public OfflineMessage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(stanza, "stanza");
    }
}
