package org.kaiku.engine.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The subscription state tables of RFC 6121 Appendix A, row by row, for a server's own user:
 * A.2 (the user sends) and A.3 (the user receives), plus pre-approval (section 3.4). A state is
 * written SUB[+OUT][+IN][+APPROVED]; ABSENT means no roster item. "routed" lists the types of
 * what leaves toward the contact (available = current presence), in order.
 */
class SubscriptionTest {
    private static final String CONTACT = "bob@example.com";
    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create("SubscriptionTest", EntityHarness.config());
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    /** An account in {@code state} toward {@link #CONTACT}, with one available resource "pc" that fetched the roster. */
    private static EntityHarness inState(String state, TestProbe<SessionMessage> pc) {
        EntityHarness h = new EntityHarness(testKit);
        List<Object> events = new ArrayList<>();
        events.add(new UserEvent.ResourceBound("pc", pc.getRef()));
        events.add(new UserEvent.RosterRequested("pc"));
        events.add(new UserEvent.PresenceChanged("pc", 0, "<presence xmlns=\"jabber:client\" from=\"" + h.account + "/pc\"/>"));
        List<String> parts = Arrays.asList(state.split("\\+"));
        if (!parts.get(0).equals("ABSENT")) {
            events.add(new UserEvent.RosterItemSaved(new RosterItem(CONTACT, null, List.of(),
                    RosterItem.Subscription.valueOf(parts.get(0)), parts.contains("OUT"), parts.contains("APPROVED"))));
        }
        if (parts.contains("IN")) {
            events.add(new UserEvent.SubscriptionRequestStored(CONTACT,
                    "<presence xmlns=\"jabber:client\" from=\"" + CONTACT + "\" to=\"" + h.account + "\" type=\"subscribe\"/>"));
        }
        h.kit.initialize(events.toArray());
        return h;
    }

    static String encode(UserState s) {
        RosterItem i = s.item(CONTACT);
        boolean in = s.pendingIn().containsKey(CONTACT);
        StringBuilder sb = new StringBuilder(i == null ? "ABSENT" : i.subscription().name());
        if (i != null && i.askSubscribe()) {
            sb.append("+OUT");
        }
        if (in) {
            sb.append("+IN");
        }
        if (i != null && i.approved()) {
            sb.append("+APPROVED");
        }
        return sb.toString();
    }

    private static List<String> types(List<XmlElement> stanzas) {
        List<String> out = new ArrayList<>();
        for (XmlElement e : stanzas) {
            out.add(e.attr("type") == null ? "available" : e.attr("type"));
        }
        return out;
    }

    private static List<String> expected(String routed) {
        return routed.equals("-") ? List.of() : Arrays.asList(routed.split(" "));
    }

    @ParameterizedTest(name = "A.2 {0} sends {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        // A.2.1 subscribe
        "ABSENT         | subscribe    | NONE+OUT          | subscribe             | true",
        "NONE           | subscribe    | NONE+OUT          | subscribe             | true",
        "NONE+OUT       | subscribe    | NONE+OUT          | subscribe             | false",
        "NONE+IN        | subscribe    | NONE+OUT+IN       | subscribe             | true",
        "ABSENT+IN      | subscribe    | NONE+OUT+IN       | subscribe             | true",
        "NONE+OUT+IN    | subscribe    | NONE+OUT+IN       | subscribe             | false",
        "TO             | subscribe    | TO                | subscribe             | false",
        "TO+IN          | subscribe    | TO+IN             | subscribe             | false",
        "FROM           | subscribe    | FROM+OUT          | subscribe             | true",
        "FROM+OUT       | subscribe    | FROM+OUT          | subscribe             | false",
        "BOTH           | subscribe    | BOTH              | subscribe             | false",
        // A.2.2 subscribed, and pre-approval (3.4) where no request is pending
        "ABSENT         | subscribed   | NONE+APPROVED     | -                     | true",
        "NONE           | subscribed   | NONE+APPROVED     | -                     | true",
        "NONE+OUT       | subscribed   | NONE+OUT+APPROVED | -                     | true",
        "NONE+APPROVED  | subscribed   | NONE+APPROVED     | -                     | false",
        "TO             | subscribed   | TO+APPROVED       | -                     | true",
        "ABSENT+IN      | subscribed   | FROM              | subscribed available  | true",
        "NONE+IN        | subscribed   | FROM              | subscribed available  | true",
        "NONE+OUT+IN    | subscribed   | FROM+OUT          | subscribed available  | true",
        "TO+IN          | subscribed   | BOTH              | subscribed available  | true",
        "FROM           | subscribed   | FROM              | -                     | false",
        "FROM+OUT       | subscribed   | FROM+OUT          | -                     | false",
        "BOTH           | subscribed   | BOTH              | -                     | false",
        // A.2.3 unsubscribe
        "NONE           | unsubscribe  | NONE              | unsubscribe           | false",
        "NONE+OUT       | unsubscribe  | NONE              | unsubscribe           | true",
        "NONE+IN        | unsubscribe  | NONE+IN           | unsubscribe           | false",
        "NONE+OUT+IN    | unsubscribe  | NONE+IN           | unsubscribe           | true",
        "TO             | unsubscribe  | NONE              | unsubscribe           | true",
        "TO+IN          | unsubscribe  | NONE+IN           | unsubscribe           | true",
        "FROM           | unsubscribe  | FROM              | unsubscribe           | false",
        "FROM+OUT       | unsubscribe  | FROM              | unsubscribe           | true",
        "BOTH           | unsubscribe  | FROM              | unsubscribe           | true",
        // A.2.4 unsubscribed, and cancelling a pre-approval
        "NONE           | unsubscribed | NONE              | -                     | false",
        "NONE+OUT       | unsubscribed | NONE+OUT          | -                     | false",
        "NONE+APPROVED  | unsubscribed | NONE              | -                     | true",
        "ABSENT+IN      | unsubscribed | ABSENT            | unsubscribed          | false",
        "NONE+IN        | unsubscribed | NONE              | unsubscribed          | false",
        "NONE+OUT+IN    | unsubscribed | NONE+OUT          | unsubscribed          | false",
        "TO             | unsubscribed | TO                | -                     | false",
        "TO+IN          | unsubscribed | TO                | unsubscribed          | false",
        "FROM           | unsubscribed | NONE              | unavailable unsubscribed | true",
        "FROM+OUT       | unsubscribed | NONE+OUT          | unavailable unsubscribed | true",
        "BOTH           | unsubscribed | TO                | unavailable unsubscribed | true",
    })
    void outbound(String initial, String type, String after, String routed, boolean pushed) {
        TestProbe<SessionMessage> pc = testKit.createTestProbe(SessionMessage.class);
        EntityHarness h = inState(initial, pc);
        var r = h.client("pc", "<presence xmlns='jabber:client' to='Bob@example.com/any' type='" + type + "'/>");
        assertThat(encode(r.state())).isEqualTo(after);

        List<XmlElement> out = EntityHarness.drain(h.routed);
        assertThat(types(out)).containsExactlyElementsOf(expected(routed));
        for (XmlElement e : out) {
            assertThat(e.attr("to")).isEqualTo(CONTACT);
            boolean subscriptionStanza = SubscriptionHandler.isSubscriptionType(e.attr("type"));
            assertThat(e.attr("from")).isEqualTo(subscriptionStanza ? h.account : h.account + "/pc");
        }
        List<XmlElement> atPc = EntityHarness.stanzas(pc);
        assertThat(atPc.stream().anyMatch(EntityHarness::isPush)).isEqualTo(pushed);
        if (pushed) {
            XmlElement item = EntityHarness.pushedItem(atPc.stream().filter(EntityHarness::isPush).findFirst().orElseThrow());
            assertThat(item.attr("jid")).isEqualTo(CONTACT);
            assertThat("subscribe".equals(item.attr("ask"))).isEqualTo(after.contains("+OUT"));
            assertThat("true".equals(item.attr("approved"))).isEqualTo(after.contains("+APPROVED"));
        }
        assertThat(r.events().isEmpty()).isEqualTo(after.equals(initial));
    }

    @ParameterizedTest(name = "A.3 {0} receives {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        // A.3.1 subscribe (auto-reply when already subscribed or pre-approved)
        "ABSENT         | subscribe    | ABSENT+IN    | -                    | true  | false",
        "NONE           | subscribe    | NONE+IN      | -                    | true  | false",
        "NONE+OUT       | subscribe    | NONE+OUT+IN  | -                    | true  | false",
        "NONE+IN        | subscribe    | NONE+IN      | -                    | false | false",
        "NONE+OUT+IN    | subscribe    | NONE+OUT+IN  | -                    | false | false",
        "TO             | subscribe    | TO+IN        | -                    | true  | false",
        "TO+IN          | subscribe    | TO+IN        | -                    | false | false",
        "FROM           | subscribe    | FROM         | subscribed           | false | false",
        "FROM+OUT       | subscribe    | FROM+OUT     | subscribed           | false | false",
        "BOTH           | subscribe    | BOTH         | subscribed           | false | false",
        "NONE+APPROVED  | subscribe    | FROM         | subscribed available | false | true",
        "TO+APPROVED    | subscribe    | BOTH         | subscribed available | false | true",
        // A.3.2 subscribed
        "ABSENT         | subscribed   | ABSENT       | -                    | false | false",
        "NONE           | subscribed   | NONE         | -                    | false | false",
        "NONE+OUT       | subscribed   | TO           | -                    | true  | true",
        "NONE+IN        | subscribed   | NONE+IN      | -                    | false | false",
        "NONE+OUT+IN    | subscribed   | TO+IN        | -                    | true  | true",
        "TO             | subscribed   | TO           | -                    | false | false",
        "TO+IN          | subscribed   | TO+IN        | -                    | false | false",
        "FROM           | subscribed   | FROM         | -                    | false | false",
        "FROM+OUT       | subscribed   | BOTH         | -                    | true  | true",
        "BOTH           | subscribed   | BOTH         | -                    | false | false",
        // A.3.3 unsubscribe
        "NONE           | unsubscribe  | NONE         | -                    | false | false",
        "NONE+OUT       | unsubscribe  | NONE+OUT     | -                    | false | false",
        "ABSENT+IN      | unsubscribe  | ABSENT       | -                    | true  | false",
        "NONE+IN        | unsubscribe  | NONE         | -                    | true  | false",
        "NONE+OUT+IN    | unsubscribe  | NONE+OUT     | -                    | true  | false",
        "TO             | unsubscribe  | TO           | -                    | false | false",
        "TO+IN          | unsubscribe  | TO           | -                    | true  | false",
        "FROM           | unsubscribe  | NONE         | unavailable          | true  | true",
        "FROM+OUT       | unsubscribe  | NONE+OUT     | unavailable          | true  | true",
        "BOTH           | unsubscribe  | TO           | unavailable          | true  | true",
        // A.3.4 unsubscribed
        "NONE           | unsubscribed | NONE         | -                    | false | false",
        "NONE+OUT       | unsubscribed | NONE         | -                    | true  | true",
        "NONE+IN        | unsubscribed | NONE+IN      | -                    | false | false",
        "NONE+OUT+IN    | unsubscribed | NONE+IN      | -                    | true  | true",
        "TO             | unsubscribed | NONE         | -                    | true  | true",
        "TO+IN          | unsubscribed | NONE+IN      | -                    | true  | true",
        "FROM           | unsubscribed | FROM         | -                    | false | false",
        "FROM+OUT       | unsubscribed | FROM         | -                    | true  | true",
        "BOTH           | unsubscribed | FROM         | -                    | true  | true",
    })
    void inbound(String initial, String type, String after, String routed, boolean delivered, boolean pushed) {
        TestProbe<SessionMessage> pc = testKit.createTestProbe(SessionMessage.class);
        EntityHarness h = inState(initial, pc);
        var r = h.deliver("<presence xmlns='jabber:client' from='" + CONTACT + "/phone' to='" + h.account + "' type='" + type + "'/>");
        assertThat(encode(r.state())).isEqualTo(after);

        List<XmlElement> out = EntityHarness.drain(h.routed);
        assertThat(types(out)).containsExactlyElementsOf(expected(routed));
        for (XmlElement e : out) {
            assertThat(e.attr("to")).isEqualTo(CONTACT);
        }
        List<XmlElement> atPc = EntityHarness.stanzas(pc);
        assertThat(atPc.stream().anyMatch(e -> e.name().equals("presence") && type.equals(e.attr("type"))))
                .as("delivered to the user").isEqualTo(delivered);
        atPc.stream().filter(e -> e.name().equals("presence")).forEach(e ->
                assertThat(e.attr("from")).as("subscription stanzas carry the contact's bare JID").isEqualTo(CONTACT));
        assertThat(atPc.stream().anyMatch(EntityHarness::isPush)).as("roster push").isEqualTo(pushed);
        assertThat(r.events().isEmpty()).isEqualTo(after.equals(initial));
    }

    @Test
    void pendingRequestIsDeliveredAgainOnInitialPresenceAndSurvivesRestart() {
        EntityHarness h = new EntityHarness(testKit);
        h.bind("pc");
        h.deliver("<presence xmlns='jabber:client' from='" + CONTACT + "' to='" + h.account + "' type='subscribe'>"
                + "<status>let me in</status></presence>");
        assertThat(h.kit.getState().pendingIn()).containsKey(CONTACT);
        h.kit.restart();
        assertThat(h.kit.getState().pendingIn()).containsKey(CONTACT);

        TestProbe<SessionMessage> phone = h.bind("phone");
        h.client("phone", "<presence xmlns='jabber:client'/>");
        List<XmlElement> atPhone = EntityHarness.stanzas(phone);
        assertThat(atPhone).anySatisfy(e -> {
            assertThat(e.attr("type")).isEqualTo("subscribe");
            assertThat(e.attr("from")).isEqualTo(CONTACT);
            assertThat(e.childText("status", "jabber:client")).isEqualTo("let me in");
        });
    }

    @Test
    void subscriptionStanzasToSelfOrWithoutValidAddressAreRefused() {
        TestProbe<SessionMessage> pc = testKit.createTestProbe(SessionMessage.class);
        EntityHarness h = inState("NONE", pc);
        h.client("pc", "<presence xmlns='jabber:client' type='subscribe'/>");
        assertThat(EntityHarness.errorCondition(EntityHarness.next(pc))).isEqualTo("bad-request");
        h.client("pc", "<presence xmlns='jabber:client' type='subscribe' to='@bad'/>");
        assertThat(EntityHarness.errorCondition(EntityHarness.next(pc))).isEqualTo("jid-malformed");
        h.client("pc", "<presence xmlns='jabber:client' type='subscribe' to='" + h.account + "'/>");
        assertThat(EntityHarness.errorCondition(EntityHarness.next(pc))).isEqualTo("bad-request");
        h.routed.expectNoMessage(EntityHarness.QUIET);
        assertThat(encode(h.kit.getState())).isEqualTo("NONE");
    }
}
