package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kaiku.engine.testing.XmppTestClients;

/**
 * A server with an EC (P-256) certificate, whose handshake signatures and X25519 key shares run
 * on Bouncy Castle's provider (TlsCrypto): the JDK's TLS client, which verifies the server's
 * CertificateVerify (1.3) or ServerKeyExchange (1.2) signature and derives the same secrets
 * only if the key agreement matched, completes the handshake and then reads the stream's
 * features over the encrypted records.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EcCertificateTlsTest {

    @TempDir
    static Path dataDir;
    private EngineNode node;

    @BeforeAll
    void start() throws Exception {
        Path store = dataDir.resolve("tls").resolve("localhost.p12");
        Files.createDirectories(store.getParent());
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "kaiku", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as(out).isTrue();
        node = new EngineNode(dataDir, Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void theJdkClientVerifiesTheHandshakeAndTalks(String version) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {node.trust()}, null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(InetAddress.getByName("127.0.0.1"),
                node.engine.c2sTlsPort())) {
            s.setSoTimeout(30_000);
            s.setEnabledProtocols(new String[] {version});
            s.startHandshake();
            assertThat(s.getSession().getProtocol()).isEqualTo(version);
            assertThat(s.getSession().getCipherSuite()).contains(version.equals("TLSv1.3") ? "TLS_AES" : "ECDHE_ECDSA");
            assertThat(s.getSession().getPeerCertificates()[0].getPublicKey().getAlgorithm()).isEqualTo("EC");
            ChannelBindingTest.Conversation c = new ChannelBindingTest.Conversation(s.getInputStream(), s.getOutputStream());
            c.write(XmppTestClients.streamOpen());
            assertThat(c.readUntil("</stream:features>")).contains("SCRAM-SHA-256");
        }
    }
}
