package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jivesoftware.smack.filter.MessageTypeFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.disco.ServiceDiscoveryManager;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.jivesoftware.smackx.disco.packet.DiscoverItems;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.impl.JidCreate;
import org.kaiku.engine.testing.RawComponent;
import org.kaiku.engine.testing.XmppTestClients;
import org.kaiku.protocol.component.ComponentProtocol;
import org.kaiku.protocol.xml.XmlElement;

/**
 * XEP-0114 over real sockets: a component (the raw test peer) and a Smack user exchange messages
 * and iq both ways through the server; the server lists the component in disco#items; a wrong
 * secret, an unknown domain, a second connection and a spoofed 'from' each cut off that component
 * alone with the stream error of the XEP and RFC 6120, while the user's session goes on; a
 * component that is not connected answers service-unavailable.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ComponentTest {
    private static final String BOT = "bot.localhost";
    private static final String OFF = "off.localhost";
    @TempDir
    static Path dataDir;
    private EngineNode node;

    @BeforeAll
    void start() throws Exception {
        // config keys are paths: a domain, dots and all, is quoted as in a kaiku.conf
        node = new EngineNode(dataDir, Map.of("kaiku.components.port", "0",
                "kaiku.components.secrets.\"" + BOT + "\"", "bot-secret", "kaiku.components.secrets.\"" + OFF + "\"", "off-secret"));
        node.addUser("alice@localhost", "alice-secret");
    }

    @AfterAll
    void stop() throws Exception {
        node.close();
    }

    @Test
    void componentAndUserTalkBothWays() throws Exception {
        XMPPTCPConnection alice = node.smack("alice", "alice-secret", "phone");
        BlockingQueue<Message> aliceGot = new LinkedBlockingQueue<>();
        try (RawComponent bot = new RawComponent(node.engine.componentPort(), BOT)) {
            assertThat(bot.handshake("bot-secret")).isEqualTo(ComponentProtocol.accepted());
            alice.connect().login();
            alice.addSyncStanzaListener(st -> aliceGot.add((Message) st), MessageTypeFilter.NORMAL_OR_CHAT_OR_HEADLINE);
            XmppTestClients.await("the directory knows the bot", () -> sendsThrough(alice));

            XmlElement got = skipUntil(bot, "message");
            assertThat(got.namespace()).isEqualTo(ComponentProtocol.NAMESPACE);
            assertThat(got.attr("from")).isEqualTo("alice@localhost/phone");
            assertThat(got.child("body", ComponentProtocol.NAMESPACE).text()).isEqualTo("ping bot");

            bot.send("<message from='echo@bot.localhost/r' to='alice@localhost/phone' type='chat'><body>pong</body></message>");
            Message reply = aliceGot.poll(30, TimeUnit.SECONDS);
            assertThat(reply).isNotNull();
            assertThat(reply.getBody()).isEqualTo("pong");
            assertThat(reply.getFrom().toString()).isEqualTo("echo@bot.localhost/r");

            // an iq from Alice to the component, answered by the component (Smack's disco manager)
            Thread answer = new Thread(() -> {
                try {
                    XmlElement iq = skipUntil(bot, "iq");
                    bot.send("<iq type='result' id='" + iq.attr("id") + "' from='bot.localhost' to='" + iq.attr("from") + "'>"
                            + "<query xmlns='http://jabber.org/protocol/disco#info'><identity category='automation' type='bot' name='Bot'/>"
                            + "<feature var='http://jabber.org/protocol/disco#info'/></query></iq>");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            answer.start();
            DiscoverInfo info = ServiceDiscoveryManager.getInstanceFor(alice).discoverInfo(JidCreate.domainBareFrom(BOT));
            answer.join(30_000);
            assertThat(info.getIdentities()).extracting(DiscoverInfo.Identity::getCategory).containsExactly("automation");

            // the component asks the server: answered to the component
            bot.send("<iq type='get' id='v1' from='bot.localhost' to='localhost'><query xmlns='jabber:iq:version'/></iq>");
            XmlElement version = skipUntil(bot, "iq");
            assertThat(version.attr("type")).isEqualTo("result");
            assertThat(version.attr("to")).isEqualTo("bot.localhost");

            DiscoverItems items = ServiceDiscoveryManager.getInstanceFor(alice).discoverItems(JidCreate.domainBareFrom("localhost"));
            // the components, next to the services the server runs itself (Multi-User Chat, Publish-Subscribe)
            assertThat(items.getItems()).extracting(i -> i.getEntityID().toString())
                    .containsExactlyInAnyOrder(BOT, OFF, "conference.localhost", "pubsub.localhost");

            // a spoofed sender cuts the component off, and Alice notices nothing
            bot.send("<message from='alice@localhost' to='alice@localhost/phone'><body>spoofed</body></message>");
            assertThat(streamError(bot)).isEqualTo("invalid-from");
            assertThat(aliceGot.poll(1, TimeUnit.SECONDS)).isNull();
            assertThat(alice.isConnected()).isTrue();
        } finally {
            alice.disconnect();
        }
    }

    @Test
    void hostileComponentsAreCutOff() throws Exception {
        try (RawComponent wrong = new RawComponent(node.engine.componentPort(), BOT)) {
            XmlElement answer = wrong.handshake("not-the-secret");
            assertThat(errorCondition(answer)).isEqualTo("not-authorized");
            assertThat(wrong.closedWithin(Duration.ofSeconds(30))).isTrue();
        }
        try (RawComponent unknown = new RawComponent(node.engine.componentPort(), "nobody.localhost")) {
            unknown.header();
            assertThat(streamError(unknown)).isEqualTo("host-unknown");
        }
        try (RawComponent early = new RawComponent(node.engine.componentPort(), BOT)) {
            early.header();
            early.send("<message from='bot.localhost' to='alice@localhost'><body>before handshake</body></message>");
            assertThat(streamError(early)).isEqualTo("not-authorized");
        }
        try (RawComponent first = new RawComponent(node.engine.componentPort(), BOT)) {
            assertThat(first.handshake("bot-secret")).isEqualTo(ComponentProtocol.accepted());
            try (RawComponent second = new RawComponent(node.engine.componentPort(), BOT)) {
                assertThat(errorCondition(second.handshake("bot-secret"))).isEqualTo("conflict");
            }
            // the first connection still serves
            first.send("<iq type='get' id='p1' from='bot.localhost' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>");
            assertThat(skipUntil(first, "iq").attr("type")).isEqualTo("result");
        }
    }

    @Test
    void aComponentThatIsNotConnectedIsUnavailable() throws Exception {
        XMPPTCPConnection alice = node.smack("alice", "alice-secret", "desk");
        BlockingQueue<Message> errors = new LinkedBlockingQueue<>();
        try {
            alice.connect().login();
            alice.addSyncStanzaListener(st -> errors.add((Message) st), MessageTypeFilter.ERROR);
            alice.sendStanza(XmppTestClients.chat(alice, JidCreate.from("someone@" + OFF), "anyone there?"));
            alice.sendStanza(XmppTestClients.chat(alice, JidCreate.from("someone@elsewhere.example"), "remote"));
            Message first = errors.poll(30, TimeUnit.SECONDS);
            Message second = errors.poll(30, TimeUnit.SECONDS);
            assertThat(List.of(first.getError().getCondition(), second.getError().getCondition()))
                    .containsExactlyInAnyOrder(StanzaError.Condition.service_unavailable, StanzaError.Condition.remote_server_not_found);
        } finally {
            alice.disconnect();
        }
    }

    /** Sends a chat to the bot; true once it did not bounce (the directory may lag the handshake by a moment). */
    private static boolean sendsThrough(XMPPTCPConnection alice) {
        try {
            BlockingQueue<Message> bounce = new LinkedBlockingQueue<>();
            org.jivesoftware.smack.StanzaListener l = st -> bounce.add((Message) st);
            alice.addSyncStanzaListener(l, MessageTypeFilter.ERROR);
            alice.sendStanza(XmppTestClients.chat(alice, JidCreate.from("echo@" + BOT), "ping bot"));
            Message error = bounce.poll(2, TimeUnit.SECONDS);
            alice.removeSyncStanzaListener(l);
            return error == null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static XmlElement skipUntil(RawComponent c, String name) throws InterruptedException {
        while (true) {
            XmlElement e = c.nextElement();
            if (e == null) {
                throw new AssertionError("stream ended before a " + name);
            }
            if (e.name().equals(name)) {
                return e;
            }
        }
    }

    private static String streamError(RawComponent c) throws InterruptedException {
        return errorCondition(skipUntil(c, "error"));
    }

    private static String errorCondition(XmlElement streamError) {
        assertThat(streamError.name()).isEqualTo("error");
        return streamError.elements().get(0).name();
    }
}
