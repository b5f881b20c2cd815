package org.kaiku.engine.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kaiku.engine.user.EntityHarness.next;
import static org.kaiku.engine.user.EntityHarness.pushedItem;
import static org.kaiku.engine.user.EntityHarness.stanzas;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.testkit.SnapshotMeta;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.protocol.xml.XmlElement;

/**
 * Roster versioning, RFC 6121 section 2.6: the version moves with every roster change and only
 * then, a get with the current version is answered without the roster, any other gets it whole
 * with 'ver', pushes carry the new version, and the version survives recovery and snapshots.
 */
class RosterVersioningTest {
    private static ActorTestKit testKit;
    private EntityHarness h;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create("RosterVersioningTest", EntityHarness.config());
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @BeforeEach
    void fresh() {
        h = new EntityHarness(testKit);
    }

    private static String set(String id, String item) {
        return "<iq xmlns='jabber:client' type='set' id='" + id + "'><query xmlns='jabber:iq:roster'>" + item + "</query></iq>";
    }

    private static String get(String id, String verAttr) {
        return "<iq xmlns='jabber:client' type='get' id='" + id + "'><query xmlns='jabber:iq:roster'" + verAttr + "/></iq>";
    }

    private static XmlElement query(XmlElement iq) {
        return iq.child("query", RosterItem.NAMESPACE);
    }

    /** The single roster push among what the session got, checked to be the only one. */
    private static XmlElement onlyPush(TestProbe<SessionMessage> session) {
        List<XmlElement> pushes = stanzas(session).stream().filter(EntityHarness::isPush).toList();
        assertThat(pushes).hasSize(1);
        return pushes.get(0);
    }

    @Test
    void everyRosterChangeBumpsTheVersionAndItsPushCarriesIt() {
        TestProbe<SessionMessage> pc = h.online("pc", 0);
        assertThat(h.kit.getState().rosterVersion()).isZero();

        h.client("pc", set("s1", "<item jid='bob@example.com' name='Bob'/>"));
        assertThat(h.kit.getState().rosterVersion()).isEqualTo(1);
        assertThat(query(onlyPush(pc)).attr("ver")).isEqualTo("1");

        h.client("pc", set("s2", "<item jid='bob@example.com' name='Robert'/>"));
        assertThat(h.kit.getState().rosterVersion()).isEqualTo(2);
        assertThat(query(onlyPush(pc)).attr("ver")).isEqualTo("2");

        // A set that changes nothing writes nothing; its push names the unchanged version.
        var same = h.client("pc", set("s3", "<item jid='bob@example.com' name='Robert'/>"));
        assertThat(same.events()).isEmpty();
        assertThat(query(onlyPush(pc)).attr("ver")).isEqualTo("2");

        // Subscription state changes push too (section 3.1.2: ask='subscribe').
        h.client("pc", "<presence xmlns='jabber:client' to='bob@example.com' type='subscribe'/>");
        assertThat(h.kit.getState().rosterVersion()).isEqualTo(3);
        XmlElement askPush = onlyPush(pc);
        assertThat(query(askPush).attr("ver")).isEqualTo("3");
        assertThat(pushedItem(askPush).attr("ask")).isEqualTo("subscribe");

        h.deliver("<presence xmlns='jabber:client' from='bob@example.com' to='" + h.account + "' type='subscribed'/>");
        assertThat(h.kit.getState().rosterVersion()).isEqualTo(4);
        assertThat(query(onlyPush(pc)).attr("ver")).isEqualTo("4");

        h.client("pc", set("rm", "<item jid='bob@example.com' subscription='remove'/>"));
        assertThat(h.kit.getState().rosterVersion()).isEqualTo(5);
        XmlElement removePush = onlyPush(pc);
        assertThat(query(removePush).attr("ver")).isEqualTo("5");
        assertThat(pushedItem(removePush).attr("subscription")).isEqualTo("remove");
    }

    @Test
    void whatIsNotARosterChangeLeavesTheVersionAlone() {
        h.online("pc", 0);
        h.client("pc", "<presence xmlns='jabber:client'><priority>5</priority></presence>");
        h.deliver("<presence xmlns='jabber:client' from='carol@example.com' to='" + h.account + "' type='subscribe'/>");
        h.bind("phone");
        assertThat(h.kit.getState().pendingIn()).containsKey("carol@example.com");
        assertThat(h.kit.getState().rosterVersion()).isZero();
    }

    @Test
    void getWithTheCurrentVersionIsAnEmptyResultButStillSubscribesToPushes() {
        h.online("pc", 0);
        h.client("pc", set("s1", "<item jid='bob@example.com'/>"));
        TestProbe<SessionMessage> phone = h.bind("phone");

        var r = h.client("phone", get("g1", " ver='1'"));
        XmlElement result = next(phone);
        assertThat(result.attr("type")).isEqualTo("result");
        assertThat(result.attr("id")).isEqualTo("g1");
        assertThat(result.attr("to")).isEqualTo(h.account + "/phone");
        assertThat(result.elements()).isEmpty();
        assertThat(r.events()).containsExactly(new UserEvent.RosterRequested("phone"));
        phone.expectNoMessage(EntityHarness.QUIET);

        h.client("pc", set("s2", "<item jid='carol@example.com'/>"));
        XmlElement push = onlyPush(phone);
        assertThat(query(push).attr("ver")).isEqualTo("2");
        assertThat(pushedItem(push).attr("jid")).isEqualTo("carol@example.com");
    }

    @Test
    void getWithAStaleEmptyOrUnknownVersionReturnsTheWholeRosterWithTheCurrentVersion() {
        TestProbe<SessionMessage> pc = h.online("pc", 0);
        h.client("pc", set("s1", "<item jid='bob@example.com'/>"));
        h.client("pc", set("s2", "<item jid='carol@example.com'/>"));
        stanzas(pc);

        for (String ver : List.of(" ver='1'", " ver=''", " ver='nonsense'", " ver='99'", "")) {
            h.client("pc", get("g", ver));
            XmlElement result = next(pc);
            assertThat(result.attr("type")).as("ver attribute [%s]", ver).isEqualTo("result");
            XmlElement q = query(result);
            assertThat(q).as("ver attribute [%s]", ver).isNotNull();
            assertThat(q.attr("ver")).as("ver attribute [%s]", ver).isEqualTo("2");
            assertThat(q.elements()).extracting(e -> e.attr("jid")).containsExactly("bob@example.com", "carol@example.com");
        }
    }

    @Test
    void emptyRosterHasVersionZeroAndThatIsCurrent() {
        TestProbe<SessionMessage> pc = h.bind("pc");
        h.client("pc", get("g1", " ver=''"));
        XmlElement full = next(pc);
        assertThat(query(full).attr("ver")).isEqualTo("0");
        assertThat(query(full).elements()).isEmpty();
        h.client("pc", get("g2", " ver='0'"));
        assertThat(next(pc).elements()).isEmpty();
    }

    @Test
    void versionSurvivesRestart() {
        TestProbe<SessionMessage> pc = h.online("pc", 0);
        h.client("pc", set("s1", "<item jid='bob@example.com'/>"));
        h.client("pc", set("s2", "<item jid='carol@example.com'/>"));
        h.client("pc", set("rm", "<item jid='bob@example.com' subscription='remove'/>"));
        UserState before = h.kit.getState();
        assertThat(before.rosterVersion()).isEqualTo(3);

        UserState after = h.kit.restart().state();
        assertThat(after).isEqualTo(before);
        stanzas(pc);
        h.client("pc", get("g", " ver='3'"));
        assertThat(next(pc).elements()).isEmpty();
    }

    @Test
    void versionIsKeptInSnapshotsAndRecoveredFromThem() {
        h.online("pc", 0);
        int sets = UserEntity.SNAPSHOT_EVERY + 5;
        for (int i = 0; i < sets; i++) {
            h.client("pc", set("s" + i, "<item jid='c" + i + "@example.com'/>"));
        }
        UserState before = h.kit.getState();
        assertThat(before.rosterVersion()).isEqualTo(sets);

        List<Pair<SnapshotMeta, Object>> snapshots = h.kit.snapshotTestKit().orElseThrow().persistedInStorage(h.persistenceId());
        assertThat(snapshots).isNotEmpty();
        Pair<SnapshotMeta, Object> last = snapshots.get(snapshots.size() - 1);
        UserState snapshot = (UserState) last.second();
        // online() journaled three non-roster events before the sets.
        assertThat(snapshot.rosterVersion()).isEqualTo(last.first().sequenceNr() - 3);
        assertThat(snapshot.rosterVersion()).isPositive();

        assertThat(h.kit.restart().state()).isEqualTo(before);
    }

    @Test
    void recoveryFromAGivenSnapshotCountsOnFromItsVersion() {
        RosterItem bob = RosterItem.fresh("bob@example.com");
        h.kit.initialize(new UserState(Map.of(bob.jid(), bob), Map.of(), Map.of(), 41),
                new UserEvent.RosterItemSaved(RosterItem.fresh("carol@example.com")));
        assertThat(h.kit.restart().state().rosterVersion()).isEqualTo(42);
    }

    @Test
    void stateWrittenBeforeVersioningReadsBackWithVersionZero() throws Exception {
        RosterItem bob = RosterItem.fresh("bob@example.com");
        UserState state = new UserState(Map.of(bob.jid(), bob), Map.of(), Map.of(), 7);
        Serialization serialization = SerializationExtension.get(testKit.system());
        Serializer serializer = serialization.findSerializerFor(state);
        String manifest = Serializers.manifestFor(serializer, state);

        ObjectMapper cbor = new ObjectMapper(new CBORFactory());
        ObjectNode tree = (ObjectNode) cbor.readTree(serialization.serialize(state).get());
        assertThat(tree.remove("rosterVersion")).as("field name in the stored form").isNotNull();
        byte[] legacy = cbor.writeValueAsBytes(tree);

        Object read = serialization.deserialize(legacy, serializer.identifier(), manifest).get();
        assertThat(read).isEqualTo(new UserState(Map.of(bob.jid(), bob), Map.of(), Map.of(), 0));
    }
}
