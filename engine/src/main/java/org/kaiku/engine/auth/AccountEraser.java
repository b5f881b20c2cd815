package org.kaiku.engine.auth;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.xml.XmlElement;

/**
 * Forgets everything the server keeps for an account except its credentials: what its entity
 * holds (roster, subscriptions, blocklist), its offline messages, its archive and its stored
 * documents (vCard, private XML, archive preferences), after closing its sessions. The engine
 * implements it (org.kaiku.engine.XmppEngine); {@link AccountService#delete} calls it before it
 * deletes the credentials, so a failure leaves an account that can be deleted again.
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
}
