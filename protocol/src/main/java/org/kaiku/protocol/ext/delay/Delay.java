package org.kaiku.protocol.ext.delay;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import org.kaiku.protocol.xml.XmlElement;

/**
 * A delayed-delivery notation, XEP-0203 section 3: when the stanza was originally sent
 * ({@code stamp}, required, UTC in the XEP-0082 DateTime profile), who delayed it ({@code from},
 * recommended: for an offline message the server's domain, XEP-0160 section 2) and an optional
 * human-readable reason as character data.
 *
 * <p>The stamp is written to the millisecond with a 'Z' ({@code 2002-09-10T23:08:25.000Z}):
 * XEP-0082 section 3.2 allows fractional seconds, and milliseconds keep two messages stored in
 * the same second in order for a client that sorts by stamp. Reading accepts any offset and any
 * fraction XEP-0082 allows and converts to UTC.
 *
 * @param from   the JID that delayed the stanza, or null
 * @param stamp  when the stanza was originally sent or received for storage
 * @param reason natural-language reason, or null
 */
public record Delay(String from, Instant stamp, String reason) {
    public static final String NAMESPACE = "urn:xmpp:delay";
    public static final String ELEMENT = "delay";

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    public Delay {
        Objects.requireNonNull(stamp, "stamp");
        stamp = stamp.truncatedTo(ChronoUnit.MILLIS);
        from = from == null || from.isEmpty() ? null : from;
        reason = reason == null || reason.isEmpty() ? null : reason;
    }

    /** The element, ready to add as a child of the delayed stanza. */
    public XmlElement toElement() {
        return XmlElement.builder(ELEMENT, NAMESPACE)
                .attr("from", from)
                .attr("stamp", format(stamp))
                .text(reason)
                .build();
    }

    /** The stanza with this notation appended as its last child. */
    public XmlElement addTo(XmlElement stanza) {
        return stanza.withChild(toElement());
    }

    /** The notation an element carries, empty when it is not a delay or its stamp is invalid. */
    public static Optional<Delay> fromElement(XmlElement element) {
        if (element == null || !element.is(ELEMENT, NAMESPACE)) {
            return Optional.empty();
        }
        return parseStamp(element.attr("stamp")).map(s -> new Delay(element.attr("from"), s, element.text()));
    }

    /** The first delay notation among a stanza's children, if any. */
    public static Optional<Delay> of(XmlElement stanza) {
        return fromElement(stanza.child(ELEMENT, NAMESPACE));
    }

    /** An instant in the XEP-0082 DateTime profile, UTC, to the millisecond. */
    public static String format(Instant instant) {
        return STAMP.format(instant.truncatedTo(ChronoUnit.MILLIS));
    }

    /**
     * A XEP-0082 DateTime ({@code CCYY-MM-DDThh:mm:ss[.sss]TZD}, TZD 'Z' or {@code +hh:mm}),
     * empty when the text is not one.
     */
    public static Optional<Instant> parseStamp(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
