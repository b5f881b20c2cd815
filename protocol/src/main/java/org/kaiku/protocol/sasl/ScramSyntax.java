package org.kaiku.protocol.sasl;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The lexical rules of RFC 5802 section 7 that the server needs: strict UTF-8, saslname
 * escaping, printable nonces, canonical base64, attribute-value pairs. Every violation is a
 * {@link SaslException} with MALFORMED_REQUEST.
 */
final class ScramSyntax {
    /** Upper bound for any single SCRAM message; real ones are a few hundred bytes. */
    static final int MAX_MESSAGE_BYTES = 4096;

    private ScramSyntax() {
    }

    static SaslException malformed(String message) {
        return new SaslException(SaslFailure.MALFORMED_REQUEST, message);
    }

    /** Decodes a whole message as strict UTF-8, refusing empty, oversized and NUL-bearing input. */
    static String utf8(byte[] message, String what) throws SaslException {
        if (message == null || message.length == 0) {
            throw malformed("empty " + what);
        }
        if (message.length > MAX_MESSAGE_BYTES) {
            throw malformed(what + " longer than " + MAX_MESSAGE_BYTES + " bytes");
        }
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(message))
                    .toString();
        } catch (CharacterCodingException e) {
            throw malformed(what + " is not UTF-8");
        }
        if (s.indexOf('\0') >= 0) {
            throw malformed(what + " contains NUL");
        }
        return s;
    }

    /** saslname: "=2C" is ',', "=3D" is '=', any other '=' or a bare ',' is an error. */
    static String decodeSaslName(String s, String what) throws SaslException {
        if (s.isEmpty()) {
            throw malformed("empty " + what);
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ',') {
                throw malformed("unescaped ',' in " + what);
            }
            if (c == '=') {
                if (s.startsWith("=2C", i)) {
                    out.append(',');
                } else if (s.startsWith("=3D", i)) {
                    out.append('=');
                } else {
                    throw malformed("bad '=' escape in " + what);
                }
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The inverse of {@link #decodeSaslName}. */
    static String encodeSaslName(String s) {
        return s.replace("=", "=3D").replace(",", "=2C");
    }

    /** printable = %x21-2B / %x2D-7E: visible ASCII except ','. */
    static void requirePrintable(String s, String what) throws SaslException {
        if (s.isEmpty()) {
            throw malformed("empty " + what);
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x21 || c > 0x7E || c == ',') {
                throw malformed("non-printable character in " + what);
            }
        }
    }

    /** cb-name = 1*(ALPHA / DIGIT / "." / "-"). */
    static void requireCbName(String s) throws SaslException {
        if (s.isEmpty()) {
            throw malformed("empty channel-binding name");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '-';
            if (!ok) {
                throw malformed("bad channel-binding name");
            }
        }
    }

    /** Base64 in its canonical padded form only (RFC 5802 section 7 "base64"). */
    static byte[] base64(String s, String what) throws SaslException {
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw malformed("bad base64 in " + what);
        }
        if (!Base64.getEncoder().encodeToString(decoded).equals(s)) {
            throw malformed("non-canonical base64 in " + what);
        }
        return decoded;
    }

    static String base64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    /** The value of {@code name=value}, or an error naming the attribute that was expected. */
    static String attribute(String field, char name, String what) throws SaslException {
        if (field.length() < 2 || field.charAt(0) != name || field.charAt(1) != '=') {
            throw malformed("expected " + name + "= in " + what);
        }
        return field.substring(2);
    }

    /** An extension attr-val: ALPHA "=" 1*value-char, value-char being any UTF-8 but ','. */
    static void requireExtension(String field, String what) throws SaslException {
        if (field.length() < 3 || field.charAt(1) != '=') {
            throw malformed("bad extension in " + what);
        }
        char c = field.charAt(0);
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
            throw malformed("bad extension in " + what);
        }
    }
}
