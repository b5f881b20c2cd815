package org.kaiku.engine.user;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.kaiku.engine.routing.StanzaRouter;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.protocol.ext.blocking.Blocking;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.stream.StreamError;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The result of handling one command: the events to journal and the stanzas to send once they
 * are written. Handlers read {@link #state()}, which already includes the events emitted so far,
 * so a roster push built after a change shows the changed item. Nothing leaves the entity
 * before the journal confirms the events (the persist-then-side-effect rule of event sourcing).
 */
final class Outbox {
    private final StanzaRouter router;
    private final UnackedQueues unacked;
    private UserState state;
    private final List<UserEvent> events = new ArrayList<>();
    private final List<Runnable> actions = new ArrayList<>();

    Outbox(UserState state, StanzaRouter router) {
        this(state, router, new UnackedQueues());
    }

    /** @param unacked where stanzas to sessions with stream management are kept until acknowledged */
    Outbox(UserState state, StanzaRouter router, UnackedQueues unacked) {
        this.state = state;
        this.router = router;
        this.unacked = unacked;
    }

    UserState state() {
        return state;
    }

    List<UserEvent> events() {
        return events;
    }

    void emit(UserEvent event) {
        events.add(event);
        state = state.apply(event);
    }

    /** Writes a stanza to one of the account's own sessions. */
    void toSession(ActorRef<SessionMessage> session, XmlElement stanza) {
        toSession(session, stanza, Set.of());
    }

    /**
     * Writes one stanza to several resources at once (a fan-out), so that each one's
     * unacknowledged queue knows the others have it too.
     */
    void toResources(Map<String, ActorRef<SessionMessage>> recipients, XmlElement stanza) {
        recipients.forEach((name, session) -> {
            Set<String> others = new java.util.HashSet<>(recipients.keySet());
            others.remove(name);
            toSession(session, stanza, others);
        });
    }

    private void toSession(ActorRef<SessionMessage> session, XmlElement stanza, Set<String> group) {
        actions.add(() -> session.tell(new SessionMessage.Deliver(stanza, unacked.track(session, stanza, group))));
    }

    /**
     * Hands a stanza to the router (another account, the server, or another domain). Presence to
     * a JID on the account's blocklist is dropped here, whatever produced it (broadcast, probe
     * answer, directed): XEP-0191 section 3.3 has the user look offline to it.
     */
    void route(XmlElement stanza) {
        if (!state.blocked().isEmpty() && "presence".equals(stanza.name())
                && Blocking.blocks(state.blocked(), Stanzas.to(stanza))) {
            return;
        }
        actions.add(() -> router.route(stanza));
    }

    void kick(ActorRef<SessionMessage> session, StreamError.Condition condition, String text) {
        actions.add(() -> session.tell(new SessionMessage.Kick(condition, text)));
    }

    /** Any other side effect to run after the events are written. */
    void later(Runnable action) {
        actions.add(action);
    }

    /** Runs the side effects, in the order they were added. */
    void flush() {
        for (Runnable a : actions) {
            a.run();
        }
    }
}
