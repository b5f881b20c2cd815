package org.kaiku.engine.c2s;

import java.time.Duration;
import org.kaiku.engine.config.StreamManagementSettings;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.protocol.xml.XmlElement;

/**
 * When the server tells a client its 'h' (XEP-0198 section 4), for one stream with stream
 * management on. 'h' itself is counted by {@link InboundLedger}: a message that its recipient's
 * account stores counts only once that write completed, so 'h' can lag what was received by as
 * many messages as wait for their write.
 *
 * <p>A client that waits for acks must not starve. Smack 4.5 keeps at most 500 stanzas
 * unacknowledged: then its writer blocks, its send queue fills, and its reader, if it now has to
 * answer an {@code <r/>} of ours, blocks too and never reads the {@code <a/>} that would free it.
 * Three rules keep a client that sends as fast as it can going:
 * <ul>
 *   <li>at most {@code max-pending-durable} messages wait for their write per session (default
 *       200, well under Smack's 500); at the bound the session stops reading its socket, so TCP
 *       slows the client down (Pekko Streams backpressure) instead of memory growing here;</li>
 *   <li>an unrequested {@code <a/>} ("either party MAY send an &lt;a/&gt; element at any time",
 *       section 4) goes out once 'h' moved {@code ack-every} past what the client last heard,
 *       and whenever the awaited writes caught up (none pending, 'h' moved);</li>
 *   <li>the session sends no {@code <r/>} of its own while writes are pending (see
 *       {@link #quiet()}): the client may be the one waiting then.</li>
 * </ul>
 * Answers go out on the connection's answer channel ({@link C2sSession#writeAck}), which does not
 * count against the send queue and keeps only the newest 'h' not yet written. Cost: one small
 * element per {@code ack-every} handled stanzas, none for a client that handles its own pace.
 */
final class InboundAcks {
    /** What this policy does to its connection (the session; a recorder in tests). */
    interface Link {
        /** Sends {@code <a h='h'/>} on the answer channel. */
        void ack(long h);

        /** Stops reading the socket until a later call says reading may resume. */
        void pauseReading();

        /** Answers a message that was not stored with resource-constraint (wait). */
        void refuse(XmlElement message);

        /** Arms the durable check to fire in {@code after}, unless {@code onlyIfIdle} and it is armed. */
        void armDurableCheck(Duration after, boolean onlyIfIdle);
    }

    private final Link link;
    private final StreamManagementSettings settings;
    /** The last 'h' the client was told (answer or unrequested), modulo 2^32. */
    private long told;
    /** Reading paused: max-pending-durable messages wait for their write. */
    private boolean full;

    InboundAcks(Link link, StreamManagementSettings settings) {
        this.link = link;
        this.settings = settings;
    }

    /** A new count starts (enabled, or resumed with the count carried over). */
    void start(SmCounters counters) {
        told = counters.handled();
        full = false;
    }

    /** The client asked ({@code <r/>}): the answer goes out at once, whatever is pending. */
    void answer(SmCounters counters) {
        tell(counters.handled());
    }

    /** A stanza was handled the moment it was routed. */
    void handledNow(SmCounters counters) {
        counters.handledOne();
        maybeTell(counters);
    }

    /**
     * A message to be stored: numbered now, counted once its recipient reports the write (or the
     * durable timeout passes). Returns the number for the receipt.
     */
    long awaitDurable(SmCounters counters, XmlElement stanza) {
        InboundLedger ledger = counters.inbound();
        long n = ledger.awaitDurable(stanza, System.nanoTime() + settings.durableTimeout().toNanos());
        if (ledger.pendingCount() >= settings.maxPendingDurable()) {
            full = true;
            link.pauseReading();
        }
        link.armDurableCheck(settings.durableTimeout(), true);
        return n;
    }

    /**
     * The recipient's entity answered a receipt; a failed write is answered to the client with a
     * wait error and then counts as handled. Returns true when reading may resume.
     */
    boolean onDurable(SmCounters counters, SessionMessage.Durable d) {
        InboundLedger.Pending p = counters.inbound().complete(d.number());
        if (p != null && d.outcome() == SessionMessage.Durable.Outcome.FAILED) {
            link.refuse(p.stanza());
        }
        return progressed(counters);
    }

    /** The durable check timer: overdue receipts are treated as failed writes. */
    boolean onTimer(SmCounters counters) {
        InboundLedger ledger = counters.inbound();
        for (InboundLedger.Pending p : ledger.expire(System.nanoTime())) {
            link.refuse(p.stanza());
        }
        if (ledger.pendingCount() > 0) {
            link.armDurableCheck(Duration.ofNanos(Math.max(1, ledger.nextDeadline() - System.nanoTime())), false);
        }
        return progressed(counters);
    }

    /**
     * Whether the session may send its own {@code <r/>} now: not while messages wait for their
     * write, nor while reading is paused (the client may be blocked on its window then).
     */
    boolean quiet(SmCounters counters) {
        return counters.inbound().pendingCount() == 0 && !full;
    }

    private boolean progressed(SmCounters counters) {
        InboundLedger ledger = counters.inbound();
        long h = counters.handled();
        if (h != told && ledger.pendingCount() == 0) {
            tell(h);
        } else {
            maybeTell(counters);
        }
        if (full && ledger.pendingCount() < settings.maxPendingDurable()) {
            full = false;
            return true;
        }
        return false;
    }

    private void maybeTell(SmCounters counters) {
        long h = counters.handled();
        if (((h - told) & 0xFFFF_FFFFL) >= settings.ackEvery()) {
            tell(h);
        }
    }

    private void tell(long h) {
        told = h;
        link.ack(h);
    }
}
