package org.kaiku.engine.user;

import java.util.Map;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.stanza.StanzaError.Condition;
import org.kaiku.protocol.xml.XmlElement;

/**
 * Presence exchange, RFC 6121 section 4: broadcast of initial, updated and unavailable presence
 * to the contacts with a from/both subscription and to the account's own available resources;
 * probes sent on initial presence to the to/both contacts and answered for from/both ones;
 * directed presence remembered so that going offline reaches everyone who saw the resource
 * online (4.6.3). Subscription stanzas are handed to {@link SubscriptionHandler}. Available
 * presence leaving the account carries the XEP-0153 photo hash ({@link Account#withPhotoHash}); the
 * status of unavailable presence is noted for XEP-0012 ({@link LastActivity}).
 */
final class PresenceHandler {
    private final Account account;
    private final SubscriptionHandler subscriptions;
    private final LastActivity last;

    PresenceHandler(Account account, SubscriptionHandler subscriptions, LastActivity last) {
        this.account = account;
        this.subscriptions = subscriptions;
        this.last = last;
    }

    /** A presence stanza from one of the account's own resources. */
    void fromClient(Outbox box, String resource, XmlElement presence) {
        UserState.OnlineResource r = box.state().resources().get(resource);
        if (r == null) {
            return;
        }
        String type = presence.attr("type");
        String to = presence.attr("to");
        if (SubscriptionHandler.isSubscriptionType(type)) {
            subscriptions.outbound(box, resource, presence);
        } else if (type != null && !"unavailable".equals(type) && !"probe".equals(type) && !"error".equals(type)) {
            account.errorToClient(box, resource, presence, Condition.BAD_REQUEST);
        } else if ("probe".equals(type)) {
            // Probes are the server's business (section 4.3); one from a client is ignored.
            return;
        } else if ("error".equals(type)) {
            if (to != null) {
                box.route(presence.withAttr("from", account.full(resource)));
            }
        } else if (to != null) {
            directed(box, resource, presence, type == null);
        } else if (type == null) {
            available(box, resource, r, presence);
        } else {
            last.unavailableSent(resource, presence);
            unavailable(box, resource, presence.withAttr("from", account.full(resource)), true);
        }
    }

    /** Initial presence (4.2.2) or an update (4.4.2). */
    private void available(Outbox box, String resource, UserState.OnlineResource before, XmlElement presence) {
        Integer priority = priority(presence);
        if (priority == null) {
            account.errorToClient(box, resource, presence, Condition.BAD_REQUEST);
            return;
        }
        XmlElement raw = presence.withAttr("from", account.full(resource));
        box.emit(new UserEvent.PresenceChanged(resource, priority, raw.toXml()));
        last.availableSent(resource);
        rebroadcast(box, account.withPhotoHash(box.state(), raw));
        if (before.available()) {
            return;
        }
        for (RosterItem item : box.state().roster().values()) {
            if (item.subscription().userSeesContact()) {
                box.route(Account.presence(account.bare(), item.jid(), "probe"));
            }
        }
        box.state().availableResources().forEach((name, other) -> {
            XmlElement p = name.equals(resource) ? null : account.withPhotoHash(box.state(), XmlStrings.parse(other.presence()));
            if (p != null) {
                box.toSession(before.session(), p.withAttr("to", account.full(resource)));
            }
        });
        for (String request : box.state().pendingIn().values()) {
            XmlElement p = XmlStrings.parse(request);
            if (p != null) {
                box.toSession(before.session(), p);
            }
        }
    }

    /** An available presence (already stamped) to the from/both contacts and the account's available resources. */
    void rebroadcast(Outbox box, XmlElement stamped) {
        broadcastToSubscribers(box, stamped);
        box.state().availableResources().forEach((name, r) ->
                box.toSession(r.session(), stamped.withAttr("to", account.full(name))));
    }

    /**
     * The resource goes offline (4.5.2): everyone who could see it gets {@code unavailable}, the
     * from/both contacts, the JIDs it sent directed presence to, and the account's other
     * available resources (and the resource itself when it is still connected).
     */
    void unavailable(Outbox box, String resource, XmlElement unavailable, boolean echo) {
        UserState.OnlineResource r = box.state().resources().get(resource);
        if (r == null || (!r.available() && r.directed().isEmpty())) {
            return;
        }
        XmlElement stamped = unavailable.withAttr("to", null);
        if (r.available()) {
            broadcastToSubscribers(box, stamped);
        }
        for (String jid : r.directed()) {
            box.route(stamped.withAttr("to", jid));
        }
        box.state().availableResources().forEach((name, other) -> {
            if (echo || !name.equals(resource)) {
                box.toSession(other.session(), stamped.withAttr("to", account.full(name)));
            }
        });
        box.emit(new UserEvent.PresenceWithdrawn(resource));
    }

    /** Directed presence (4.6.2): routed, and remembered when the target gets no broadcasts. */
    private void directed(Outbox box, String resource, XmlElement presence, boolean available) {
        Jid target = Jid.tryParse(presence.attr("to")).orElse(null);
        if (target == null) {
            account.errorToClient(box, resource, presence, Condition.JID_MALFORMED);
            return;
        }
        String to = target.toString();
        XmlElement stamped = presence.withAttr("from", account.full(resource)).withAttr("to", to);
        box.route(available ? account.withPhotoHash(box.state(), stamped) : stamped);
        UserState.OnlineResource r = box.state().resources().get(resource);
        boolean subscriber = box.state().subscription(target.bare().toString()).contactSeesUser();
        if (available && !subscriber && !r.directed().contains(to)) {
            box.emit(new UserEvent.DirectedPresenceAdded(resource, to));
        } else if (!available && r.directed().contains(to)) {
            box.emit(new UserEvent.DirectedPresenceRemoved(resource, to));
        }
    }

    /** Presence addressed to the account by someone else (4.3.2, 4.4.3, 4.5.3). */
    void inbound(Outbox box, XmlElement presence, Jid to) {
        String type = presence.attr("type");
        Jid from = Jid.tryParse(presence.attr("from")).orElse(null);
        if (from == null) {
            return;
        }
        if (SubscriptionHandler.isSubscriptionType(type)) {
            subscriptions.inbound(box, presence, from.bare().toString());
        } else if ("probe".equals(type)) {
            answerProbe(box, from);
        } else if (to.isBare()) {
            if (type == null || "unavailable".equals(type)) {
                account.deliverToAvailable(box, presence);
            }
        } else {
            UserState.OnlineResource r = box.state().resources().get(to.resource());
            if (r != null) {
                box.toSession(r.session(), presence);
            }
        }
    }

    /**
     * Section 4.3.2: a from/both contact (or the account itself) gets the last presence of each
     * available resource, or a bare unavailable when there is none; anyone else learns nothing
     * but an {@code unsubscribed}, so a stale 'to' subscription on its side gets corrected.
     */
    private void answerProbe(Outbox box, Jid prober) {
        String proberBare = prober.bare().toString();
        boolean allowed = account.isSelf(prober) || box.state().subscription(proberBare).contactSeesUser();
        String replyTo = prober.toString();
        if (!allowed) {
            box.route(Account.presence(account.bare(), proberBare, "unsubscribed"));
            return;
        }
        Map<String, UserState.OnlineResource> available = box.state().availableResources();
        if (available.isEmpty()) {
            box.route(Account.presence(account.bare(), replyTo, "unavailable"));
            return;
        }
        for (UserState.OnlineResource r : available.values()) {
            XmlElement p = account.withPhotoHash(box.state(), XmlStrings.parse(r.presence()));
            if (p != null) {
                box.route(p.withAttr("to", replyTo));
            }
        }
    }

    private void broadcastToSubscribers(Outbox box, XmlElement stamped) {
        for (RosterItem item : box.state().roster().values()) {
            if (item.subscription().contactSeesUser()) {
                box.route(stamped.withAttr("to", item.jid()));
            }
        }
    }

    /** The {@code <priority/>} value (RFC 6121 4.7.2.3), 0 when absent, null when invalid. */
    static Integer priority(XmlElement presence) {
        String text = presence.childText("priority", presence.namespace());
        if (text == null) {
            text = presence.childText("priority", Namespaces.CLIENT);
        }
        if (text == null) {
            return 0;
        }
        try {
            int p = Integer.parseInt(text.trim());
            return p < -128 || p > 127 ? null : p;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
