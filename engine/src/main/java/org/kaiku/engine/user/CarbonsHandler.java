package org.kaiku.engine.user;

import java.util.Collection;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.protocol.ext.carbons.Carbons;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * Message Carbons (XEP-0280) for one account: which resources enabled them, and the copies of
 * received (section 7) and sent (section 8) messages for those resources.
 *
 * <p>What is written where: enabling or disabling is one journal event (so a node that takes the
 * account over keeps the choice); the iq result goes out after that write. Copies are never
 * written anywhere: they go to the sessions with the original, from memory, and a copy that
 * cannot be delivered is not retried (the resource it was meant for is gone). Cost: one event
 * per enable, once per login for a typical client; nothing per message.
 */
final class CarbonsHandler {
    private final Account account;

    CarbonsHandler(Account account) {
        this.account = account;
    }

    /** An iq set or get in the carbons namespace from the account's own resource. */
    void request(Outbox box, String resource, XmlElement iq) {
        Boolean enable = "set".equals(Stanzas.type(iq)) && !iq.elements().isEmpty() ? Carbons.toggle(iq.elements().get(0)) : null;
        if (enable == null) {
            account.errorToClient(box, resource, iq, StanzaError.Condition.BAD_REQUEST);
            return;
        }
        UserState.OnlineResource r = box.state().resources().get(resource);
        if (r == null) {
            return;
        }
        if (r.carbons() != enable) {
            // Section 10.1: enabling twice, or disabling twice, is no error, just nothing to write.
            box.emit(new UserEvent.CarbonsToggled(resource, enable));
        }
        box.toSession(r.session(), Stanzas.iqResult(iq.withAttr("to", account.bare()), null));
    }

    /**
     * Section 7: after a message to the account went to {@code deliveredTo}, a received copy to
     * each other carbons-enabled resource.
     */
    void received(Outbox box, XmlElement message, Collection<ActorRef<SessionMessage>> deliveredTo) {
        if (!anyEnabled(box.state()) || !Carbons.eligible(message, true)) {
            return;
        }
        for (Map.Entry<String, UserState.OnlineResource> e : box.state().resources().entrySet()) {
            UserState.OnlineResource r = e.getValue();
            if (r.carbons() && !deliveredTo.contains(r.session())) {
                box.toSession(r.session(), Carbons.copy(Carbons.Direction.RECEIVED, account.bare(), account.full(e.getKey()), message));
            }
        }
    }

    /**
     * Section 8: a message one resource sent ('from' its full JID), copied to the account's other
     * carbons-enabled resources. A message to the account itself gets received copies instead,
     * when it is delivered.
     */
    void sent(Outbox box, XmlElement message) {
        Jid from = Jid.tryParse(Stanzas.from(message)).orElse(null);
        Jid to = Jid.tryParse(Stanzas.to(message)).orElse(null);
        if (from == null || from.resource() == null || account.isSelf(to) || !anyEnabled(box.state())
                || !box.state().resources().containsKey(from.resource()) || !Carbons.eligible(message, false)) {
            return;
        }
        String resource = from.resource();
        for (Map.Entry<String, UserState.OnlineResource> e : box.state().resources().entrySet()) {
            if (e.getValue().carbons() && !e.getKey().equals(resource)) {
                box.toSession(e.getValue().session(),
                        Carbons.copy(Carbons.Direction.SENT, account.bare(), account.full(e.getKey()), message));
            }
        }
    }

    private static boolean anyEnabled(UserState state) {
        for (UserState.OnlineResource r : state.resources().values()) {
            if (r.carbons()) {
                return true;
            }
        }
        return false;
    }
}
