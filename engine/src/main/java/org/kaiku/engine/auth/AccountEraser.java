package org.kaiku.engine.auth;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stream.StreamError;
import org.kaiku.protocol.xml.XmlElement;

/**
 * Forgets everything the server keeps for an account except its credentials: what its entity
 * holds (roster, subscriptions, blocklist), its offline messages, its archive and its stored
 * documents (vCard, private XML, archive preferences), after closing its sessions. The engine
 * implements it (org.kaiku.engine.XmppEngine); {@link AccountService#delete} calls it before it
 * deletes the credentials, so a failure leaves an account that can be deleted again. The same
 * engine side also ends an account's sessions without erasing anything ({@link #endSessions}).
 */
@FunctionalInterface
public interface AccountEraser {
    /** For tools and tests that keep nothing but credentials. */
    AccountEraser CREDENTIALS_ONLY = (account, resource, notice) -> CompletableFuture.completedFuture(null);

    /**
     * @param account  the bare JID
     * @param resource the resource that asked (in-band removal), or null
     * @param notice   written to that resource just before its sessions close, or null
     */
    CompletionStage<Void> erase(Jid account, String resource, XmlElement notice);

    /**
     * Closes every session of the account with the stream error {@code condition} (XEP-0133
     * disable-user and end-user-session), its data kept. Tools and tests without account
     * entities have no sessions to end.
     */
    default CompletionStage<Void> endSessions(Jid account, StreamError.Condition condition, String text) {
        return CompletableFuture.completedFuture(null);
    }
}
