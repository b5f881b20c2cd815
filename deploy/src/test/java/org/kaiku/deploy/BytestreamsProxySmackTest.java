package org.kaiku.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.bytestreams.BytestreamSession;
import org.jivesoftware.smackx.bytestreams.socks5.Socks5BytestreamManager;
import org.jivesoftware.smackx.bytestreams.socks5.Socks5Proxy;
import org.jivesoftware.smackx.bytestreams.socks5.packet.Bytestream;
import org.jivesoftware.smackx.disco.ServiceDiscoveryManager;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * XEP-0065 through real clients and the relay {@code kaiku run} embeds: Smack's
 * Socks5BytestreamManager, its own local streamhost off, finds proxy.localhost in disco, gets the
 * streamhost and sends a file from romeo to juliet through the relay, which arrives with the same
 * SHA-256. Then raw activation IQs over a stream of two raw SOCKS5 sockets: section 6.3.7's
 * errors for the target (item-not-found), an unknown hash (not-authorized) and a half-connected
 * stream (not-allowed), and bytes flowing after the requester's activation. The size is
 * {@code -Dkaiku.socks5.bytes} (50 MB by default, streamed, never held whole; about 1.2 s and 300
 * Mbit/s on a loaded two-core test machine; {@link BytestreamsProxyBenchmark} does the same alone).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BytestreamsProxySmackTest {
    static {
        Socks5Proxy.setLocalSocks5ProxyEnabled(false); // only the server's proxy may carry the stream
    }

    @TempDir
    static Path dataDir;
    private BytestreamsNode node;

    @BeforeAll
    void start() throws Exception {
        node = new BytestreamsNode(dataDir, Map.of("kaiku.relay.socks5.bytes-per-second", 0));
        node.addUser("romeo");
        node.addUser("juliet");
    }

    @AfterAll
    void stop() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void smackSendsAFileThroughTheProxy() throws Exception {
        int size = Integer.getInteger("kaiku.socks5.bytes", 50_000_000);
        Result r = transfer(node, size);
        assertThat(r.received()).isEqualTo(r.sent());
        System.out.printf("SOCKS5 proxy: %d bytes in %.2f s, %.1f Mbit/s%n", size, r.seconds(), size * 8 / r.seconds() / 1e6);
    }

    record Result(byte[] sent, byte[] received, double seconds) {
    }

    /** Romeo sends {@code size} random bytes to juliet with Smack over the node's proxy; both digests and the time. */
    static Result transfer(BytestreamsNode node, int size) throws Exception {
        XMPPTCPConnection romeo = node.smack("romeo", "balcony");
        XMPPTCPConnection juliet = node.smack("juliet", "garden");
        try {
            romeo.connect().login();
            juliet.connect().login();
            Socks5BytestreamManager sender = Socks5BytestreamManager.getBytestreamManager(romeo);
            Socks5BytestreamManager receiver = Socks5BytestreamManager.getBytestreamManager(juliet);
            sender.setAnnounceLocalStreamHost(false);
            receiver.setAnnounceLocalStreamHost(false);
            assertThat(sender.determineProxies()).extracting(Jid::toString).containsExactly("proxy.localhost");
            DiscoverInfo info = ServiceDiscoveryManager.getInstanceFor(romeo).discoverInfo(JidCreate.from("proxy.localhost"));
            assertThat(info.hasIdentity("proxy", "bytestreams")).isTrue();
            assertThat(info.containsFeature("http://jabber.org/protocol/bytestreams")).isTrue();

            CompletableFuture<byte[]> digest = new CompletableFuture<>();
            receiver.addIncomingBytestreamListener(request -> {
                try {
                    BytestreamSession session = request.accept();
                    MessageDigest sha = MessageDigest.getInstance("SHA-256");
                    byte[] buf = new byte[64 * 1024];
                    long total = 0;
                    try (InputStream in = session.getInputStream()) {
                        for (int n; (n = in.read(buf)) != -1; ) {
                            sha.update(buf, 0, n);
                            total += n;
                        }
                    }
                    if (total != size) {
                        throw new IllegalStateException("got " + total + " of " + size + " bytes");
                    }
                    digest.complete(sha.digest());
                } catch (Throwable e) {
                    digest.completeExceptionally(e);
                }
            });
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            Random random = new Random(42);
            byte[] chunk = new byte[64 * 1024];
            long t0 = System.nanoTime();
            BytestreamSession session = sender.establishSession(juliet.getUser());
            try (OutputStream out = session.getOutputStream()) {
                for (int left = size; left > 0; left -= chunk.length) {
                    random.nextBytes(chunk);
                    int n = Math.min(left, chunk.length);
                    sha.update(chunk, 0, n);
                    out.write(chunk, 0, n);
                }
            }
            byte[] got = digest.get(300, TimeUnit.SECONDS);
            return new Result(sha.digest(), got, (System.nanoTime() - t0) / 1e9);
        } finally {
            romeo.disconnect();
            juliet.disconnect();
        }
    }

    @Test
    void activationAnswersFollowSection637() throws Exception {
        XMPPTCPConnection romeo = node.smack("romeo", "raw");
        XMPPTCPConnection juliet = node.smack("juliet", "raw");
        try {
            romeo.connect().login();
            juliet.connect().login();
            Bytestream query = new Bytestream();
            query.setType(IQ.Type.get);
            query.setTo(JidCreate.from("proxy.localhost"));
            Bytestream.StreamHost host = ((Bytestream) romeo.sendIqRequestAndWaitForResponse(query)).getStreamHosts().get(0);
            assertThat(host.getJID().toString()).isEqualTo("proxy.localhost");
            assertThat(host.getAddress().toString()).isEqualTo("127.0.0.1");
            assertThat(host.getPort()).isEqualTo(node.relay.relay().socks5().address().getPort());

            String sid = "raw-sid-1";
            String r = romeo.getUser().toString();
            String j = juliet.getUser().toString();
            String hash = org.kaiku.relay.socks5.Socks5Proxy.hash(sid, r, j);
            try (Socket target = socks5(host.getPort(), hash)) {
                assertThat(error(romeo, activation(sid, j))).isEqualTo(StanzaError.Condition.not_allowed);
                try (Socket requester = socks5(host.getPort(), hash)) {
                    assertThat(error(juliet, activation(sid, r))).isEqualTo(StanzaError.Condition.item_not_found);
                    assertThat(error(romeo, activation("other-sid", j))).isEqualTo(StanzaError.Condition.not_authorized);
                    IQ ok = romeo.sendIqRequestAndWaitForResponse(activation(sid, j));
                    assertThat(ok.getType()).isEqualTo(IQ.Type.result);
                    byte[] hello = "hello through the proxy".getBytes(StandardCharsets.UTF_8);
                    requester.getOutputStream().write(hello);
                    byte[] got = new byte[hello.length];
                    new DataInputStream(target.getInputStream()).readFully(got);
                    assertThat(got).isEqualTo(hello);
                }
            }
        } finally {
            romeo.disconnect();
            juliet.disconnect();
        }
    }

    private static Bytestream activation(String sid, String target) throws Exception {
        Bytestream b = new Bytestream(sid);
        b.setMode(null);
        b.setType(IQ.Type.set);
        b.setTo(JidCreate.from("proxy.localhost"));
        b.setToActivate(JidCreate.from(target));
        return b;
    }

    private static StanzaError.Condition error(XMPPTCPConnection c, IQ iq) {
        XMPPException.XMPPErrorException e = catchThrowableOfType(XMPPException.XMPPErrorException.class,
                () -> c.sendIqRequestAndWaitForResponse(iq));
        assertThat(e).isNotNull();
        return e.getStanzaError().getCondition();
    }

    private static Socket socks5(int port, String hash) throws Exception {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(30_000);
        OutputStream out = s.getOutputStream();
        DataInputStream in = new DataInputStream(s.getInputStream());
        out.write(new byte[] {5, 1, 0});
        in.readFully(new byte[2]);
        byte[] h = hash.getBytes(StandardCharsets.US_ASCII);
        byte[] req = new byte[7 + h.length];
        req[0] = 5;
        req[1] = 1;
        req[3] = 3;
        req[4] = (byte) h.length;
        System.arraycopy(h, 0, req, 5, h.length);
        out.write(req);
        byte[] reply = new byte[7 + h.length];
        in.readFully(reply);
        assertThat(reply[1]).isEqualTo((byte) 0);
        return s;
    }

}
