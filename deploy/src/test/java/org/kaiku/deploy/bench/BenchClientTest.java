package org.kaiku.deploy.bench;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kaiku.protocol.sasl.ScramCredential;
import org.kaiku.protocol.sasl.ScramMechanism;
import org.kaiku.protocol.sasl.ScramServer;

/**
 * The load tool's client against a scripted server that does what Kaiku does not but other
 * servers may (RFC 6120 allows both): the SCRAM server-final message in a challenge rather than
 * in {@code <success/>}, a mandatory session request, a ping from the server during login, a
 * message, and a stream error while online. Also a server without STARTTLS and a wrong password:
 * the session fails with a reason, it never hangs.
 */
class BenchClientTest {
    private static final String DOMAIN = "localhost";
    private static final String SASL = "urn:ietf:params:xml:ns:xmpp-sasl";
    private static final String HEADER = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
            + "xmlns:stream='http://etherx.jabber.org/streams' from='localhost' id='s1' version='1.0'>";
    private static SSLContext serverTls;

    @TempDir
    static Path keys;

    private EventLoop loop;
    private ServerSocket listener;

    @BeforeAll
    static void certificate() throws Exception {
        Path store = keys.resolve("server.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "s", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).isTrue();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        serverTls = SSLContext.getInstance("TLS");
        serverTls.init(kmf.getKeyManagers(), null, null);
    }

    @AfterEach
    void stop() throws IOException {
        if (loop != null) {
            loop.close();
        }
        if (listener != null) {
            listener.close();
        }
    }

    /** What the client reported, each event once. */
    private static final class Events implements BenchClient.Listener {
        final CompletableFuture<Long> online = new CompletableFuture<>();
        final CompletableFuture<String> message = new CompletableFuture<>();
        final CompletableFuture<String> failed = new CompletableFuture<>();
        volatile BenchClient.State failedIn;

        @Override
        public void online(BenchClient client, long loginNanos, long authNanos) {
            online.complete(loginNanos);
        }

        @Override
        public void registered(BenchClient client, boolean created) {
        }

        @Override
        public void message(BenchClient client, String body, long receivedNanos) {
            message.complete(body);
        }

        @Override
        public void failed(BenchClient client, BenchClient.State state, String reason) {
            failedIn = state;
            failed.complete(reason);
        }
    }

    /** One scripted server connection on its own thread; its failures surface in the test. */
    private CompletableFuture<String> serve(ScriptedServer script) throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        CompletableFuture<String> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (Socket s = listener.accept()) {
                s.setSoTimeout(20_000);
                done.complete(script.run(s));
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "scripted-server");
        t.setDaemon(true);
        t.start();
        return done;
    }

    interface ScriptedServer {
        String run(Socket s) throws Exception;
    }

    private Events connect(String password) {
        loop = new EventLoop("test-loop");
        BenchConfig config = new BenchConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()),
                DOMAIN, password, List.of("SCRAM-SHA-1", "PLAIN"), "bench", BenchTargets.trustingContext(), 20_000, false);
        Events events = new Events();
        BenchClient client = new BenchClient(0, "bench1", config, loop,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), BenchClient.Mode.LOGIN, events);
        loop.execute(client::start);
        return events;
    }

    /** Reads until {@code marker} has arrived; returns everything read. */
    private static String until(InputStream in, String marker) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (!got.toString(UTF_8).contains(marker)) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("client closed before sending " + marker + "; got: " + got.toString(UTF_8));
            }
            got.write(b);
        }
        return got.toString(UTF_8);
    }

    private static void send(OutputStream out, String xml) throws IOException {
        out.write(xml.getBytes(UTF_8));
        out.flush();
    }

    private static String between(String s, String from, String to) {
        int a = s.indexOf('>', s.indexOf(from)) + 1;
        return s.substring(a, s.indexOf(to, a));
    }

    /** Stream header and STARTTLS in the clear, then the TLS socket. */
    private static SSLSocket startTls(Socket s) throws IOException {
        until(s.getInputStream(), "version='1.0'");
        until(s.getInputStream(), ">");
        send(s.getOutputStream(), HEADER + "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"
                + "<required/></starttls></stream:features>");
        until(s.getInputStream(), "<starttls");
        until(s.getInputStream(), "/>");
        send(s.getOutputStream(), "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        SSLSocket tls = (SSLSocket) serverTls.getSocketFactory().createSocket(s, null, true);
        tls.setUseClientMode(false);
        tls.startHandshake();
        return tls;
    }

    @Test
    void logsInWhereTheServerDoesThingsKaikuDoesNot() throws Exception {
        ScramCredential credential = ScramCredential.create(ScramMechanism.SHA_1, "bench-secret", 4096, new SecureRandom());
        CompletableFuture<String> server = serve(s -> {
            SSLSocket tls = startTls(s);
            InputStream in = tls.getInputStream();
            OutputStream out = tls.getOutputStream();
            until(in, "version='1.0'");
            send(out, HEADER + "<stream:features><mechanisms xmlns='" + SASL + "'><mechanism>PLAIN</mechanism>"
                    + "<mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>");
            String auth = until(in, "</auth>");
            assertThat(auth).contains("mechanism='SCRAM-SHA-1'");
            ScramServer scram = new ScramServer(ScramMechanism.SHA_1, false, type -> null, false, new SecureRandom());
            scram.receiveClientFirst(Base64.getDecoder().decode(between(auth, "<auth", "</auth>")));
            send(out, "<challenge xmlns='" + SASL + "'>" + Base64.getEncoder().encodeToString(scram.serverFirst(credential))
                    + "</challenge>");
            String response = until(in, "</response>");
            byte[] serverFinal = scram.receiveClientFinal(Base64.getDecoder().decode(between(response, "<response", "</response>")));
            // server-final as a challenge, then an empty success (RFC 6120 section 6.4.6 allows it)
            send(out, "<challenge xmlns='" + SASL + "'>" + Base64.getEncoder().encodeToString(serverFinal) + "</challenge>");
            until(in, "<response");
            until(in, "/>");
            send(out, "<success xmlns='" + SASL + "'/>");
            until(in, "version='1.0'");
            send(out, HEADER + "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
                    + "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></stream:features>");
            until(in, "</iq>");
            send(out, "<iq type='result' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
                    + "<jid>bench1@localhost/bench</jid></bind></iq>");
            String session = until(in, "</iq>");
            assertThat(session).as("mandatory session requested").contains("urn:ietf:params:xml:ns:xmpp-session");
            send(out, "<iq type='result' id='sess'/>");
            String roster = until(in, "</iq>");
            assertThat(roster).contains("jabber:iq:roster");
            send(out, "<iq type='get' id='p1' from='localhost'><ping xmlns='urn:xmpp:ping'/></iq>"
                    + "<iq type='get' id='v1' from='localhost'><query xmlns='jabber:iq:version'/></iq>");
            String answers = until(in, "id='v1'");
            answers += until(in, "</iq>");
            send(out, "<iq type='result' id='roster'><query xmlns='jabber:iq:roster'/></iq>");
            answers += until(in, "<presence/>");
            send(out, "<message from='alice@localhost/x' to='bench1@localhost/bench' type='chat'><body>hello</body></message>");
            Thread.sleep(200);
            send(out, "<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>");
            return answers;
        });
        Events events = connect("bench-secret");

        assertThat(events.online.get(30, TimeUnit.SECONDS)).isPositive();
        assertThat(events.message.get(30, TimeUnit.SECONDS)).isEqualTo("hello");
        assertThat(events.failed.get(30, TimeUnit.SECONDS)).contains("stream error").contains("conflict");
        assertThat(events.failedIn).isEqualTo(BenchClient.State.ONLINE);
        String answers = server.get(30, TimeUnit.SECONDS);
        assertThat(answers).containsPattern("<iq id='p1' to='localhost' type='result'/>");
        assertThat(answers).contains("id='v1'").contains("feature-not-implemented");
    }

    @Test
    void serverWithoutStartTlsIsRefused() throws Exception {
        serve(s -> {
            until(s.getInputStream(), "version='1.0'");
            send(s.getOutputStream(), HEADER + "<stream:features><mechanisms xmlns='" + SASL + "'>"
                    + "<mechanism>PLAIN</mechanism></mechanisms></stream:features>");
            s.getInputStream().read(); // until the client hangs up
            return "";
        });
        Events events = connect("bench-secret");
        assertThat(events.failed.get(30, TimeUnit.SECONDS)).isEqualTo("server offers no STARTTLS");
        assertThat(events.online).isNotDone();
    }

    @Test
    void wrongPasswordFailsWithTheServersAnswer() throws Exception {
        serve(s -> {
            SSLSocket tls = startTls(s);
            until(tls.getInputStream(), "version='1.0'");
            send(tls.getOutputStream(), HEADER + "<stream:features><mechanisms xmlns='" + SASL + "'>"
                    + "<mechanism>PLAIN</mechanism></mechanisms></stream:features>");
            until(tls.getInputStream(), "</auth>");
            send(tls.getOutputStream(), "<failure xmlns='" + SASL + "'><not-authorized/></failure>");
            tls.getInputStream().read();
            return "";
        });
        Events events = connect("wrong");
        assertThat(events.failed.get(30, TimeUnit.SECONDS)).startsWith("authentication failed").contains("not-authorized");
        assertThat(events.failedIn).isEqualTo(BenchClient.State.SASL);
    }
}
