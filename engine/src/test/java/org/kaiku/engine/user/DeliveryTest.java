package org.kaiku.engine.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kaiku.engine.user.EntityHarness.errorCondition;
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

/** Delivery of messages and IQs to an account, RFC 6121 section 8.5, and that none of it is journaled. */
class DeliveryTest {
    private static final String BOB = "bob@example.com/desk";
    private static ActorTestKit testKit;
    private EntityHarness h;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create("DeliveryTest", EntityHarness.config());
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @BeforeEach
    void fresh() {
        h = new EntityHarness(testKit);
    }

    private String message(String to, String type, String body) {
        return "<message xmlns='jabber:client' from='" + BOB + "' to='" + to + "'"
                + (type == null ? "" : " type='" + type + "'") + "><body>" + body + "</body></message>";
    }

    private void deliverWithoutJournal(String xml) {
        var r = h.deliver(xml);
        assertThat(r.events()).isEmpty();
        assertThat(r.hasNoEvents()).isTrue();
    }

    private static List<String> bodies(TestProbe<SessionMessage> s) {
        return stanzas(s).stream().map(e -> e.childText("body", "jabber:client")).toList();
    }

    @Test
    void bareMessageGoesToAllResourcesWithTheHighestNonNegativePriority() {
        TestProbe<SessionMessage> a = h.online("a", 5);
        TestProbe<SessionMessage> b = h.online("b", 5);
        TestProbe<SessionMessage> c = h.online("c", 1);
        TestProbe<SessionMessage> negative = h.online("neg", -1);
        TestProbe<SessionMessage> connectedOnly = h.bind("noprs");

        deliverWithoutJournal(message(h.account, "chat", "hi"));
        deliverWithoutJournal(message(h.account, null, "normal"));
        assertThat(bodies(a)).containsExactly("hi", "normal");
        assertThat(bodies(b)).containsExactly("hi", "normal");
        assertThat(bodies(c)).isEmpty();
        assertThat(bodies(negative)).isEmpty();
        assertThat(bodies(connectedOnly)).isEmpty();
        h.routed.expectNoMessage(EntityHarness.QUIET);
    }

    @Test
    void headlineGoesToEveryNonNegativeAvailableResource() {
        TestProbe<SessionMessage> a = h.online("a", 5);
        TestProbe<SessionMessage> c = h.online("c", 0);
        TestProbe<SessionMessage> negative = h.online("neg", -5);
        deliverWithoutJournal(message(h.account, "headline", "news"));
        assertThat(bodies(a)).containsExactly("news");
        assertThat(bodies(c)).containsExactly("news");
        assertThat(bodies(negative)).isEmpty();
    }

    @Test
    void fullJidReachesThatResourceEvenWithNegativePriority() {
        h.online("a", 5);
        TestProbe<SessionMessage> negative = h.online("neg", -5);
        TestProbe<SessionMessage> connectedOnly = h.bind("noprs");
        deliverWithoutJournal(message(h.account + "/neg", "chat", "direct"));
        deliverWithoutJournal(message(h.account + "/noprs", "groupchat", "room"));
        assertThat(bodies(negative)).containsExactly("direct");
        assertThat(bodies(connectedOnly)).containsExactly("room");
    }

    @Test
    void fullJidOfAnUnknownResourceFallsBackToBareExceptGroupchat() {
        TestProbe<SessionMessage> a = h.online("a", 0);
        deliverWithoutJournal(message(h.account + "/gone", "chat", "fallback"));
        assertThat(bodies(a)).containsExactly("fallback");

        deliverWithoutJournal(message(h.account + "/gone", "groupchat", "room"));
        XmlElement bounce = h.routed.receiveMessage();
        assertThat(errorCondition(bounce)).isEqualTo("service-unavailable");
        assertThat(bounce.attr("to")).isEqualTo(BOB);
        assertThat(bounce.attr("from")).isEqualTo(h.account + "/gone");
        assertThat(bodies(a)).isEmpty();
    }

    @Test
    void groupchatToBareIsAnErrorAndErrorsAreDropped() {
        TestProbe<SessionMessage> a = h.online("a", 0);
        deliverWithoutJournal(message(h.account, "groupchat", "room"));
        assertThat(errorCondition(h.routed.receiveMessage())).isEqualTo("service-unavailable");
        deliverWithoutJournal(message(h.account, "error", "bounced"));
        h.routed.expectNoMessage(EntityHarness.QUIET);
        assertThat(bodies(a)).isEmpty();
    }

    @Test
    void withoutAvailableResourceChatIsStoredOfflineNotJournaledAndHeadlineIsDropped() {
        h.bind("noprs");
        deliverWithoutJournal(message(h.account, "chat", "anyone?"));
        deliverWithoutJournal(message(h.account, "headline", "news"));
        h.routed.expectNoMessage(EntityHarness.QUIET);
        var stored = h.offline.fetch(h.account, null, 10).toCompletableFuture().join();
        assertThat(stored).singleElement().satisfies(m -> assertThat(m.stanza()).contains("anyone?"));
    }

    @Test
    void onlyNegativePrioritiesMeansNoOneTakesBareChatSoItIsStored() {
        TestProbe<SessionMessage> negative = h.online("neg", -1);
        deliverWithoutJournal(message(h.account, "chat", "hello"));
        h.routed.expectNoMessage(EntityHarness.QUIET);
        assertThat(bodies(negative)).isEmpty();
        assertThat(h.offline.fetch(h.account, null, 10).toCompletableFuture().join()).hasSize(1);
    }

    @Test
    void iqRules() {
        TestProbe<SessionMessage> a = h.online("a", 0);
        String ping = "<ping xmlns='urn:xmpp:ping'/>";
        deliverWithoutJournal("<iq xmlns='jabber:client' type='get' id='1' from='" + BOB + "' to='" + h.account + "/a'>" + ping + "</iq>");
        assertThat(stanzas(a)).singleElement().satisfies(e -> assertThat(e.attr("id")).isEqualTo("1"));

        deliverWithoutJournal("<iq xmlns='jabber:client' type='get' id='2' from='" + BOB + "' to='" + h.account + "/gone'>" + ping + "</iq>");
        assertThat(errorCondition(h.routed.receiveMessage())).isEqualTo("service-unavailable");

        deliverWithoutJournal("<iq xmlns='jabber:client' type='get' id='3' from='" + BOB + "' to='" + h.account + "'>" + ping + "</iq>");
        XmlElement unavailable = h.routed.receiveMessage();
        assertThat(errorCondition(unavailable)).isEqualTo("service-unavailable");
        assertThat(unavailable.attr("id")).isEqualTo("3");

        deliverWithoutJournal("<iq xmlns='jabber:client' type='set' id='4' from='" + BOB + "' to='" + h.account + "'>"
                + "<query xmlns='jabber:iq:roster'><item jid='evil@example.com'/></query></iq>");
        assertThat(errorCondition(h.routed.receiveMessage())).isEqualTo("forbidden");
        assertThat(h.kit.getState().roster()).isEmpty();

        deliverWithoutJournal("<iq xmlns='jabber:client' type='result' id='5' from='" + BOB + "' to='" + h.account + "'/>");
        deliverWithoutJournal("<iq xmlns='jabber:client' type='result' id='6' from='" + BOB + "' to='" + h.account + "/gone'/>");
        deliverWithoutJournal("<iq xmlns='jabber:client' type='error' id='7' from='" + BOB + "' to='" + h.account + "/gone'/>");
        h.routed.expectNoMessage(EntityHarness.QUIET);
        assertThat(stanzas(a)).isEmpty();
    }

    @Test
    void hostileOrMisaddressedStanzasAreIgnoredOrAnswered() {
        TestProbe<SessionMessage> a = h.online("a", 0);
        deliverWithoutJournal("<message xmlns='urn:not-a-stanza' to='" + h.account + "'><body>x</body></message>");
        deliverWithoutJournal("<message xmlns='jabber:client'><body>no to</body></message>");
        deliverWithoutJournal("<message xmlns='jabber:client' to='someone@else.example'><body>not mine</body></message>");
        deliverWithoutJournal("<presence xmlns='jabber:client' to='" + h.account + "'/>");
        deliverWithoutJournal("<iq xmlns='jabber:client' type='bogus' id='b' from='" + BOB + "' to='" + h.account + "'/>");
        assertThat(errorCondition(h.routed.receiveMessage())).isEqualTo("bad-request");
        h.routed.expectNoMessage(EntityHarness.QUIET);
        assertThat(stanzas(a)).isEmpty();
    }
}
