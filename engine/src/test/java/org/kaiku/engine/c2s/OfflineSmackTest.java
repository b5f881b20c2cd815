package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.filter.MessageTypeFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.delay.packet.DelayInformation;
import org.jivesoftware.smackx.ping.packet.Ping;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.kaiku.engine.testing.XmppTestClients;

/**
 * Offline messages (XEP-0160) end to end with Smack: what Alice sends while Bob has no session
 * is stored and reaches Bob when he logs in, all of it, in order, each with its XEP-0203 delay.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OfflineSmackTest {
    @TempDir
    static Path dataDir;
    private EngineNode node;

    @BeforeAll
    void start() throws Exception {
        node = new EngineNode(dataDir, Map.of());
        node.addUser("alice@localhost", "alice-secret");
        node.addUser("bob@localhost", "bob-secret");
    }

    @AfterAll
    void stop() throws Exception {
        node.close();
    }

    @Test
    void bobGetsTheHundredMessagesSentWhileHeWasOfflineInOrderEachWithADelay() throws Exception {
        XMPPTCPConnection alice = node.smack("alice", "alice-secret", "phone");
        XMPPTCPConnection bob = node.smack("bob", "bob-secret", "laptop");
        List<Message> received = Collections.synchronizedList(new ArrayList<>());
        bob.addSyncStanzaListener(st -> received.add((Message) st), MessageTypeFilter.CHAT);
        BareJid bobJid = JidCreate.bareFrom("bob@localhost");
        int count = 100;
        try {
            alice.connect().login();
            Instant before = Instant.now().minusMillis(1);
            for (int i = 0; i < count; i++) {
                alice.sendStanza(alice.getStanzaFactory().buildMessageStanza()
                        .to(bobJid).ofType(Message.Type.chat).setBody("offline " + i + " <&>").build());
            }
            // Bob's account answers an iq to his bare JID only after it handled every message
            // Alice sent before it: from here on all 100 are with the store.
            try {
                alice.sendIqRequestAndWaitForResponse(new Ping(bobJid));
            } catch (XMPPException.XMPPErrorException expected) {
                // service-unavailable: nobody answers pings for an offline account
            }
            Instant after = Instant.now().plusMillis(1);

            bob.connect().login();
            XmppTestClients.await("all offline messages", () -> received.size() >= count);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                expected.add("offline " + i + " <&>");
            }
            assertThat(received).extracting(Message::getBody).containsExactlyElementsOf(expected);
            for (Message m : received) {
                DelayInformation delay = DelayInformation.from(m);
                assertThat(delay).as("delay on %s", m.getBody()).isNotNull();
                assertThat(delay.getFrom()).isEqualTo("localhost");
                assertThat(delay.getStamp().toInstant()).isBetween(before, after);
                assertThat(m.getFrom().toString()).isEqualTo("alice@localhost/phone");
            }

            // once Bob is online, messages are live again: no delay
            alice.sendStanza(alice.getStanzaFactory().buildMessageStanza()
                    .to(bobJid).ofType(Message.Type.chat).setBody("live").build());
            XmppTestClients.await("the live message", () -> received.size() > count);
            Message live = received.get(count);
            assertThat(live.getBody()).isEqualTo("live");
            assertThat(DelayInformation.from(live)).isNull();
        } finally {
            alice.disconnect();
            bob.disconnect();
        }
    }
}
