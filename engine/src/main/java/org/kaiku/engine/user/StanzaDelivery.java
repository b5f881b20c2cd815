package org.kaiku.engine.user;

import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.stanza.StanzaError.Condition;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * Delivery of messages and IQs addressed to the account, RFC 6121 section 8.5. A message to the
 * bare JID goes to the available resources with the highest non-negative priority (all of them
 * on a tie) for normal and chat, to every non-negative one for headline; a message to a full JID
 * goes to that resource whatever its priority. When no resource can take a normal or chat
 * message (sections 8.5.2.2.1 and 8.5.3.2.1) it is offered to offline storage (XEP-0160, see
 * {@link OfflineDelivery}); a headline is then dropped, a groupchat answered with
 * service-unavailable. Normal and chat messages are then copied to the account's other
 * carbons-enabled resources (XEP-0280 section 7, {@link CarbonsHandler}). Nothing here writes to
 * the journal.
 */
final class StanzaDelivery {
    private final Account account;
    private final OfflineDelivery offline;
    private final CarbonsHandler carbons;
    private final AccountIqHandler onBehalf;

    StanzaDelivery(Account account, OfflineDelivery offline, CarbonsHandler carbons, AccountIqHandler onBehalf) {
        this.account = account;
        this.offline = offline;
        this.carbons = carbons;
        this.onBehalf = onBehalf;
    }

    /** Section 8.5.2 (bare JID) and 8.5.3 (full JID) for messages. */
    void message(Outbox box, XmlElement message, Jid to) {
        String type = messageType(message);
        if (!to.isBare()) {
            UserState.OnlineResource r = box.state().resources().get(to.resource());
            if (r != null) {
                box.toSession(r.session(), message);
                carbons.received(box, message, List.of(r.session()));
                return;
            }
            if ("groupchat".equals(type)) {
                account.bounce(box, message, Condition.SERVICE_UNAVAILABLE);
                return;
            }
        }
        switch (type) {
            case "error" -> {
                // 8.5.2.1.1: an error to the bare JID is silently dropped.
            }
            case "groupchat" -> account.bounce(box, message, Condition.SERVICE_UNAVAILABLE);
            case "headline" -> {
                for (UserState.OnlineResource r : box.state().availableResources().values()) {
                    if (r.priority() >= 0) {
                        box.toSession(r.session(), message);
                    }
                }
            }
            default -> {
                Map<String, ActorRef<SessionMessage>> best = highestPriorityByName(box.state());
                if (best.isEmpty()) {
                    offline.offer(box, message);
                } else {
                    box.toResources(best, message);
                }
                carbons.received(box, message, best.values());
            }
        }
    }

    /**
     * Section 8.5.2.1.3 / 8.5.3.1: an IQ to the bare JID is answered by the server on the
     * account's behalf ({@link AccountIqHandler}: vCard and last activity; other get/set get
     * service-unavailable, and a roster query from another entity gets forbidden); one to a full
     * JID goes to that resource, unless XEP-0012 section 4 has the server refuse it.
     */
    void iq(Outbox box, XmlElement iq, Jid to) {
        String type = Stanzas.type(iq);
        boolean request = "get".equals(type) || "set".equals(type);
        if (!request && !"result".equals(type) && !"error".equals(type)) {
            account.bounce(box, iq, Condition.BAD_REQUEST);
            return;
        }
        if (!to.isBare()) {
            UserState.OnlineResource r = box.state().resources().get(to.resource());
            if (r != null && request && onBehalf.refusedForResource(box, iq)) {
                return;
            }
            if (r != null) {
                box.toSession(r.session(), iq);
            } else if (request) {
                account.bounce(box, iq, Condition.SERVICE_UNAVAILABLE);
            }
            return;
        }
        if (!request || onBehalf.toBareJid(box, iq)) {
            return;
        }
        boolean roster = iq.child("query", Namespaces.ROSTER) != null;
        account.bounce(box, iq, roster ? Condition.FORBIDDEN : Condition.SERVICE_UNAVAILABLE);
    }

    /** Available resources sharing the highest non-negative priority: their sessions by resource name. */
    static Map<String, ActorRef<SessionMessage>> highestPriorityByName(UserState state) {
        int best = -1;
        Map<String, ActorRef<SessionMessage>> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, UserState.OnlineResource> e : state.availableResources().entrySet()) {
            int p = e.getValue().priority();
            if (p < 0 || p < best) {
                continue;
            }
            if (p > best) {
                best = p;
                out.clear();
            }
            out.put(e.getKey(), e.getValue().session());
        }
        return out;
    }

    /** The message type, {@code normal} when absent or unknown (RFC 6121 section 5.2.2). */
    static String messageType(XmlElement message) {
        String type = Stanzas.type(message);
        if (type == null) {
            return "normal";
        }
        return switch (type) {
            case "chat", "error", "groupchat", "headline", "normal" -> type;
            default -> "normal";
        };
    }
}
