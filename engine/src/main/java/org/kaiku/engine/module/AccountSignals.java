package org.kaiku.engine.module;

import java.util.Objects;
import java.util.function.BiConsumer;
import org.kaiku.protocol.jid.Jid;

/**
 * How a module tells an account's entity that a document it keeps for the account in the
 * {@link org.kaiku.engine.storage.AccountDataStore} changed, so the entity can refresh what it
 * derives from it (the XEP-0153 photo hash from the vCard). Fire and forget: the entity re-reads
 * the store, which stays the one source of truth, so a lost or late signal costs freshness only.
 *
 * <p>The registry is built before the account entities exist, so the engine {@link #bind binds}
 * the sink once they run; until then, and in module tests, signals go nowhere.
 */
public final class AccountSignals {
    private volatile BiConsumer<Jid, String> sink = (account, key) -> { };

    /** Where signals go from now on: the account's bare JID and the document's key. */
    public void bind(BiConsumer<Jid, String> sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /** The document under {@code key} of {@code account} was written or removed. */
    public void documentChanged(Jid account, String key) {
        sink.accept(account.bare(), key);
    }
}
