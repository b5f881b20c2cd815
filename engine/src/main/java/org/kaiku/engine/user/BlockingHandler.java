package org.kaiku.engine.user;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.protocol.ext.blocking.Blocking;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.StanzaRequestException;
import org.kaiku.protocol.stanza.StanzaKind;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The blocking command (XEP-0191) for one account: the list itself, kept in the journal so it
 * holds across sessions and nodes, and the stanzas it stops on the way in. Blocking is "polite"
 * (section 4): subscriptions stay as they are, and the blocked JID merely sees the user go
 * offline.
 *
 * <p>Where each rule is enforced: inbound stanzas from a blocked JID are stopped here, before
 * delivery; presence the account sends to a blocked JID (broadcasts, probes, answers) is
 * dropped by the {@link Outbox}; messages, iqs and directed presence a client addresses to a
 * blocked JID are refused by its session, which holds a copy of the list, so that online
 * delivery keeps going straight to the router.
 *
 * <p>What is written where: a block or unblock is one journal event, and the iq result, the
 * pushes and the presence changes go out after the write; fetching the list is one event the
 * first time per resource (so a node that takes the account over keeps pushing to it). Nothing
 * per message.
 */
final class BlockingHandler {
    private final Account account;

    BlockingHandler(Account account) {
        this.account = account;
    }

    /** An iq in the blocking namespace from the account's own resource. */
    void request(Outbox box, String resource, XmlElement iq) {
        UserState.OnlineResource r = box.state().resources().get(resource);
        XmlElement payload = iq.elements().isEmpty() ? null : iq.elements().get(0);
        if (r == null || payload == null) {
            return;
        }
        XmlElement request = iq.withAttr("to", account.bare());
        String type = Stanzas.type(iq);
        if ("get".equals(type) && payload.is("blocklist", Blocking.NAMESPACE)) {
            if (!r.blocklistRequested()) {
                box.emit(new UserEvent.BlocklistRequested(resource));
            }
            box.toSession(r.session(), Stanzas.iqResult(request, Blocking.blocklist(box.state().blocked())));
            return;
        }
        if (!"set".equals(type)) {
            account.errorToClient(box, resource, iq, StanzaError.Condition.BAD_REQUEST);
            return;
        }
        Blocking.Change change;
        try {
            change = Blocking.readChange(payload);
        } catch (StanzaRequestException e) {
            account.errorToClient(box, resource, iq, e.condition());
            return;
        }
        if (change.block()) {
            block(box, change.jids());
        } else {
            unblock(box, change.jids());
        }
        box.toSession(r.session(), Stanzas.iqResult(request, null));
        push(box, change);
    }

    /**
     * Section 3.3: before the list grows, every newly blocked JID that receives the user's
     * presence gets unavailable from each available resource; after it, the Outbox drops any
     * further presence to it.
     */
    private void block(Outbox box, List<String> jids) {
        Set<String> before = box.state().blocked();
        List<String> added = new ArrayList<>();
        for (String jid : jids) {
            if (!before.contains(jid)) {
                added.add(jid);
            }
        }
        if (added.isEmpty()) {
            return;
        }
        for (String contact : presenceWatchers(box.state())) {
            if (Blocking.blocks(added, contact) && !Blocking.blocks(before, contact)) {
                for (String res : box.state().availableResources().keySet()) {
                    box.route(Account.presence(account.full(res), contact, "unavailable"));
                }
            }
        }
        box.emit(new UserEvent.Blocked(added));
    }

    /** Section 3.4/3.5: the JIDs leave the list, and those that see the user get its presence again. */
    private void unblock(Outbox box, List<String> jids) {
        Set<String> before = box.state().blocked();
        List<String> removed = jids.isEmpty() ? List.copyOf(before) : jids.stream().filter(before::contains).toList();
        if (removed.isEmpty()) {
            return;
        }
        box.emit(new UserEvent.Unblocked(jids.isEmpty() ? List.of() : removed));
        for (String contact : presenceWatchers(box.state())) {
            if (Blocking.blocks(removed, contact) && !Blocking.blocks(box.state().blocked(), contact)) {
                for (Map.Entry<String, UserState.OnlineResource> e : box.state().availableResources().entrySet()) {
                    XmlElement presence = account.withPhotoHash(box.state(), XmlStrings.parse(e.getValue().presence()));
                    box.route(presence.withAttr("from", account.full(e.getKey())).withAttr("to", contact));
                }
            }
        }
    }

    /** The pushes to every resource that fetched the list, then the new list to every session. */
    private void push(Outbox box, Blocking.Change change) {
        for (Map.Entry<String, UserState.OnlineResource> e : box.state().resources().entrySet()) {
            if (e.getValue().blocklistRequested()) {
                XmlElement push = XmlElement.builder("iq", org.kaiku.protocol.stanza.Namespaces.CLIENT)
                        .attr("to", account.full(e.getKey()))
                        .attr("id", "block-" + java.util.UUID.randomUUID())
                        .attr("type", "set")
                        .child(change.toElement())
                        .build();
                box.toSession(e.getValue().session(), push);
            }
        }
        SessionMessage.Blocklist list = new SessionMessage.Blocklist(box.state().blocked());
        for (UserState.OnlineResource r : box.state().resources().values()) {
            box.later(() -> r.session().tell(list));
        }
    }

    /**
     * Section 3.3 for a stanza addressed to the account: true when its sender is blocked, after
     * answering it as the XEP says (presence: silence; message and iq get/set:
     * service-unavailable, so the user looks offline; anything else dropped).
     */
    boolean stopped(Outbox box, XmlElement stanza) {
        Set<String> blocked = box.state().blocked();
        String from = Stanzas.from(stanza);
        if (blocked.isEmpty() || !Blocking.blocks(blocked, from)) {
            return false;
        }
        Jid sender = Jid.tryParse(from).orElse(null);
        if (account.isSelf(sender)) {
            return false; // section 5 note: never between the account's own resources
        }
        StanzaKind kind = StanzaKind.of(stanza);
        String type = Stanzas.type(stanza);
        if (kind == StanzaKind.MESSAGE || (kind == StanzaKind.IQ && ("get".equals(type) || "set".equals(type)))) {
            account.bounce(box, stanza, StanzaError.Condition.SERVICE_UNAVAILABLE);
        }
        return true;
    }

    /** Contacts that receive the user's presence: subscription from or both. */
    private static List<String> presenceWatchers(UserState state) {
        List<String> out = new ArrayList<>();
        for (RosterItem item : state.roster().values()) {
            if (item.subscription().contactSeesUser()) {
                out.add(item.jid());
            }
        }
        return out;
    }
}
