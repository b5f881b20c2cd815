package org.kaiku.engine.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kaiku.engine.user.EntityHarness.errorCondition;
import static org.kaiku.engine.user.EntityHarness.isPush;
import static org.kaiku.engine.user.EntityHarness.next;
import static org.kaiku.engine.user.EntityHarness.pushedItem;
import static org.kaiku.engine.user.EntityHarness.stanzas;

import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.protocol.xml.XmlElement;

/** Roster get, set, remove and pushes (RFC 6121 section 2), including the section 2.3.3 errors. */
class RosterTest {
    private static ActorTestKit testKit;
    private EntityHarness h;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create("RosterTest", EntityHarness.config());
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

    @Test
    void getReturnsTheRosterAndMarksTheResourceInterested() {
        TestProbe<SessionMessage> s = h.bind("pc");
        var first = h.client("pc", "<iq xmlns='jabber:client' type='get' id='g1'><query xmlns='jabber:iq:roster' ver=''/></iq>");
        XmlElement result = next(s);
        assertThat(result.attr("type")).isEqualTo("result");
        assertThat(result.attr("id")).isEqualTo("g1");
        assertThat(result.attr("to")).isEqualTo(h.account + "/pc");
        assertThat(result.child("query", RosterItem.NAMESPACE).elements()).isEmpty();
        assertThat(first.events()).containsExactly(new UserEvent.RosterRequested("pc"));

        var second = h.client("pc", "<iq xmlns='jabber:client' type='get' id='g2'><query xmlns='jabber:iq:roster'/></iq>");
        assertThat(next(s).attr("id")).isEqualTo("g2");
        assertThat(second.events()).isEmpty();
    }

    @Test
    void setCreatesAnItemAndPushesItToEveryInterestedResource() {
        TestProbe<SessionMessage> pc = h.online("pc", 0);
        TestProbe<SessionMessage> phone = h.online("phone", 0);
        TestProbe<SessionMessage> quiet = h.bind("quiet");

        var r = h.client("pc", set("s1", "<item jid='Bob@Example.com' name='Bob'><group>Friends</group><group>Work</group></item>"));
        assertThat(r.events()).hasSize(1);
        RosterItem saved = r.state().item("bob@example.com");
        assertThat(saved.name()).isEqualTo("Bob");
        assertThat(saved.groups()).containsExactly("Friends", "Work");
        assertThat(saved.subscription()).isEqualTo(RosterItem.Subscription.NONE);

        List<XmlElement> atPc = stanzas(pc);
        assertThat(atPc).anySatisfy(e -> {
            assertThat(e.attr("type")).isEqualTo("result");
            assertThat(e.attr("id")).isEqualTo("s1");
        });
        XmlElement pushPc = atPc.stream().filter(EntityHarness::isPush).findFirst().orElseThrow();
        XmlElement item = pushedItem(pushPc);
        assertThat(item.attr("jid")).isEqualTo("bob@example.com");
        assertThat(item.attr("subscription")).isEqualTo("none");
        assertThat(item.attr("name")).isEqualTo("Bob");
        assertThat(item.elements("group", RosterItem.NAMESPACE)).extracting(XmlElement::text).containsExactly("Friends", "Work");

        List<XmlElement> atPhone = stanzas(phone);
        assertThat(atPhone).hasSize(1);
        assertThat(isPush(atPhone.get(0))).isTrue();
        assertThat(atPhone.get(0).attr("to")).isEqualTo(h.account + "/phone");
        assertThat(atPhone.get(0).attr("id")).isNotEqualTo(pushPc.attr("id"));
        assertThat(stanzas(quiet)).isEmpty();
        h.routed.expectNoMessage(EntityHarness.QUIET);
    }

    @Test
    void updateKeepsTheSubscriptionStateAndIgnoresClientSubscriptionAttributes() {
        h.online("pc", 0);
        h.kit.runCommand(new UserEntity.FromClient("pc", EntityHarness.xml(
                "<presence xmlns='jabber:client' to='bob@example.com' type='subscribe'/>")));
        var r = h.client("pc", set("u1", "<item jid='bob@example.com' name='Robert' subscription='both' ask='subscribe'/>"));
        RosterItem item = r.state().item("bob@example.com");
        assertThat(item.name()).isEqualTo("Robert");
        assertThat(item.subscription()).isEqualTo(RosterItem.Subscription.NONE);
        assertThat(item.askSubscribe()).isTrue();
        assertThat(item.groups()).isEmpty();
    }

    @Test
    void removeDeletesPushesRemoveAndCancelsBothSubscriptions() {
        TestProbe<SessionMessage> pc = h.online("pc", 0);
        h.kit.runCommand(new UserEntity.Deliver(EntityHarness.xml(
                "<presence xmlns='jabber:client' from='bob@example.com/x' to='" + h.account + "' type='subscribe'/>")));
        h.client("pc", "<presence xmlns='jabber:client' to='bob@example.com' type='subscribed'/>");
        h.client("pc", "<presence xmlns='jabber:client' to='bob@example.com' type='subscribe'/>");
        h.deliver("<presence xmlns='jabber:client' from='bob@example.com' to='" + h.account + "' type='subscribed'/>");
        assertThat(h.kit.getState().item("bob@example.com").subscription()).isEqualTo(RosterItem.Subscription.BOTH);
        stanzas(pc);
        EntityHarness.drain(h.routed);

        var r = h.client("pc", set("rm", "<item jid='bob@example.com' subscription='remove'/>"));
        assertThat(r.state().item("bob@example.com")).isNull();
        assertThat(r.events()).contains(new UserEvent.RosterItemRemoved("bob@example.com"));
        List<XmlElement> out = EntityHarness.drain(h.routed);
        assertThat(out).extracting(e -> e.attr("type")).contains("unsubscribe", "unsubscribed", "unavailable");
        assertThat(out).allSatisfy(e -> assertThat(e.attr("to")).isEqualTo("bob@example.com"));
        List<XmlElement> atPc = stanzas(pc);
        XmlElement push = atPc.stream().filter(EntityHarness::isPush).findFirst().orElseThrow();
        assertThat(pushedItem(push).attr("subscription")).isEqualTo("remove");
        assertThat(atPc).anySatisfy(e -> assertThat(e.attr("id")).isEqualTo("rm"));
    }

    @Test
    void removingAnUnknownItemIsItemNotFound() {
        TestProbe<SessionMessage> pc = h.online("pc", 0);
        var r = h.client("pc", set("rm", "<item jid='nobody@example.com' subscription='remove'/>"));
        assertThat(errorCondition(next(pc))).isEqualTo("item-not-found");
        assertThat(r.events()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "two items        | <item jid='a@example.com'/><item jid='b@example.com'/> | bad-request",
        "no item          | \"\"                                                   | bad-request",
        "missing jid      | <item name='x'/>                                       | bad-request",
        "invalid jid      | <item jid='@example.com'/>                             | jid-malformed",
        "empty group      | <item jid='a@example.com'><group/></item>              | not-acceptable",
        "duplicate group  | <item jid='a@example.com'><group>g</group><group>g</group></item> | bad-request",
        "foreign element  | <foo xmlns='urn:x'/>                                   | bad-request",
    })
    void invalidSetsAreRefusedAndChangeNothing(String label, String items, String condition) {
        TestProbe<SessionMessage> pc = h.online("pc", 0);
        var r = h.client("pc", set("bad", items));
        XmlElement reply = next(pc);
        assertThat(reply.attr("id")).isEqualTo("bad");
        assertThat(errorCondition(reply)).isEqualTo(condition);
        assertThat(r.events()).isEmpty();
        assertThat(r.state().roster()).isEmpty();
        pc.expectNoMessage(EntityHarness.QUIET);
    }

    @Test
    void overlongNameIsNotAcceptable() {
        TestProbe<SessionMessage> pc = h.online("pc", 0);
        var r = h.client("pc", set("long", "<item jid='a@example.com' name='" + "n".repeat(1024) + "'/>"));
        assertThat(errorCondition(next(pc))).isEqualTo("not-acceptable");
        assertThat(r.state().roster()).isEmpty();
    }

    @Test
    void rosterIqWithoutTypeOrFromAnUnboundResourceNeverBreaksTheEntity() {
        TestProbe<SessionMessage> pc = h.online("pc", 0);
        var a = h.client("ghost", set("x", "<item jid='a@example.com'/>"));
        assertThat(a.events()).isEmpty();
        var b = h.client("pc", "<iq xmlns='jabber:client' id='t'><query xmlns='jabber:iq:roster'/></iq>");
        assertThat(errorCondition(next(pc))).isEqualTo("bad-request");
        assertThat(b.events()).isEmpty();
        var c = h.client("pc", "<iq xmlns='jabber:client' type='result' id='t'><query xmlns='jabber:iq:roster'/></iq>");
        assertThat(c.events()).isEmpty();
        pc.expectNoMessage(EntityHarness.QUIET);
        // Still serving afterwards.
        h.client("pc", set("ok", "<item jid='a@example.com'/>"));
        assertThat(h.kit.getState().item("a@example.com")).isNotNull();
    }
}
