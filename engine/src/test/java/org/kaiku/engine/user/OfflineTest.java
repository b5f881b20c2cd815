package org.kaiku.engine.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kaiku.engine.user.EntityHarness.errorCondition;
import static org.kaiku.engine.user.EntityHarness.stanzas;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.stream.IntStream;
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
 * Offline messages (XEP-0160) with delay notations (XEP-0203): what is stored, what is not, and
 * delivery at the next non-negative presence in order, including against a store whose reads,
 * writes and deletes complete late or fail.
 */
class OfflineTest {
    private static final String BOB = "bob@example.com/desk";
    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create("OfflineTest", EntityHarness.config());
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    /** A message from Bob with this body. */
    private static String msg(String to, String type, String body) {
        return message(to, type, "<body>" + body + "</body>", "x");
    }

    private static String message(String to, String type, String payload, String id) {
        return "<message xmlns='jabber:client' from='" + BOB + "' to='" + to + "' id='" + id + "'"
                + (type == null ? "" : " type='" + type + "'") + ">" + payload + "</message>";
    }

    private static String presence(int priority) {
        return "<presence xmlns='jabber:client'><priority>" + priority + "</priority></presence>";
    }

    /** The next {@code n} messages written to the session, skipping presence and roster traffic. */
    private static List<XmlElement> messages(TestProbe<SessionMessage> session, int n) {
        List<XmlElement> out = new ArrayList<>();
        while (out.size() < n) {
            XmlElement e = EntityHarness.next(session);
            if (e.name().equals("message")) {
                out.add(e);
            }
        }
        return out;
    }

    private static void noMoreMessages(TestProbe<SessionMessage> session) {
        assertThat(stanzas(session)).noneMatch(e -> e.name().equals("message"));
    }

    private static String body(XmlElement message) {
        return message.childText("body", "jabber:client");
    }

    private static void await(IntSupplier actual, int expected) {
        testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
            assertThat(actual.getAsInt()).isEqualTo(expected);
            return null;
        });
    }

    @Test
    void storedWhileNoResourceIsAvailableThenDeliveredInOrderWithDelayAtNonNegativePresence() {
        InMemoryOfflineStore store = new InMemoryOfflineStore();
        EntityHarness h = new EntityHarness(testKit, store, 1000);
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        h.bind("connected-only");
        h.deliver(msg(h.account, "chat", "m1"));
        h.deliver(msg(h.account, null, "m2"));
        h.deliver(msg(h.account, "normal", "m3"));
        h.deliver(msg(h.account + "/gone", "chat", "m4"));
        await(() -> store.size(h.account), 4);
        h.routed.expectNoMessage(EntityHarness.QUIET);
        Instant after = Instant.now();

        TestProbe<SessionMessage> phone = h.bind("phone");
        h.client("phone", presence(-1));
        noMoreMessages(phone);
        assertThat(store.size(h.account)).as("a negative priority takes nothing (XEP-0160 section 3)").isEqualTo(4);

        h.client("phone", presence(1));
        List<XmlElement> got = messages(phone, 4);
        assertThat(got).extracting(OfflineTest::body).containsExactly("m1", "m2", "m3", "m4");
        for (XmlElement m : got) {
            Delay d = Delay.of(m).orElseThrow();
            assertThat(d.from()).isEqualTo(EntityHarness.DOMAIN);
            assertThat(d.stamp()).isBetween(before, after);
            assertThat(d.reason()).isEqualTo("Offline Storage");
            assertThat(m.attr("from")).isEqualTo(BOB);
        }
        await(() -> store.size(h.account), 0);

        TestProbe<SessionMessage> tablet = h.bind("tablet");
        h.client("tablet", presence(1));
        noMoreMessages(tablet);
        h.deliver(msg(h.account, "chat", "live"));
        assertThat(messages(tablet, 1)).singleElement().satisfies(m -> assertThat(Delay.of(m)).isEmpty());
    }

    @Test
    void headlineGroupchatErrorNoStoreAndStandaloneChatStatesAreNotStored() {
        InMemoryOfflineStore store = new InMemoryOfflineStore();
        EntityHarness h = new EntityHarness(testKit, store, 1000);
        h.deliver(msg(h.account, "headline", "news"));
        h.deliver(msg(h.account, "error", "err"));
        h.deliver(message(h.account, "chat", "<composing xmlns='http://jabber.org/protocol/chatstates'/>"
                + "<thread>t1</thread><no-store xmlns='urn:xmpp:hints'/>", "x"));
        h.routed.expectNoMessage(EntityHarness.QUIET);

        h.deliver(msg(h.account, "groupchat", "room"));
        assertThat(errorCondition(h.routed.receiveMessage())).isEqualTo("service-unavailable");
        h.deliver(message(h.account, "chat", "<body>secret</body><no-store xmlns='urn:xmpp:hints'/>", "ns1"));
        XmlElement bounce = h.routed.receiveMessage();
        assertThat(errorCondition(bounce)).isEqualTo("service-unavailable");
        assertThat(bounce.attr("id")).isEqualTo("ns1");
        assertThat(store.size(h.account)).isZero();

        h.deliver(message(h.account, "chat", "<body>hi</body><active xmlns='http://jabber.org/protocol/chatstates'/>", "x"));
        await(() -> store.size(h.account), 1);
        h.routed.expectNoMessage(EntityHarness.QUIET);
    }

    @Test
    void aFullQueueOrAFailedWriteBouncesWithServiceUnavailable() {
        GatedOfflineStore store = new GatedOfflineStore();
        EntityHarness h = new EntityHarness(testKit, store, 2);
        h.deliver(message(h.account, "chat", "<body>m1</body>", "1"));
        h.deliver(message(h.account, "chat", "<body>m2</body>", "2"));
        h.deliver(message(h.account, "chat", "<body>m3</body>", "3"));
        XmlElement full = h.routed.receiveMessage(Duration.ofSeconds(3));
        assertThat(errorCondition(full)).isEqualTo("service-unavailable");
        assertThat(full.attr("id")).isEqualTo("3");
        assertThat(full.attr("to")).isEqualTo(BOB);
        assertThat(body(full)).isEqualTo("m3");
        assertThat(store.inner.size(h.account)).isEqualTo(2);

        EntityHarness other = new EntityHarness(testKit, store, 10);
        store.failNextAppends(1);
        other.deliver(message(other.account, "chat", "<body>lost?</body>", "f1"));
        XmlElement failed = other.routed.receiveMessage(Duration.ofSeconds(3));
        // a failed write is a temporary condition: wait + resource-constraint (RFC 6120 8.3.3.18)
        assertThat(errorCondition(failed)).isEqualTo("resource-constraint");
        assertThat(failed.child("error", failed.namespace()).attr("type")).isEqualTo("wait");
        assertThat(failed.attr("id")).isEqualTo("f1");
        assertThat(store.inner.size(other.account)).isZero();
    }

    @Test
    void messagesArrivingDuringTheFetchWaitBehindTheBacklog() {
        GatedOfflineStore store = new GatedOfflineStore();
        EntityHarness h = new EntityHarness(testKit, store, 1000);
        h.deliver(msg(h.account, "chat", "m1"));
        h.deliver(msg(h.account, "chat", "m2"));
        await(() -> store.inner.size(h.account), 2);

        store.holdFetches(true);
        TestProbe<SessionMessage> phone = h.bind("phone");
        h.client("phone", presence(0));
        await(store::heldFetches, 1);
        h.deliver(msg(h.account, "chat", "m3"));
        h.deliver(msg(h.account + "/phone", "chat", "m4"));
        noMoreMessages(phone);

        store.releaseAll();
        List<XmlElement> got = messages(phone, 4);
        assertThat(got).extracting(OfflineTest::body).containsExactly("m1", "m2", "m3", "m4");
        assertThat(got).extracting(m -> Delay.of(m).isPresent()).containsExactly(true, true, false, false);
        await(() -> store.inner.size(h.account), 0);
    }

    @Test
    void liveMessagesNeverWaitForTheDeleteOfTheDeliveredBacklog() {
        GatedOfflineStore store = new GatedOfflineStore();
        EntityHarness h = new EntityHarness(testKit, store, 1000);
        h.deliver(msg(h.account, "chat", "m1"));
        await(() -> store.inner.size(h.account), 1);
        store.holdRemoves(true);

        TestProbe<SessionMessage> phone = h.bind("phone");
        h.client("phone", presence(0));
        assertThat(messages(phone, 1)).extracting(OfflineTest::body).containsExactly("m1");
        await(store::heldRemoves, 1);
        h.deliver(msg(h.account, "chat", "m2"));
        assertThat(messages(phone, 1)).singleElement().satisfies(m -> {
            assertThat(body(m)).isEqualTo("m2");
            assertThat(Delay.of(m)).isEmpty();
        });
        assertThat(store.inner.size(h.account)).as("the delete is still in flight").isEqualTo(1);

        store.releaseAll();
        await(() -> store.inner.size(h.account), 0);
    }

    @Test
    void appendsStillInFlightAreWaitedForBeforeTheStoreIsRead() {
        GatedOfflineStore store = new GatedOfflineStore();
        EntityHarness h = new EntityHarness(testKit, store, 1000);
        TestProbe<SessionMessage> phone = h.bind("phone");
        store.holdAppends(true);
        h.deliver(msg(h.account, "chat", "m1"));
        h.client("phone", presence(5));
        h.deliver(msg(h.account, "chat", "m2"));
        noMoreMessages(phone);
        assertThat(store.fetches.get()).as("no read while a write is in flight").isZero();

        store.releaseAll();
        assertThat(messages(phone, 2)).extracting(OfflineTest::body).containsExactly("m1", "m2");
        await(() -> store.inner.size(h.account), 0);
    }

    @Test
    void aResourceGoneBeforeItsBacklogCameLeavesItStoredOrHandsItToTheNextOne() {
        GatedOfflineStore store = new GatedOfflineStore();
        EntityHarness h = new EntityHarness(testKit, store, 1000);
        h.deliver(msg(h.account, "chat", "m1"));
        await(() -> store.inner.size(h.account), 1);

        store.holdFetches(true);
        TestProbe<SessionMessage> phone = h.bind("phone");
        h.client("phone", presence(0));
        await(store::heldFetches, 1);
        h.client("phone", "<presence xmlns='jabber:client' type='unavailable'/>");
        h.deliver(msg(h.account, "chat", "m2"));
        store.releaseAll();
        await(() -> store.inner.size(h.account), 2);
        noMoreMessages(phone);

        store.holdFetches(true);
        h.client("phone", presence(0));
        await(store::heldFetches, 1);
        TestProbe<SessionMessage> tablet = h.bind("tablet");
        h.client("tablet", presence(0));
        h.client("phone", "<presence xmlns='jabber:client' type='unavailable'/>");
        h.deliver(msg(h.account, "chat", "m3"));
        store.releaseAll();
        assertThat(messages(tablet, 3)).extracting(OfflineTest::body).containsExactly("m1", "m2", "m3");
        noMoreMessages(phone);
        await(() -> store.inner.size(h.account), 0);
    }

    @Test
    void aFailedRemovalNeverDeliversTheSameMessagesTwiceAndIsRetried() {
        GatedOfflineStore store = new GatedOfflineStore();
        EntityHarness h = new EntityHarness(testKit, store, 1000);
        h.deliver(msg(h.account, "chat", "m1"));
        h.deliver(msg(h.account, "chat", "m2"));
        await(() -> store.inner.size(h.account), 2);
        store.failNextRemoves(1);

        TestProbe<SessionMessage> phone = h.bind("phone");
        h.client("phone", presence(0));
        assertThat(messages(phone, 2)).extracting(OfflineTest::body).containsExactly("m1", "m2");
        await(store.removes::get, 1);
        assertThat(store.inner.size(h.account)).isEqualTo(2);

        h.client("phone", "<presence xmlns='jabber:client' type='unavailable'/>");
        h.deliver(msg(h.account, "chat", "m3"));
        h.client("phone", presence(0));
        assertThat(messages(phone, 1)).extracting(OfflineTest::body).containsExactly("m3");
        noMoreMessages(phone);
        await(() -> store.inner.size(h.account), 0);
    }

    @Test
    void aReconnectAfterTheStoreWasReadToItsEndSkipsTheReadUntilSomethingIsStored() {
        GatedOfflineStore store = new GatedOfflineStore();
        EntityHarness h = new EntityHarness(testKit, store, 1000);
        TestProbe<SessionMessage> phone = h.bind("phone");
        h.client("phone", presence(0));
        await(store.fetches::get, 1);
        noMoreMessages(phone);

        // logout and login again while the entity stays in memory: nothing can have been stored
        h.client("phone", "<presence xmlns='jabber:client' type='unavailable'/>");
        h.client("phone", presence(0));
        noMoreMessages(phone);
        assertThat(store.fetches.get()).as("no read for a store known to be empty").isEqualTo(1);

        h.client("phone", "<presence xmlns='jabber:client' type='unavailable'/>");
        h.deliver(msg(h.account, "chat", "m1"));
        await(() -> store.inner.size(h.account), 1);
        h.client("phone", presence(0));
        assertThat(messages(phone, 1)).extracting(OfflineTest::body).containsExactly("m1");
        assertThat(store.fetches.get()).isEqualTo(2);
        await(() -> store.inner.size(h.account), 0);

        // a failed append may still have stored its message: the store is unknown again
        h.client("phone", "<presence xmlns='jabber:client' type='unavailable'/>");
        store.failNextAppends(1);
        h.deliver(msg(h.account, "chat", "m2"));
        h.client("phone", presence(0));
        await(store.fetches::get, 3);
    }

    @Test
    void aLongBacklogIsReadInBatchesAndKeepsItsOrder() {
        GatedOfflineStore store = new GatedOfflineStore();
        int count = OfflineDelivery.FETCH_BATCH * 2 + 50;
        EntityHarness h = new EntityHarness(testKit, store, count);
        for (int i = 0; i < count; i++) {
            h.deliver(msg(h.account, "chat", "m" + i));
        }
        await(() -> store.inner.size(h.account), count);

        TestProbe<SessionMessage> phone = h.bind("phone");
        h.client("phone", presence(0));
        assertThat(messages(phone, count)).extracting(OfflineTest::body)
                .containsExactlyElementsOf(IntStream.range(0, count).mapToObj(i -> "m" + i).toList());
        await(() -> store.inner.size(h.account), 0);
        assertThat(store.fetches.get()).isEqualTo(3);
    }
}
