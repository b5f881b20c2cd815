package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.ping.PingManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.kaiku.engine.testing.XmppTestClients;
import org.jxmpp.jid.impl.JidCreate;

/**
 * Direct TLS (XEP-0368) with PLAIN, and a client that stops reading: the server must drop it
 * once its small send queue is full, instead of buffering without bound, and the sender notices
 * nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowReaderAndDirectTlsTest {
    @TempDir
    static Path dataDir;
    private EngineNode node;
    private X509TrustManager trust;

    @BeforeAll
    void start() throws Exception {
        node = new EngineNode(dataDir, Map.of("kaiku.c2s.send-queue-size", 16, "kaiku.c2s.keepalive-interval", "1s"));
        node.addUser("alice@localhost", "alice-secret");
        node.addUser("carol@localhost", "carol-secret");
        trust = node.trust();
    }

    @AfterAll
    void stop() throws Exception {
        node.close();
    }

    @Test
    void slowReaderIsCutOffAndSenderCarriesOn() throws Exception {
        try (SSLSocket probe = directTls()) {
            probe.getOutputStream().write(XmppTestClients.streamOpen().getBytes(StandardCharsets.UTF_8));
            assertThat(readUntil(probe.getInputStream(), "</stream:features>"))
                    .contains("PLAIN").contains("SCRAM-SHA-256-PLUS").doesNotContain("starttls");
        }
        // bind and initial presence pipelined in one packet: served in order, not refused
        try (SSLSocket carol = boundCarol("slow", "<presence/>")) {
            InputStream in = carol.getInputStream();

            // carol stops reading; alice floods her full JID with 20 MB of headlines (which, once
            // carol is gone, are dropped without bounces: RFC 6121 section 8.5.3.2.1)
            XMPPTCPConnection alice = node.smack("alice", "alice-secret", "x");
            // With stream management Smack asks for an ack after every message: 5,000 <a/>
            // answers, which must not count against alice's own send queue (shrunk to 16 here)
            alice.setUseStreamManagement(true);
            java.util.concurrent.atomic.AtomicInteger acked = new java.util.concurrent.atomic.AtomicInteger();
            alice.addStanzaAcknowledgedListener(st -> {
                if (st instanceof Message) {
                    acked.incrementAndGet();
                }
            });
            alice.connect().login();
            assertThat(alice.isSmEnabled()).isTrue();
            String big = "y".repeat(4096);
            int sent = 5000;
            for (int i = 0; i < sent; i++) {
                alice.sendStanza(alice.getStanzaFactory().buildMessageStanza()
                        .to(JidCreate.entityFullFrom("carol@localhost/slow")).ofType(Message.Type.headline).setBody(big).build());
            }
            assertThat(PingManager.getInstanceFor(alice).pingMyServer()).isTrue();

            // what carol can still read ends in a closed connection, well before all 5000
            String rest = XmppTestClients.readToEnd(in);
            int delivered = rest.split("<message", -1).length - 1;
            assertThat(delivered).isLessThan(sent);
            assertThat(alice.isConnected()).isTrue();
            // every message was acknowledged: the answers reached alice, none was lost for the queue
            alice.requestSmAcknowledgement();
            XmppTestClients.await("alice's 5,000 messages acknowledged", () -> acked.get() == sent);
            alice.disconnect();
        }
    }

    @Test
    void authzidMayOnlyNameTheAccountItself() throws Exception {
        assertThat(plainAuth("bob@localhost\0carol\0carol-secret")).contains("<invalid-authzid");
        assertThat(plainAuth("carol@localhost\0carol\0carol-secret")).contains("<success");
        assertThat(plainAuth("\0carol\0wrong")).contains("<not-authorized");
        assertThat(plainAuth("\0nobody\0carol-secret")).contains("<not-authorized");
    }

    @Test
    void serverStampsFromRefusesForgeriesAndAnswersUnknownIqs() throws Exception {
        try (SSLSocket carol = boundCarol("forger", "")) {
            OutputStream out = carol.getOutputStream();
            InputStream in = carol.getInputStream();
            // RFC 6120 section 10.3.3 / 8.3.3.19: an unknown payload to the server or to one's own
            // account gets service-unavailable
            out.write("<iq type='get' id='u1' to='localhost'><query xmlns='urn:example:nothing'/></iq>"
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(readUntil(in, "</iq>")).contains("id=\"u1\"").contains("<service-unavailable");
            out.write("<iq type='get' id='u2'><query xmlns='urn:example:nothing'/></iq>".getBytes(StandardCharsets.UTF_8));
            assertThat(readUntil(in, "</iq>")).contains("id=\"u2\"").contains("<service-unavailable");
            // a 'from' that is not ours ends the stream (RFC 6120 section 8.1.2.1)
            out.write("<message from='alice@localhost/x' to='alice@localhost'><body>forged</body></message>"
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(readUntil(in, "</stream:stream>")).contains("<invalid-from");
        }
    }

    @Test
    void quietStreamsGetWhitespaceKeepalives() throws Exception {
        try (SSLSocket carol = boundCarol("quiet", "")) {
            // RFC 6120 section 4.6.1: after a second of silence the server sends a single space
            int b = carol.getInputStream().read();
            assertThat((char) b).isEqualTo(' ');
        }
    }

    /** carol over direct TLS with PLAIN, bound to {@code resource}; {@code pipelined} goes in the bind's packet. */
    private SSLSocket boundCarol(String resource, String pipelined) throws Exception {
        SSLSocket s = directTls();
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        out.write(XmppTestClients.streamOpen().getBytes(StandardCharsets.UTF_8));
        readUntil(in, "</stream:features>");
        String plain = Base64.getEncoder().encodeToString("\0carol\0carol-secret".getBytes(StandardCharsets.UTF_8));
        out.write(("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>" + plain + "</auth>")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(readUntil(in, "/>")).contains("<success");
        out.write(XmppTestClients.streamOpen().getBytes(StandardCharsets.UTF_8));
        assertThat(readUntil(in, "</stream:features>")).contains("urn:ietf:params:xml:ns:xmpp-bind");
        out.write(("<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>" + resource
                + "</resource></bind></iq>" + pipelined).getBytes(StandardCharsets.UTF_8));
        assertThat(readUntil(in, "</iq>")).contains("carol@localhost/" + resource);
        return s;
    }

    /** One PLAIN attempt over direct TLS; returns the server's answer. */
    private String plainAuth(String message) throws Exception {
        try (SSLSocket s = directTls()) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(XmppTestClients.streamOpen().getBytes(StandardCharsets.UTF_8));
            readUntil(in, "</stream:features>");
            String b64 = Base64.getEncoder().encodeToString(message.getBytes(StandardCharsets.UTF_8));
            out.write(("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>" + b64 + "</auth>")
                    .getBytes(StandardCharsets.UTF_8));
            return readUntil(in, "/>");
        }
    }

    private SSLSocket directTls() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {trust}, null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(InetAddress.getByName("127.0.0.1"), node.engine.c2sTlsPort());
        s.setSoTimeout(30_000);
        s.startHandshake();
        return s;
    }

    private static String readUntil(InputStream in, String marker) throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (!got.toString(StandardCharsets.UTF_8).contains(marker)) {
            int n = in.read(buf);
            if (n < 0) {
                throw new AssertionError("closed before " + marker + ": " + got.toString(StandardCharsets.UTF_8));
            }
            got.write(buf, 0, n);
        }
        return got.toString(StandardCharsets.UTF_8);
    }
}
