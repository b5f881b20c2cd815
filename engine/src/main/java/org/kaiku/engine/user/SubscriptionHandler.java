package org.kaiku.engine.user;

import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.StanzaError.Condition;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The presence subscription state machine of RFC 6121 section 3 and Appendix A, for both sides
 * an account plays: the user who sends subscribe/subscribed/unsubscribe/unsubscribed (the
 * "outbound" tables, A.2) and the contact who receives them (the "inbound" tables, A.3), plus
 * pre-approval (section 3.4). A state is the roster item's subscription and ask flag together
 * with the pending inbound request, if any. Subscription stanzas always leave stamped with the
 * account's bare JID (section 3.1.2). A stanza that changes nothing is not delivered to the
 * client, as the tables require.
 */
final class SubscriptionHandler {
    private final Account account;

    SubscriptionHandler(Account account) {
        this.account = account;
    }

    static boolean isSubscriptionType(String type) {
        return "subscribe".equals(type) || "subscribed".equals(type)
                || "unsubscribe".equals(type) || "unsubscribed".equals(type);
    }

    /** A subscription stanza sent by the account's own client from {@code resource}. */
    void outbound(Outbox box, String resource, XmlElement presence) {
        String to = presence.attr("to");
        Jid target = to == null ? null : Jid.tryParse(to).orElse(null);
        if (to == null) {
            account.errorToClient(box, resource, presence, Condition.BAD_REQUEST);
            return;
        }
        if (target == null) {
            account.errorToClient(box, resource, presence, Condition.JID_MALFORMED);
            return;
        }
        if (account.isSelf(target)) {
            // An account is implicitly subscribed to itself; a loop through its own roster helps no one.
            account.errorToClient(box, resource, presence, Condition.BAD_REQUEST);
            return;
        }
        String contact = target.bare().toString();
        XmlElement out = presence.withAttr("from", account.bare()).withAttr("to", contact);
        switch (presence.attr("type")) {
            case "subscribe" -> outSubscribe(box, contact, out);
            case "subscribed" -> outSubscribed(box, contact, out);
            case "unsubscribe" -> outUnsubscribe(box, contact, out);
            default -> outUnsubscribed(box, contact, out);
        }
    }

    /** Section 3.1.2 / A.2.1: the user asks for the contact's presence. */
    private void outSubscribe(Outbox box, String contact, XmlElement out) {
        RosterItem item = box.state().item(contact);
        RosterItem base = item == null ? RosterItem.fresh(contact) : item;
        if (item == null || (!base.subscription().userSeesContact() && !base.askSubscribe())) {
            save(box, base.withAsk(true));
        }
        box.route(out);
    }

    /** Section 3.1.5 / A.2.2: the user approves a request, or pre-approves one (3.4). */
    private void outSubscribed(Outbox box, String contact, XmlElement out) {
        RosterItem item = box.state().item(contact);
        RosterItem base = item == null ? RosterItem.fresh(contact) : item;
        if (base.subscription().contactSeesUser()) {
            return;
        }
        if (box.state().pendingIn().containsKey(contact)) {
            box.emit(new UserEvent.SubscriptionRequestRemoved(contact));
            save(box, base.withSubscription(base.subscription().withFrom(true)).withApproved(false));
            box.route(out);
            sendCurrentPresence(box, contact);
        } else if (!base.approved()) {
            // Pre-approval: remembered, not routed (section 3.4.1).
            save(box, base.withApproved(true));
        }
    }

    /** Section 3.3.2 / A.2.3: the user stops receiving the contact's presence. */
    private void outUnsubscribe(Outbox box, String contact, XmlElement out) {
        RosterItem item = box.state().item(contact);
        if (item != null && (item.subscription().userSeesContact() || item.askSubscribe())) {
            save(box, item.withSubscription(item.subscription().withTo(false)).withAsk(false));
        }
        box.route(out);
    }

    /** Section 3.2.2 / A.2.4: the user refuses or revokes the contact's subscription, or a pre-approval. */
    private void outUnsubscribed(Outbox box, String contact, XmlElement out) {
        RosterItem item = box.state().item(contact);
        boolean route = false;
        if (box.state().pendingIn().containsKey(contact)) {
            box.emit(new UserEvent.SubscriptionRequestRemoved(contact));
            route = true;
        }
        if (item != null) {
            boolean hadFrom = item.subscription().contactSeesUser();
            RosterItem updated = item.withSubscription(item.subscription().withFrom(false)).withApproved(false);
            if (!updated.equals(item)) {
                save(box, updated);
            }
            if (hadFrom) {
                route = true;
                sendUnavailable(box, contact);
            }
        }
        if (route) {
            box.route(out);
        }
    }

    /**
     * Roster removal (RFC 6121 section 2.5.2): cancel both directions toward the contact before
     * the item goes. Called with the item still in the state.
     */
    void cancelAll(Outbox box, String contact, RosterItem item) {
        if (item.subscription().userSeesContact() || item.askSubscribe()) {
            box.route(Account.presence(account.bare(), contact, "unsubscribe"));
        }
        boolean pending = box.state().pendingIn().containsKey(contact);
        if (pending) {
            box.emit(new UserEvent.SubscriptionRequestRemoved(contact));
        }
        if (item.subscription().contactSeesUser() || pending) {
            if (item.subscription().contactSeesUser()) {
                sendUnavailable(box, contact);
            }
            box.route(Account.presence(account.bare(), contact, "unsubscribed"));
        }
    }

    /** A subscription stanza from another entity, 'from' already its bare JID. */
    void inbound(Outbox box, XmlElement presence, String contact) {
        XmlElement in = presence.withAttr("from", contact).withAttr("to", account.bare());
        switch (presence.attr("type")) {
            case "subscribe" -> inSubscribe(box, contact, in);
            case "subscribed" -> inSubscribed(box, contact, in);
            case "unsubscribe" -> inUnsubscribe(box, contact, in);
            default -> inUnsubscribed(box, contact, in);
        }
    }

    /** Section 3.1.3 / A.3.1: someone asks for this account's presence. */
    private void inSubscribe(Outbox box, String contact, XmlElement in) {
        RosterItem item = box.state().item(contact);
        if (item != null && item.subscription().contactSeesUser()) {
            box.route(Account.presence(account.bare(), contact, "subscribed"));
        } else if (item != null && item.approved()) {
            save(box, item.withSubscription(item.subscription().withFrom(true)).withApproved(false));
            box.route(Account.presence(account.bare(), contact, "subscribed"));
            sendCurrentPresence(box, contact);
        } else if (!box.state().pendingIn().containsKey(contact)) {
            box.emit(new UserEvent.SubscriptionRequestStored(contact, in.toXml()));
            account.deliverToAvailable(box, in);
        }
    }

    /** Section 3.1.6 / A.3.2: the contact approved this account's request. */
    private void inSubscribed(Outbox box, String contact, XmlElement in) {
        RosterItem item = box.state().item(contact);
        if (item != null && item.askSubscribe()) {
            save(box, item.withSubscription(item.subscription().withTo(true)).withAsk(false));
            account.deliverToAvailable(box, in);
        }
    }

    /** Section 3.3.3 / A.3.3: the contact no longer wants this account's presence. */
    private void inUnsubscribe(Outbox box, String contact, XmlElement in) {
        RosterItem item = box.state().item(contact);
        boolean deliver = false;
        if (box.state().pendingIn().containsKey(contact)) {
            box.emit(new UserEvent.SubscriptionRequestRemoved(contact));
            deliver = true;
        }
        if (item != null && item.subscription().contactSeesUser()) {
            save(box, item.withSubscription(item.subscription().withFrom(false)));
            sendUnavailable(box, contact);
            deliver = true;
        }
        if (deliver) {
            account.deliverToAvailable(box, in);
        }
    }

    /** Section 3.2.3 / A.3.4: the contact refused or revoked this account's subscription. */
    private void inUnsubscribed(Outbox box, String contact, XmlElement in) {
        RosterItem item = box.state().item(contact);
        if (item != null && (item.subscription().userSeesContact() || item.askSubscribe())) {
            save(box, item.withSubscription(item.subscription().withTo(false)).withAsk(false));
            account.deliverToAvailable(box, in);
        }
    }

    private void save(Outbox box, RosterItem item) {
        box.emit(new UserEvent.RosterItemSaved(item));
        account.pushRoster(box, item.toElement());
    }

    /** The last presence of every available resource, to a contact that just got a subscription. */
    private void sendCurrentPresence(Outbox box, String contact) {
        for (UserState.OnlineResource r : box.state().availableResources().values()) {
            XmlElement p = account.withPhotoHash(box.state(), XmlStrings.parse(r.presence()));
            if (p != null) {
                box.route(p.withAttr("to", contact));
            }
        }
    }

    /** Unavailable from every available resource, to a contact that just lost its subscription. */
    private void sendUnavailable(Outbox box, String contact) {
        box.state().availableResources().forEach((name, r) ->
                box.route(Account.presence(account.full(name), contact, "unavailable")));
    }
}
