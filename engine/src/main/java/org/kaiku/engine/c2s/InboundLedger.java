package org.kaiku.engine.c2s;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The inbound half of one XEP-0198 stream (section 4, the 'h' the server reports): every stanza
 * the client sent gets a number, 1, 2, 3... in arrival order; 'h' is the length of the longest
 * prefix of those numbers that has been handled. Most stanzas are handled the moment the
 * session routed them; a message that is to be stored is handled only when the recipient's
 * account entity reports its durable write (SessionMessage.Durable), so 'h' never covers
 * a stanza that a crash could still lose. Completions may come back out of order (two
 * recipients, two stores): they wait in a sorted set until the prefix reaches them, so 'h'
 * only moves over a gap-free run, as the XEP's counting requires.
 *
 * <p>Pending stanzas are kept (up to the session's bound, see {@code max-pending-durable}) with
 * a deadline, so a receipt that never comes back (the recipient's entity died with its node)
 * is answered after a while instead of holding 'h' forever. Counting is done in unbounded
 * longs from the value carried over by a resumption; only {@link #handled()} wraps at 2^32.
 * Not thread-safe: the session actor owns it.
 */
final class InboundLedger {
    /** A stanza whose durable write has not been reported yet. */
    record Pending(long number, XmlElement stanza, long deadlineNanos) {
    }

    private final long base;
    private long numbered;
    private long contiguous;
    private final TreeSet<Long> doneAhead = new TreeSet<>();
    private final LinkedHashMap<Long, Pending> pending = new LinkedHashMap<>();

    /** @param base the 'h' the stream starts from (0, or what a resumption carried over) */
    InboundLedger(long base) {
        this.base = base;
    }

    /** A stanza handled at once (routed, answered, or not stored). */
    void handledNow() {
        done(++numbered);
    }

    /** A stanza that counts only once its durable write is reported; returns its number. */
    long awaitDurable(XmlElement stanza, long deadlineNanos) {
        long n = ++numbered;
        pending.put(n, new Pending(n, stanza, deadlineNanos));
        return n;
    }

    /**
     * Number {@code n} was answered (written, or refused with an error the client got). Returns
     * what was pending, or null for a number that is not pending (a late duplicate report).
     */
    Pending complete(long n) {
        Pending p = pending.remove(n);
        if (p != null) {
            done(n);
        }
        return p;
    }

    /** Pending stanzas whose deadline passed, oldest first, taken out and counted as handled. */
    List<Pending> expire(long nowNanos) {
        List<Pending> out = new ArrayList<>();
        for (Iterator<Map.Entry<Long, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Pending p = it.next().getValue();
            if (p.deadlineNanos() - nowNanos <= 0) {
                it.remove();
                out.add(p);
            }
        }
        out.forEach(p -> done(p.number()));
        return out;
    }

    /** The earliest deadline among pending stanzas; only meaningful when {@link #pendingCount()} > 0. */
    long nextDeadline() {
        long min = Long.MAX_VALUE;
        boolean first = true;
        for (Pending p : pending.values()) {
            if (first || p.deadlineNanos() - min < 0) {
                min = p.deadlineNanos();
                first = false;
            }
        }
        return min;
    }

    /** How many stanzas were numbered so far (handled or pending). */
    long numbered() {
        return numbered;
    }

    /** Whether every stanza up to number {@code n} is handled. */
    boolean covers(long n) {
        return contiguous >= n;
    }

    int pendingCount() {
        return pending.size();
    }

    /** The 'h' to report: the stream's starting value plus the handled prefix, modulo 2^32. */
    long handled() {
        return (base + contiguous) & 0xFFFF_FFFFL;
    }

    private void done(long n) {
        if (n != contiguous + 1) {
            doneAhead.add(n);
            return;
        }
        contiguous = n;
        while (!doneAhead.isEmpty() && doneAhead.first() == contiguous + 1) {
            contiguous = doneAhead.pollFirst();
        }
    }
}
