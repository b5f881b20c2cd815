package org.kaiku.engine.muc;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kaiku.protocol.ext.muc.Muc;
import org.kaiku.protocol.ext.xdata.DataForm;
import org.kaiku.protocol.xml.XmlElement;

/**
 * One room entity on the persistence testkit: created by its first occupant, configured
 * persistent, stopped the way Cluster Sharding stops it (its occupants hear status 332), then
 * recovered from its journal with its configuration and owner, and without occupants.
 */
class RoomEntityTest {
    private static final String ROOM = "hall@conference.localhost";
    private static ActorTestKit kit;

    @BeforeAll
    static void start() {
        kit = ActorTestKit.create("RoomEntityTest", ConfigFactory.parseString("pekko.loglevel = WARNING")
                .withFallback(PersistenceTestKitPlugin.getInstance().config())
                .withFallback(PersistenceTestKitSnapshotPlugin.config())
                .withFallback(ConfigFactory.load()));
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    private static ActorRef<RoomEntity.Command> spawn(TestProbe<XmlElement> routed) {
        TestProbe<RoomDirectory.Command> directory = kit.createTestProbe(RoomDirectory.Command.class);
        TestProbe<ClusterSharding.ShardCommand> shard = kit.createTestProbe(ClusterSharding.ShardCommand.class);
        MucSettings settings = new MucSettings(true, "conference.localhost", 20, 200, Duration.ofSeconds(60));
        return kit.spawn(RoomEntity.create(ROOM, settings, routed.getRef()::tell,
                new RoomDirectory.Client(directory.getRef(), kit.scheduler()), null, shard.getRef()));
    }

    private static XmlElement join(String from, String nick) {
        return XmlElement.builder("presence", "jabber:client").attr("from", from).attr("to", ROOM + "/" + nick)
                .child(XmlElement.of("x", Muc.NAMESPACE)).build();
    }

    private static List<String> codes(XmlElement presence) {
        return presence.child("x", Muc.USER).elements("status", Muc.USER).stream().map(s -> s.attr("code")).toList();
    }

    @Test
    void stoppedRoomTellsItsOccupantsAndRecoversItsConfiguration() {
        TestProbe<XmlElement> routed = kit.createTestProbe(XmlElement.class);
        ActorRef<RoomEntity.Command> room = spawn(routed);
        room.tell(new RoomEntity.Inbound(join("alice@localhost/desk", "Alice")));
        XmlElement self = routed.receiveMessage();
        assertThat(self.attr("to")).isEqualTo("alice@localhost/desk");
        assertThat(codes(self)).contains("110", "201");
        assertThat(self.child("occupant-id", Muc.OCCUPANT_ID)).isNotNull();
        assertThat(routed.receiveMessage().child("subject", "jabber:client")).isNotNull();

        XmlElement configure = XmlElement.builder("iq", "jabber:client").attr("from", "alice@localhost/desk").attr("to", ROOM)
                .attr("type", "set").attr("id", "c1")
                .child(XmlElement.builder("query", Muc.OWNER).child(new DataForm("submit", List.of(
                        DataForm.Field.of("muc#roomconfig_persistentroom", "boolean", "1"),
                        DataForm.Field.of("muc#roomconfig_roomname", "text-single", "The Hall"))).toElement()).build())
                .build();
        room.tell(new RoomEntity.Inbound(configure));
        assertThat(routed.receiveMessage().attr("type")).isEqualTo("result");

        // what Cluster Sharding sends on hand-off, node shutdown or passivation
        room.tell(new RoomEntity.Shutdown());
        XmlElement gone = routed.receiveMessage();
        assertThat(gone.attr("type")).isEqualTo("unavailable");
        assertThat(codes(gone)).contains("110", "332");
        routed.expectTerminated(room);

        // the next incarnation replays the journal: configuration and owner, no occupants
        ActorRef<RoomEntity.Command> again = spawn(routed);
        again.tell(new RoomEntity.Inbound(XmlElement.builder("iq", "jabber:client").attr("from", "bob@localhost/phone")
                .attr("to", ROOM).attr("type", "get").attr("id", "d1")
                .child(XmlElement.of("query", RoomAdmin.DISCO_INFO)).build()));
        XmlElement info = routed.receiveMessage();
        List<String> features = info.child("query", RoomAdmin.DISCO_INFO).elements("feature", RoomAdmin.DISCO_INFO).stream()
                .map(f -> f.attr("var")).toList();
        assertThat(features).contains("muc_persistent", Muc.OCCUPANT_ID, Muc.SELF_PING_OPTIMIZATION);
        assertThat(info.child("query", RoomAdmin.DISCO_INFO).child("identity", RoomAdmin.DISCO_INFO).attr("name")).isEqualTo("The Hall");
        // a self-ping for the nick held before the stop: not-acceptable, so the client rejoins (XEP-0410)
        again.tell(new RoomEntity.Inbound(XmlElement.builder("iq", "jabber:client").attr("from", "alice@localhost/desk")
                .attr("to", ROOM + "/Alice").attr("type", "get").attr("id", "p1")
                .child(XmlElement.of("ping", "urn:xmpp:ping")).build()));
        XmlElement pong = routed.receiveMessage();
        assertThat(pong.attr("type")).isEqualTo("error");
        assertThat(pong.child("error", "jabber:client").child("not-acceptable", "urn:ietf:params:xml:ns:xmpp-stanzas")).isNotNull();
        // the owner is still the owner: her join neither creates the room nor is refused
        again.tell(new RoomEntity.Inbound(join("alice@localhost/desk", "Alice")));
        XmlElement back = routed.receiveMessage();
        assertThat(codes(back)).contains("110").doesNotContain("201");
        assertThat(back.child("x", Muc.USER).child("item", Muc.USER).attr("affiliation")).isEqualTo("owner");
    }
}
