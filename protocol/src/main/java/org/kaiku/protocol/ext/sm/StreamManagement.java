package org.kaiku.protocol.ext.sm;

import java.util.OptionalLong;
import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.xml.XmlElement;

/**
 * XEP-0198 elements and sequence numbers. Stream management elements are "nonzas": top-level
 * elements that are not stanzas and are never counted (XEP-0198 section 1). Sequence numbers are
 * xs:unsignedInt and wrap from 2^32-1 back to 0 (section 4), so they are kept as {@code long}
 * values in [0, 2^32) and compared modulo 2^32.
 */
public final class StreamManagement {
    public static final String NAMESPACE = "urn:xmpp:sm:3";
    /** Sequence numbers live modulo this (section 4). */
    public static final long MODULUS = 1L << 32;

    private StreamManagement() {
    }

    /** True for an element of the stream management namespace. */
    public static boolean is(XmlElement e) {
        return NAMESPACE.equals(e.namespace());
    }

    /** The stream feature, offered once the client is authenticated (section 2). */
    public static XmlElement feature() {
        return XmlElement.of("sm", NAMESPACE);
    }

    /**
     * {@code <enabled/>} (section 3; resumption, section 5).
     *
     * @param id       SM-ID, null when the stream cannot be resumed
     * @param max      the longest resumption time the server allows, seconds; 0 to leave it out
     * @param location preferred "host:port" for reconnection, or null
     */
    public static XmlElement enabled(String id, long max, String location) {
        XmlElement.Builder b = XmlElement.builder("enabled", NAMESPACE);
        if (id != null) {
            b.attr("id", id).attr("resume", "true");
            if (max > 0) {
                b.attr("max", Long.toString(max));
            }
            if (location != null && !location.isEmpty()) {
                b.attr("location", location);
            }
        }
        return b.build();
    }

    /** {@code <failed/>} with a stanza error condition (section 6); {@code h} below 0 leaves it out. */
    public static XmlElement failed(StanzaError.Condition condition, long h) {
        XmlElement.Builder b = XmlElement.builder("failed", NAMESPACE);
        if (h >= 0) {
            b.attr("h", Long.toString(h));
        }
        return b.child(XmlElement.of(condition.elementName(), Namespaces.STANZAS)).build();
    }

    /** {@code <resumed previd h/>} (section 5). */
    public static XmlElement resumed(String previd, long h) {
        return XmlElement.builder("resumed", NAMESPACE).attr("previd", previd).attr("h", Long.toString(h)).build();
    }

    /** An ack request. */
    public static XmlElement request() {
        return XmlElement.of("r", NAMESPACE);
    }

    /** An ack of {@code h} handled stanzas. */
    public static XmlElement answer(long h) {
        return XmlElement.builder("a", NAMESPACE).attr("h", Long.toString(h)).build();
    }

    /**
     * The application condition that goes with undefined-condition when a peer acknowledges more
     * than it was sent (section 6).
     */
    public static XmlElement handledCountTooHigh(long h, long sendCount) {
        return XmlElement.builder("handled-count-too-high", NAMESPACE)
                .attr("h", Long.toString(h)).attr("send-count", Long.toString(sendCount)).build();
    }

    /**
     * An 'h' attribute as xs:unsignedInt: decimal digits (an optional leading '+' as the schema
     * type allows), value at most 2^32-1. Empty for anything else, absence included.
     */
    public static OptionalLong parseH(String text) {
        if (text == null) {
            return OptionalLong.empty();
        }
        String t = text.strip();
        if (t.startsWith("+")) {
            t = t.substring(1);
        }
        if (t.isEmpty() || t.length() > 20) {
            return OptionalLong.empty();
        }
        for (int i = 0; i < t.length(); i++) {
            if (t.charAt(i) < '0' || t.charAt(i) > '9') {
                return OptionalLong.empty();
            }
        }
        try {
            long v = Long.parseLong(t);
            return v < MODULUS ? OptionalLong.of(v) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** The next sequence number after {@code h}. */
    public static long next(long h) {
        return (h + 1) % MODULUS;
    }

    /** How far {@code to} is ahead of {@code from}, modulo 2^32 (0 when equal). */
    public static long distance(long from, long to) {
        return Math.floorMod(to - from, MODULUS);
    }

    /** The boolean attribute of section 3: "true" or "1". */
    public static boolean isTrue(String value) {
        return "true".equals(value) || "1".equals(value);
    }
}
