package org.kaiku.engine.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kaiku.engine.user.EntityHarness.drain;
import static org.kaiku.engine.user.EntityHarness.errorCondition;
import static org.kaiku.engine.user.EntityHarness.stanzas;

import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.engine.storage.InMemoryAccountDataStore;
import org.kaiku.protocol.ext.avatar.VCardUpdate;
import org.kaiku.protocol.xml.XmlElement;

/**
 * What the server answers on the account's behalf and adds to its presence: another user's
 * vCard (XEP-0054 section 3.3), the XEP-0153 photo hash in presence (XEP-0398 section 4 rule)
 * and last activity (XEP-0012 sections 3, 4 and 8), through the entity with a real (in-memory)
 * account data store.
 */
class AccountIqTest {
    /** SHA-1 of "abc", whose base64 is YWJj. */
    private static final String ABC_SHA1 = "a9993e364706816aba3e25717850c26c9cd0d89d";
    private static final String VCARD_WITH_PHOTO =
            "<vCard xmlns='vcard-temp'><FN>Alice</FN><PHOTO><TYPE>image/png</TYPE><BINVAL>YWJj</BINVAL></PHOTO></vCard>";
    private static ActorTestKit testKit;
    private InMemoryAccountDataStore store;
    private EntityHarness h;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create("AccountIqTest", EntityHarness.config());
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @BeforeEach
    void fresh() {
        store = new InMemoryAccountDataStore();
        h = new EntityHarness(testKit, store);
        // a journal with a hash, so the restarted entity reads nothing at start
        h.kit.initialize(
                new UserEvent.PhotoHashChanged(""),
                item("from@example.com", RosterItem.Subscription.FROM),
                item("to@example.com", RosterItem.Subscription.TO),
                item("both@example.com", RosterItem.Subscription.BOTH));
        assertThat(h.kit.getState().roster()).hasSize(3);
    }

    private static UserEvent item(String jid, RosterItem.Subscription s) {
        return new UserEvent.RosterItemSaved(new RosterItem(jid, null, List.of(), s, false, false));
    }

    @Test
    void anotherUsersVCardIsAnsweredFromTheStoreAndNeverForwarded() {
        TestProbe<SessionMessage> desk = h.online("desk", 0);
        h.deliver(vcardIq("get", "v0", "stranger@elsewhere.example/x"));
        assertThat(errorCondition(routedIq("v0"))).as("no vCard: XEP-0054 1.3.0 section 3.3").isEqualTo("service-unavailable");

        put(VCARD_WITH_PHOTO);
        h.deliver(vcardIq("get", "v1", "stranger@elsewhere.example/x"));
        XmlElement result = routedIq("v1");
        assertThat(result.attr("type")).isEqualTo("result");
        assertThat(result.attr("from")).isEqualTo(h.account);
        assertThat(result.attr("to")).isEqualTo("stranger@elsewhere.example/x");
        assertThat(result.child("vCard", "vcard-temp").childText("FN", "vcard-temp")).isEqualTo("Alice");

        h.deliver(vcardIq("set", "v2", "stranger@elsewhere.example/x"));
        assertThat(errorCondition(routedIq("v2"))).as("section 3.2").isEqualTo("forbidden");
        assertThat(stanzas(desk)).noneMatch(e -> e.name().equals("iq"));
    }

    @Test
    void presenceCarriesThePhotoHashAndIsSentAgainWhenItChanges() {
        TestProbe<SessionMessage> desk = h.online("desk", 0);
        h.client("desk", "<presence xmlns='jabber:client'><show>away</show></presence>");
        List<XmlElement> first = presences(drain(h.routed));
        assertThat(first).extracting(e -> e.attr("to")).containsExactlyInAnyOrder("from@example.com", "both@example.com");
        assertThat(first).allSatisfy(e -> assertThat(VCardUpdate.advertised(e)).as("no photo: empty").isEmpty());
        drain(desk);

        put(VCARD_WITH_PHOTO);
        h.kit.runCommand(new UserEntity.AccountDataChanged("vcard-temp"));
        List<XmlElement> again = presences(receive(h.routed, 2));
        assertThat(again).extracting(e -> e.attr("to")).containsExactlyInAnyOrder("from@example.com", "both@example.com");
        assertThat(again).allSatisfy(e -> {
            assertThat(VCardUpdate.advertised(e)).isEqualTo(ABC_SHA1);
            assertThat(e.childText("show", "jabber:client")).isEqualTo("away");
        });
        XmlElement own = EntityHarness.next(desk);
        assertThat(VCardUpdate.advertised(own)).isEqualTo(ABC_SHA1);
        awaitHash(ABC_SHA1);

        // a probe answer carries it too, and so does the state after a restart (it was journaled)
        h.deliver("<presence xmlns='jabber:client' type='probe' from='both@example.com/x' to='" + h.account + "'/>");
        assertThat(presences(drain(h.routed))).singleElement()
                .satisfies(e -> assertThat(VCardUpdate.advertised(e)).isEqualTo(ABC_SHA1));
        assertThat(h.kit.restart().state().profile().photoHash()).isEqualTo(ABC_SHA1);
    }

    @Test
    void anAccountWithoutAJournaledHashReadsItAtStartAndWritesNothing() {
        String carol = "carol" + System.nanoTime() + "@example.com";
        store.put(carol, "vcard-temp", VCARD_WITH_PHOTO).toCompletableFuture().join();
        EntityHarness c = new EntityHarness(testKit, carol, new org.kaiku.engine.storage.InMemoryOfflineStore(), 1000, store);
        TestProbe<SessionMessage> desk = c.bind("desk");
        var initial = c.client("desk", "<presence xmlns='jabber:client'/>");
        assertThat(initial.events()).singleElement().isInstanceOf(UserEvent.PresenceChanged.class);
        // the read was issued at start; whether it beat the presence or not, the hash reaches the client
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        String seen = null;
        while (!ABC_SHA1.equals(seen)) {
            assertThat(System.nanoTime()).as("a presence with the hash").isLessThan(deadline);
            seen = VCardUpdate.advertised(EntityHarness.next(desk));
        }
        assertThat(c.kit.getState().profile().photoHash()).as("kept in memory, not journaled").isNull();
        c.deliver("<presence xmlns='jabber:client' type='probe' from='" + carol + "/other' to='" + carol + "'/>");
        assertThat(presences(drain(c.routed))).singleElement()
                .satisfies(e -> assertThat(VCardUpdate.advertised(e)).isEqualTo(ABC_SHA1));
    }

    @Test
    void theClientsOwnPhotoElementIsLeftAloneAndABogusPhotoCountsAsNone() {
        put(VCARD_WITH_PHOTO);
        h.kit.runCommand(new UserEntity.AccountDataChanged("vcard-temp"));
        awaitHash(ABC_SHA1);
        h.bind("desk");
        h.client("desk", "<presence xmlns='jabber:client'><x xmlns='vcard-temp:x:update'><photo/></x></presence>");
        assertThat(presences(drain(h.routed))).isNotEmpty()
                .allSatisfy(e -> assertThat(VCardUpdate.advertised(e)).as("XEP-0398: an empty photo is kept").isEmpty());
        h.client("desk", "<presence xmlns='jabber:client'><x xmlns='vcard-temp:x:update'/></presence>");
        assertThat(presences(drain(h.routed))).isNotEmpty()
                .allSatisfy(e -> assertThat(VCardUpdate.advertised(e)).as("an x without photo is overwritten").isEqualTo(ABC_SHA1));

        put("<vCard xmlns='vcard-temp'><PHOTO><BINVAL>not*base64!</BINVAL></PHOTO></vCard>");
        h.kit.runCommand(new UserEntity.AccountDataChanged("vcard-temp"));
        awaitHash("");
        assertThat(presences(receive(h.routed, 2))).allSatisfy(e -> assertThat(VCardUpdate.advertised(e)).isEmpty());
    }

    @Test
    void lastActivityIsZeroWhileConnectedAndTheLastLogoutAfterwards() {
        assertThat(errorCondition(askLast("l0", "both@example.com/x", h.account)))
                .as("no logout recorded yet").isEqualTo("item-not-found");
        TestProbe<SessionMessage> desk = h.online("desk", 0);
        XmlElement online = askLast("l1", "both@example.com/x", h.account);
        assertThat(online.attr("type")).isEqualTo("result");
        assertThat(seconds(online)).isZero();
        assertThat(online.child("query", "jabber:iq:last").text()).isEmpty();

        h.client("desk", "<presence xmlns='jabber:client' type='unavailable'><status>Heading Home</status></presence>");
        assertThat(seconds(askLast("l2", "from@example.com/x", h.account))).as("still connected").isZero();
        var unbound = h.kit.runCommand(new UserEntity.Unbind("desk", null));
        assertThat(unbound.events()).isEmpty(); // not the holder of the resource: ignored
        List<UserEvent> events = h.kit.runCommand(new UserEntity.Unbind("desk", sessionOf("desk"))).events();
        assertThat(events).hasSize(2);
        assertThat(events.get(0)).isEqualTo(new UserEvent.ResourceUnbound("desk"));
        assertThat(events.get(1)).isInstanceOfSatisfying(UserEvent.LoggedOut.class,
                e -> assertThat(e.status()).isEqualTo("Heading Home"));
        drain(h.routed);

        XmlElement offline = askLast("l3", "both@example.com/x", h.account);
        assertThat(offline.attr("type")).isEqualTo("result");
        assertThat(seconds(offline)).isGreaterThanOrEqualTo(0);
        assertThat(offline.child("query", "jabber:iq:last").text()).isEqualTo("Heading Home");
        assertThat(h.kit.restart().state().profile().lastStatus()).as("journaled").isEqualTo("Heading Home");
        assertThat(askLast("l4", h.account + "/other", h.account).attr("type")).as("the user itself").isEqualTo("result");
        drain(desk);
    }

    @Test
    void onlyThoseWhoSeeThePresenceLearnTheLastActivity() {
        TestProbe<SessionMessage> desk = h.online("desk", 0);
        assertThat(errorCondition(askLast("f1", "stranger@elsewhere.example/x", h.account))).isEqualTo("forbidden");
        assertThat(errorCondition(askLast("f2", "to@example.com/x", h.account)))
                .as("the user sees to@, not the other way round").isEqualTo("forbidden");
        // section 4: to a full JID, an unauthorized query is refused and never reaches the client
        assertThat(errorCondition(askLast("f3", "stranger@elsewhere.example/x", h.account + "/desk"))).isEqualTo("forbidden");
        assertThat(stanzas(desk)).isEmpty();
        h.deliver(lastIq("f4", "both@example.com/x", h.account + "/desk"));
        assertThat(EntityHarness.next(desk).attr("id")).isEqualTo("f4");
    }

    private org.apache.pekko.actor.typed.ActorRef<SessionMessage> sessionOf(String resource) {
        return h.kit.getState().resources().get(resource).session();
    }

    private void put(String vcard) {
        store.put(h.account, "vcard-temp", vcard).toCompletableFuture().join();
    }

    private void awaitHash(String expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!expected.equals(h.kit.getState().profile().photoHash())) {
            assertThat(System.nanoTime()).as("photo hash %s never arrived", expected).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    private String vcardIq(String type, String id, String from) {
        return "<iq xmlns='jabber:client' type='" + type + "' id='" + id + "' from='" + from + "' to='" + h.account + "'><vCard xmlns='vcard-temp'/></iq>";
    }

    private static String lastIq(String id, String from, String to) {
        return "<iq xmlns='jabber:client' type='get' id='" + id + "' from='" + from + "' to='" + to + "'><query xmlns='jabber:iq:last'/></iq>";
    }

    private XmlElement askLast(String id, String from, String to) {
        h.deliver(lastIq(id, from, to));
        return routedIq(id);
    }

    private static long seconds(XmlElement result) {
        return Long.parseLong(result.child("query", "jabber:iq:last").attr("seconds"));
    }

    /** The next routed iq with this id (presence routed meanwhile is skipped). */
    private XmlElement routedIq(String id) {
        while (true) {
            XmlElement e = h.routed.receiveMessage(Duration.ofSeconds(3));
            if (e.name().equals("iq") && id.equals(e.attr("id"))) {
                return e;
            }
        }
    }

    private static List<XmlElement> receive(TestProbe<XmlElement> probe, int n) {
        return probe.receiveSeveralMessages(n, Duration.ofSeconds(3));
    }

    private static List<XmlElement> presences(List<XmlElement> stanzas) {
        return stanzas.stream().filter(e -> e.name().equals("presence") && e.attr("type") == null).toList();
    }
}
