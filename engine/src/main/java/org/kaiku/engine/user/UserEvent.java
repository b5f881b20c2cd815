package org.kaiku.engine.user;

import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.kaiku.engine.serialization.CborSerializable;
import org.kaiku.engine.session.SessionMessage;

/**
 * What the account entity writes to its journal. Only changes of roster, pending requests and
 * online resources are events; delivering a message never is, so online delivery never waits
 * for the disk. Stanzas are kept as XML text, never as {@code XmlElement}, so the stored form
 * does not depend on how elements are encoded in messages.
 */
public sealed interface UserEvent extends CborSerializable {

    /** A session bound this resource (RFC 6120 section 7), replacing any earlier holder. */
    record ResourceBound(String resource, ActorRef<SessionMessage> session) implements UserEvent {
    }

    /**
     * A new connection resumed the resource's stream (XEP-0198 section 5): same resource, same
     * presence and roster interest, another session actor.
     */
    record ResourceResumed(String resource, ActorRef<SessionMessage> session) implements UserEvent {
    }

    /** The resource's session ended (logout, closed connection, or the session actor died). */
    record ResourceUnbound(String resource) implements UserEvent {
    }

    /** The resource asked for the roster, so it now gets roster pushes (RFC 6121 section 2.1.6). */
    record RosterRequested(String resource) implements UserEvent {
    }

    /** Initial or updated available presence of a resource (RFC 6121 sections 4.2, 4.4). */
    record PresenceChanged(String resource, int priority, String presence) implements UserEvent {
    }

    /** The resource sent unavailable presence (section 4.5); directed-presence memory is cleared. */
    record PresenceWithdrawn(String resource) implements UserEvent {
    }

    /** The resource sent available directed presence to a JID outside its presence subscribers (4.6). */
    record DirectedPresenceAdded(String resource, String jid) implements UserEvent {
    }

    /** The resource sent directed unavailable presence to that JID. */
    record DirectedPresenceRemoved(String resource, String jid) implements UserEvent {
    }

    /** The resource enabled or disabled Message Carbons (XEP-0280 sections 4 and 5). */
    record CarbonsToggled(String resource, boolean enabled) implements UserEvent {
    }

    /** The resource fetched the blocklist, so it now gets block and unblock pushes (XEP-0191 section 3.2). */
    record BlocklistRequested(String resource) implements UserEvent {
    }

    /** These JIDs were added to the blocklist (XEP-0191 section 3.3). */
    record Blocked(List<String> jids) implements UserEvent {
        public Blocked {
            jids = List.copyOf(jids);
        }
    }

    /** These JIDs left the blocklist; none means all of them (XEP-0191 sections 3.4 and 3.5). */
    record Unblocked(List<String> jids) implements UserEvent {
        public Unblocked {
            jids = List.copyOf(jids);
        }
    }

    /**
     * The XEP-0153 hash of the photo in the account's stored vCard changed ("" for no photo).
     * Written only when it differs from the last one, so at most once per vCard set.
     */
    record PhotoHashChanged(String hash) implements UserEvent {
    }

    /**
     * The account's last resource logged out at {@code at} (epoch milliseconds), having said
     * {@code status} (or null) in its last unavailable presence: what XEP-0012 section 3 answers.
     * Persisted in the same write as the {@link ResourceUnbound} it follows.
     */
    record LoggedOut(long at, String status) implements UserEvent {
    }

    /** A roster item was created or changed, by the user (roster set) or by a subscription stanza. */
    record RosterItemSaved(RosterItem item) implements UserEvent {
    }

    /** A roster item was removed (RFC 6121 section 2.5). */
    record RosterItemRemoved(String jid) implements UserEvent {
    }

    /** An inbound subscription request awaits the user's answer (RFC 6121 section 3.1.3). */
    record SubscriptionRequestStored(String jid, String stanza) implements UserEvent {
    }

    /** The pending inbound request from this JID was answered or withdrawn. */
    record SubscriptionRequestRemoved(String jid) implements UserEvent {
    }

    /**
     * The account was deleted: the entity forgets its roster, pending requests, blocklist,
     * resources and profile. The roster version goes on counting, so that no roster a client
     * cached for the old account matches the new one's (RFC 6121 section 2.6).
     */
    record AccountErased(long atMillis) implements UserEvent {
    }
}
