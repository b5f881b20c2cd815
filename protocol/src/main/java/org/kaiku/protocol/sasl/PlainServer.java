package org.kaiku.protocol.sasl;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The server side of SASL PLAIN (RFC 4616): {@code [authzid] NUL authcid NUL passwd}, each part
 * UTF-8 without NUL and at most 255 octets. The stream layer offers PLAIN only over TLS
 * (RFC 4616 section 6).
 */
public final class PlainServer {
    /** The SASL mechanism name. */
    public static final String MECHANISM = "PLAIN";
    /** RFC 4616 section 2: each of authzid, authcid and passwd is 1 to 255 octets. */
    public static final int MAX_PART_OCTETS = 255;

    private PlainServer() {
    }

    /**
     * Splits and decodes a PLAIN initial response.
     *
     * @throws SaslException MALFORMED_REQUEST for a wrong number of NULs or a part that is empty
     *     or too long, INCORRECT_ENCODING for bytes that are not UTF-8
     */
    public static PlainCredentials decode(byte[] message) throws SaslException {
        if (message == null || message.length == 0) {
            throw new SaslException(SaslFailure.MALFORMED_REQUEST, "empty PLAIN message");
        }
        int first = indexOfNul(message, 0);
        int second = first < 0 ? -1 : indexOfNul(message, first + 1);
        if (first < 0 || second < 0 || indexOfNul(message, second + 1) >= 0) {
            throw new SaslException(SaslFailure.MALFORMED_REQUEST, "PLAIN message needs exactly two NUL separators");
        }
        String authzid = first == 0 ? null : part(message, 0, first, "authzid");
        String authcid = part(message, first + 1, second, "authcid");
        String password = part(message, second + 1, message.length, "passwd");
        return new PlainCredentials(authzid, authcid, password);
    }

    private static int indexOfNul(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private static String part(byte[] message, int from, int to, String name) throws SaslException {
        int length = to - from;
        if (length == 0) {
            throw new SaslException(SaslFailure.MALFORMED_REQUEST, "empty " + name);
        }
        if (length > MAX_PART_OCTETS) {
            throw new SaslException(SaslFailure.MALFORMED_REQUEST, name + " longer than " + MAX_PART_OCTETS + " octets");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(message, from, length))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SaslException(SaslFailure.INCORRECT_ENCODING, name + " is not UTF-8", e);
        }
    }
}
