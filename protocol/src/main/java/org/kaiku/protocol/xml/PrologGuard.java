package org.kaiku.protocol.xml;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.kaiku.protocol.stream.StreamError.Condition;
import org.kaiku.protocol.stream.XmlStreamException;

/**
 * Looks at the raw bytes that precede the stream root, before the XML parser sees them.
 *
 * <p>RFC 6120 section 11.1 forbids DTDs, comments and processing instructions, and section 11.6
 * requires UTF-8. Rejecting {@code <!} and {@code <?} here means a DOCTYPE never reaches the
 * parser, so no entity is declared, expanded or fetched whatever the parser would do with it.
 * The XML declaration is the one {@code <?} allowed, and only as the very first thing; its
 * {@code encoding} must be UTF-8. UTF-16/32 input (byte order mark or a NUL in the first bytes)
 * gets {@code <unsupported-encoding/>}; a UTF-8 byte order mark is dropped.
 */
final class PrologGuard {
    /** A real XML declaration is about 40 bytes; anything much longer is not one. */
    private static final int MAX_DECLARATION = 256;
    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final Pattern ENCODING = Pattern.compile("\\sencoding\\s*=\\s*([\"'])([^\"']*)\\1");

    private enum State { DOC_START, BOM, MISC, AFTER_LT, DECLARATION, DONE }

    private State state = State.DOC_START;
    private int bomMatched;
    private boolean declarationAllowed = true;
    private byte[] declaration;
    private int declarationLength;

    boolean done() {
        return state == State.DONE;
    }

    /**
     * Checks {@code buf[off, off + len)}, the next bytes of the stream. Returns how many of its
     * leading bytes belong to a UTF-8 byte order mark and must not reach the parser.
     */
    int scan(byte[] buf, int off, int len) throws XmlStreamException {
        int skip = 0;
        for (int i = off; i < off + len && state != State.DONE; i++) {
            int b = buf[i] & 0xFF;
            switch (state) {
                case DOC_START -> {
                    if (b == 0xEF && bomMatched == 0) {
                        state = State.BOM;
                        bomMatched = 1;
                        skip++;
                    } else {
                        afterDocStart(b);
                    }
                }
                case BOM -> {
                    if (b != (UTF8_BOM[bomMatched] & 0xFF)) {
                        throw new XmlStreamException(Condition.NOT_WELL_FORMED, "invalid byte at start of stream");
                    }
                    skip++;
                    if (++bomMatched == UTF8_BOM.length) {
                        state = State.DOC_START;
                    }
                }
                case MISC -> misc(b);
                case AFTER_LT -> afterLt(b);
                case DECLARATION -> declarationByte((byte) b);
                default -> throw new IllegalStateException(state.name());
            }
        }
        return skip;
    }

    private void afterDocStart(int b) throws XmlStreamException {
        if (b == 0xFE || b == 0xFF || b == 0x00) {
            throw new XmlStreamException(Condition.UNSUPPORTED_ENCODING, "only UTF-8 is supported");
        }
        if (b == '<') {
            state = State.AFTER_LT;
        } else {
            declarationAllowed = false;
            misc(b);
        }
    }

    private void misc(int b) {
        if (b == '<') {
            declarationAllowed = false;
            state = State.AFTER_LT;
        } else if (!isWhitespace(b)) {
            state = State.DONE; // the parser reports it as not well-formed
        }
    }

    private void afterLt(int b) throws XmlStreamException {
        if (b == '!') {
            throw new XmlStreamException(Condition.RESTRICTED_XML, "DTDs and comments are not allowed");
        } else if (b == '?') {
            if (!declarationAllowed) {
                throw new XmlStreamException(Condition.RESTRICTED_XML, "processing instructions are not allowed");
            }
            state = State.DECLARATION;
            declaration = new byte[MAX_DECLARATION];
            declarationLength = 0;
        } else if (b == 0x00) {
            throw new XmlStreamException(Condition.UNSUPPORTED_ENCODING, "only UTF-8 is supported");
        } else {
            state = State.DONE; // the root start tag: from here on the parser's events decide
        }
    }

    private void declarationByte(byte b) throws XmlStreamException {
        if (declarationLength == MAX_DECLARATION) {
            throw new XmlStreamException(Condition.NOT_WELL_FORMED, "XML declaration too long");
        }
        declaration[declarationLength++] = b;
        if (declarationLength == 4 && !isXmlTarget()) {
            throw new XmlStreamException(Condition.RESTRICTED_XML, "processing instructions are not allowed");
        }
        if (declarationLength >= 2 && b == '>' && declaration[declarationLength - 2] == '?') {
            if (declarationLength < 4) {
                throw new XmlStreamException(Condition.RESTRICTED_XML, "processing instructions are not allowed");
            }
            checkEncoding(new String(declaration, 0, declarationLength, StandardCharsets.ISO_8859_1));
            declaration = null;
            declarationAllowed = false;
            state = State.MISC;
        }
    }

    /** The first four bytes after {@code <?} are {@code xml} and whitespace: a declaration, not a PI. */
    private boolean isXmlTarget() {
        return declaration[0] == 'x' && declaration[1] == 'm' && declaration[2] == 'l' && isWhitespace(declaration[3]);
    }

    private static void checkEncoding(String text) throws XmlStreamException {
        Matcher m = ENCODING.matcher(text);
        if (m.find() && !m.group(2).toUpperCase(Locale.ROOT).equals("UTF-8")) {
            throw new XmlStreamException(Condition.UNSUPPORTED_ENCODING,
                    "encoding " + m.group(2) + " is not supported, only UTF-8");
        }
    }

    static boolean isWhitespace(int b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }
}
