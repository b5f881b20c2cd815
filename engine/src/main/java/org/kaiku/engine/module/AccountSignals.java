package org.kaiku.engine.module;

import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import org.kaiku.engine.auth.AccountEraser;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.xml.XmlElement;

/**
 * How a module tells an account's entity that a document it keeps for the account in the
 * {@link org.kaiku.engine.storage.AccountDataStore} changed, so the entity can refresh what it
 * derives from it (the XEP-0153 photo hash from the vCard). Fire and forget: the entity re-reads
 * the store, which stays the one source of truth, so a lost or late signal costs freshness only.
 *
 * <p>The registry is built before the account entities exist, so the engine {@link #bind binds}
 * the sink once they run; until then, and in module tests, signals go nowhere.
 */
public final class AccountSignals implements AccountEraser {
    private volatile BiConsumer<Jid, String> sink = (account, key) -> { };
    private volatile AccountEraser eraser = AccountEraser.CREDENTIALS_ONLY;

    /**
     * How accounts are erased from now on (see {@link AccountEraser}); the engine binds it with
     * the sink. Until then, in module tests, nothing but credentials exists to delete.
     */
    public void bindEraser(AccountEraser eraser) {
        this.eraser = Objects.requireNonNull(eraser, "eraser");
    }

    @Override
    public CompletionStage<Void> erase(Jid account, String resource, XmlElement notice) {
        return eraser.erase(account, resource, notice);
    }

    @Override
    public CompletionStage<Void> endSessions(Jid account, org.kaiku.protocol.stream.StreamError.Condition condition, String text) {
        return eraser.endSessions(account, condition, text);
    }

    private volatile java.util.function.Supplier<CompletionStage<java.util.Set<String>>> online =
            () -> java.util.concurrent.CompletableFuture.completedFuture(java.util.Set.of());
    private volatile java.util.function.Consumer<XmlElement> route = stanza -> { };

    /**
     * How {@link #online()} finds the accounts with a session anywhere in the cluster, and where
     * stanzas the server itself sends go (the router); the engine binds both. Until then, in
     * module tests, nobody is online and nothing is sent.
     */
    public void bindSessions(java.util.function.Supplier<CompletionStage<java.util.Set<String>>> online,
                             java.util.function.Consumer<XmlElement> route) {
        this.online = Objects.requireNonNull(online, "online");
        this.route = Objects.requireNonNull(route, "route");
    }

    /** Bare JIDs of the accounts with at least one session bound on some node of the cluster. */
    public CompletionStage<java.util.Set<String>> online() {
        return online.get();
    }

    /** Sends a stanza from the server (its 'from' is the server's domain). */
    public void send(XmlElement stanza) {
        route.accept(stanza);
    }

    /** Where signals go from now on: the account's bare JID and the document's key. */
    public void bind(BiConsumer<Jid, String> sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /** The document under {@code key} of {@code account} was written or removed. */
    public void documentChanged(Jid account, String key) {
        sink.accept(account.bare(), key);
    }
}
