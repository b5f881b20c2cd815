package org.kaiku.engine.user;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The account's side of XEP-0198: for each session that enabled stream management, the stanzas
 * the entity sent it that its client has not yet acknowledged, each under a sequence number of
 * the entity's own (one counter per session, from 1). The session maps the client's 'h' onto
 * these numbers and reports the highest one acknowledged, once per {@code <a/>}, so the queue is
 * trimmed with one message per ack rather than one per stanza.
 *
 * <p>Why here and not in the connection: when a session ends without being resumed, what its
 * client never acknowledged must be handled as if sent to an unavailable resource (XEP-0198
 * section 4): re-delivered to another resource or stored offline. The entity is where that
 * decision is made, and it outlives the connection; a later step can resume a session on another
 * node from this queue.
 *
 * <p>Durability, honestly: this is memory of the entity incarnation, never journaled, because a
 * journal write per message would put a disk write on the online delivery path. If the node
 * hosting the account crashes (or the entity is moved and recovers elsewhere), the queues are
 * gone: stanzas the client had not acknowledged at that moment are lost, as they would be without
 * stream management. Bounded per session by the session itself (kaiku.c2s.stream-management.max-unacked).
 */
final class UnackedQueues {

    /**
     * One tracked stanza.
     *
     * @param at    when the entity sent it (the "original delivery" stamp of XEP-0198 section 4)
     * @param group the other resources the same stanza went to in the same fan-out (a message to
     *              the bare JID on a priority tie); if one of them is still online the account has it
     */
    record Tracked(long seq, XmlElement stanza, Instant at, Set<String> group) {
    }

    private static final class Queue {
        final String resource;
        final String smId;
        long nextSeq = 1;
        final ArrayDeque<Tracked> items = new ArrayDeque<>();

        Queue(String resource, String smId) {
            this.resource = resource;
            this.smId = smId;
        }
    }

    private final Map<ActorRef<SessionMessage>, Queue> bySession = new HashMap<>();

    /** Starts tracking what goes to {@code session}; {@code smId} null when it cannot be resumed. */
    void enable(String resource, ActorRef<SessionMessage> session, String smId) {
        bySession.putIfAbsent(session, new Queue(resource, smId));
    }

    boolean tracks(ActorRef<SessionMessage> session) {
        return bySession.containsKey(session);
    }

    /** Records a stanza sent to the session; its number, or 0 when the session is not tracked. */
    long track(ActorRef<SessionMessage> session, XmlElement stanza, Set<String> group) {
        Queue q = bySession.get(session);
        if (q == null) {
            return 0;
        }
        Tracked t = new Tracked(q.nextSeq++, stanza, Instant.now(), Set.copyOf(group));
        q.items.addLast(t);
        return t.seq();
    }

    /** The client acknowledged every stanza up to {@code seq}. */
    void acked(ActorRef<SessionMessage> session, long seq) {
        Queue q = bySession.get(session);
        if (q != null) {
            while (!q.items.isEmpty() && q.items.peekFirst().seq() <= seq) {
                q.items.pollFirst();
            }
        }
    }

    /** The session holding this SM-ID, or null. */
    ActorRef<SessionMessage> sessionOf(String smId) {
        if (smId == null) {
            return null;
        }
        for (Map.Entry<ActorRef<SessionMessage>, Queue> e : bySession.entrySet()) {
            if (smId.equals(e.getValue().smId)) {
                return e.getKey();
            }
        }
        return null;
    }

    /** The resource of a tracked session, or null. */
    String resourceOf(ActorRef<SessionMessage> session) {
        Queue q = bySession.get(session);
        return q == null ? null : q.resource;
    }

    /**
     * Moves the queue to the session that resumed the stream: trims what the client acknowledged
     * ({@code acked}) and returns what the old session never received (after {@code lastSeq}), in
     * order, for the new one to send.
     */
    List<Tracked> resume(ActorRef<SessionMessage> old, ActorRef<SessionMessage> now, long acked, long lastSeq) {
        Queue q = bySession.remove(old);
        if (q == null) {
            return List.of();
        }
        bySession.put(now, q);
        acked(now, acked);
        List<Tracked> out = new ArrayList<>();
        for (Tracked t : q.items) {
            if (t.seq() > lastSeq) {
                out.add(t);
            }
        }
        return out;
    }

    /** Stops tracking the session and returns what its client never acknowledged, oldest first. */
    List<Tracked> remove(ActorRef<SessionMessage> session) {
        Queue q = bySession.remove(session);
        return q == null ? List.of() : List.copyOf(q.items);
    }

    /** Stanzas held for the session (tests). */
    int size(ActorRef<SessionMessage> session) {
        Queue q = bySession.get(session);
        return q == null ? 0 : q.items.size();
    }
}
