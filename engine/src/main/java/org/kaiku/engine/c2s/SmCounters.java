package org.kaiku.engine.c2s;

import java.util.ArrayDeque;
import java.util.List;
import org.kaiku.engine.session.SessionMessage.SmEntry;
import org.kaiku.engine.session.SessionMessage.SmState;
import org.kaiku.protocol.ext.sm.StreamManagement;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The two counters of one XEP-0198 stream (section 4) and the stanzas sent but not yet
 * acknowledged, which the session retransmits when the stream is resumed (section 5). Each
 * entry keeps the account entity's own number for the stanza (0 for what the session produced
 * itself, such as iq results), so an ack of 'h' maps onto the entity's queue in one step.
 * Counters wrap at 2^32 like the XEP's unsignedInt. Not thread-safe: the session actor owns it.
 */
final class SmCounters {
    /** Outcome of an ack: {@code tooHigh}, or the highest entity number it newly acknowledged (0: none). */
    record Ack(boolean tooHigh, long entitySeq) {
    }

    private final InboundLedger inbound;
    private long sent;
    private final ArrayDeque<SmEntry> unacked = new ArrayDeque<>();
    private long lastEntitySeq;

    SmCounters() {
        this.inbound = new InboundLedger(0);
    }

    /** Counters carried over from the stream being resumed. */
    SmCounters(SmState from) {
        this.inbound = new InboundLedger(from.handled());
        this.sent = from.sent();
        this.unacked.addAll(from.unacked());
        this.lastEntitySeq = from.lastEntitySeq();
    }

    /** A stanza from the client was handled. */
    void handledOne() {
        inbound.handledNow();
    }

    /** The client's stanzas: numbering, the durable writes awaited, the 'h' to report. */
    InboundLedger inbound() {
        return inbound;
    }

    /** The 'h' to report: only the gap-free prefix of handled stanzas (see {@link InboundLedger}). */
    long handled() {
        return inbound.handled();
    }

    long sent() {
        return sent;
    }

    int unackedCount() {
        return unacked.size();
    }

    List<SmEntry> unacked() {
        return List.copyOf(unacked);
    }

    long lastEntitySeq() {
        return lastEntitySeq;
    }

    /** A stanza went to the client (or would have, on a dropped connection). */
    void sent(XmlElement stanza, long entitySeq) {
        sent = StreamManagement.next(sent);
        unacked.addLast(new SmEntry(stanza, entitySeq));
        if (entitySeq > lastEntitySeq) {
            lastEntitySeq = entitySeq;
        }
    }

    /**
     * The client handled {@code h} stanzas. A valid 'h' lies between the last one acknowledged and
     * the count sent (modulo 2^32); anything else acknowledges stanzas never sent and is the error
     * of section 6 (a count that went backwards is treated the same: 'h' only grows).
     */
    Ack ack(long h) {
        long remaining = StreamManagement.distance(h, sent);
        if (remaining > unacked.size()) {
            return new Ack(true, 0);
        }
        long seq = 0;
        while (unacked.size() > remaining) {
            SmEntry e = unacked.pollFirst();
            seq = Math.max(seq, e.seq());
        }
        return new Ack(false, seq);
    }

    SmState toState(String fullJid, String smId, long resumeSeconds) {
        return new SmState(true, fullJid, smId, inbound.handled(), sent, List.copyOf(unacked), lastEntitySeq, resumeSeconds);
    }
}
