package org.kaiku.engine.muc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kaiku.protocol.ext.xdata.DataForm;
import org.kaiku.protocol.xml.XmlElement;

/**
 * A room's events, state and commands, and the directory's, go through Jackson CBOR and come back
 * equal (what the journal and other nodes see); the configuration form answers itself.
 */
public class RoomSerializationTest {
    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create("RoomSerializationTest", com.typesafe.config.ConfigFactory.parseString("pekko.loglevel = WARNING")
                .withFallback(com.typesafe.config.ConfigFactory.load()));
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static Object roundTrip(Object o) {
        Serialization s = SerializationExtension.get(testKit.system());
        assertThat(s.findSerializerFor(o)).as("serializer of %s", o.getClass()).isInstanceOf(JacksonCborSerializer.class);
        byte[] bytes = s.serialize(o).get();
        return s.deserialize(bytes, s.findSerializerFor(o).identifier(), Serializers.manifestFor(s.findSerializerFor(o), o)).get();
    }

    @Test
    void eventsStateAndCommandsRoundTrip() {
        for (Object o : samples(testKit)) {
            assertThat(roundTrip(o)).as("%s", o.getClass().getSimpleName()).isEqualTo(o);
        }
    }

    /** One sample of every MUC type that goes through CBOR (UserSerializationTest checks none is missing). */
    public static List<Object> samples(ActorTestKit testKit) {
        RoomConfig config = new RoomConfig("Lounge", "chat", true, false, true, true, true, "pw", true, 50, true, false, "moderators");
        TestProbe<RoomDirectory.Rooms> probe = testKit.createTestProbe(RoomDirectory.Rooms.class);
        XmlElement message = XmlElement.builder("message", "jabber:client").attr("from", "a@localhost/r")
                .attr("to", "room@conference.localhost").attr("type", "groupchat").textChild("body", "hi <&>").build();
        List<Object> all = List.of(
                new RoomEvent.Created("alice@localhost", "00ff", config),
                new RoomEvent.Configured(config),
                new RoomEvent.AffiliationChanged("bob@localhost", "outcast"),
                new RoomEvent.SubjectChanged("Plans", "Alice"),
                new RoomEvent.Destroyed(),
                new RoomState(true, false, "00ff", config, Map.of("alice@localhost", "owner"), "Plans", "Alice"),
                new RoomEntity.Inbound(message),
                new RoomDirectory.Listed("room@conference.localhost", "Lounge", true),
                new RoomDirectory.Unlisted("room@conference.localhost"),
                new RoomDirectory.ListRooms(probe.getRef()),
                new RoomDirectory.Rooms(Map.of("room@conference.localhost", "Lounge")),
                new RoomDirectory.RoomListed("room@conference.localhost", "Lounge"),
                new RoomDirectory.RoomUnlisted("room@conference.localhost"),
                new RoomDirectory.State(Map.of("room@conference.localhost", "Lounge")),
                config,
                new RoomEntity.Shutdown(),
                new RoomEntity.Idle());
        return all;
    }

    @Test
    void configurationFormIsAnsweredAndCheckedAsXep0004Says() {
        RoomConfig defaults = RoomConfig.defaults(200);
        DataForm form = defaults.form(200);
        assertThat(form.formType()).isEqualTo("http://jabber.org/protocol/muc#roomconfig");
        // an empty submit is an instant room (section 10.1.2): the defaults
        assertThat(defaults.apply(new DataForm("submit", List.of()), 200)).isEqualTo(defaults);
        RoomConfig changed = defaults.apply(new DataForm("submit", List.of(
                DataForm.Field.of("muc#roomconfig_persistentroom", "boolean", "1"),
                DataForm.Field.of("muc#roomconfig_passwordprotectedroom", "boolean", "true"),
                DataForm.Field.of("muc#roomconfig_roomsecret", "text-private", "s3cret"),
                DataForm.Field.of("muc#roomconfig_whois", "list-single", "anyone"))), 200);
        assertThat(changed.persistent()).isTrue();
        assertThat(changed.passwordProtected()).isTrue();
        assertThat(changed.password()).isEqualTo("s3cret");
        assertThat(changed.whoisAnyone()).isTrue();
        // hostile or wrong submissions are refused, not half-applied
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> defaults.apply(new DataForm("submit", List.of(
                DataForm.Field.of("muc#roomconfig_passwordprotectedroom", "boolean", "1"))), 200))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> defaults.apply(new DataForm("submit", List.of(
                DataForm.Field.of("muc#roomconfig_whois", "list-single", "everybody"))), 200))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> defaults.apply(new DataForm("submit", List.of(
                DataForm.Field.of("muc#roomconfig_persistentroom", "boolean", "maybe"))), 200))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
