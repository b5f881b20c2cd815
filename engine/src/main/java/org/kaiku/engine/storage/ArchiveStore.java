package org.kaiku.engine.storage;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.kaiku.protocol.jid.Jid;

/**
 * Message archives of accounts, XEP-0313: every archived message of an account, in id order
 * (ids are time-ordered, see {@link ArchiveId}), readable by range in both directions, optionally
 * restricted to one conversation partner.
 *
 * <p>The caller assigns ids (the archiver makes them when it accepts a message, before the write
 * completes, so the delivered copy can carry the id). Ids are unique per account; writing the same
 * id twice writes the same row, so a retried append is harmless. Retention (if configured) is the
 * store's business: messages older than it disappear from every query, oldest first, never from
 * the middle (XEP-0313 section 3.2).
 *
 * <p>Accounts are prepared bare JID strings. persistence/ implements this on Cassandra;
 * {@link InMemoryArchiveStore} serves engine tests.
 */
public interface ArchiveStore {

    /** Adds a message to an account's archive. */
    CompletionStage<Void> append(String account, ArchivedMessage message);

    /** The message with this id, or empty. */
    CompletionStage<Optional<ArchivedMessage>> get(String account, ArchiveId id);

    /** One page of a query. */
    CompletionStage<Page> query(String account, Query query);

    /** Removes the account's whole archive, every conversation and month (the account is being deleted). */
    CompletionStage<Void> purge(String account);

    /**
     * A range query.
     *
     * @param with    only messages with this partner: a bare JID matches every resource of it, a
     *                full JID only that one (XEP-0313 section 4.1.1); null for all
     * @param from    the lowest id included
     * @param to      the highest id included
     * @param limit   the most messages to return (0 allowed: then only {@code complete} is answered)
     * @param fromEnd take the page at the high end of the range (RSM 'before', XEP-0059 section 2.3),
     *                else at the low end
     */
    record Query(Jid with, ArchiveId from, ArchiveId to, int limit, boolean fromEnd) {
        public Query {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            if (limit < 0) {
                throw new IllegalArgumentException("limit must not be negative");
            }
        }
    }

    /**
     * A page, oldest first whatever the direction it was taken in.
     *
     * @param messages the page
     * @param complete true when the range holds no further match beyond the page in the direction
     *                 it was taken (XEP-0313 section 4.3.2's 'complete')
     */
    record Page(List<ArchivedMessage> messages, boolean complete) {
        public Page {
            messages = List.copyOf(messages);
        }
    }

    /** Whether a stored message matches a query's 'with' (null matches all). */
    static boolean matches(Jid with, String messageWith) {
        if (with == null) {
            return true;
        }
        Jid other = Jid.tryParse(messageWith).orElse(null);
        if (other == null) {
            return false;
        }
        return with.isBare() ? with.equals(other.bare()) : with.equals(other);
    }
}
