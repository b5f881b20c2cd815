package org.kaiku.engine.user;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.stanza.StanzaError.Condition;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * Roster management by the account's own client, RFC 6121 section 2: get (2.1.3), set (2.3) and
 * remove (2.5). Every change is pushed to each resource that requested the roster, each push with
 * its own id (2.1.6). Invalid sets get the section 2.3.3 errors and change nothing.
 *
 * <p>Versioning (section 2.6) is always on: a get whose 'ver' equals the current version is
 * answered with an empty result and the client keeps its cache; any other 'ver' (empty, stale,
 * unknown) gets the whole roster. Changes since a stale version are never sent as interim pushes
 * (the 2.6.3 alternative), since one counter cannot tell which items changed. Every full result
 * carries 'ver', also to a get without one: the RFC requires it only when the client sent 'ver',
 * and a client that does not version ignores the attribute, so one answer shape serves all.
 */
final class RosterHandler {
    /** Octets allowed in a handle or group name; longer ones are refused with not-acceptable. */
    static final int MAX_TEXT_OCTETS = 1023;
    /** Groups one item may be in. */
    static final int MAX_GROUPS = 64;
    /** Items one roster may hold; past it a new item is refused with resource-constraint. */
    static final int MAX_ITEMS = 2000;

    private final Account account;
    private final SubscriptionHandler subscriptions;

    RosterHandler(Account account, SubscriptionHandler subscriptions) {
        this.account = account;
        this.subscriptions = subscriptions;
    }

    /** An iq whose payload is {@code <query xmlns='jabber:iq:roster'/>}, from one of the account's resources. */
    void handle(Outbox box, String resource, XmlElement iq) {
        UserState.OnlineResource r = box.state().resources().get(resource);
        if (r == null) {
            return;
        }
        String type = Stanzas.type(iq);
        XmlElement query = iq.child("query", Namespaces.ROSTER);
        if ("result".equals(type) || "error".equals(type)) {
            return;
        }
        if (query == null || !("get".equals(type) || "set".equals(type))) {
            account.errorToClient(box, resource, iq, Condition.BAD_REQUEST);
        } else if ("get".equals(type)) {
            get(box, resource, r, iq, query);
        } else {
            set(box, resource, iq, query);
        }
    }

    private void get(Outbox box, String resource, UserState.OnlineResource r, XmlElement iq, XmlElement query) {
        if (!r.rosterRequested()) {
            box.emit(new UserEvent.RosterRequested(resource));
        }
        XmlElement from = iq.withAttr("from", account.full(resource));
        String ver = box.state().rosterVer();
        if (ver.equals(query.attr("ver"))) {
            // Section 2.6.3: the client's cached roster is current; no query element at all.
            box.toSession(r.session(), Stanzas.iqResult(from, null));
            return;
        }
        XmlElement.Builder q = XmlElement.builder("query", Namespaces.ROSTER).attr("ver", ver);
        box.state().roster().values().stream()
                .sorted((a, b) -> a.jid().compareTo(b.jid()))
                .forEach(i -> q.child(i.toElement()));
        box.toSession(r.session(), Stanzas.iqResult(from, q.build()));
    }

    private void set(Outbox box, String resource, XmlElement iq, XmlElement query) {
        List<XmlElement> items = query.elements();
        if (items.size() != 1 || !items.get(0).is("item", Namespaces.ROSTER)) {
            account.errorToClient(box, resource, iq, Condition.BAD_REQUEST);
            return;
        }
        XmlElement item = items.get(0);
        String jidAttr = item.attr("jid");
        if (jidAttr == null) {
            account.errorToClient(box, resource, iq, Condition.BAD_REQUEST);
            return;
        }
        Jid jid = Jid.tryParse(jidAttr).orElse(null);
        if (jid == null) {
            account.errorToClient(box, resource, iq, Condition.JID_MALFORMED);
            return;
        }
        String contact = jid.toString();
        if ("remove".equals(item.attr("subscription"))) {
            remove(box, resource, iq, contact);
            return;
        }
        String name = item.attr("name");
        if (name != null && name.isEmpty()) {
            name = null;
        }
        if (name != null && tooLong(name)) {
            account.errorToClient(box, resource, iq, Condition.NOT_ACCEPTABLE);
            return;
        }
        Set<String> groups = new LinkedHashSet<>();
        List<XmlElement> groupElements = item.elements("group", Namespaces.ROSTER);
        if (groupElements.size() > MAX_GROUPS) {
            account.errorToClient(box, resource, iq, Condition.NOT_ACCEPTABLE);
            return;
        }
        for (XmlElement g : groupElements) {
            String text = g.text();
            if (text.isEmpty() || tooLong(text)) {
                account.errorToClient(box, resource, iq, Condition.NOT_ACCEPTABLE);
                return;
            }
            if (!groups.add(text)) {
                account.errorToClient(box, resource, iq, Condition.BAD_REQUEST);
                return;
            }
        }
        RosterItem old = box.state().item(contact);
        if (old == null && box.state().roster().size() >= MAX_ITEMS) {
            account.errorToClient(box, resource, iq, Condition.RESOURCE_CONSTRAINT);
            return;
        }
        RosterItem updated = (old == null ? RosterItem.fresh(contact) : old).withUserFields(name, new ArrayList<>(groups));
        if (!updated.equals(old)) {
            box.emit(new UserEvent.RosterItemSaved(updated));
        }
        reply(box, resource, iq);
        account.pushRoster(box, updated.toElement());
    }

    /**
     * Section 2.5.2: the item goes, and the subscriptions it carried are cancelled toward the
     * contact (unsubscribe for to/pending-out, unsubscribed for from/pending-in).
     */
    private void remove(Outbox box, String resource, XmlElement iq, String contact) {
        RosterItem old = box.state().item(contact);
        if (old == null) {
            account.errorToClient(box, resource, iq, Condition.ITEM_NOT_FOUND);
            return;
        }
        subscriptions.cancelAll(box, contact, old);
        box.emit(new UserEvent.RosterItemRemoved(contact));
        reply(box, resource, iq);
        account.pushRoster(box, RosterItem.removedElement(contact));
    }

    private void reply(Outbox box, String resource, XmlElement iq) {
        UserState.OnlineResource r = box.state().resources().get(resource);
        if (r != null) {
            box.toSession(r.session(), Stanzas.iqResult(iq.withAttr("from", account.full(resource)), null));
        }
    }

    private static boolean tooLong(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length > MAX_TEXT_OCTETS;
    }
}
