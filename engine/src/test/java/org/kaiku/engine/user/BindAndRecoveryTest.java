package org.kaiku.engine.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stream.StreamError;
import org.kaiku.protocol.xml.XmlElement;

/**
 * Resource binding (RFC 6120 section 7, override on conflict), logout with the unavailable
 * broadcast (RFC 6121 4.5.2), and what survives a restart of the entity.
 */
class BindAndRecoveryTest {
    private static final String FAN = "fan@example.com";
    private static ActorTestKit testKit;
    private EntityHarness h;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create("BindAndRecoveryTest", EntityHarness.config());
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @BeforeEach
    void fresh() {
        h = new EntityHarness(testKit);
    }

    private UserEntity.BindResult bind(String resource, TestProbe<SessionMessage> session) {
        return h.kit.<UserEntity.BindResult>runCommand(reply -> new UserEntity.Bind(resource, session.getRef(), reply)).reply();
    }

    /** Gives the account a contact with a 'from' subscription, so its presence is broadcast there. */
    private void withSubscriber() {
        h.kit.initialize(new UserEvent.RosterItemSaved(
                new RosterItem(FAN, null, List.of(), RosterItem.Subscription.FROM, false, false)));
    }

    @Test
    void serverMadeResourcesAreRandomAndUnique() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            TestProbe<SessionMessage> s = testKit.createTestProbe(SessionMessage.class);
            UserEntity.BindResult r = bind(i % 2 == 0 ? null : "", s);
            assertThat(r).isInstanceOf(UserEntity.Bound.class);
            String full = ((UserEntity.Bound) r).fullJid();
            assertThat(full).startsWith(h.account + "/");
            assertThat(seen.add(full)).isTrue();
        }
        assertThat(h.kit.getState().resources()).hasSize(5);
    }

    @Test
    void invalidResourceIsBadRequest() {
        TestProbe<SessionMessage> s = testKit.createTestProbe(SessionMessage.class);
        assertThat(bind("bad\u0007bell", s)).isEqualTo(new UserEntity.Refused(StanzaError.Condition.BAD_REQUEST));
        assertThat(bind("x".repeat(2000), s)).isEqualTo(new UserEntity.Refused(StanzaError.Condition.BAD_REQUEST));
        assertThat(h.kit.getState().resources()).isEmpty();
    }

    @Test
    void resourceCountIsCappedButOverrideStillWorksAtTheCap() {
        TestProbe<SessionMessage> s = testKit.createTestProbe(SessionMessage.class);
        for (int i = 0; i < UserEntity.MAX_RESOURCES; i++) {
            assertThat(bind("r" + i, s)).isInstanceOf(UserEntity.Bound.class);
        }
        assertThat(bind("one-more", s)).isEqualTo(new UserEntity.Refused(StanzaError.Condition.RESOURCE_CONSTRAINT));
        TestProbe<SessionMessage> newer = testKit.createTestProbe(SessionMessage.class);
        assertThat(bind("r0", newer)).isEqualTo(new UserEntity.Bound(h.account + "/r0"));
    }

    @Test
    void conflictKicksTheOldSessionAndTheNewOneTakesTheResource() {
        withSubscriber();
        TestProbe<SessionMessage> old = h.online("desk", 0);
        TestProbe<SessionMessage> other = h.online("phone", 0);
        TestProbe<SessionMessage> newer = testKit.createTestProbe(SessionMessage.class);

        assertThat(bind("desk", newer)).isEqualTo(new UserEntity.Bound(h.account + "/desk"));
        SessionMessage kicked = old.receiveMessage();
        assertThat(kicked).isInstanceOf(SessionMessage.Kick.class);
        assertThat(((SessionMessage.Kick) kicked).condition()).isEqualTo(StreamError.Condition.CONFLICT);
        assertThat(h.kit.getState().resources().get("desk").session()).isEqualTo(newer.getRef());
        assertThat(h.kit.getState().resources().get("desk").available()).isFalse();
        // The old resource's presence is withdrawn from the contact and the other resource.
        XmlElement toFan = h.routed.receiveMessage();
        assertThat(toFan.attr("type")).isEqualTo("unavailable");
        assertThat(toFan.attr("from")).isEqualTo(h.account + "/desk");
        assertThat(toFan.attr("to")).isEqualTo(FAN);
        assertThat(EntityHarness.stanzas(other)).singleElement()
                .satisfies(e -> assertThat(e.attr("type")).isEqualTo("unavailable"));

        // The kicked session's own logout must not unbind the resource it lost.
        var late = h.kit.runCommand(new UserEntity.Unbind("desk", old.getRef()));
        assertThat(late.events()).isEmpty();
        assertThat(h.kit.getState().resources()).containsKey("desk");
    }

    @Test
    void rebindingTheSameSessionIsIdempotent() {
        TestProbe<SessionMessage> s = h.bind("desk");
        var again = h.kit.<UserEntity.BindResult>runCommand(reply -> new UserEntity.Bind("desk", s.getRef(), reply));
        assertThat(again.reply()).isEqualTo(new UserEntity.Bound(h.account + "/desk"));
        assertThat(again.events()).isEmpty();
        s.expectNoMessage(EntityHarness.QUIET);
    }

    @Test
    void unbindBroadcastsUnavailableToSubscribersDirectedTargetsAndOtherResources() {
        withSubscriber();
        TestProbe<SessionMessage> desk = h.online("desk", 0);
        TestProbe<SessionMessage> phone = h.online("phone", 0);
        h.client("desk", "<presence xmlns='jabber:client' to='room@conference.example.com/nick'/>");
        assertThat(h.routed.receiveMessage().attr("to")).isEqualTo("room@conference.example.com/nick");
        EntityHarness.stanzas(phone);

        var r = h.kit.runCommand(new UserEntity.Unbind("desk", desk.getRef()));
        assertThat(r.state().resources()).doesNotContainKey("desk");
        List<XmlElement> out = EntityHarness.drain(h.routed);
        assertThat(out).extracting(e -> e.attr("to")).containsExactlyInAnyOrder(FAN, "room@conference.example.com/nick");
        assertThat(out).allSatisfy(e -> {
            assertThat(e.attr("type")).isEqualTo("unavailable");
            assertThat(e.attr("from")).isEqualTo(h.account + "/desk");
        });
        assertThat(EntityHarness.stanzas(phone)).singleElement().satisfies(e -> {
            assertThat(e.attr("type")).isEqualTo("unavailable");
            assertThat(e.attr("to")).isEqualTo(h.account + "/phone");
        });
        assertThat(EntityHarness.stanzas(desk)).isEmpty();
    }

    @Test
    void directedUnavailableForgetsTheTarget() {
        h.online("desk", 0);
        h.client("desk", "<presence xmlns='jabber:client' to='peer@example.com'/>");
        assertThat(h.kit.getState().resources().get("desk").directed()).containsExactly("peer@example.com");
        h.client("desk", "<presence xmlns='jabber:client' to='peer@example.com' type='unavailable'/>");
        assertThat(h.kit.getState().resources().get("desk").directed()).isEmpty();
    }

    @Test
    void deadSessionIsLoggedOutWithoutAnUnbind() {
        withSubscriber();
        TestProbe<SessionMessage> desk = h.online("desk", 0);
        desk.stop();
        h.routed.awaitAssert(Duration.ofSeconds(3), () -> {
            assertThat(h.kit.getState().resources()).doesNotContainKey("desk");
            return null;
        });
        XmlElement toFan = h.routed.receiveMessage();
        assertThat(toFan.attr("type")).isEqualTo("unavailable");
        assertThat(toFan.attr("from")).isEqualTo(h.account + "/desk");
    }

    @Test
    void restartRecoversRosterPendingRequestsAndResources() {
        withSubscriber();
        TestProbe<SessionMessage> alive = h.online("alive", 3);
        h.client("alive", "<iq xmlns='jabber:client' type='set' id='s'><query xmlns='jabber:iq:roster'>"
                + "<item jid='friend@example.com' name='F'><group>G</group></item></query></iq>");
        h.deliver("<presence xmlns='jabber:client' from='asker@example.com' to='" + h.account + "' type='subscribe'/>");
        UserState before = h.kit.getState();
        assertThat(before.roster()).containsKeys(FAN, "friend@example.com");
        assertThat(before.pendingIn()).containsKey("asker@example.com");

        UserState after = h.kit.restart().state();
        assertThat(after).isEqualTo(before);
        UserState.OnlineResource a = after.resources().get("alive");
        assertThat(a.available()).isTrue();
        assertThat(a.priority()).isEqualTo(3);
        assertThat(a.rosterRequested()).isTrue();
        assertThat(a.session()).isEqualTo(alive.getRef());
    }

    @Test
    void recoveredResourceWhoseSessionIsDeadIsLoggedOutWithTheBroadcast() {
        TestProbe<SessionMessage> alive = testKit.createTestProbe(SessionMessage.class);
        TestProbe<SessionMessage> dead = testKit.createTestProbe(SessionMessage.class);
        dead.stop();
        // The journal of an entity whose node went away while "dead" was connected there.
        h.kit.initialize(
                new UserEvent.RosterItemSaved(new RosterItem(FAN, null, List.of(), RosterItem.Subscription.BOTH, false, false)),
                new UserEvent.ResourceBound("alive", alive.getRef()),
                new UserEvent.PresenceChanged("alive", 0, "<presence xmlns=\"jabber:client\" from=\"" + h.account + "/alive\"/>"),
                new UserEvent.ResourceBound("dead", dead.getRef()),
                new UserEvent.PresenceChanged("dead", 0, "<presence xmlns=\"jabber:client\" from=\"" + h.account + "/dead\"/>"));

        h.routed.awaitAssert(Duration.ofSeconds(3), () -> {
            assertThat(h.kit.getState().resources()).containsOnlyKeys("alive");
            return null;
        });
        XmlElement toFan = h.routed.receiveMessage();
        assertThat(toFan.attr("from")).isEqualTo(h.account + "/dead");
        assertThat(toFan.attr("to")).isEqualTo(FAN);
        assertThat(toFan.attr("type")).isEqualTo("unavailable");
        assertThat(EntityHarness.stanzas(alive)).singleElement().satisfies(e -> {
            assertThat(e.attr("from")).isEqualTo(h.account + "/dead");
            assertThat(e.attr("type")).isEqualTo("unavailable");
        });
    }

    @Test
    void snapshotsAreTakenAndRecoveryFromThemGivesTheSameState() {
        h.online("desk", 0);
        for (int i = 0; i < UserEntity.SNAPSHOT_EVERY + 5; i++) {
            h.client("desk", "<iq xmlns='jabber:client' type='set' id='s" + i + "'><query xmlns='jabber:iq:roster'>"
                    + "<item jid='c" + i + "@example.com'/></query></iq>");
        }
        UserState before = h.kit.getState();
        assertThat(h.kit.snapshotTestKit()).isPresent();
        assertThat(h.kit.snapshotTestKit().get().persistedInStorage(h.persistenceId())).isNotEmpty();
        assertThat(h.kit.restart().state()).isEqualTo(before);
    }

    @Test
    void theLastLogoutTakesASnapshotSoTheNextLoginReplaysNothing() {
        var snapshots = h.kit.snapshotTestKit().orElseThrow();
        TestProbe<SessionMessage> desk = h.online("desk", 0);
        TestProbe<SessionMessage> phone = h.online("phone", 0);
        h.kit.runCommand(new UserEntity.Unbind("phone", phone.getRef()));
        assertThat(snapshots.persistedInStorage(h.persistenceId())).as("another resource is still online").isEmpty();

        h.kit.runCommand(new UserEntity.Unbind("desk", desk.getRef()));
        var taken = snapshots.persistedInStorage(h.persistenceId());
        assertThat(taken).hasSize(1);
        long journaled = h.kit.persistenceTestKit().persistedInStorage(h.persistenceId()).size();
        assertThat(taken.get(0).first().sequenceNr()).as("the snapshot covers every event so far").isEqualTo(journaled);
        UserState before = h.kit.getState();
        assertThat(before.resources()).isEmpty();
        assertThat(h.kit.restart().state()).isEqualTo(before);
    }

    @Test
    void hostilePresenceIsAnsweredNotFatal() {
        TestProbe<SessionMessage> desk = h.online("desk", 0);
        h.client("desk", "<presence xmlns='jabber:client' type='bogus'/>");
        assertThat(EntityHarness.errorCondition(EntityHarness.next(desk))).isEqualTo("bad-request");
        h.client("desk", "<presence xmlns='jabber:client'><priority>high</priority></presence>");
        assertThat(EntityHarness.errorCondition(EntityHarness.next(desk))).isEqualTo("bad-request");
        h.client("desk", "<presence xmlns='jabber:client'><priority>300</priority></presence>");
        assertThat(EntityHarness.errorCondition(EntityHarness.next(desk))).isEqualTo("bad-request");
        h.client("desk", "<presence xmlns='jabber:client' to='@@'/>");
        assertThat(EntityHarness.errorCondition(EntityHarness.next(desk))).isEqualTo("jid-malformed");
        var ghost = h.client("ghost", "<presence xmlns='jabber:client'/>");
        assertThat(ghost.events()).isEmpty();
        assertThat(h.kit.getState().resources().get("desk").available()).isTrue();
        h.client("desk", "<presence xmlns='jabber:client'><priority> -7 </priority></presence>");
        assertThat(h.kit.getState().resources().get("desk").priority()).isEqualTo(-7);
    }
}
