package org.kaiku.engine.user;

import java.util.List;
import java.util.Locale;
import org.kaiku.engine.serialization.CborSerializable;
import org.kaiku.protocol.xml.XmlElement;

/**
 * One contact in an account's roster, RFC 6121 section 2.1.2: the contact's JID, an optional
 * handle and groups set by the user, and the subscription state that only the server changes
 * (section 3 and the state tables of Appendix A). {@code askSubscribe} is the "Pending Out" half
 * of a state; {@code approved} records a pre-approval (section 3.4). "Pending In" is kept apart,
 * in {@link UserState#pendingIn()}, because a request does not put the requester in the roster.
 */
public record RosterItem(String jid, String name, List<String> groups, Subscription subscription,
                         boolean askSubscribe, boolean approved) implements CborSerializable {

    /** The roster namespace, RFC 6121 section 2.1. */
    public static final String NAMESPACE = "jabber:iq:roster";

    /** Who receives whose presence (RFC 6121 section 2.1.2.5). */
    public enum Subscription {
        /** Neither side receives the other's presence. */
        NONE,
        /** The user receives the contact's presence. */
        TO,
        /** The contact receives the user's presence. */
        FROM,
        /** Both directions. */
        BOTH;

        public String attribute() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** True when the contact is subscribed to the user (from or both). */
        public boolean contactSeesUser() {
            return this == FROM || this == BOTH;
        }

        /** True when the user is subscribed to the contact (to or both). */
        public boolean userSeesContact() {
            return this == TO || this == BOTH;
        }

        /** Adds or removes the "contact receives the user's presence" direction. */
        public Subscription withFrom(boolean on) {
            return of(userSeesContact(), on);
        }

        /** Adds or removes the "user receives the contact's presence" direction. */
        public Subscription withTo(boolean on) {
            return of(on, contactSeesUser());
        }

        private static Subscription of(boolean to, boolean from) {
            return to ? (from ? BOTH : TO) : (from ? FROM : NONE);
        }
    }

    public RosterItem {
        groups = groups == null ? List.of() : List.copyOf(groups);
        subscription = subscription == null ? Subscription.NONE : subscription;
    }

    /** A new item with no subscription, as made by a roster set or a first subscription stanza. */
    public static RosterItem fresh(String jid) {
        return new RosterItem(jid, null, List.of(), Subscription.NONE, false, false);
    }

    public RosterItem withSubscription(Subscription s) {
        return new RosterItem(jid, name, groups, s, askSubscribe, approved);
    }

    public RosterItem withAsk(boolean ask) {
        return new RosterItem(jid, name, groups, subscription, ask, approved);
    }

    public RosterItem withApproved(boolean a) {
        return new RosterItem(jid, name, groups, subscription, askSubscribe, a);
    }

    /** The user's own fields (handle and groups) replaced; subscription state is kept. */
    public RosterItem withUserFields(String newName, List<String> newGroups) {
        return new RosterItem(jid, newName, newGroups, subscription, askSubscribe, approved);
    }

    /** The {@code <item/>} of a roster result or push (RFC 6121 sections 2.1.2 and 2.1.6). */
    public XmlElement toElement() {
        XmlElement.Builder b = XmlElement.builder("item", NAMESPACE)
                .attr("jid", jid)
                .attr("name", name)
                .attr("subscription", subscription.attribute());
        if (askSubscribe) {
            b.attr("ask", "subscribe");
        }
        if (approved) {
            b.attr("approved", "true");
        }
        for (String g : groups) {
            b.textChild("group", g);
        }
        return b.build();
    }

    /** The {@code <item subscription='remove'/>} pushed when the item is deleted (section 2.5.2). */
    public static XmlElement removedElement(String jid) {
        return XmlElement.builder("item", NAMESPACE).attr("jid", jid).attr("subscription", "remove").build();
    }
}
