package org.kaiku.protocol.xml;

import org.kaiku.protocol.stream.StreamError.Condition;
import org.kaiku.protocol.stream.XmlStreamException;

/**
 * Counts the attributes of each start tag on the raw bytes, before the parser sees them.
 *
 * <p>The parser reports a start tag only once it has read all of it, and its name table slows
 * down quadratically with the number of distinct names: a 256 KiB tag with 25,000 attributes
 * would cost a fraction of a second of CPU before the decoder could count them. Counting the
 * {@code =} signs outside quoted values here stops such a tag at attribute number
 * {@code maxAttributes + 1} (RFC 6120 section 13.12). Namespace declarations count as
 * attributes, as they do for the parser's events. The scanner knows just enough XML to skip
 * quoted values, end tags, comments, CDATA sections, declarations and processing instructions;
 * everything else about well-formedness is left to the parser.
 */
final class AttributeCounter {
    private enum State { CONTENT, LT, START_TAG, DOUBLE_QUOTED, SINGLE_QUOTED, END_TAG, BANG, COMMENT, CDATA, DECL, PI }

    private final int maxAttributes;
    private State state = State.CONTENT;
    private int count;
    /** Dashes, brackets or question marks seen just before, for the end of a comment, CDATA or PI. */
    private int run;

    AttributeCounter(int maxAttributes) {
        this.maxAttributes = maxAttributes;
    }

    void scan(byte[] buf, int off, int len) throws XmlStreamException {
        for (int i = off; i < off + len; i++) {
            int b = buf[i];
            switch (state) {
                case CONTENT -> {
                    if (b == '<') {
                        state = State.LT;
                    }
                }
                case LT -> afterLt(b);
                case START_TAG -> startTag(b);
                case DOUBLE_QUOTED -> {
                    if (b == '"') {
                        state = State.START_TAG;
                    }
                }
                case SINGLE_QUOTED -> {
                    if (b == '\'') {
                        state = State.START_TAG;
                    }
                }
                case END_TAG, DECL -> {
                    if (b == '>') {
                        state = State.CONTENT;
                    }
                }
                case BANG -> {
                    state = b == '-' ? State.COMMENT : b == '[' ? State.CDATA : State.DECL;
                    run = 0;
                }
                case COMMENT -> closing(b, '-', 2);
                case CDATA -> closing(b, ']', 2);
                case PI -> closing(b, '?', 1);
                default -> throw new IllegalStateException(state.name());
            }
        }
    }

    private void afterLt(int b) throws XmlStreamException {
        switch (b) {
            case '/' -> state = State.END_TAG;
            case '!' -> state = State.BANG;
            case '?' -> {
                state = State.PI;
                run = 0;
            }
            default -> {
                state = State.START_TAG;
                count = 0;
                startTag(b);
            }
        }
    }

    private void startTag(int b) throws XmlStreamException {
        switch (b) {
            case '"' -> state = State.DOUBLE_QUOTED;
            case '\'' -> state = State.SINGLE_QUOTED;
            case '>' -> state = State.CONTENT;
            case '=' -> {
                if (++count > maxAttributes) {
                    throw new XmlStreamException(Condition.POLICY_VIOLATION,
                            "more than " + maxAttributes + " attributes on an element");
                }
            }
            default -> { }
        }
    }

    /** Ends the construct at {@code >} preceded by at least {@code needed} {@code marker}s. */
    private void closing(int b, char marker, int needed) {
        if (b == marker) {
            run++;
        } else {
            if (b == '>' && run >= needed) {
                state = State.CONTENT;
            }
            run = 0;
        }
    }
}
