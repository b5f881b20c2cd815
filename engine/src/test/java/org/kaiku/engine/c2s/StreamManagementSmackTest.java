package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.jivesoftware.smack.filter.MessageTypeFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.delay.packet.DelayInformation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.EntityFullJid;
import org.jxmpp.jid.impl.JidCreate;
import org.kaiku.engine.storage.InMemoryOfflineStore;
import org.kaiku.engine.testing.XmppTestClients;

/**
 * Stream Management (XEP-0198) end to end with Smack over real sockets: a phone that drops off
 * the network while messages are sent to it gets every one of them exactly once and in order,
 * whether it resumes its stream or comes back only after the stream timed out (then from offline
 * storage, with delay stamps).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamManagementSmackTest {
    @TempDir
    static Path dataDir;
    private EngineNode node;

    @BeforeAll
    void start() throws Exception {
        // a short default resumption time: a client that wants longer asks with 'max'
        // ... and account entities passivated after two idle seconds, which the sessions with
        // stream management must prevent while the entity holds their queues
        node = new EngineNode(dataDir, Map.of(
                "kaiku.c2s.stream-management.resume-timeout", "1s",
                "kaiku.c2s.stream-management.ack-request-every", 3,
                "kaiku.c2s.stream-management.entity-keepalive", "300ms",
                "pekko.cluster.sharding.passivation.default-idle-strategy.idle-entity.timeout", "2s"));
        node.addUser("alice@localhost", "alice-secret");
        node.addUser("bob@localhost", "bob-secret");
    }

    @AfterAll
    void stop() throws Exception {
        node.close();
    }

    private static void send(XMPPTCPConnection from, EntityFullJid to, String body) throws Exception {
        from.sendStanza(from.getStanzaFactory().buildMessageStanza().to(to).ofType(Message.Type.chat).setBody(body).build());
    }

    private static List<String> bodies(String prefix, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    @Test
    void aDroppedPhoneResumesAndGetsEveryMessageExactlyOnceInOrder() throws Exception {
        XMPPTCPConnection alice = node.smack("alice", "alice-secret", "desk");
        XMPPTCPConnection bob = node.smack("bob", "bob-secret", "phone");
        bob.setUseStreamManagement(true);
        bob.setUseStreamManagementResumption(true);
        bob.setPreferredResumptionTime(60);
        List<String> received = Collections.synchronizedList(new ArrayList<>());
        bob.addSyncStanzaListener(st -> received.add(((Message) st).getBody()), MessageTypeFilter.CHAT);
        EntityFullJid phone = JidCreate.entityFullFrom("bob@localhost/phone");
        try {
            alice.connect().login();
            bob.connect().login();
            assertThat(bob.isSmEnabled()).isTrue();
            assertThat(bob.isSmResumptionPossible()).isTrue();
            assertThat(bob.getMaxSmResumptionTime()).isEqualTo(60);

            for (int i = 0; i < 20; i++) {
                send(alice, phone, "m" + i);
            }
            XmppTestClients.await("the first twenty", () -> received.size() >= 20);

            bob.instantShutdown();
            for (int i = 20; i < 50; i++) {
                send(alice, phone, "m" + i);
            }

            // stay away longer than the idle passivation time: the entity must keep bob's queue
            Thread.sleep(3000);
            bob.connect().login();
            assertThat(bob.streamWasResumed()).isTrue();
            send(alice, phone, "last");
            XmppTestClients.await("the last message", () -> received.contains("last"));
            List<String> expected = bodies("m", 0, 50);
            expected.add("last");
            assertThat(received).containsExactlyElementsOf(expected);
            assertThat(bob.getUser().toString()).isEqualTo("bob@localhost/phone");
        } finally {
            alice.disconnect();
            bob.disconnect();
        }
    }

    @Test
    void aPhoneThatDoesNotResumeInTimeFindsTheMessagesOfflineWithDelayNoneLostNoneTwice() throws Exception {
        XMPPTCPConnection alice = node.smack("alice", "alice-secret", "laptop");
        XMPPTCPConnection bob = node.smack("bob", "bob-secret", "tablet");
        bob.setUseStreamManagement(true);
        bob.setUseStreamManagementResumption(true);
        List<String> early = Collections.synchronizedList(new ArrayList<>());
        bob.addSyncStanzaListener(st -> early.add(((Message) st).getBody()), MessageTypeFilter.CHAT);
        EntityFullJid tablet = JidCreate.entityFullFrom("bob@localhost/tablet");
        InMemoryOfflineStore store = (InMemoryOfflineStore) node.stores.offline();
        XMPPTCPConnection again = node.smack("bob", "bob-secret", "tablet");
        List<Message> later = Collections.synchronizedList(new ArrayList<>());
        again.addSyncStanzaListener(st -> later.add((Message) st), MessageTypeFilter.CHAT);
        try {
            alice.connect().login();
            bob.connect().login();
            assertThat(bob.isSmResumptionPossible()).isTrue();
            bob.instantShutdown();
            Instant before = Instant.now().minusMillis(1);
            for (int i = 0; i < 25; i++) {
                send(alice, tablet, "o" + i);
            }
            // the one-second resumption time passes; what bob never acknowledged is stored
            XmppTestClients.await("the stream timed out and the messages are stored", () -> store.size("bob@localhost") == 25);
            Instant stored = Instant.now();

            again.connect().login();
            assertThat(again.streamWasResumed()).isFalse();
            XmppTestClients.await("the stored messages", () -> later.size() >= 25);
            send(alice, tablet, "live");
            XmppTestClients.await("the live message", () -> later.size() > 25);

            List<String> expected = bodies("o", 0, 25);
            expected.add("live");
            assertThat(later).extracting(Message::getBody).containsExactlyElementsOf(expected);
            for (Message m : later.subList(0, 25)) {
                DelayInformation delay = DelayInformation.from(m);
                assertThat(delay).as("delay on %s", m.getBody()).isNotNull();
                assertThat(delay.getFrom()).isEqualTo("localhost");
                assertThat(delay.getStamp().toInstant()).as("first delivery time").isBetween(before, stored);
            }
            assertThat(DelayInformation.from(later.get(25))).isNull();
            assertThat(early).as("the dropped connection got none of them").isEmpty();
            assertThat(store.size("bob@localhost")).isZero();
        } finally {
            alice.disconnect();
            again.disconnect();
        }
    }
}
