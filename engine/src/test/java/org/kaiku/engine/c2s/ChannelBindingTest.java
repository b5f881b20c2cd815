package org.kaiku.engine.c2s;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.ongres.scram.client.ScramClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kaiku.engine.testing.XmppTestClients;
import org.kaiku.protocol.sasl.ChannelBindings;

/**
 * SCRAM-*-PLUS over a real TLS connection with both channel-binding types the server offers:
 * tls-exporter (RFC 9266) checked against OpenSSL's own keying-material exporter, so the value
 * comes from a TLS stack other than ours, and tls-server-end-point (RFC 5929) with the JDK's TLS
 * client. Also: garbage where a TLS handshake belongs ends that connection only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChannelBindingTest {
    private static final Pattern KEYING_MATERIAL = Pattern.compile("Keying material: ([0-9A-Fa-f]{64})");

    @TempDir
    static Path dataDir;
    private EngineNode node;

    @BeforeAll
    void start() throws Exception {
        node = new EngineNode(dataDir, Map.of());
        node.addUser("dora@localhost", "dora-secret");
    }

    @AfterAll
    void stop() throws Exception {
        node.close();
    }

    @Test
    void scramPlusWithTlsExporterFromOpenSslOnTls13() throws Exception {
        try (OpenSslClient client = OpenSslClient.starttls(node.engine.c2sPort(), "-tls1_3")) {
            byte[] exporter = client.exporter();
            client.write(XmppTestClients.streamOpen());
            String features = client.readUntil("</stream:features>");
            assertThat(features).contains("SCRAM-SHA-256-PLUS").contains("<channel-binding type=\"tls-exporter\"/>")
                    .contains("<channel-binding type=\"tls-server-end-point\"/>");
            assertThat(scram(client, ChannelBindings.TLS_EXPORTER, exporter)).contains("<success");
        }
    }

    /** TLS 1.2: implementations disagree on the exporter's context (see C2sTlsServer), so it is not offered. */
    @Test
    void tls12OffersOnlyTlsServerEndPoint() throws Exception {
        try (OpenSslClient client = OpenSslClient.starttls(node.engine.c2sPort(), "-tls1_2")) {
            byte[] exporter = client.exporter();
            client.write(XmppTestClients.streamOpen());
            String features = client.readUntil("</stream:features>");
            assertThat(features).contains("SCRAM-SHA-256-PLUS").doesNotContain("tls-exporter")
                    .contains("<channel-binding type=\"tls-server-end-point\"/>");
            assertThat(scram(client, ChannelBindings.TLS_EXPORTER, exporter)).contains("<not-authorized/>");
        }
    }

    @Test
    void aTlsExporterValueFromAnotherConnectionIsRefused() throws Exception {
        byte[] stale;
        try (OpenSslClient first = OpenSslClient.starttls(node.engine.c2sPort(), "-tls1_3")) {
            stale = first.exporter();
        }
        try (OpenSslClient client = OpenSslClient.starttls(node.engine.c2sPort(), "-tls1_3")) {
            assertThat(client.exporter()).isNotEqualTo(stale);
            client.write(XmppTestClients.streamOpen());
            client.readUntil("</stream:features>");
            assertThat(scram(client, ChannelBindings.TLS_EXPORTER, stale)).contains("<not-authorized/>");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void scramPlusWithTlsServerEndPointFromTheJdkClient(String version) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {node.trust()}, null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(InetAddress.getByName("127.0.0.1"),
                node.engine.c2sTlsPort())) {
            s.setSoTimeout(30_000);
            s.setEnabledProtocols(new String[] {version});
            s.startHandshake();
            assertThat(s.getSession().getProtocol()).isEqualTo(version);
            byte[] endPoint = ChannelBindings.tlsServerEndPoint((X509Certificate) s.getSession().getPeerCertificates()[0])
                    .orElseThrow().data();
            Conversation c = new Conversation(s.getInputStream(), s.getOutputStream());
            c.write(XmppTestClients.streamOpen());
            String features = c.readUntil("</stream:features>");
            assertThat(features).contains("<channel-binding type=\"tls-server-end-point\"/>");
            if (version.equals("TLSv1.3")) {
                assertThat(features).contains("<channel-binding type=\"tls-exporter\"/>");
            } else {
                assertThat(features).doesNotContain("tls-exporter");
            }
            assertThat(scram(c, ChannelBindings.TLS_SERVER_END_POINT, endPoint)).contains("<success");
        }
    }

    @Test
    void garbageInsteadOfAClientHelloEndsOnlyThatConnection() throws Exception {
        try (Socket raw = new Socket(InetAddress.getByName("127.0.0.1"), node.engine.c2sPort())) {
            raw.setSoTimeout(30_000);
            Conversation c = new Conversation(raw.getInputStream(), raw.getOutputStream());
            c.write(XmppTestClients.streamOpen());
            c.readUntil("</stream:features>");
            c.write("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
            c.readUntil("<proceed");
            c.write("this is no TLS record, just text where a ClientHello belongs\r\n\r\n");
            // The server answers with a fatal alert and closes: the read ends instead of hanging.
            c.readToEnd();
        }
        XMPPTCPConnection dora = node.smack("dora", "dora-secret", "after-garbage");
        try {
            dora.connect().login();
            assertThat(dora.isAuthenticated()).isTrue();
        } finally {
            dora.disconnect();
        }
    }

    /** SCRAM-SHA-256-PLUS for dora with the given binding; returns the server's last answer. */
    private static String scram(Conversation c, String type, byte[] binding) throws Exception {
        ScramClient scram = ScramClient.builder().advertisedMechanisms(List.of("SCRAM-SHA-256-PLUS"))
                .username("dora").password("dora-secret".toCharArray()).channelBinding(type, binding).build();
        c.write("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-256-PLUS'>"
                + b64(scram.clientFirstMessage().toString()) + "</auth>");
        String challenge = c.readUntilAny("</challenge>", "</failure>");
        if (challenge.endsWith("</failure>")) {
            return challenge;
        }
        String serverFirst = new String(Base64.getDecoder().decode(
                challenge.replaceAll("(?s).*<challenge[^>]*>", "").replaceAll("(?s)</challenge>.*", "")), UTF_8);
        scram.serverFirstMessage(serverFirst);
        c.write("<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>" + b64(scram.clientFinalMessage().toString())
                + "</response>");
        return c.readUntilAny("</success>", "</failure>", "<success/>");
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(UTF_8));
    }

    /** Reads the server's side of a raw XMPP conversation. */
    static class Conversation {
        private final InputStream in;
        private final OutputStream out;
        private final ByteArrayOutputStream seen = new ByteArrayOutputStream();
        private int consumed;

        Conversation(InputStream in, OutputStream out) {
            this.in = in;
            this.out = out;
        }

        void write(String xml) throws IOException {
            out.write(xml.getBytes(UTF_8));
            out.flush();
        }

        String readUntil(String marker) throws IOException {
            return readUntilAny(marker);
        }

        /** What arrived since the last read, up to and including the first of the markers. */
        String readUntilAny(String... markers) throws IOException {
            byte[] buf = new byte[8192];
            while (true) {
                String unread = seen.toString(UTF_8).substring(consumed);
                for (String m : markers) {
                    int at = unread.indexOf(m);
                    if (at >= 0) {
                        consumed += at + m.length();
                        return unread.substring(0, at + m.length());
                    }
                }
                int n = in.read(buf);
                if (n < 0) {
                    throw new AssertionError("closed before " + List.of(markers) + ": " + unread);
                }
                seen.write(buf, 0, n);
            }
        }

        void readToEnd() throws IOException {
            byte[] buf = new byte[8192];
            try {
                while (in.read(buf) >= 0) {
                    // drain until the server closes
                }
            } catch (java.net.SocketException e) {
                // a reset after the alert is an end too
            }
        }
    }

    /**
     * {@code openssl s_client -starttls xmpp} as a child process: OpenSSL does the STARTTLS
     * dance and the handshake, prints the tls-exporter value (label EXPORTER-Channel-Binding,
     * 32 bytes, RFC 9266 section 2) and then relays the stream through its stdin/stdout.
     */
    static final class OpenSslClient extends Conversation implements AutoCloseable {
        private final Process process;

        private OpenSslClient(Process process) {
            super(process.getInputStream(), process.getOutputStream());
            this.process = process;
        }

        static OpenSslClient starttls(int port, String version) throws IOException {
            Path err = Files.createTempFile("openssl", ".err");
            Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                    "-starttls", "xmpp", "-xmpphost", "localhost", version, "-ign_eof",
                    "-keymatexport", "EXPORTER-Channel-Binding", "-keymatexportlen", "32")
                    .redirectError(err.toFile()).start();
            return new OpenSslClient(p);
        }

        byte[] exporter() throws IOException {
            String session = readUntil("---\n");
            while (!session.contains("Keying material")) {
                session += readUntil("---\n");
            }
            Matcher m = KEYING_MATERIAL.matcher(session);
            assertThat(m.find()).as("keying material in %s", session).isTrue();
            return HexFormat.of().parseHex(m.group(1));
        }

        @Override
        public void close() throws Exception {
            process.getOutputStream().close();
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
