package org.kaiku.relay.socks5;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.kaiku.relay.RelayNode;

/**
 * The proxy's network side against raw sockets (RFC 1928 as XEP-0065 section 8.2 maps it): two
 * connections with one hash are relayed both ways only after activation; activation answers
 * follow section 6.3.7; hostile handshakes are closed without disturbing a running transfer;
 * the session limits refuse the connection or activation beyond them.
 */
class Socks5ProxyTest {
    private RelayNode relay;

    private Socks5Proxy start(Map<String, Object> overrides) {
        relay = RelayNode.start(ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.parseMap(Map.of(
                "kaiku.relay.socks5.port", 0, "kaiku.relay.socks5.bytes-per-second", 0, "pekko.loglevel", "WARNING",
                "pekko.log-dead-letters", "off"))).withFallback(ConfigFactory.load()), "127.0.0.1", 0);
        return relay.socks5();
    }

    @AfterEach
    void stop() throws Exception {
        if (relay != null) {
            relay.close();
        }
    }

    /** Connects and completes the handshake; returns the reply code. */
    private static Socket connect(Socks5Proxy proxy, String hash, byte[] replyCode) throws Exception {
        Socket s = new Socket("127.0.0.1", proxy.address().getPort());
        s.setSoTimeout(30_000);
        OutputStream out = s.getOutputStream();
        DataInputStream in = new DataInputStream(s.getInputStream());
        out.write(new byte[] {5, 1, 0});
        byte[] method = new byte[2];
        in.readFully(method);
        assertThat(method).containsExactly(5, 0);
        byte[] h = hash.getBytes(StandardCharsets.US_ASCII);
        byte[] req = new byte[5 + h.length + 2];
        req[0] = 5;
        req[1] = 1;
        req[3] = 3;
        req[4] = (byte) h.length;
        System.arraycopy(h, 0, req, 5, h.length);
        out.write(req);
        byte[] reply = new byte[5 + h.length + 2];
        in.readFully(reply);
        replyCode[0] = reply[1];
        return s;
    }

    private static Socket connected(Socks5Proxy proxy, String hash) throws Exception {
        byte[] code = new byte[1];
        Socket s = connect(proxy, hash, code);
        assertThat(code[0]).isEqualTo((byte) 0);
        return s;
    }

    /** Whether the proxy closed the socket: end of stream, or a reset (it aborts rather than flushes). */
    private static boolean closedByProxy(Socket s) throws Exception {
        try {
            return s.getInputStream().read() == -1;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    private static Socks5Proxy.Activation activate(Socks5Proxy proxy, String sid, String from, String target) throws Exception {
        return proxy.activate(sid, from, target).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void relaysBothWaysAfterActivationOnly() throws Exception {
        Socks5Proxy proxy = start(Map.of());
        String hash = Socks5Proxy.hash("sid1", "romeo@localhost/a", "juliet@localhost/b");
        try (Socket target = connected(proxy, hash)) {
            assertThat(activate(proxy, "sid1", "romeo@localhost/a", "juliet@localhost/b"))
                    .isEqualTo(Socks5Proxy.Activation.ONE_PARTY);
            try (Socket requester = connected(proxy, hash)) {
                assertThat(activate(proxy, "sid1", "nurse@localhost/x", "juliet@localhost/b"))
                        .isEqualTo(Socks5Proxy.Activation.UNKNOWN);
                assertThat(activate(proxy, "sid1", "juliet@localhost/b", "romeo@localhost/a"))
                        .isEqualTo(Socks5Proxy.Activation.NOT_REQUESTER);
                assertThat(activate(proxy, "sid1", "romeo@localhost/a", "juliet@localhost/b"))
                        .isEqualTo(Socks5Proxy.Activation.ACTIVATED);
                assertThat(activate(proxy, "sid1", "romeo@localhost/a", "juliet@localhost/b"))
                        .isEqualTo(Socks5Proxy.Activation.ALREADY_ACTIVE);
                byte[] sent = transfer(requester, target, 3 << 20);
                byte[] back = transfer(target, requester, 1000);
                assertThat(sent).isNotNull();
                assertThat(back).isNotNull();
                // a third party cannot join an activated stream
                byte[] code = new byte[1];
                try (Socket third = connect(proxy, hash, code)) {
                    assertThat(code[0]).isEqualTo((byte) 2);
                    assertThat(third.getInputStream().read()).isEqualTo(-1);
                }
            }
        }
    }

    /** Writes {@code size} random bytes on one side (on its own thread) and checks the other reads the same. */
    private static byte[] transfer(Socket from, Socket to, int size) throws Exception {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = from.getOutputStream();
                for (int off = 0; off < size; off += 8192) {
                    out.write(data, off, Math.min(8192, size - off));
                }
                out.flush();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        byte[] got = new byte[size];
        new DataInputStream(to.getInputStream()).readFully(got);
        writing.get(60, TimeUnit.SECONDS);
        assertThat(MessageDigest.getInstance("SHA-256").digest(got))
                .isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
        return got;
    }

    @Test
    void hostileHandshakesAreClosedWhileATransferRuns() throws Exception {
        Socks5Proxy proxy = start(Map.of());
        String hash = Socks5Proxy.hash("s", "a@localhost/1", "b@localhost/2");
        try (Socket target = connected(proxy, hash); Socket requester = connected(proxy, hash)) {
            assertThat(activate(proxy, "s", "a@localhost/1", "b@localhost/2")).isEqualTo(Socks5Proxy.Activation.ACTIVATED);
            byte[] data = new byte[8 << 20];
            new Random(1).nextBytes(data);
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                try {
                    byte[] got = new byte[data.length];
                    new DataInputStream(target.getInputStream()).readFully(got);
                    return got;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    requester.getOutputStream().write(data);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            // SOCKS4, garbage, an oversized address, a command other than CONNECT, an IPv4 address
            byte[][] hostile = {
                {4, 1, 0, 80, 127, 0, 0, 1, 0},
                "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                oversized(),
                {5, 1, 0, 5, 2, 0, 3, 40},
                {5, 1, 0, 5, 1, 0, 1, 127, 0, 0, 1, 0, 80},
            };
            for (byte[] bytes : hostile) {
                try (Socket s = new Socket("127.0.0.1", proxy.address().getPort())) {
                    s.setSoTimeout(30_000);
                    s.getOutputStream().write(bytes);
                    InputStream in = s.getInputStream();
                    while (in.read() != -1) {
                        // the method answer and a failure reply may come first; then the proxy closes
                    }
                }
            }
            // a connection that offers only username/password gets X'FF' and is closed
            try (Socket s = new Socket("127.0.0.1", proxy.address().getPort())) {
                s.setSoTimeout(30_000);
                s.getOutputStream().write(new byte[] {5, 1, 2});
                InputStream in = s.getInputStream();
                assertThat(in.read()).isEqualTo(5);
                assertThat(in.read()).isEqualTo(0xFF);
                assertThat(in.read()).isEqualTo(-1);
            }
            writing.get(60, TimeUnit.SECONDS);
            assertThat(received.get(60, TimeUnit.SECONDS)).isEqualTo(data);
        }
    }

    private static byte[] oversized() {
        byte[] b = new byte[3 + 5 + 255 + 2];
        b[0] = 5;
        b[1] = 1;
        b[3] = 5;
        b[4] = 1;
        b[6] = 3;
        b[7] = (byte) 255;
        java.util.Arrays.fill(b, 8, 8 + 255, (byte) 'a');
        return b;
    }

    @Test
    void sessionLimitsRefuseTheNextStream() throws Exception {
        Socks5Proxy proxy = start(Map.of("kaiku.relay.socks5.max-sessions", 2, "kaiku.relay.socks5.user-sessions", 1));
        String h1 = Socks5Proxy.hash("1", "a@localhost/1", "b@localhost/2");
        String h2 = Socks5Proxy.hash("2", "a@localhost/1", "b@localhost/2");
        String h3 = Socks5Proxy.hash("3", "a@localhost/1", "b@localhost/2");
        try (Socket a1 = connected(proxy, h1); Socket b1 = connected(proxy, h1);
             Socket a2 = connected(proxy, h2); Socket b2 = connected(proxy, h2)) {
            byte[] code = new byte[1];
            try (Socket refused = connect(proxy, h3, code)) {
                assertThat(code[0]).isEqualTo((byte) 2);
                assertThat(refused.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(activate(proxy, "1", "a@localhost/1", "b@localhost/2")).isEqualTo(Socks5Proxy.Activation.ACTIVATED);
            // same bare JID from another resource: over user-sessions
            String h2other = Socks5Proxy.hash("2", "a@localhost/1", "b@localhost/2");
            assertThat(h2other).isEqualTo(h2);
            assertThat(activate(proxy, "2", "a@localhost/1", "b@localhost/2")).isEqualTo(Socks5Proxy.Activation.USER_LIMIT);
        }
    }

    @Test
    void theRateLimitHoldsEachDirection() throws Exception {
        Socks5Proxy proxy = start(Map.of("kaiku.relay.socks5.bytes-per-second", 1 << 20));
        String hash = Socks5Proxy.hash("r", "a@localhost/1", "b@localhost/2");
        try (Socket target = connected(proxy, hash); Socket requester = connected(proxy, hash)) {
            assertThat(activate(proxy, "r", "a@localhost/1", "b@localhost/2")).isEqualTo(Socks5Proxy.Activation.ACTIVATED);
            long t0 = System.nanoTime();
            transfer(requester, target, 3 << 20);
            double seconds = (System.nanoTime() - t0) / 1e9;
            // 3 MiB at 1 MiB/s: all but the first chunk (at most 128 KiB) wait their turn; a lower bound only
            assertThat(seconds).isGreaterThan(1.5);
        }
    }

    @Test
    void aConnectionNeverActivatedIsClosedWhenIdle() throws Exception {
        Socks5Proxy proxy = start(Map.of("kaiku.relay.socks5.idle-timeout", "300ms"));
        try (Socket waiting = connected(proxy, Socks5Proxy.hash("i", "a@localhost/1", "b@localhost/2"))) {
            assertThat(closedByProxy(waiting)).isTrue(); // within the 30 s read timeout
        }
    }

    @Test
    void aConnectionBeyondMaxConnectionsIsClosed() throws Exception {
        Socks5Proxy proxy = start(Map.of("kaiku.relay.socks5.max-connections", 2));
        try (Socket one = new Socket("127.0.0.1", proxy.address().getPort());
             Socket two = new Socket("127.0.0.1", proxy.address().getPort());
             Socket three = new Socket("127.0.0.1", proxy.address().getPort())) {
            three.setSoTimeout(30_000);
            // the first two are accepted and wait for a greeting; the third is closed at once
            assertThat(closedByProxy(three)).isTrue();
        }
    }
}
