package org.kaiku.engine.storage;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;

/**
 * The id of one archived message (XEP-0313 section 3, XEP-0359 section 3): when it was archived,
 * in microseconds since the epoch, and 64 random bits. Ids order by time, then by the random part,
 * so a page "after" or "before" an id is a range over a clustering key, never a lookup table.
 *
 * <p>The text form is the UUID syntax of the 128 bits (time high, random low): opaque to clients
 * as XEP-0313 section 5.2 requires, unpredictable through its 64 random bits, and parsed back
 * without a lookup. It shows when the message was archived, which the result's delay stamp tells
 * anyway; it tells nothing about the archive's size (XEP-0359 section 7).
 *
 * @param micros microseconds since 1970-01-01T00:00Z
 * @param nonce  random bits, compared as a signed long (as Cassandra compares a bigint)
 */
public record ArchiveId(long micros, long nonce) implements Comparable<ArchiveId> {
    /** Below every real id. */
    public static final ArchiveId MIN = new ArchiveId(0, Long.MIN_VALUE);
    /** Above every real id. */
    public static final ArchiveId MAX = new ArchiveId(Long.MAX_VALUE, Long.MAX_VALUE);

    /** The lowest id at this instant: a range from here includes every message of that microsecond. */
    public static ArchiveId lowestAt(Instant t) {
        return new ArchiveId(micros(t), Long.MIN_VALUE);
    }

    /** The highest id at this instant. */
    public static ArchiveId highestAt(Instant t) {
        return new ArchiveId(micros(t), Long.MAX_VALUE);
    }

    public static long micros(Instant t) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, t);
    }

    public Instant instant() {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }

    /** The id right after this one, for turning an exclusive bound into an inclusive one. */
    public ArchiveId next() {
        return nonce == Long.MAX_VALUE ? new ArchiveId(micros + 1, Long.MIN_VALUE) : new ArchiveId(micros, nonce + 1);
    }

    /** The id right before this one. */
    public ArchiveId previous() {
        return nonce == Long.MIN_VALUE ? new ArchiveId(micros - 1, Long.MAX_VALUE) : new ArchiveId(micros, nonce - 1);
    }

    @Override
    public int compareTo(ArchiveId o) {
        int c = Long.compare(micros, o.micros);
        return c != 0 ? c : Long.compare(nonce, o.nonce);
    }

    public static ArchiveId max(ArchiveId a, ArchiveId b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    public static ArchiveId min(ArchiveId a, ArchiveId b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public String toString() {
        return new UUID(micros, nonce).toString();
    }

    /** Parses the text form; empty for anything else (a client's id is untrusted input). */
    public static Optional<ArchiveId> parse(String text) {
        if (text == null || text.length() != 36) {
            return Optional.empty();
        }
        try {
            UUID u = UUID.fromString(text);
            if (u.getMostSignificantBits() < 0 || !u.toString().equalsIgnoreCase(text)) {
                return Optional.empty();
            }
            return Optional.of(new ArchiveId(u.getMostSignificantBits(), u.getLeastSignificantBits()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
