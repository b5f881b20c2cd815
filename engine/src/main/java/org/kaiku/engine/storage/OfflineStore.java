package org.kaiku.engine.storage;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Offline message storage, XEP-0160: per account, a queue of messages that arrived while no
 * resource could take them, kept until the next available presence with non-negative priority
 * (section 3). The account entity is the only writer of its queue; it appends, fetches the oldest
 * first, and removes exactly the ids it delivered, never "everything up to", so a message stored
 * meanwhile cannot be removed unseen.
 *
 * <p>Order: ids are assigned when {@link #append} is called, not when its write completes, so
 * appends issued one after another by the entity come back from {@link #fetch} in that order
 * even when their writes finish out of order.
 *
 * <p>Accounts are bare JID strings ({@code user@domain}), already prepared; stanzas are the XML
 * text the entity wrote. persistence/ implements this on Cassandra; {@link InMemoryOfflineStore}
 * serves engine tests.
 */
public interface OfflineStore {

    /** What {@link #append} did. */
    enum Append {
        /** Written: the message is accepted and will be delivered or stay stored. */
        STORED,
        /** Not written: the account already holds {@code quota} messages (XEP-0160 section 3, step 3). */
        QUOTA_EXCEEDED
    }

    /**
     * Stores a message for an account unless it already holds {@code quota} of them. The quota
     * may be overshot by the appends still in flight at the same time (at most that many), since
     * implementations check before they write rather than take a lock.
     *
     * @param receivedAt the server's clock when the message was accepted for storage: the
     *                   XEP-0203 stamp of its delivery later
     * @param stanza     the message as XML text
     */
    CompletionStage<Append> append(String account, Instant receivedAt, String stanza, int quota);

    /**
     * The account's oldest stored messages, oldest first, at most {@code limit} of them; with
     * {@code after} (an id from an earlier fetch) only those stored after that one, so a reader
     * can page on without waiting for the removal of what it already read.
     */
    CompletionStage<List<OfflineMessage>> fetch(String account, String after, int limit);

    /** Removes these messages (ids from {@link #fetch}); ids no longer stored are ignored. */
    CompletionStage<Void> remove(String account, List<String> ids);

    /** Removes every message stored for the account (the account is being deleted). */
    CompletionStage<Void> purge(String account);
}
