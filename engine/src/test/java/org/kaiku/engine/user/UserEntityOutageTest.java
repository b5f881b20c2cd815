package org.kaiku.engine.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kaiku.engine.user.EntityHarness.errorCondition;
import static org.kaiku.engine.user.EntityHarness.xml;

import java.time.Clock;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.engine.storage.InMemoryOfflineStore;
import org.kaiku.engine.storage.StorageHealth;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The account entity through a storage outage: a failed journal write restarts it with backoff
 * instead of stopping it (Pekko's default), so its bound session keeps getting messages; while
 * {@link StorageHealth} says down, presences, iq sets and binds from the account's client are
 * refused with wait/resource-constraint and nothing is journaled.
 */
class UserEntityOutageTest {
    private static final String ACCOUNT = "erin@example.com";
    private static ActorTestKit testKit;
    private static PersistenceTestKit journal;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create("UserEntityOutageTest", EntityHarness.config());
        journal = PersistenceTestKit.create(testKit.system());
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private record Node(ActorRef<UserEntity.Command> entity, TestProbe<XmlElement> routed, StorageHealth health) {
    }

    private static Node spawn(String account) {
        TestProbe<XmlElement> routed = testKit.createTestProbe(XmlElement.class);
        StorageHealth health = new StorageHealth(Clock.systemUTC(), Duration.ofSeconds(1));
        ActorRef<UserEntity.Command> entity = testKit.spawn(UserEntity.create(account, s -> routed.getRef().tell(s),
                new InMemoryOfflineStore(), 100, null, null, health));
        return new Node(entity, routed, health);
    }

    private static UserEntity.BindResult bind(Node node, String resource, TestProbe<SessionMessage> session) {
        TestProbe<UserEntity.BindResult> reply = testKit.createTestProbe(UserEntity.BindResult.class);
        node.entity().tell(new UserEntity.Bind(resource, session.getRef(), reply.getRef()));
        return reply.receiveMessage(Duration.ofSeconds(5));
    }

    private static XmlElement nextStanza(TestProbe<SessionMessage> session, String name) {
        while (true) {
            SessionMessage m = session.receiveMessage(Duration.ofSeconds(10));
            if (m instanceof SessionMessage.Deliver d && d.stanza().name().equals(name)) {
                return d.stanza();
            }
        }
    }

    private static String chat(String to, String body) {
        return "<message xmlns='jabber:client' from='frank@example.com/x' to='" + to + "' type='chat' id='" + body
                + "'><body>" + body + "</body></message>";
    }

    @Test
    void aFailedJournalWriteRestartsTheEntityAndItsSessionKeepsGettingMessages() {
        Node node = spawn(ACCOUNT);
        TestProbe<SessionMessage> session = testKit.createTestProbe(SessionMessage.class);
        assertThat(bind(node, "desk", session)).isEqualTo(new UserEntity.Bound(ACCOUNT + "/desk"));
        node.entity().tell(new UserEntity.FromClient("desk", xml("<presence xmlns='jabber:client'/>")));
        node.entity().tell(new UserEntity.Deliver(xml(chat(ACCOUNT + "/desk", "before"))));
        assertThat(nextStanza(session, "message").childText("body", "jabber:client")).isEqualTo("before");

        journal.failNextPersisted();
        node.entity().tell(new UserEntity.FromClient("desk", xml("<presence xmlns='jabber:client'><priority>5</priority></presence>")));
        node.entity().tell(new UserEntity.Deliver(xml(chat(ACCOUNT + "/desk", "after"))));
        // stopped, the entity would drop this; restarted, it replays its journal (the binding is
        // there) and delivers it
        assertThat(nextStanza(session, "message").childText("body", "jabber:client")).isEqualTo("after");
    }

    @Test
    void whileStorageIsDownClientWritesAndBindsAreRefusedWithWaitResourceConstraint() {
        Node node = spawn("grace@example.com");
        TestProbe<SessionMessage> session = testKit.createTestProbe(SessionMessage.class);
        assertThat(bind(node, "desk", session)).isEqualTo(new UserEntity.Bound("grace@example.com/desk"));
        node.entity().tell(new UserEntity.FromClient("desk", xml("<presence xmlns='jabber:client'/>")));
        node.entity().tell(new UserEntity.Deliver(xml(chat("grace@example.com/desk", "before"))));
        assertThat(nextStanza(session, "message").childText("body", "jabber:client")).isEqualTo("before");
        node.health().probeFailed(new IllegalStateException("no node"));
        long journaled = journal.persistedInStorage("user|grace@example.com").size();

        node.entity().tell(new UserEntity.FromClient("desk", xml("<presence xmlns='jabber:client'/>")));
        XmlElement presenceError = nextStanza(session, "presence");
        assertThat(errorCondition(presenceError)).isEqualTo("resource-constraint");
        assertThat(presenceError.child("error", "jabber:client").attr("type")).isEqualTo("wait");

        node.entity().tell(new UserEntity.FromClient("desk", xml("<iq xmlns='jabber:client' type='set' id='r1'>"
                + "<query xmlns='jabber:iq:roster'><item jid='henry@example.com'/></query></iq>")));
        assertThat(errorCondition(nextStanza(session, "iq"))).isEqualTo("resource-constraint");

        TestProbe<SessionMessage> other = testKit.createTestProbe(SessionMessage.class);
        assertThat(bind(node, "phone", other)).isEqualTo(new UserEntity.Refused(
                org.kaiku.protocol.stanza.StanzaError.Condition.RESOURCE_CONSTRAINT));
        assertThat(journal.persistedInStorage("user|grace@example.com")).hasSize((int) journaled);

        // messages still flow, and once storage is back writes are accepted again
        node.entity().tell(new UserEntity.Deliver(xml(chat("grace@example.com/desk", "during"))));
        assertThat(nextStanza(session, "message").childText("body", "jabber:client")).isEqualTo("during");
        node.health().probeSucceeded();
        assertThat(bind(node, "phone", other)).isEqualTo(new UserEntity.Bound("grace@example.com/phone"));
    }
}
