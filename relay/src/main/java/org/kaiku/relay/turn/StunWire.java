package org.kaiku.relay.turn;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.ice4j.attribute.Attribute;
import org.ice4j.message.Message;

/**
 * The few STUN wire operations the server side needs and ice4j leaves to its client stack
 * (RFC 8489 section 5, 14.5, 14.7): assembling a message from ice4j-encoded attributes,
 * appending MESSAGE-INTEGRITY (HMAC-SHA1 under the long-term key) and FINGERPRINT, checking a
 * received MESSAGE-INTEGRITY on the bytes as they arrived, and reading every XOR-PEER-ADDRESS of a
 * request (ice4j's decoded message keeps only one attribute per type, and CreatePermission may
 * carry several, RFC 8656 section 9).
 */
public final class StunWire {
    static final int MESSAGE_INTEGRITY_LENGTH = 20;
    private static final int FINGERPRINT_XOR = 0x5354554e;

    private StunWire() {
    }

    /**
     * The encoded message: header, each attribute as ice4j encodes it (padded to 4 bytes), then
     * MESSAGE-INTEGRITY when {@code key} is not null, then FINGERPRINT when asked.
     */
    public static byte[] encode(char type, byte[] transactionId, List<? extends Attribute> attributes, byte[] key,
            boolean fingerprint) {
        ByteArrayOutputStream body = new ByteArrayOutputStream(128);
        for (Attribute a : attributes) {
            byte[] enc = a.encode();
            body.writeBytes(enc);
            body.writeBytes(new byte[(4 - enc.length % 4) % 4]);
        }
        byte[] soFar = body.toByteArray();
        int length = soFar.length + (key != null ? 24 : 0) + (fingerprint ? 8 : 0);
        byte[] out = new byte[Message.HEADER_LENGTH + length];
        out[0] = (byte) (type >> 8);
        out[1] = (byte) type;
        System.arraycopy(Message.MAGIC_COOKIE, 0, out, 4, 4);
        System.arraycopy(transactionId, 0, out, 8, 12);
        System.arraycopy(soFar, 0, out, Message.HEADER_LENGTH, soFar.length);
        int offset = Message.HEADER_LENGTH + soFar.length;
        if (key != null) {
            setLength(out, offset - Message.HEADER_LENGTH + 24);
            byte[] hmac = hmacSha1(key, out, 0, offset);
            out[offset] = 0;
            out[offset + 1] = (byte) Attribute.MESSAGE_INTEGRITY;
            out[offset + 3] = MESSAGE_INTEGRITY_LENGTH;
            System.arraycopy(hmac, 0, out, offset + 4, MESSAGE_INTEGRITY_LENGTH);
            offset += 24;
        }
        if (fingerprint) {
            setLength(out, offset - Message.HEADER_LENGTH + 8);
            CRC32 crc = new CRC32();
            crc.update(out, 0, offset);
            int value = (int) crc.getValue() ^ FINGERPRINT_XOR;
            out[offset] = (byte) 0x80;
            out[offset + 1] = 0x28;
            out[offset + 3] = 4;
            out[offset + 4] = (byte) (value >>> 24);
            out[offset + 5] = (byte) (value >>> 16);
            out[offset + 6] = (byte) (value >>> 8);
            out[offset + 7] = (byte) value;
        }
        setLength(out, length);
        return out;
    }

    /**
     * Whether the MESSAGE-INTEGRITY of {@code message} (as received) is the HMAC-SHA1 under
     * {@code key} of the bytes before it, with the header length counting up to and including it
     * (RFC 8489 section 14.5). False when there is none or the attributes are malformed.
     */
    public static boolean integrityMatches(byte[] message, byte[] key) {
        int offset = Message.HEADER_LENGTH;
        int end = Math.min(message.length, Message.HEADER_LENGTH + length(message));
        while (offset + 4 <= end) {
            int type = u16(message, offset);
            int len = u16(message, offset + 2);
            if (type == Attribute.MESSAGE_INTEGRITY) {
                if (len != MESSAGE_INTEGRITY_LENGTH || offset + 24 > end) {
                    return false;
                }
                byte[] copy = java.util.Arrays.copyOf(message, offset);
                setLength(copy, offset - Message.HEADER_LENGTH + 24);
                byte[] expected = hmacSha1(key, copy, 0, offset);
                byte[] given = java.util.Arrays.copyOfRange(message, offset + 4, offset + 24);
                return MessageDigest.isEqual(expected, given);
            }
            offset += 4 + len + (4 - len % 4) % 4;
        }
        return false;
    }

    /** Every XOR-PEER-ADDRESS in the message, decoded (RFC 8489 section 14.2); malformed ones are skipped. */
    public static List<InetSocketAddress> xorPeerAddresses(byte[] message) {
        List<InetSocketAddress> out = new ArrayList<>();
        int offset = Message.HEADER_LENGTH;
        int end = Math.min(message.length, Message.HEADER_LENGTH + length(message));
        while (offset + 4 <= end) {
            int type = u16(message, offset);
            int len = u16(message, offset + 2);
            if (offset + 4 + len > end) {
                break;
            }
            if (type == Attribute.XOR_PEER_ADDRESS && (len == 8 || len == 20)) {
                int family = message[offset + 5];
                int port = u16(message, offset + 6) ^ 0x2112;
                byte[] addr = new byte[len == 8 ? 4 : 16];
                if ((family == 1 && len == 8) || (family == 2 && len == 20)) {
                    for (int i = 0; i < addr.length; i++) {
                        // the magic cookie then the transaction id, as they sit at bytes 4..19 of the header
                        addr[i] = (byte) (message[offset + 8 + i] ^ message[4 + i]);
                    }
                    try {
                        out.add(new InetSocketAddress(InetAddress.getByAddress(addr), port));
                    } catch (UnknownHostException e) {
                        // cannot happen for 4 or 16 bytes
                    }
                }
            }
            offset += 4 + len + (4 - len % 4) % 4;
        }
        return out;
    }

    /**
     * What the server needs to know of a request before handing it to ice4j's decoder.
     *
     * @param forDecoder   the bytes to decode: the request without EVEN-PORT and FINGERPRINT when
     *                     it had them (ice4j 3.2 rejects RFC 8656's one-byte EVEN-PORT, and would
     *                     then check a FINGERPRINT over bytes that are no longer the ones sent)
     * @param evenPort     -1 without EVEN-PORT, else its R bit (0 or 1)
     * @param fingerprint  whether the request carried a FINGERPRINT
     * @param fingerprintOk false when the FINGERPRINT did not match (the request is then dropped, RFC 8489 section 14.7)
     */
    public record Scan(byte[] forDecoder, int evenPort, boolean fingerprint, boolean fingerprintOk) {
    }

    /** Walks the attributes of a message that passed the header checks; null when they overrun the message. */
    public static Scan scan(byte[] message) {
        int end = Message.HEADER_LENGTH + length(message);
        if (end > message.length) {
            return null;
        }
        int offset = Message.HEADER_LENGTH;
        int evenPort = -1;
        int evenAt = -1;
        int fingerprintAt = -1;
        boolean fingerprintOk = true;
        while (offset < end) {
            if (offset + 4 > end) {
                return null;
            }
            int type = u16(message, offset);
            int len = u16(message, offset + 2);
            int next = offset + 4 + len + (4 - len % 4) % 4;
            if (offset + 4 + len > end) {
                return null;
            }
            if (type == Attribute.EVEN_PORT && len >= 1 && evenAt < 0) {
                evenPort = (message[offset + 4] & 0x80) != 0 ? 1 : 0;
                evenAt = offset;
            } else if (type == Attribute.FINGERPRINT) {
                fingerprintAt = offset;
                byte[] copy = java.util.Arrays.copyOf(message, offset);
                setLength(copy, offset - Message.HEADER_LENGTH + 8);
                CRC32 crc = new CRC32();
                crc.update(copy, 0, offset);
                int expected = (int) crc.getValue() ^ FINGERPRINT_XOR;
                int given = len == 4 ? (u16(message, offset + 4) << 16) | u16(message, offset + 6) : ~expected;
                fingerprintOk = given == expected;
                if (next != end) {
                    fingerprintOk = false; // FINGERPRINT must be the last attribute
                }
            }
            offset = next;
        }
        if (evenAt < 0 && fingerprintAt < 0) {
            return new Scan(message, -1, false, true);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length);
        out.write(message, 0, Message.HEADER_LENGTH);
        offset = Message.HEADER_LENGTH;
        while (offset < end) {
            int len = u16(message, offset + 2);
            int next = offset + 4 + len + (4 - len % 4) % 4;
            if (offset != evenAt && offset != fingerprintAt) {
                out.write(message, offset, Math.min(next, end) - offset);
            }
            offset = next;
        }
        byte[] stripped = out.toByteArray();
        setLength(stripped, stripped.length - Message.HEADER_LENGTH);
        return new Scan(stripped, evenPort, fingerprintAt >= 0, fingerprintOk);
    }

    static byte[] hmacSha1(byte[] key, byte[] data, int offset, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
            mac.update(data, offset, length);
            return mac.doFinal();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 unavailable", e);
        }
    }

    static int length(byte[] message) {
        return u16(message, 2);
    }

    private static void setLength(byte[] message, int length) {
        message[2] = (byte) (length >> 8);
        message[3] = (byte) length;
    }

    static int u16(byte[] b, int offset) {
        return ((b[offset] & 0xFF) << 8) | (b[offset + 1] & 0xFF);
    }
}
