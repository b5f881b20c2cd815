package org.kaiku.engine.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kaiku.engine.serialization.CborSerializable;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.engine.storage.OfflineMessage;
import org.kaiku.engine.storage.OfflineStore;
import org.kaiku.protocol.stanza.StanzaError;

/**
 * Every event, the state and every command and reply go through Jackson CBOR (never Java
 * serialization) and come back equal: what the journal and other nodes will see.
 */
class UserSerializationTest {
    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create("UserSerializationTest", EntityHarness.config());
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
    void eventsStateCommandsAndRepliesRoundTrip() {
        for (Object o : samples()) {
            assertThat(roundTrip(o)).as("round trip of %s", o).isEqualTo(o);
        }
    }

    /**
     * Classes marked {@link CborSerializable} that never leave their node: messages a session
     * actor sends itself (stream stages, timers, completed futures). They carry stream refs,
     * exceptions or credentials and are never serialised. Listed by name, each checked to exist.
     */
    private static final Set<String> NODE_LOCAL = Set.of(
            "org.kaiku.engine.c2s.C2sSession$Attached",
            "org.kaiku.engine.c2s.C2sSession$InboundInit",
            "org.kaiku.engine.c2s.C2sSession$Inbound",
            "org.kaiku.engine.c2s.C2sSession$InboundEnded",
            "org.kaiku.engine.c2s.C2sSession$Shutdown",
            "org.kaiku.engine.c2s.C2sSession$CredentialsLoaded",
            "org.kaiku.engine.c2s.C2sSession$Bound",
            "org.kaiku.engine.c2s.C2sSession$PreAuthAnswer",
            "org.kaiku.engine.c2s.C2sSession$Reply",
            "org.kaiku.engine.c2s.C2sSession$Tick",
            "org.kaiku.engine.c2s.C2sStreamManagement$HandedOver");

    /**
     * Every concrete class of the engine bound to Jackson CBOR has a sample above (or is listed as
     * node-local): a new message type that may cross nodes cannot skip the round trip.
     */
    @Test
    void everyCborSerializableTypeHasARoundTripSample() throws ClassNotFoundException {
        JavaClasses engine = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.kaiku");
        Set<String> marked = engine.stream()
                .filter(c -> c.isAssignableTo(CborSerializable.class))
                .filter(c -> !c.isInterface() && !c.getModifiers().contains(JavaModifier.ABSTRACT))
                .map(JavaClass::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> sampled = samples().stream().map(o -> o.getClass().getName()).collect(Collectors.toSet());
        for (String local : NODE_LOCAL) {
            assertThat(Class.forName(local)).as("node-local class %s", local).isAssignableTo(CborSerializable.class);
        }
        Set<String> missing = new TreeSet<>(marked);
        missing.removeAll(sampled);
        missing.removeAll(NODE_LOCAL);
        assertThat(missing).as("CborSerializable types without a round-trip sample").isEmpty();
        assertThat(marked).as("sanity: the scan found the entity's commands").contains(UserEntity.Deliver.class.getName());
    }

    private static List<Object> samples() {
        TestProbe<SessionMessage> session = testKit.createTestProbe(SessionMessage.class);
        TestProbe<UserEntity.BindResult> reply = testKit.createTestProbe(UserEntity.BindResult.class);
        RosterItem item = new RosterItem("bob@example.com", "Bob", List.of("a", "b"), RosterItem.Subscription.BOTH, true, true);
        String xml = "<presence xmlns=\"jabber:client\" from=\"a@example.com/r\"><status>&lt;hi&gt; &amp; bye</status></presence>";
        List<Object> all = List.of(
                new UserEvent.ResourceBound("r", session.getRef()),
                new UserEvent.ResourceUnbound("r"),
                new UserEvent.RosterRequested("r"),
                new UserEvent.PresenceChanged("r", -5, xml),
                new UserEvent.PresenceWithdrawn("r"),
                new UserEvent.DirectedPresenceAdded("r", "room@muc.example.com/me"),
                new UserEvent.DirectedPresenceRemoved("r", "room@muc.example.com/me"),
                new UserEvent.RosterItemSaved(item),
                new UserEvent.RosterItemRemoved("bob@example.com"),
                new UserEvent.SubscriptionRequestStored("bob@example.com", xml),
                new UserEvent.SubscriptionRequestRemoved("bob@example.com"),
                new UserEvent.CarbonsToggled("r", true),
                new UserEvent.BlocklistRequested("r"),
                new UserEvent.Blocked(List.of("mallory@example.com", "spam.example")),
                new UserEvent.Unblocked(List.of()),
                new UserEvent.PhotoHashChanged("a9993e364706816aba3e25717850c26c9cd0d89d"),
                new UserEvent.PhotoHashChanged(""),
                new UserEvent.LoggedOut(1_700_000_000_123L, "Heading <Home> & away"),
                new UserEvent.LoggedOut(1_700_000_000_123L, null),
                new UserState(Map.of(), Map.of(), Map.of(), 1, Set.of(), new UserState.Profile("abc", 1_700_000_000_123L, "gone")),
                new UserEntity.AccountDataChanged("vcard-temp"),
                new UserEntity.PhotoHashRead(3, null),
                new UserEntity.IqAnswered(EntityHarness.xml(xml)),
                new UserState(Map.of("bob@example.com", item), Map.of("carol@example.com", xml),
                        Map.of("r", new UserState.OnlineResource(session.getRef(), true, true, 3, xml, Set.of("x@example.com"), true, true)), 12,
                        Set.of("mallory@example.com")),
                new UserEntity.Bind(null, session.getRef(), reply.getRef()),
                new UserEntity.Bind("desk", session.getRef(), reply.getRef()),
                new UserEntity.Unbind("desk", session.getRef()),
                new UserEntity.FromClient("desk", EntityHarness.xml(xml)),
                new UserEntity.Deliver(EntityHarness.xml(xml)),
                new UserEntity.Sent(EntityHarness.xml(xml)),
                new UserEntity.OfflineAppended(EntityHarness.xml(xml), OfflineStore.Append.STORED, null),
                new UserEntity.OfflineAppended(EntityHarness.xml(xml), null, new UserEntity.Receipt(session.getRef(), 3)),
                // durable receipts (XEP-0198 'h' after the write): the sender's session may be on another node
                new UserEntity.Deliver(EntityHarness.xml(xml), new UserEntity.Receipt(session.getRef(), 4294967296L)),
                new UserEntity.DurableDone(new UserEntity.Receipt(session.getRef(), 1), SessionMessage.Durable.Outcome.FAILED),
                new SessionMessage.Durable(12, SessionMessage.Durable.Outcome.STORED),
                new UserEntity.OfflineFetched(7, List.of(new OfflineMessage("0001", Instant.parse("2024-05-01T10:00:00.123Z"), xml)), false),
                new UserEntity.OfflineFetched(8, List.of(), true),
                new UserEntity.OfflineRemoved(List.of("0001", "0002"), true),
                new UserEntity.Bound("a@example.com/desk"),
                // account deletion (XEP-0077, XEP-0133): the admin's request may come from another node
                new UserEvent.AccountErased(1_700_000_000_123L),
                new UserEntity.Erase("desk", EntityHarness.xml(xml), null),
                new UserEntity.Erase(null, null, null),
                new UserEntity.Erased(null),
                new UserEntity.Erased("storage is unavailable"),
                new UserEntity.ExistenceChecked(true),
                new UserEntity.Refused(StanzaError.Condition.RESOURCE_CONSTRAINT),
                // stream management (XEP-0198): what may cross nodes when a session is resumed elsewhere
                new UserEvent.ResourceResumed("r", session.getRef()),
                new UserEntity.SmEnable("desk", session.getRef(), "sm-id"),
                new UserEntity.SmEnable("desk", session.getRef(), null),
                new UserEntity.SmAck(session.getRef(), 42),
                new UserEntity.SmResume("sm-id", session.getRef()),
                new UserEntity.SmSwap("desk", session.getRef(), session.getRef(), 3, 4),
                new SessionMessage.Deliver(EntityHarness.xml(xml), 9),
                new SessionMessage.SmTracking(true),
                new SessionMessage.SmResumeTarget("desk", session.getRef()),
                new SessionMessage.SmResumeTarget(null, null),
                new SessionMessage.SmSwapped(true, List.of(new SessionMessage.SmEntry(EntityHarness.xml(xml), 5))),
                new SessionMessage.SmHandOver(testKit.createTestProbe(SessionMessage.SmState.class).getRef()),
                new SessionMessage.SmState(true, "a@example.com/desk", "sm-id", 4294967295L, 7,
                        List.of(new SessionMessage.SmEntry(EntityHarness.xml(xml), 0)), 3, 300),
                SessionMessage.SmState.refused(),
                new SessionMessage.SmRetire(),
                // what else crosses nodes: kicks and blocklists from the entity to a session elsewhere,
                // stanzas for a component connected to another node
                new SessionMessage.Kick(org.kaiku.protocol.stream.StreamError.Condition.CONFLICT, "Replaced by a new connection"),
                new SessionMessage.Kick(org.kaiku.protocol.stream.StreamError.Condition.SYSTEM_SHUTDOWN, null),
                new SessionMessage.Blocklist(Set.of("mallory@example.com", "spam.example")),
                new org.kaiku.engine.component.ComponentSession.Deliver(EntityHarness.xml(xml)),
                // parts of the above, and the death watch command, on their own
                new SessionMessage.SmEntry(EntityHarness.xml(xml), 11),
                item,
                new UserEntity.Receipt(session.getRef(), 5),
                new UserEntity.SessionEnded(session.getRef()),
                new UserEntity.CheckSessions(testKit.createTestProbe(org.apache.pekko.Done.class).getRef()),
                new UserEntity.EndSessions(org.kaiku.protocol.stream.StreamError.Condition.POLICY_VIOLATION, "ended by an administrator",
                        testKit.createTestProbe(org.apache.pekko.Done.class).getRef()),
                new UserState.OnlineResource(session.getRef(), false, false, 0, null, Set.of(), false, false),
                new UserState.Profile(null, 0, null));
        List<Object> withRooms = new java.util.ArrayList<>(all);
        withRooms.addAll(org.kaiku.engine.muc.RoomSerializationTest.samples(testKit));
        withRooms.addAll(org.kaiku.engine.pubsub.PubsubSerializationTest.samples(testKit));
        return withRooms;
    }

    @Test
    void storedXmlReadsBackAsTheSameElement() {
        String xml = "<presence xmlns=\"jabber:client\" from=\"a@example.com/r\" xml:lang=\"en\">"
                + "<status>&lt;hi&gt; &amp; &quot;bye&quot;</status><c xmlns=\"http://jabber.org/protocol/caps\" ver=\"x\"/></presence>";
        var e = XmlStrings.parse(xml);
        assertThat(e.attr("xml:lang")).isEqualTo("en");
        assertThat(e.childText("status", "jabber:client")).isEqualTo("<hi> & \"bye\"");
        assertThat(e.child("c", "http://jabber.org/protocol/caps").attr("ver")).isEqualTo("x");
        assertThat(XmlStrings.parse(e.toXml())).isEqualTo(e);
        assertThat(XmlStrings.parse("<broken>")).isNull();
        assertThat(XmlStrings.parse("<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>")).isNull();
    }
}
