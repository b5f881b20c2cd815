package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jivesoftware.smack.ConnectionConfiguration;
import org.jivesoftware.smack.StanzaCollector;
import org.jivesoftware.smack.bosh.BOSHConfiguration;
import org.jivesoftware.smack.bosh.XMPPBOSHConnection;
import org.jivesoftware.smack.filter.MessageWithBodiesFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.impl.JidCreate;
import org.kaiku.engine.testing.XmppTestClients;

/**
 * XMPP over BOSH (XEP-0124, XEP-0206) on the plain-HTTP loopback listener (kaiku.http.tls off,
 * as behind a TLS proxy): Smack's BOSH transport (jbosh) logs in and chats with a Smack TCP
 * client; raw requests check the session creation response, the stream restart, rid rules
 * (a repeated rid gets the same response, one past the window or an unknown sid gets
 * item-not-found, a malformed body bad-request) and termination.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BoshSmackTest {
    private static final String NS = "xmlns='http://jabber.org/protocol/httpbind' xmlns:xmpp='urn:xmpp:xbosh'";
    @TempDir
    static Path dataDir;
    private EngineNode node;
    private HttpClient http;
    private URI endpoint;

    @BeforeAll
    void start() throws Exception {
        node = new EngineNode(dataDir, Map.of("kaiku.http.enabled", "on", "kaiku.http.port", "0", "kaiku.http.tls", "off"));
        node.addUser("alice@localhost", "alice-secret");
        node.addUser("bob@localhost", "bob-secret");
        http = HttpClient.newHttpClient();
        endpoint = URI.create("http://127.0.0.1:" + node.engine.httpPort() + "/http-bind");
    }

    @AfterAll
    void stop() throws Exception {
        node.close();
    }

    @Test
    void smackOverBoshChatsWithSmackOverTcp() throws Exception {
        BOSHConfiguration conf = BOSHConfiguration.builder()
                .setUseHttps(false)
                .setHost("localhost")
                .setPort(node.engine.httpPort())
                .setFile("/http-bind")
                .setXmppDomain("localhost")
                .setUsernameAndPassword("alice", "alice-secret")
                .setResource("bosh")
                .setSecurityMode(ConnectionConfiguration.SecurityMode.disabled)
                .build();
        XMPPBOSHConnection alice = new XMPPBOSHConnection(conf);
        alice.setReplyTimeout(20_000);
        XMPPTCPConnection bob = node.smack("bob", "bob-secret", "desk");
        try {
            alice.connect().login();
            bob.connect().login();
            StanzaCollector atBob = bob.createStanzaCollector(MessageWithBodiesFilter.INSTANCE);
            StanzaCollector atAlice = alice.createStanzaCollector(MessageWithBodiesFilter.INSTANCE);
            alice.sendStanza(alice.getStanzaFactory().buildMessageStanza().to(JidCreate.from("bob@localhost"))
                    .ofType(Message.Type.chat).setBody("hello over BOSH").build());
            Message got = atBob.nextResultOrThrow(20_000);
            assertThat(got.getBody()).isEqualTo("hello over BOSH");
            assertThat(got.getFrom().toString()).isEqualTo("alice@localhost/bosh");
            bob.sendStanza(XmppTestClients.chat(bob, got.getFrom(), "hello back"));
            assertThat(((Message) atAlice.nextResultOrThrow(20_000)).getBody()).isEqualTo("hello back");
            atBob.cancel();
            atAlice.cancel();
        } finally {
            alice.disconnect();
            bob.disconnect();
        }
    }

    @Test
    void rawSessionRestartRidRulesAndTermination() throws Exception {
        long[] rid = {1_000_000L};
        String created = post("<body " + NS + " rid='" + rid[0] + "' to='localhost' wait='2' hold='1' xmpp:version='1.0' xml:lang='en'/>");
        assertThat(created).contains("requests='2'").contains("hold='1'").contains("wait='2'").contains("xmpp:restartlogic='true'")
                .contains("<stream:features").contains("<mechanism>PLAIN</mechanism>").doesNotContain("starttls");
        String sid = attr(created, "sid");
        assertThat(sid).hasSize(32);

        String plain = Base64.getEncoder().encodeToString("\0alice\0alice-secret".getBytes(StandardCharsets.UTF_8));
        String auth = "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>" + plain + "</auth>";
        String success = post("<body " + NS + " rid='" + ++rid[0] + "' sid='" + sid + "'>" + auth + "</body>");
        assertThat(success).contains("<success xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\"");
        // a client whose connection broke repeats the request: the same answer, nothing processed twice
        assertThat(post("<body " + NS + " rid='" + rid[0] + "' sid='" + sid + "'>" + auth + "</body>")).isEqualTo(success);

        String restarted = post("<body " + NS + " rid='" + ++rid[0] + "' sid='" + sid + "' to='localhost' xmpp:restart='true'/>");
        assertThat(restarted).contains("<bind xmlns=\"urn:ietf:params:xml:ns:xmpp-bind\"/>");
        String bound = post("<body " + NS + " rid='" + ++rid[0] + "' sid='" + sid + "'><iq xmlns='jabber:client' type='set' id='b'>"
                + "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>raw</resource></bind></iq></body>");
        // binding asks the account's entity; on a slow machine the answer may come after 'wait', in a later poll
        for (int polls = 0; !bound.contains("<jid>") && polls < 20; polls++) {
            bound = post("<body " + NS + " rid='" + ++rid[0] + "' sid='" + sid + "'/>");
        }
        assertThat(bound).contains("<jid>alice@localhost/raw</jid>");
        // nothing to say: an empty answer after 'wait' (2 s)
        assertThat(post("<body " + NS + " rid='" + ++rid[0] + "' sid='" + sid + "'/>")).doesNotContain("terminate").endsWith("/>");
        // one past the window of 2: a terminal error, and the session is gone
        assertThat(post("<body " + NS + " rid='" + (rid[0] + 3) + "' sid='" + sid + "'/>"))
                .contains("type='terminate'").contains("condition='item-not-found'");
        assertThat(post("<body " + NS + " rid='" + (rid[0] + 1) + "' sid='" + sid + "'/>")).contains("condition='item-not-found'");

        assertThat(post("<body " + NS + " rid='5' sid='no-such-session'/>")).contains("condition='item-not-found'");
        assertThat(post("<body xmlns='urn:example:not-bosh' rid='5'/>")).contains("condition='bad-request'");
        assertThat(post("this is not XML")).contains("condition='bad-request'");
    }

    @Test
    void aClientTerminatesItsSession() throws Exception {
        long rid = 77L;
        String created = post("<body " + NS + " rid='" + rid + "' to='localhost' wait='5' hold='1' xmpp:version='1.0'/>");
        String sid = attr(created, "sid");
        // a held poll is answered (empty) when the next request comes, and responses keep rid order
        CompletableFuture<HttpResponse<String>> poll = http.sendAsync(request("<body " + NS + " rid='" + (rid + 1) + "' sid='" + sid + "'/>"),
                HttpResponse.BodyHandlers.ofString());
        String terminated = post("<body " + NS + " rid='" + (rid + 2) + "' sid='" + sid + "' type='terminate'/>");
        assertThat(poll.get().body()).doesNotContain("terminate");
        assertThat(terminated).contains("type='terminate'").doesNotContain("condition=");
        assertThat(post("<body " + NS + " rid='" + (rid + 3) + "' sid='" + sid + "'/>")).contains("condition='item-not-found'");
        XmppTestClients.await("the BOSH session's c2s session to end", () -> node.engine.connections() == 0);
    }

    private HttpRequest request(String body) {
        return HttpRequest.newBuilder(endpoint).header("Content-Type", "text/xml; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private String post(String body) throws Exception {
        HttpResponse<String> r = http.send(request(body), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        return r.body();
    }

    private static String attr(String xml, String name) {
        Matcher m = Pattern.compile(" " + name + "='([^']*)'").matcher(xml);
        assertThat(m.find()).as(name + " in " + xml).isTrue();
        return m.group(1);
    }
}
