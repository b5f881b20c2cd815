package org.kaiku.relay.socks5;

import java.nio.charset.StandardCharsets;
import org.apache.pekko.util.ByteString;

/**
 * The two client messages of an RFC 1928 CONNECT as XEP-0065 section 8.2 maps them, parsed from
 * the bytes received so far (a message may arrive in pieces): the method selection (section 3;
 * only "no authentication", X'00', is accepted) and the request (section 4: VER 5, CMD 1 CONNECT,
 * ATYP 3 DOMAINNAME whose DST.ADDR is the 40 lower- or upper-case hex digits of the SHA-1; DST.PORT
 * is ignored, as section 8.1 allows). Anything else is a {@link Fail} carrying the RFC 1928 reply
 * code to send before closing, or none when the peer does not speak SOCKS5 at all.
 */
final class Socks5Handshake {
    static final byte VERSION = 5;
    /** RFC 1928 section 6 reply codes used here. */
    static final byte SUCCEEDED = 0x00;
    static final byte GENERAL_FAILURE = 0x01;
    static final byte NOT_ALLOWED = 0x02;
    static final byte COMMAND_NOT_SUPPORTED = 0x07;
    static final byte ADDRESS_TYPE_NOT_SUPPORTED = 0x08;
    /** No reply: the peer does not speak SOCKS5, just close. */
    static final byte NO_REPLY = -1;

    sealed interface Step permits NeedMore, Greeting, Connect, Fail {
    }

    /** Not enough bytes yet. */
    record NeedMore() implements Step {
    }

    /** A complete method selection of {@code length} bytes; {@code noAuth} when X'00' is offered. */
    record Greeting(int length, boolean noAuth) implements Step {
    }

    /** A complete CONNECT request of {@code length} bytes for {@code hash} (lower-case hex). */
    record Connect(int length, String hash) implements Step {
    }

    /** A request that is refused with {@code reply} (or {@link #NO_REPLY}) and closed. */
    record Fail(byte reply, String why) implements Step {
    }

    private static final NeedMore MORE = new NeedMore();

    private Socks5Handshake() {
    }

    static Step greeting(ByteString in) {
        if (in.isEmpty()) {
            return MORE;
        }
        if (in.apply(0) != VERSION) {
            return new Fail(NO_REPLY, "not SOCKS version 5");
        }
        if (in.size() < 2) {
            return MORE;
        }
        int n = in.apply(1) & 0xff;
        if (n == 0) {
            return new Fail(NO_REPLY, "no method offered");
        }
        if (in.size() < 2 + n) {
            return MORE;
        }
        for (int i = 0; i < n; i++) {
            if (in.apply(2 + i) == 0) {
                return new Greeting(2 + n, true);
            }
        }
        return new Greeting(2 + n, false);
    }

    static Step request(ByteString in) {
        if (in.isEmpty()) {
            return MORE;
        }
        if (in.apply(0) != VERSION) {
            return new Fail(NO_REPLY, "not SOCKS version 5");
        }
        if (in.size() < 4) {
            return MORE;
        }
        if (in.apply(1) != 1) {
            return new Fail(COMMAND_NOT_SUPPORTED, "only CONNECT");
        }
        if (in.apply(3) != 3) {
            return new Fail(ADDRESS_TYPE_NOT_SUPPORTED, "only DOMAINNAME");
        }
        if (in.size() < 5) {
            return MORE;
        }
        int len = in.apply(4) & 0xff;
        if (len != 40) {
            return new Fail(GENERAL_FAILURE, "DST.ADDR is not a SHA-1 in hex (" + len + " bytes)");
        }
        if (in.size() < 5 + len + 2) {
            return MORE;
        }
        byte[] addr = in.slice(5, 5 + len).toArray();
        for (byte b : addr) {
            if (Character.digit(b, 16) < 0) {
                return new Fail(GENERAL_FAILURE, "DST.ADDR is not hex");
            }
        }
        return new Connect(5 + len + 2, new String(addr, StandardCharsets.US_ASCII).toLowerCase(java.util.Locale.ROOT));
    }

    /** The server's method selection answer: X'00' or X'FF' (no acceptable method). */
    static ByteString method(boolean noAuth) {
        return ByteString.fromArray(new byte[] {VERSION, noAuth ? 0 : (byte) 0xFF});
    }

    /** A reply (section 6) echoing the hash as BND.ADDR, port 0, as XEP-0065's examples do. */
    static ByteString reply(byte code, String hash) {
        byte[] h = hash == null ? new byte[0] : hash.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[5 + h.length + 2];
        out[0] = VERSION;
        out[1] = code;
        out[3] = 3;
        out[4] = (byte) h.length;
        System.arraycopy(h, 0, out, 5, h.length);
        return ByteString.fromArray(out);
    }
}
