package org.kaiku.engine.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kaiku.engine.user.EntityHarness.errorCondition;
import static org.kaiku.engine.user.EntityHarness.stanzas;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.engine.storage.InMemoryOfflineStore;
import org.kaiku.protocol.ext.delay.Delay;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The account entity's side of XEP-0198: it numbers what it sends to a session with stream
 * management, forgets what the client acknowledged, moves the resource to a session that resumed
 * the stream (with what the old one never got), and re-handles what a session that ended never
 * acknowledged: to another resource or offline, with the original delivery time, never twice to
 * the same resource.
 */
class StreamManagementEntityTest {
    private static final String BOB = "bob@example.com/desk";
    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create("StreamManagementEntityTest", EntityHarness.config());
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static String msg(String to, String body) {
        return "<message xmlns='jabber:client' from='" + BOB + "' to='" + to + "' type='chat' id='" + body + "'><body>"
                + body + "</body></message>";
    }

    private static String presence(int priority) {
        return "<presence xmlns='jabber:client'><priority>" + priority + "</priority></presence>";
    }

    private static String body(XmlElement message) {
        return message.childText("body", "jabber:client");
    }

    /** Enables tracking for the session of {@code resource} and checks the entity said so. */
    private static void enable(EntityHarness h, String resource, TestProbe<SessionMessage> session, String smId) {
        h.kit.runCommand(new UserEntity.SmEnable(resource, session.getRef(), smId));
        assertThat(session.receiveMessage()).isEqualTo(new SessionMessage.SmTracking(true));
    }

    /** The next message written to the session, with its entity number. */
    private static SessionMessage.Deliver nextMessage(TestProbe<SessionMessage> session) {
        while (true) {
            SessionMessage m = session.receiveMessage(Duration.ofSeconds(3));
            if (m instanceof SessionMessage.Deliver d && d.stanza().name().equals("message")) {
                return d;
            }
        }
    }

    private static List<XmlElement> messages(TestProbe<SessionMessage> session) {
        List<XmlElement> out = new ArrayList<>();
        for (XmlElement e : stanzas(session)) {
            if (e.name().equals("message")) {
                out.add(e);
            }
        }
        return out;
    }

    private static void await(java.util.function.IntSupplier actual, int expected) {
        testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
            assertThat(actual.getAsInt()).isEqualTo(expected);
            return null;
        });
    }

    @Test
    void unacknowledgedMessagesOfAnEndedSessionGoOfflineWithTheirFirstDeliveryTime() {
        InMemoryOfflineStore store = new InMemoryOfflineStore();
        EntityHarness h = new EntityHarness(testKit, store, 1000);
        TestProbe<SessionMessage> phone = h.online("phone", 1);
        enable(h, "phone", phone, "id-1");
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        for (String b : List.of("m1", "m2", "m3")) {
            h.deliver(msg(h.account, b));
        }
        Instant after = Instant.now();
        assertThat(List.of(nextMessage(phone).seq(), nextMessage(phone).seq(), nextMessage(phone).seq())).containsExactly(1L, 2L, 3L);
        h.kit.runCommand(new UserEntity.SmAck(phone.getRef(), 2));

        h.kit.runCommand(new UserEntity.Unbind("phone", phone.getRef()));
        await(() -> store.size(h.account), 1);

        TestProbe<SessionMessage> laptop = h.bind("laptop");
        h.client("laptop", presence(0));
        XmlElement got = nextMessage(laptop).stanza();
        assertThat(body(got)).isEqualTo("m3");
        List<XmlElement> delays = got.elements(Delay.ELEMENT, Delay.NAMESPACE);
        assertThat(delays).as("one notation, not one per hop").hasSize(1);
        Delay d = Delay.fromElement(delays.get(0)).orElseThrow();
        assertThat(d.from()).isEqualTo(EntityHarness.DOMAIN);
        assertThat(d.stamp()).as("the time it was first delivered").isBetween(before, after);
        assertThat(messages(laptop)).as("m1 and m2 were acknowledged").isEmpty();
        await(() -> store.size(h.account), 0);
    }

    /**
     * The gap stream management closes for offline storage: a backlog handed to a session is
     * deleted from the store, so if the client never acknowledged it, it must go back, with the
     * stamp it was first stored under.
     */
    @Test
    void anOfflineBacklogTheClientNeverAcknowledgedGoesBackToStorageWithItsFirstStamp() {
        InMemoryOfflineStore store = new InMemoryOfflineStore();
        EntityHarness h = new EntityHarness(testKit, store, 1000);
        h.deliver(msg(h.account, "while-away"));
        await(() -> store.size(h.account), 1);
        TestProbe<SessionMessage> phone = h.bind("phone");
        enable(h, "phone", phone, "sm-b");
        h.client("phone", presence(0));
        XmlElement first = nextMessage(phone).stanza();
        Instant stamp = Delay.of(first).orElseThrow().stamp();
        await(() -> store.size(h.account), 0);

        h.kit.runCommand(new UserEntity.SessionEnded(phone.getRef()));
        await(() -> store.size(h.account), 1);
        TestProbe<SessionMessage> laptop = h.bind("laptop");
        h.client("laptop", presence(0));
        XmlElement again = nextMessage(laptop).stanza();
        assertThat(body(again)).isEqualTo("while-away");
        assertThat(again.elements(Delay.ELEMENT, Delay.NAMESPACE)).hasSize(1);
        assertThat(Delay.of(again).orElseThrow().stamp()).isEqualTo(stamp);
    }

    @Test
    void anotherAvailableResourceGetsThemWithADelayAndASharedOneIsNotSentTwice() {
        EntityHarness h = new EntityHarness(testKit);
        TestProbe<SessionMessage> phone = h.online("phone", 5);
        TestProbe<SessionMessage> desk = h.online("desk", 0);
        enable(h, "phone", phone, null);
        h.deliver(msg(h.account, "only-phone"));
        assertThat(body(nextMessage(phone).stanza())).isEqualTo("only-phone");
        assertThat(messages(desk)).isEmpty();

        // a tie: both get it, so the phone's end must not send it to the desk again
        h.client("desk", presence(5));
        h.quiet();
        h.deliver(msg(h.account, "both"));
        assertThat(body(nextMessage(phone).stanza())).isEqualTo("both");
        assertThat(body(nextMessage(desk).stanza())).isEqualTo("both");

        h.kit.runCommand(new UserEntity.SessionEnded(phone.getRef()));
        List<XmlElement> resent = messages(desk);
        assertThat(resent).extracting(StreamManagementEntityTest::body).containsExactly("only-phone");
        Delay d = Delay.of(resent.get(0)).orElseThrow();
        assertThat(d.from()).isEqualTo(EntityHarness.DOMAIN);
        assertThat(d.reason()).isEqualTo(ResumptionHandler.RESENT);
    }

    @Test
    void unacknowledgedIqRequestsAreAnsweredAndPresenceAndResultsAreDropped() {
        InMemoryOfflineStore store = new InMemoryOfflineStore();
        EntityHarness h = new EntityHarness(testKit, store, 1000);
        TestProbe<SessionMessage> phone = h.online("phone", 0);
        enable(h, "phone", phone, "id-iq");
        String full = h.account + "/phone";
        h.deliver("<iq xmlns='jabber:client' from='" + BOB + "' to='" + full + "' type='get' id='q1'>"
                + "<ping xmlns='urn:xmpp:ping'/></iq>");
        h.deliver("<iq xmlns='jabber:client' from='" + BOB + "' to='" + full + "' type='result' id='r1'/>");
        h.quiet();
        h.kit.runCommand(new UserEntity.Unbind("phone", phone.getRef()));
        List<XmlElement> routed = EntityHarness.drain(h.routed);
        assertThat(routed).filteredOn(e -> e.name().equals("iq")).singleElement().satisfies(e -> {
            assertThat(e.attr("id")).isEqualTo("q1");
            assertThat(errorCondition(e)).isEqualTo("service-unavailable");
        });
        assertThat(store.size(h.account)).isZero();
    }

    @Test
    void resumptionMovesTheResourceAndResendsWhatTheOldSessionNeverGot() {
        InMemoryOfflineStore store = new InMemoryOfflineStore();
        EntityHarness h = new EntityHarness(testKit, store, 1000);
        TestProbe<SessionMessage> old = h.online("phone", 0);
        enable(h, "phone", old, "sm-42");
        for (String b : List.of("m1", "m2", "m3")) {
            h.deliver(msg(h.account, b));
        }
        h.quiet();

        TestProbe<SessionMessage> fresh = testKit.createTestProbe(SessionMessage.class);
        h.kit.runCommand(new UserEntity.SmResume("no-such-id", fresh.getRef()));
        assertThat(fresh.receiveMessage()).isEqualTo(new SessionMessage.SmResumeTarget(null, null));
        h.kit.runCommand(new UserEntity.SmResume("sm-42", fresh.getRef()));
        assertThat(fresh.receiveMessage()).isEqualTo(new SessionMessage.SmResumeTarget("phone", old.getRef()));

        // the client acknowledged m1; the old session had received m1 and m2 when it handed over
        var result = h.kit.runCommand(new UserEntity.SmSwap("phone", old.getRef(), fresh.getRef(), 1, 2));
        assertThat(result.events()).containsExactly(new UserEvent.ResourceResumed("phone", fresh.getRef()));
        assertThat(result.state().resources().get("phone").session()).isEqualTo(fresh.getRef());
        assertThat(result.state().resources().get("phone").available()).as("presence is kept").isTrue();
        SessionMessage swapped = fresh.receiveMessage();
        assertThat(swapped).isInstanceOf(SessionMessage.SmSwapped.class);
        assertThat(((SessionMessage.SmSwapped) swapped).resend()).extracting(e -> body(e.stanza()), SessionMessage.SmEntry::seq)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("m3", 3L));
        assertThat(old.receiveMessage()).isEqualTo(new SessionMessage.SmRetire());

        h.deliver(msg(h.account, "m4"));
        SessionMessage.Deliver m4 = nextMessage(fresh);
        assertThat(body(m4.stanza())).isEqualTo("m4");
        assertThat(m4.seq()).as("numbering goes on").isEqualTo(4);

        // the old session's end is no longer the resource's end; a second swap from it fails
        h.kit.runCommand(new UserEntity.Unbind("phone", old.getRef()));
        h.kit.runCommand(new UserEntity.SmSwap("phone", old.getRef(), fresh.getRef(), 0, 0));
        assertThat(fresh.receiveMessage()).isEqualTo(new SessionMessage.SmSwapped(false, List.of()));
        assertThat(store.size(h.account)).isZero();

        // the resumed session ends for good: m2..m4 (unacknowledged) are stored, in order
        h.kit.runCommand(new UserEntity.SmAck(fresh.getRef(), 1));
        h.kit.runCommand(new UserEntity.Unbind("phone", fresh.getRef()));
        await(() -> store.size(h.account), 3);
    }

    @Test
    void aSessionReplacedByANewBindHandsItsUnacknowledgedMessagesOnNotToTheNewcomer() {
        InMemoryOfflineStore store = new InMemoryOfflineStore();
        EntityHarness h = new EntityHarness(testKit, store, 1000);
        TestProbe<SessionMessage> first = h.online("phone", 0);
        enable(h, "phone", first, "sm-x");
        h.deliver(msg(h.account + "/phone", "to-full"));
        h.quiet();
        TestProbe<SessionMessage> second = h.bind("phone");
        assertThat(messages(second)).isEmpty();
        await(() -> store.size(h.account), 1);
        h.client("phone", presence(0));
        assertThat(body(nextMessage(second).stanza())).isEqualTo("to-full");
    }
}
