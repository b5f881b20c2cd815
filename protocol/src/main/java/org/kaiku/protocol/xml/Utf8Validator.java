package org.kaiku.protocol.xml;

import org.kaiku.protocol.stream.StreamError.Condition;
import org.kaiku.protocol.stream.XmlStreamException;

/**
 * Checks that the inbound bytes are well-formed UTF-8 (RFC 3629 section 4), across any split of
 * the input. The parser's own checks let some sequences through depending on where the input was
 * split (overlong two-byte forms among them), so every byte goes through here first: overlong
 * forms, encoded surrogates, code points above U+10FFFF and stray continuation bytes are all
 * refused the same way, whatever the fragmentation. It also tells where the input ends inside a
 * character, so that the decoder never hands the parser half a character: aalto-xml 1.4.0 decodes
 * a four-byte character split across two inputs inside an attribute value as a wrong BMP one.
 */
final class Utf8Validator {
    private int pending;
    private int sequenceLength;
    private int lower = 0x80;
    private int upper = 0xBF;

    void check(byte[] buf, int off, int len) throws XmlStreamException {
        for (int i = off; i < off + len; i++) {
            int b = buf[i] & 0xFF;
            if (pending == 0) {
                if (b < 0x80) {
                    continue;
                }
                lead(b);
            } else {
                if (b < lower || b > upper) {
                    throw invalid();
                }
                lower = 0x80;
                upper = 0xBF;
                pending--;
            }
        }
    }

    private void lead(int b) throws XmlStreamException {
        if (b >= 0xC2 && b <= 0xDF) {
            pending = 1;
            sequenceLength = 2;
        } else if (b >= 0xE0 && b <= 0xEF) {
            pending = 2;
            sequenceLength = 3;
            lower = b == 0xE0 ? 0xA0 : 0x80; // E0 80..9F would be overlong
            upper = b == 0xED ? 0x9F : 0xBF; // ED A0..BF would be a surrogate
        } else if (b >= 0xF0 && b <= 0xF4) {
            pending = 3;
            sequenceLength = 4;
            lower = b == 0xF0 ? 0x90 : 0x80; // F0 80..8F would be overlong
            upper = b == 0xF4 ? 0x8F : 0xBF; // F4 90.. would be above U+10FFFF
        } else {
            throw invalid(); // continuation byte, C0/C1 (overlong) or F5..FF
        }
    }

    /** How many of the bytes checked so far belong to a character whose last bytes are still to come. */
    int incompleteTail() {
        return pending == 0 ? 0 : sequenceLength - pending;
    }

    private static XmlStreamException invalid() {
        return new XmlStreamException(Condition.NOT_WELL_FORMED, "invalid UTF-8");
    }
}
