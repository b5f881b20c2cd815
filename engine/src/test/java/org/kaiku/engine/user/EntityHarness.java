package org.kaiku.engine.user;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.engine.storage.AccountDataStore;
import org.kaiku.engine.storage.InMemoryOfflineStore;
import org.kaiku.engine.storage.OfflineStore;
import org.kaiku.protocol.xml.XmlElement;

/**
 * One account entity under the persistence testkit, with serialization checks of commands,
 * events, state and replies switched on (and equality after a round trip checked). What the
 * entity routes lands on {@link #routed}; sessions are probes; offline messages go to
 * {@link #offline}.
 */
final class EntityHarness {
    static final String DOMAIN = "example.com";
    private static final java.util.concurrent.atomic.AtomicInteger COUNTER = new java.util.concurrent.atomic.AtomicInteger();
    static final Duration QUIET = Duration.ofMillis(60);

    static Config config() {
        return ConfigFactory.parseString("pekko.loglevel = WARNING")
                .withFallback(EventSourcedBehaviorTestKit.config())
                .withFallback(PersistenceTestKitSnapshotPlugin.config());
    }

    final ActorTestKit testKit;
    final TestProbe<XmlElement> routed;
    final EventSourcedBehaviorTestKit<UserEntity.Command, UserEvent, UserState> kit;
    final String account;
    final OfflineStore offline;
    private final List<TestProbe<SessionMessage>> sessions = new ArrayList<>();

    /** A harness for a fresh account {@code alice<n>@example.com}, so tests never share a journal. */
    EntityHarness(ActorTestKit testKit) {
        this(testKit, "alice" + COUNTER.incrementAndGet() + "@" + DOMAIN);
    }

    EntityHarness(ActorTestKit testKit, String account) {
        this(testKit, account, new InMemoryOfflineStore(), 1000);
    }

    /** A harness for a fresh account whose offline messages go to this store, with this quota. */
    EntityHarness(ActorTestKit testKit, OfflineStore offline, int quota) {
        this(testKit, "alice" + COUNTER.incrementAndGet() + "@" + DOMAIN, offline, quota);
    }

    EntityHarness(ActorTestKit testKit, String account, OfflineStore offline, int quota) {
        this(testKit, account, offline, quota, null);
    }

    /** A harness for a fresh account whose vCards (and other documents) are in this store. */
    EntityHarness(ActorTestKit testKit, AccountDataStore accountData) {
        this(testKit, "alice" + COUNTER.incrementAndGet() + "@" + DOMAIN, new InMemoryOfflineStore(), 1000, accountData);
    }

    EntityHarness(ActorTestKit testKit, String account, OfflineStore offline, int quota, AccountDataStore accountData) {
        this.testKit = testKit;
        this.account = account;
        this.offline = offline;
        this.routed = testKit.createTestProbe(XmlElement.class);
        TestProbe<XmlElement> sink = routed;
        this.kit = EventSourcedBehaviorTestKit.create(testKit.system(),
                UserEntity.create(account, s -> sink.getRef().tell(s), offline, quota, null, accountData),
                EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
    }

    String persistenceId() {
        return "user|" + account;
    }

    /** Binds {@code resource} for a new session probe and checks it is bound. */
    TestProbe<SessionMessage> bind(String resource) {
        TestProbe<SessionMessage> session = testKit.createTestProbe(SessionMessage.class);
        sessions.add(session);
        var result = kit.<UserEntity.BindResult>runCommand(reply -> new UserEntity.Bind(resource, session.getRef(), reply));
        assertThat(result.reply()).isEqualTo(new UserEntity.Bound(account + "/" + resource));
        return session;
    }

    /** Binds, fetches the roster and sends initial presence with this priority; drains what that caused. */
    TestProbe<SessionMessage> online(String resource, int priority) {
        TestProbe<SessionMessage> session = bind(resource);
        client(resource, "<iq xmlns='jabber:client' type='get' id='r1'><query xmlns='jabber:iq:roster'/></iq>");
        client(resource, "<presence xmlns='jabber:client'><priority>" + priority + "</priority></presence>");
        quiet();
        return session;
    }

    /** Discards what every session made here and the router have received so far. */
    void quiet() {
        sessions.forEach(EntityHarness::drain);
        drain(routed);
    }

    EventSourcedBehaviorTestKit.CommandResult<UserEntity.Command, UserEvent, UserState> client(String resource, String xml) {
        return kit.runCommand(new UserEntity.FromClient(resource, xml(xml)));
    }

    EventSourcedBehaviorTestKit.CommandResult<UserEntity.Command, UserEvent, UserState> deliver(String xml) {
        return kit.runCommand(new UserEntity.Deliver(xml(xml)));
    }

    static XmlElement xml(String xml) {
        XmlElement e = XmlStrings.parse(xml);
        assertThat(e).as("test stanza parses: %s", xml).isNotNull();
        return e;
    }

    /** The next stanza written to this session (anything else fails). */
    static XmlElement next(TestProbe<SessionMessage> session) {
        SessionMessage m = session.receiveMessage(Duration.ofSeconds(3));
        assertThat(m).isInstanceOf(SessionMessage.Deliver.class);
        return ((SessionMessage.Deliver) m).stanza();
    }

    /** Everything queued on the probe now (the entity's sends are done when a command returns). */
    static <T> List<T> drain(TestProbe<T> probe) {
        List<T> out = new ArrayList<>();
        while (true) {
            try {
                out.add(probe.receiveMessage(QUIET));
            } catch (AssertionError e) {
                return out;
            }
        }
    }

    /** The stanzas among everything queued on a session probe. */
    static List<XmlElement> stanzas(TestProbe<SessionMessage> session) {
        List<XmlElement> out = new ArrayList<>();
        for (SessionMessage m : drain(session)) {
            if (m instanceof SessionMessage.Deliver d) {
                out.add(d.stanza());
            }
        }
        return out;
    }

    static boolean isPush(XmlElement e) {
        return e.name().equals("iq") && "set".equals(e.attr("type")) && e.child("query", RosterItem.NAMESPACE) != null;
    }

    static XmlElement pushedItem(XmlElement push) {
        return push.child("query", RosterItem.NAMESPACE).child("item", RosterItem.NAMESPACE);
    }

    /** The defined condition of an error stanza, e.g. {@code bad-request}. */
    static String errorCondition(XmlElement stanza) {
        assertThat(stanza.attr("type")).isEqualTo("error");
        XmlElement error = stanza.child("error", stanza.namespace());
        assertThat(error).isNotNull();
        return error.elements().get(0).name();
    }
}
