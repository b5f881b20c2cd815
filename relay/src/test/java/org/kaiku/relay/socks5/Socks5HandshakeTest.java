package org.kaiku.relay.socks5;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** The RFC 1928 messages of XEP-0065 section 8.2, whole and fed byte by byte, and what is refused. */
class Socks5HandshakeTest {
    private static final String HASH = Socks5Proxy.hash("sid", "romeo@localhost/a", "juliet@localhost/b");

    private static byte[] request(int cmd, int atyp, byte[] addr) {
        byte[] b = new byte[5 + addr.length + 2];
        b[0] = 5;
        b[1] = (byte) cmd;
        b[3] = (byte) atyp;
        b[4] = (byte) addr.length;
        System.arraycopy(addr, 0, b, 5, addr.length);
        return b;
    }

    @Test
    void greetingAndRequestByteByByte() {
        byte[] greeting = {5, 2, 2, 0};
        for (int i = 0; i < greeting.length - 1; i++) {
            assertThat(Socks5Handshake.greeting(ByteString.fromArray(greeting, 0, i + 1))).isInstanceOf(Socks5Handshake.NeedMore.class);
        }
        assertThat(Socks5Handshake.greeting(ByteString.fromArray(greeting))).isEqualTo(new Socks5Handshake.Greeting(4, true));
        byte[] req = request(1, 3, HASH.toUpperCase().getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < req.length - 1; i++) {
            assertThat(Socks5Handshake.request(ByteString.fromArray(req, 0, i + 1))).isInstanceOf(Socks5Handshake.NeedMore.class);
        }
        assertThat(Socks5Handshake.request(ByteString.fromArray(req))).isEqualTo(new Socks5Handshake.Connect(req.length, HASH));
    }

    @Test
    void refusals() {
        assertThat(Socks5Handshake.greeting(ByteString.fromArray(new byte[] {4, 1}))).isInstanceOf(Socks5Handshake.Fail.class);
        assertThat(Socks5Handshake.greeting(ByteString.fromArray(new byte[] {5, 0}))).isInstanceOf(Socks5Handshake.Fail.class);
        assertThat(Socks5Handshake.greeting(ByteString.fromArray(new byte[] {5, 1, 2}))).isEqualTo(new Socks5Handshake.Greeting(3, false));
        byte[] hash = HASH.getBytes(StandardCharsets.US_ASCII);
        assertThat(((Socks5Handshake.Fail) Socks5Handshake.request(ByteString.fromArray(request(2, 3, hash)))).reply())
                .isEqualTo(Socks5Handshake.COMMAND_NOT_SUPPORTED);
        assertThat(((Socks5Handshake.Fail) Socks5Handshake.request(ByteString.fromArray(request(1, 1, new byte[] {127, 0, 0, 1})))).reply())
                .isEqualTo(Socks5Handshake.ADDRESS_TYPE_NOT_SUPPORTED);
        assertThat(((Socks5Handshake.Fail) Socks5Handshake.request(ByteString.fromArray(request(1, 3, new byte[255])))).reply())
                .isEqualTo(Socks5Handshake.GENERAL_FAILURE);
        byte[] notHex = hash.clone();
        notHex[7] = 'z';
        assertThat(((Socks5Handshake.Fail) Socks5Handshake.request(ByteString.fromArray(request(1, 3, notHex)))).reply())
                .isEqualTo(Socks5Handshake.GENERAL_FAILURE);
        assertThat(((Socks5Handshake.Fail) Socks5Handshake.request(ByteString.fromArray(new byte[] {4, 1, 0, 3}))).reply())
                .isEqualTo(Socks5Handshake.NO_REPLY);
    }

    @Test
    void theHashIsXep0065s() {
        // SHA-1 of "sid" + "romeo@localhost/a" + "juliet@localhost/b", computed independently (sha1sum)
        assertThat(HASH).isEqualTo("cdce2fb7df1db226f7db17493566235368505e1e");
    }
}
