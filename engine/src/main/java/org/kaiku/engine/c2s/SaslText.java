package org.kaiku.engine.c2s;

import java.util.Base64;
import org.kaiku.protocol.sasl.SaslException;
import org.kaiku.protocol.sasl.SaslFailure;

/** The base64 text of SASL elements (RFC 6120 section 6.4.2): "=" is the empty payload. */
final class SaslText {
    private SaslText() {
    }

    static String base64(byte[] data) {
        return data.length == 0 ? "=" : Base64.getEncoder().encodeToString(data);
    }

    /** Decodes a payload; bad base64 is the incorrect-encoding failure. */
    static byte[] unbase64(String text) throws SaslException {
        String t = text == null ? "" : text.trim();
        if (t.isEmpty() || t.equals("=")) {
            return new byte[0];
        }
        try {
            return Base64.getDecoder().decode(t);
        } catch (IllegalArgumentException e) {
            throw new SaslException(SaslFailure.INCORRECT_ENCODING, "bad base64");
        }
    }
}
