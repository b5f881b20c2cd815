package org.kaiku.protocol.sasl;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.ongres.scram.client.ScramClient;
import com.ongres.scram.common.util.TlsServerEndpoint;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * tls-server-end-point (RFC 5929 section 4) over certificates made by the JDK's keytool, and a
 * SCRAM-SHA-256-PLUS exchange over a real TLS connection on loopback where each side takes the
 * certificate from its own end of the handshake.
 */
class ChannelBindingsTest {
    private static final char[] PASSWORD = "changeit".toCharArray();
    private static KeyStore keyStore;

    @TempDir
    static Path dir;

    @BeforeAll
    static void makeCertificates() throws Exception {
        Path file = dir.resolve("certs.p12");
        keytool(file, "sha1", "RSA", "SHA1withRSA", "1024");
        keytool(file, "md5", "RSA", "MD5withRSA", "1024");
        keytool(file, "sha512", "RSA", "SHA512withRSA", "1024");
        keytool(file, "ecdsa384", "EC", "SHA384withECDSA", "256");
        keytool(file, "ed25519", "Ed25519", "Ed25519", null);
        keytool(file, "pss", "RSASSA-PSS", "RSASSA-PSS", "2048");
        keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            keyStore.load(in, PASSWORD);
        }
    }

    private static void keytool(Path store, String alias, String keyAlg, String sigAlg, String keySize)
            throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", new String(PASSWORD),
                "-alias", alias, "-keyalg", keyAlg, "-sigalg", sigAlg, "-dname", "CN=localhost", "-validity", "2"));
        if (keySize != null) {
            cmd.addAll(List.of("-keysize", keySize));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    private static X509Certificate cert(String alias) throws Exception {
        return (X509Certificate) keyStore.getCertificate(alias);
    }

    @ParameterizedTest
    @CsvSource({"sha1, SHA-256", "md5, SHA-256", "sha512, SHA-512", "ecdsa384, SHA-384", "pss, SHA-256"})
    void hashesTheDerCertificateWithTheSignatureHash(String alias, String digest) throws Exception {
        X509Certificate cert = cert(alias);
        Optional<ChannelBinding> binding = ChannelBindings.tlsServerEndPoint(cert);
        byte[] expected = MessageDigest.getInstance(digest).digest(cert.getEncoded());
        assertThat(binding).isPresent();
        assertThat(binding.get().type()).isEqualTo("tls-server-end-point");
        assertThat(binding.get().data()).isEqualTo(expected);
        if (cert.getSigAlgName().contains("with")) {
            // scram-common, an independent implementation, agrees on "<hash>with<sig>" algorithms
            // (it does not read RSASSA-PSS parameters).
            assertThat(binding.get().data()).isEqualTo(TlsServerEndpoint.getChannelBindingData(cert));
        }
    }

    @Test
    void undefinedForSignaturesWithoutASingleHash() throws Exception {
        assertThat(ChannelBindings.tlsServerEndPoint(cert("ed25519"))).isEmpty();
    }

    @Test
    void channelBindingRecordCopiesAndComparesByContent() {
        byte[] data = {1, 2, 3};
        ChannelBinding b = new ChannelBinding(ChannelBindings.TLS_SERVER_END_POINT, data);
        data[0] = 9;
        b.data()[1] = 9;
        assertThat(b).isEqualTo(new ChannelBinding("tls-server-end-point", new byte[] {1, 2, 3}));
        assertThat(b.toString()).contains("010203");
        assertThat(ChannelBindings.TLS_EXPORTER).isEqualTo("tls-exporter");
    }

    @Test
    void scramPlusOverRealTlsSucceedsWhenBothSidesSeeTheSameCertificate() throws Exception {
        assertThat(exchangeOverTls(null)).isEqualTo("success");
    }

    @Test
    void scramPlusOverRealTlsFailsWhenTheClientSawAnotherCertificate() throws Exception {
        // What a client behind a TLS-terminating man in the middle would compute.
        assertThat(exchangeOverTls(cert("sha512"))).isEqualTo("failure:not-authorized");
    }

    /**
     * Runs SCRAM-SHA-256-PLUS over TLS 1.3 on 127.0.0.1; frames are a type byte (0 data,
     * 1 failure) and a length-prefixed payload. Returns what the client saw.
     */
    private String exchangeOverTls(X509Certificate clientSeesInstead) throws Exception {
        SSLContext serverContext = serverContext("ecdsa384");
        SSLContext clientContext = clientContext(cert("ecdsa384"));
        ScramCredential credential = ScramCredential.create(ScramMechanism.SHA_256, "pencil", 4096, new SecureRandom());
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (SSLServerSocket listener = (SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            listener.setEnabledProtocols(new String[] {"TLSv1.3"});
            Future<Boolean> server = executor.submit(() -> serve(listener, credential));
            String result;
            try (SSLSocket socket = (SSLSocket) clientContext.getSocketFactory()
                    .createSocket(InetAddress.getByName("127.0.0.1"), listener.getLocalPort())) {
                socket.setSoTimeout(20_000);
                socket.startHandshake();
                X509Certificate seen = clientSeesInstead != null ? clientSeesInstead
                        : (X509Certificate) socket.getSession().getPeerCertificates()[0];
                byte[] cbData = ChannelBindings.tlsServerEndPoint(seen).orElseThrow().data();
                ScramClient client = ScramClient.builder()
                        .advertisedMechanisms(List.of("SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"))
                        .username("user").password("pencil".toCharArray())
                        .channelBinding(ChannelBindings.TLS_SERVER_END_POINT, cbData).build();
                DataInputStream in = new DataInputStream(socket.getInputStream());
                DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                write(out, 0, client.clientFirstMessage().toString());
                String[] serverFirst = read(in);
                client.serverFirstMessage(serverFirst[1]);
                write(out, 0, client.clientFinalMessage().toString());
                String[] serverFinal = read(in);
                if (serverFinal[0].equals("1")) {
                    result = "failure:" + serverFinal[1];
                } else {
                    client.serverFinalMessage(serverFinal[1]);
                    result = "success";
                }
            }
            assertThat(server.get(30, TimeUnit.SECONDS)).isEqualTo(result.equals("success"));
            return result;
        } finally {
            executor.shutdownNow();
        }
    }

    private static boolean serve(SSLServerSocket listener, ScramCredential credential) throws Exception {
        try (SSLSocket socket = (SSLSocket) listener.accept()) {
            socket.setSoTimeout(20_000);
            socket.startHandshake();
            Certificate ours = socket.getSession().getLocalCertificates()[0];
            Optional<ChannelBinding> binding = ChannelBindings.tlsServerEndPoint((X509Certificate) ours);
            ScramServer scram = new ScramServer(ScramMechanism.SHA_256, true,
                    type -> type.equals(ChannelBindings.TLS_SERVER_END_POINT) ? binding.orElse(null) : null,
                    binding.isPresent(), new SecureRandom());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            try {
                scram.receiveClientFirst(read(in)[1].getBytes(UTF_8));
                write(out, 0, new String(scram.serverFirst(credential), UTF_8));
                write(out, 0, new String(scram.receiveClientFinal(read(in)[1].getBytes(UTF_8)), UTF_8));
                return true;
            } catch (SaslException e) {
                write(out, 1, e.failure().elementName());
                return false;
            }
        }
    }

    private static void write(DataOutputStream out, int type, String payload) throws IOException {
        out.writeByte(type);
        out.writeUTF(payload);
        out.flush();
    }

    private static String[] read(DataInputStream in) throws IOException {
        int type = in.readByte();
        return new String[] {Integer.toString(type), in.readUTF()};
    }

    private static SSLContext serverContext(String alias) throws Exception {
        KeyStore only = KeyStore.getInstance("PKCS12");
        only.load(null, null);
        only.setKeyEntry(alias, keyStore.getKey(alias, PASSWORD), PASSWORD, keyStore.getCertificateChain(alias));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(only, PASSWORD);
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(kmf.getKeyManagers(), null, new SecureRandom());
        return context;
    }

    private static SSLContext clientContext(X509Certificate trusted) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", trusted);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(null, tmf.getTrustManagers(), new SecureRandom());
        return context;
    }
}
