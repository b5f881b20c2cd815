package org.kaiku.engine.session;

import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.kaiku.engine.serialization.CborSerializable;
import org.kaiku.protocol.stream.StreamError;
import org.kaiku.protocol.xml.XmlElement;

/**
 * What the account entity and the router send to one connected client session. Not sealed: the
 * session actor (c2s) has private messages of its own under this type, so that the ref the
 * entity watches is the session actor itself.
 */
public interface SessionMessage extends CborSerializable {

    /**
     * Write this stanza to the client as it is ({@code to} and {@code from} already set).
     *
     * @param seq the account entity's number for it in this session's unacknowledged queue
     *            (XEP-0198), 0 when the entity does not track it
     */
    record Deliver(XmlElement stanza, long seq) implements SessionMessage {
        public Deliver(XmlElement stanza) {
            this(stanza, 0);
        }
    }

    /**
     * The recipient's account entity answered a message this session routed with a receipt
     * (XEP-0198 'h' waits for it, see the c2s session's InboundLedger): {@code number} is the
     * session's own number for that inbound stanza.
     */
    record Durable(long number, Outcome outcome) implements SessionMessage {
        /** What became of the message. */
        public enum Outcome {
            /** Its durable write (archive or offline store) completed. */
            STORED,
            /**
             * Nothing was to be stored (blocked, bounced, archive preference says no, not a
             * stored kind): handled, and only in memory if it was delivered at all.
             */
            NOT_STORED,
            /** The entity answered the sender with an error itself (offline store refused it). */
            ANSWERED,
            /** The write failed: the session answers its client with a wait error. */
            FAILED
        }
    }

    /**
     * The account's blocklist (XEP-0191), sent at bind when it is not empty and after every
     * change: the session refuses stanzas to these JIDs itself, so its messages still go
     * straight to the router.
     */
    record Blocklist(Set<String> jids) implements SessionMessage {
        public Blocklist {
            jids = Set.copyOf(jids);
        }
    }

    /** Send this stream error and close the stream (e.g. CONFLICT when another session took the resource). */
    record Kick(StreamError.Condition condition, String text) implements SessionMessage {
    }

    /**
     * The entity's answer to a stream management enable: from here on every stanza it sends this
     * session carries a sequence number ({@code tracked}), or none does (the resource is gone).
     * Sent by the entity itself, so it arrives in order with the {@link Deliver}s around it.
     */
    record SmTracking(boolean tracked) implements SessionMessage {
    }

    /** One stanza a session holds until the client acknowledges it; {@code seq} as in {@link Deliver}. */
    record SmEntry(XmlElement stanza, long seq) implements CborSerializable {
    }

    /**
     * The entity's answer to a resumption request: the resource and session that hold the SM-ID,
     * or both null when the entity knows no such stream.
     */
    record SmResumeTarget(String resource, ActorRef<SessionMessage> session) implements SessionMessage {
    }

    /**
     * The entity moved the resource to the resuming session ({@code ok}), and these are the
     * stanzas it had sent the old session after what the old session handed over. Sent by the
     * entity itself, ahead of any later {@link Deliver}.
     */
    record SmSwapped(boolean ok, List<SmEntry> resend) implements SessionMessage {
        public SmSwapped {
            resend = resend == null ? List.of() : List.copyOf(resend);
        }
    }

    /** A resuming session asks the old one for its stream state (XEP-0198 section 5). */
    record SmHandOver(ActorRef<SmState> replyTo) implements SessionMessage {
    }

    /**
     * A session's stream management state, handed to the session that resumes it; {@code
     * resumable} false means it cannot be resumed (any more) and the rest is empty.
     *
     * @param handled      stanzas handled from the client ('h' the server reports)
     * @param sent         stanzas sent to the client
     * @param unacked      sent and not yet acknowledged, oldest first; the last one is number {@code sent}
     * @param lastEntitySeq the highest entity sequence number this session received
     * @param resumeSeconds the resumption time granted to the client
     */
    record SmState(boolean resumable, String fullJid, String smId, long handled, long sent, List<SmEntry> unacked,
                   long lastEntitySeq, long resumeSeconds) implements CborSerializable {
        public SmState {
            unacked = unacked == null ? List.of() : List.copyOf(unacked);
        }

        public static SmState refused() {
            return new SmState(false, null, null, 0, 0, List.of(), 0, 0);
        }
    }

    /** The entity gave the resource to the session that resumed this one: stop, without unbinding. */
    record SmRetire() implements SessionMessage {
    }
}
