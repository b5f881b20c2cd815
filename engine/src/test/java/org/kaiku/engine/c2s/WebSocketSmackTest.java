package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.jivesoftware.smack.StanzaCollector;
import org.jivesoftware.smack.c2s.ModularXmppClientToServerConnection;
import org.jivesoftware.smack.c2s.ModularXmppClientToServerConnectionConfiguration;
import org.jivesoftware.smack.filter.MessageWithBodiesFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.websocket.XmppWebSocketTransportModuleDescriptor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.impl.JidCreate;
import org.kaiku.engine.testing.XmppTestClients;

/**
 * XMPP over WebSocket (RFC 7395) against a real node: Smack's WebSocket transport logs in over
 * WSS and chats with a Smack TCP client; a raw WebSocket client checks the framing (no
 * STARTTLS, PLAIN allowed, a new {@code <open/>} after SASL) and that hostile input (no
 * subprotocol, a frame before {@code <open/>}, non-XML, binary, a giant frame) gets the RFC's
 * answer, a stream error and {@code <close/>}, while the chat goes on. XEP-0156's host-meta
 * documents name the endpoint.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebSocketSmackTest {
    private static final String OPEN = "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='localhost' version='1.0'/>";
    @TempDir
    static Path dataDir;
    private EngineNode node;
    private SSLContext trusting;
    private SSLContext previousDefault;
    private HttpClient http;
    private URI endpoint;

    @BeforeAll
    void start() throws Exception {
        node = new EngineNode(dataDir, Map.of("kaiku.http.enabled", "on", "kaiku.http.port", "0",
                "kaiku.limits.max-stanza-bytes", "65536"));
        node.addUser("alice@localhost", "alice-secret");
        node.addUser("bob@localhost", "bob-secret");
        trusting = SSLContext.getInstance("TLS");
        trusting.init(null, new TrustManager[] {nodeOrDefault(node.trust())}, null);
        // Smack's Java 11 WebSocket uses one static HttpClient made with the JVM's default context
        previousDefault = SSLContext.getDefault();
        SSLContext.setDefault(trusting);
        http = HttpClient.newBuilder().sslContext(trusting).build();
        endpoint = URI.create("wss://127.0.0.1:" + node.engine.httpPort() + "/xmpp-websocket");
    }

    @AfterAll
    void stop() throws Exception {
        if (previousDefault != null) {
            SSLContext.setDefault(previousDefault);
        }
        node.close();
    }

    @Test
    void smackOverWebSocketChatsWithSmackOverTcpWhileHostileClientsAreCutOff() throws Exception {
        ModularXmppClientToServerConnection alice = smackWebSocket("alice", "alice-secret");
        XMPPTCPConnection bob = node.smack("bob", "bob-secret", "desk");
        try {
            alice.connect().login();
            bob.connect().login();
            assertThat(alice.isSecureConnection()).isTrue();
            exchange(alice, bob, "hello over WebSocket");

            assertThat(noSubprotocol()).isEqualTo(400);
            assertThat(raw("<message xmlns='jabber:client' to='bob@localhost'><body>sneaky</body></message>"))
                    .startsWith("<open ").contains("<invalid-namespace ").endsWith("<close xmlns=\"urn:ietf:params:xml:ns:xmpp-framing\" />|closed");
            assertThat(raw(OPEN, "<<< this is not XML")).contains("<not-well-formed ").endsWith("framing\" />|closed");
            assertThat(raw(OPEN, "<message xmlns='jabber:client'/><message xmlns='jabber:client'/>")).contains("<not-well-formed ");
            assertThat(rawBinary()).contains("<bad-format ").endsWith("framing\" />|closed");
            assertThat(giant()).contains("<policy-violation ").endsWith("framing\" />|closed");

            // the offenders went alone: both sessions are still there and talking
            exchange(alice, bob, "still here");
        } finally {
            alice.disconnect();
            bob.disconnect();
        }
    }

    @Test
    void framingHasNoStartTlsAllowsPlainAndRestartsWithANewOpen() throws Exception {
        RawWebSocket ws = RawWebSocket.open(http, endpoint);
        try {
            ws.send(OPEN);
            String open = ws.next();
            assertThat(open).startsWith("<open xmlns=\"urn:ietf:params:xml:ns:xmpp-framing\" from=\"localhost\"").contains("version=\"1.0\"");
            String features = ws.next();
            assertThat(features).startsWith("<stream:features xmlns:stream=\"http://etherx.jabber.org/streams\"")
                    .doesNotContain("starttls").contains("<mechanism>PLAIN</mechanism>").contains("<mechanism>SCRAM-SHA-256</mechanism>")
                    .doesNotContain("-PLUS");
            String plain = Base64.getEncoder().encodeToString("\0alice\0alice-secret".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            ws.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>" + plain + "</auth>");
            assertThat(ws.next()).startsWith("<success xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\"");
            ws.send(OPEN);
            assertThat(ws.next()).startsWith("<open ");
            assertThat(ws.next()).contains("<bind xmlns=\"urn:ietf:params:xml:ns:xmpp-bind\"/>");
            ws.send("<iq xmlns='jabber:client' type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>raw</resource></bind></iq>");
            assertThat(ws.next()).startsWith("<iq xmlns=\"jabber:client\"").contains("<jid>alice@localhost/raw</jid>");
            ws.send("<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>");
            assertThat(ws.next()).isEqualTo("<close xmlns=\"urn:ietf:params:xml:ns:xmpp-framing\" />");
            assertThat(ws.closed().get(30, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
        } finally {
            ws.abort();
        }
    }

    @Test
    void hostMetaNamesTheWebSocketEndpoint() throws Exception {
        String base = "https://127.0.0.1:" + node.engine.httpPort();
        HttpResponse<String> xrd = http.send(HttpRequest.newBuilder(URI.create(base + "/.well-known/host-meta")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(xrd.statusCode()).isEqualTo(200);
        assertThat(xrd.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/xrd+xml"));
        assertThat(xrd.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        String wss = "wss://localhost:" + node.engine.httpPort() + "/xmpp-websocket";
        assertThat(xrd.body()).contains("<XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'>")
                .contains("<Link rel='urn:xmpp:alt-connections:websocket' href='" + wss + "'/>");
        HttpResponse<String> jrd = http.send(HttpRequest.newBuilder(URI.create(base + "/.well-known/host-meta.json")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(jrd.statusCode()).isEqualTo(200);
        String bosh = "https://localhost:" + node.engine.httpPort() + "/http-bind";
        assertThat(xrd.body()).contains("<Link rel='urn:xmpp:alt-connections:xbosh' href='" + bosh + "'/>");
        assertThat(jrd.body()).isEqualTo("{\"links\":[{\"rel\":\"urn:xmpp:alt-connections:websocket\",\"href\":\"" + wss + "\"},"
                + "{\"rel\":\"urn:xmpp:alt-connections:xbosh\",\"href\":\"" + bosh + "\"}]}");
        // a plain GET on the endpoint is no upgrade
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/xmpp-websocket")).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode()).isEqualTo(400);
    }

    private ModularXmppClientToServerConnection smackWebSocket(String user, String password) throws Exception {
        ModularXmppClientToServerConnectionConfiguration.Builder b = ModularXmppClientToServerConnectionConfiguration.builder()
                .setXmppDomain("localhost")
                .setUsernameAndPassword(user, password)
                .setResource("browser");
        b.removeAllModules();
        b.addModule(XmppWebSocketTransportModuleDescriptor.getBuilder(b)
                .explicitlySetWebSocketEndpointAndDiscovery(endpoint, false).build());
        ModularXmppClientToServerConnection c = new ModularXmppClientToServerConnection(b.build());
        c.setReplyTimeout(20_000);
        return c;
    }

    private static void exchange(ModularXmppClientToServerConnection alice, XMPPTCPConnection bob, String text) throws Exception {
        StanzaCollector atBob = bob.createStanzaCollector(MessageWithBodiesFilter.INSTANCE);
        StanzaCollector atAlice = alice.createStanzaCollector(MessageWithBodiesFilter.INSTANCE);
        try {
            alice.sendStanza(alice.getStanzaFactory().buildMessageStanza().to(JidCreate.from("bob@localhost"))
                    .ofType(Message.Type.chat).setBody(text).build());
            Message got = atBob.nextResultOrThrow(20_000);
            assertThat(got.getBody()).isEqualTo(text);
            assertThat(got.getFrom().toString()).isEqualTo("alice@localhost/browser");
            bob.sendStanza(XmppTestClients.chat(bob, got.getFrom(), "re: " + text));
            assertThat(((Message) atAlice.nextResultOrThrow(20_000)).getBody()).isEqualTo("re: " + text);
        } finally {
            atBob.cancel();
            atAlice.cancel();
        }
    }

    private int noSubprotocol() {
        CompletableFuture<WebSocket> ws = http.newWebSocketBuilder().buildAsync(endpoint, new WebSocket.Listener() { });
        assertThatThrownBy(ws::join).isInstanceOf(CompletionException.class).hasCauseInstanceOf(WebSocketHandshakeException.class);
        return ((WebSocketHandshakeException) ws.handle((w, e) -> e.getCause()).join()).getResponse().statusCode();
    }

    /** Sends the messages, then returns what the server wrote, '|'-separated, ending with "closed" once it closed. */
    private String raw(String... messages) throws Exception {
        RawWebSocket ws = RawWebSocket.open(http, endpoint);
        try {
            for (String m : messages) {
                ws.send(m);
            }
            return ws.untilClosed();
        } finally {
            ws.abort();
        }
    }

    private String rawBinary() throws Exception {
        RawWebSocket ws = RawWebSocket.open(http, endpoint);
        try {
            ws.send(OPEN);
            ws.socket.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), true).get(20, TimeUnit.SECONDS);
            return ws.untilClosed();
        } finally {
            ws.abort();
        }
    }

    /** A 1 MiB stanza in 16 KiB fragments against a 64 KiB limit: cut off while it arrives. */
    private String giant() throws Exception {
        RawWebSocket ws = RawWebSocket.open(http, endpoint);
        try {
            ws.send(OPEN);
            ws.socket.sendText("<message xmlns='jabber:client' to='bob@localhost'><body>", false).get(20, TimeUnit.SECONDS);
            String chunk = "x".repeat(16 * 1024);
            try {
                for (int i = 0; i < 64 && !ws.closed().isDone(); i++) {
                    ws.socket.sendText(chunk, false).get(20, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                // the server may close while we are still sending
            }
            return ws.untilClosed();
        } finally {
            ws.abort();
        }
    }

    private static X509TrustManager nodeOrDefault(X509TrustManager node) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((java.security.KeyStore) null);
        X509TrustManager jdk = (X509TrustManager) tmf.getTrustManagers()[0];
        return new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
                jdk.checkClientTrusted(chain, authType);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
                try {
                    node.checkServerTrusted(chain, authType);
                } catch (java.security.cert.CertificateException e) {
                    jdk.checkServerTrusted(chain, authType);
                }
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return node.getAcceptedIssuers();
            }
        };
    }

    /** The JDK's WebSocket client offering the xmpp subprotocol; whole text messages in a queue. */
    static final class RawWebSocket implements WebSocket.Listener {
        private final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
        private final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        WebSocket socket;

        static RawWebSocket open(HttpClient http, URI endpoint) throws Exception {
            RawWebSocket r = new RawWebSocket();
            r.socket = http.newWebSocketBuilder().subprotocols("xmpp").buildAsync(endpoint, r).get(20, TimeUnit.SECONDS);
            assertThat(r.socket.getSubprotocol()).isEqualTo("xmpp");
            return r;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }

        void send(String text) throws Exception {
            socket.sendText(text, true).get(20, TimeUnit.SECONDS);
        }

        String next() throws InterruptedException {
            String m = messages.poll(30, TimeUnit.SECONDS);
            if (m == null) {
                throw new AssertionError("no message from the server");
            }
            return m;
        }

        CompletableFuture<Integer> closed() {
            return closed;
        }

        String untilClosed() throws Exception {
            closed.get(30, TimeUnit.SECONDS);
            StringBuilder sb = new StringBuilder();
            for (String m : messages) {
                sb.append(m).append('|');
            }
            return sb.append("closed").toString();
        }

        void abort() {
            if (socket != null) {
                socket.abort();
            }
        }
    }
}
