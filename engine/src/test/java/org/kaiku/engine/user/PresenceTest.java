package org.kaiku.engine.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kaiku.engine.user.EntityHarness.drain;
import static org.kaiku.engine.user.EntityHarness.stanzas;

import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.protocol.xml.XmlElement;

/** Presence broadcast and probes of one account, RFC 6121 sections 4.2 to 4.5, seen at its edges. */
class PresenceTest {
    private static ActorTestKit testKit;
    private EntityHarness h;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create("PresenceTest", EntityHarness.config());
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @BeforeEach
    void fresh() {
        h = new EntityHarness(testKit);
        h.kit.initialize(
                item("from@example.com", RosterItem.Subscription.FROM),
                item("to@example.com", RosterItem.Subscription.TO),
                item("both@example.com", RosterItem.Subscription.BOTH),
                item("none@example.com", RosterItem.Subscription.NONE));
    }

    private static UserEvent item(String jid, RosterItem.Subscription s) {
        return new UserEvent.RosterItemSaved(new RosterItem(jid, null, List.of(), s, false, false));
    }

    @Test
    void initialPresenceGoesToSubscribersAndProbesPublishers() {
        TestProbe<SessionMessage> desk = h.bind("desk");
        var r = h.client("desk", "<presence xmlns='jabber:client'><status>here</status><priority>2</priority></presence>");
        assertThat(r.events()).hasSize(1);
        List<XmlElement> out = drain(h.routed);
        assertThat(out.stream().filter(e -> e.attr("type") == null).map(e -> e.attr("to")))
                .containsExactlyInAnyOrder("from@example.com", "both@example.com");
        assertThat(out.stream().filter(e -> e.attr("type") == null))
                .allSatisfy(e -> {
                    assertThat(e.attr("from")).isEqualTo(h.account + "/desk");
                    assertThat(e.childText("status", "jabber:client")).isEqualTo("here");
                });
        assertThat(out.stream().filter(e -> "probe".equals(e.attr("type"))).map(e -> e.attr("to")))
                .containsExactlyInAnyOrder("to@example.com", "both@example.com");
        assertThat(out.stream().filter(e -> "probe".equals(e.attr("type"))))
                .allSatisfy(e -> assertThat(e.attr("from")).isEqualTo(h.account));
        assertThat(stanzas(desk)).singleElement().satisfies(e -> assertThat(e.attr("to")).isEqualTo(h.account + "/desk"));

        // An update is broadcast again but probes nobody.
        h.client("desk", "<presence xmlns='jabber:client'><show>away</show></presence>");
        assertThat(drain(h.routed)).extracting(e -> e.attr("to")).containsExactlyInAnyOrder("from@example.com", "both@example.com");
    }

    @Test
    void probesAreAnsweredForSubscribersOnly() {
        h.online("desk", 1);
        h.online("phone", 0);
        h.deliver("<presence xmlns='jabber:client' type='probe' from='both@example.com/x' to='" + h.account + "'/>");
        List<XmlElement> answers = drain(h.routed);
        assertThat(answers).extracting(e -> e.attr("from")).containsExactlyInAnyOrder(h.account + "/desk", h.account + "/phone");
        assertThat(answers).allSatisfy(e -> {
            assertThat(e.attr("to")).isEqualTo("both@example.com/x");
            assertThat(e.attr("type")).isNull();
        });
        assertThat(answers.stream().filter(e -> e.attr("from").endsWith("/desk")).findFirst().orElseThrow()
                .childText("priority", "jabber:client")).isEqualTo("1");

        h.deliver("<presence xmlns='jabber:client' type='probe' from='to@example.com' to='" + h.account + "'/>");
        assertThat(drain(h.routed)).singleElement().satisfies(e -> {
            assertThat(e.attr("type")).isEqualTo("unsubscribed");
            assertThat(e.attr("to")).isEqualTo("to@example.com");
        });
    }

    @Test
    void probeWhileOfflineIsAnsweredWithUnavailable() {
        h.bind("desk");
        h.deliver("<presence xmlns='jabber:client' type='probe' from='from@example.com' to='" + h.account + "'/>");
        assertThat(drain(h.routed)).singleElement().satisfies(e -> {
            assertThat(e.attr("type")).isEqualTo("unavailable");
            assertThat(e.attr("from")).isEqualTo(h.account);
        });
    }

    @Test
    void inboundPresenceReachesAvailableResourcesOrTheAddressedOne() {
        TestProbe<SessionMessage> desk = h.online("desk", 0);
        TestProbe<SessionMessage> phone = h.online("phone", -1);
        TestProbe<SessionMessage> connected = h.bind("quiet");
        var r = h.deliver("<presence xmlns='jabber:client' from='to@example.com/x' to='" + h.account + "'/>");
        assertThat(r.events()).isEmpty();
        assertThat(stanzas(desk)).hasSize(1);
        assertThat(stanzas(phone)).hasSize(1);
        assertThat(stanzas(connected)).isEmpty();

        h.deliver("<presence xmlns='jabber:client' from='room@muc.example.com/n' to='" + h.account + "/quiet'/>");
        assertThat(stanzas(connected)).hasSize(1);
        assertThat(stanzas(desk)).isEmpty();
        h.deliver("<presence xmlns='jabber:client' from='room@muc.example.com/n' to='" + h.account + "/gone'/>");
        assertThat(stanzas(desk)).isEmpty();
    }

    @Test
    void unavailableFromTheClientIsBroadcastAndEchoed() {
        TestProbe<SessionMessage> desk = h.online("desk", 0);
        TestProbe<SessionMessage> phone = h.online("phone", 0);
        h.client("desk", "<presence xmlns='jabber:client' type='unavailable'><status>bye</status></presence>");
        assertThat(drain(h.routed)).extracting(e -> e.attr("to")).containsExactlyInAnyOrder("from@example.com", "both@example.com");
        assertThat(stanzas(phone)).singleElement().satisfies(e -> assertThat(e.childText("status", "jabber:client")).isEqualTo("bye"));
        assertThat(stanzas(desk)).singleElement().satisfies(e -> assertThat(e.attr("type")).isEqualTo("unavailable"));
        UserState.OnlineResource r = h.kit.getState().resources().get("desk");
        assertThat(r.available()).isFalse();
        // Still bound: messages to the full JID still arrive.
        assertThat(h.kit.getState().resources()).containsKey("desk");
    }
}
