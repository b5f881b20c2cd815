package org.kaiku.protocol.ext.rsm;

import java.util.Optional;
import org.kaiku.protocol.xml.XmlElement;

/**
 * An RSM {@code <set/>} element, XEP-0059 sections 2 and 3, in a request or in an answer. Absent
 * parts are null. {@code before} is the empty string for an empty {@code <before/>}, which asks
 * for the last page (section 2.5); null means no {@code <before/>} at all.
 *
 * @param max        the most items the requester wants (request)
 * @param after      the UID after which the page starts (request)
 * @param before     the UID before which the page ends, or "" for the last page (request)
 * @param index      the index of the first wanted item (request, section 2.6)
 * @param first      the UID of the first item of the page (answer)
 * @param firstIndex the index of that item in the full set (answer, optional)
 * @param last       the UID of the last item of the page (answer)
 * @param count      the number of items in the full set (answer, optional)
 */
public record ResultSet(Integer max, String after, String before, Integer index,
                        String first, Integer firstIndex, String last, Integer count) {
    public static final String NAMESPACE = "http://jabber.org/protocol/rsm";
    public static final String ELEMENT = "set";

    /** A request for at most {@code max} items after {@code after} and/or before {@code before}. */
    public static ResultSet request(Integer max, String after, String before) {
        return new ResultSet(max, after, before, null, null, null, null, null);
    }

    /** An answer naming the first and last UID of a page (both null for an empty page, section 2.2). */
    public static ResultSet answer(String first, Integer firstIndex, String last, Integer count) {
        return new ResultSet(null, null, null, null, first, firstIndex, last, count);
    }

    /** A malformed {@code <set/>}: a number that is not a non-negative integer. */
    public static final class MalformedException extends Exception {
        public MalformedException(String message) {
            super(message);
        }
    }

    public XmlElement toElement() {
        XmlElement.Builder b = XmlElement.builder(ELEMENT, NAMESPACE);
        if (max != null) {
            b.textChild("max", Integer.toString(max));
        }
        if (after != null) {
            b.textChild("after", after);
        }
        if (before != null) {
            b.child(before.isEmpty() ? XmlElement.of("before", NAMESPACE)
                    : XmlElement.builder("before", NAMESPACE).text(before).build());
        }
        if (index != null) {
            b.textChild("index", Integer.toString(index));
        }
        if (first != null) {
            b.child(XmlElement.builder("first", NAMESPACE)
                    .attr("index", firstIndex == null ? null : Integer.toString(firstIndex)).text(first).build());
        }
        if (last != null) {
            b.textChild("last", last);
        }
        if (count != null) {
            b.textChild("count", Integer.toString(count));
        }
        return b.build();
    }

    /**
     * Reads a {@code <set/>}; empty when the element is not one.
     *
     * @throws MalformedException when max, index, count or first's index is not a non-negative integer
     */
    public static Optional<ResultSet> fromElement(XmlElement set) throws MalformedException {
        if (set == null || !set.is(ELEMENT, NAMESPACE)) {
            return Optional.empty();
        }
        XmlElement first = set.child("first", NAMESPACE);
        return Optional.of(new ResultSet(
                number(set.childText("max", NAMESPACE), "max"),
                set.childText("after", NAMESPACE),
                set.childText("before", NAMESPACE),
                number(set.childText("index", NAMESPACE), "index"),
                first == null ? null : first.text(),
                first == null ? null : number(first.attr("index"), "first/@index"),
                set.childText("last", NAMESPACE),
                number(set.childText("count", NAMESPACE), "count")));
    }

    private static Integer number(String text, String what) throws MalformedException {
        if (text == null) {
            return null;
        }
        String t = text.strip();
        if (t.isEmpty() || t.length() > 10 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new MalformedException(what + " is not a non-negative integer: '" + text + "'");
        }
        long v = Long.parseLong(t);
        return (int) Math.min(v, Integer.MAX_VALUE);
    }
}
