package org.kaiku.engine.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kaiku.engine.user.ClusterHarness.await;

import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.protocol.xml.XmlElement;

/**
 * Two accounts as sharded entities on a one-node cluster, talking only through the router:
 * the subscription handshake (RFC 6121 section 3.1), presence broadcast, probes on initial
 * presence (section 4.2-4.4) and the unavailable broadcast on logout (4.5).
 */
class PresenceShardingTest {
    private static ClusterHarness cluster;

    @BeforeAll
    static void start() {
        cluster = new ClusterHarness("PresenceShardingTest");
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static boolean presence(XmlElement e, String from, String type) {
        return e.name().equals("presence") && from.equals(e.attr("from"))
                && (type == null ? e.attr("type") == null : type.equals(e.attr("type")));
    }

    private static boolean push(XmlElement e, String jid, String subscription) {
        if (!EntityHarness.isPush(e)) {
            return false;
        }
        XmlElement item = EntityHarness.pushedItem(e);
        return jid.equals(item.attr("jid")) && subscription.equals(item.attr("subscription"));
    }

    private static void rosterGet(String full, TestProbe<SessionMessage> session) {
        cluster.fromClient(full, "<iq xmlns='jabber:client' type='get' id='roster'><query xmlns='jabber:iq:roster'/></iq>");
        await(session, e -> "roster".equals(e.attr("id")) && "result".equals(e.attr("type")));
    }

    @Test
    void subscriptionHandshakeThenPresenceFlowsUntilLogout() {
        String alice = "alice@example.com";
        String bob = "bob@example.com";
        TestProbe<SessionMessage> aliceHome = cluster.bind(alice, "home");
        TestProbe<SessionMessage> bobWork = cluster.bind(bob, "work");
        rosterGet(alice + "/home", aliceHome);
        rosterGet(bob + "/work", bobWork);
        cluster.fromClient(bob + "/work", "<presence xmlns='jabber:client'><show>chat</show></presence>");
        await(bobWork, e -> presence(e, bob + "/work", null));
        cluster.fromClient(alice + "/home", "<presence xmlns='jabber:client'/>");
        await(aliceHome, e -> presence(e, alice + "/home", null));

        // Alice asks; Bob's client sees the request from her bare JID.
        cluster.fromClient(alice + "/home", "<presence xmlns='jabber:client' to='bob@example.com' type='subscribe'/>");
        XmlElement ask = await(aliceHome, e -> push(e, bob, "none"));
        assertThat(EntityHarness.pushedItem(ask).attr("ask")).isEqualTo("subscribe");
        await(bobWork, e -> presence(e, alice, "subscribe"));

        // Bob approves: both rosters change, Alice is told and gets Bob's current presence.
        cluster.fromClient(bob + "/work", "<presence xmlns='jabber:client' to='alice@example.com' type='subscribed'/>");
        await(bobWork, e -> push(e, alice, "from"));
        await(aliceHome, e -> push(e, bob, "to"));
        await(aliceHome, e -> presence(e, bob, "subscribed"));
        XmlElement current = await(aliceHome, e -> presence(e, bob + "/work", null));
        assertThat(current.childText("show", "jabber:client")).isEqualTo("chat");

        // Bob's updates reach Alice.
        cluster.fromClient(bob + "/work", "<presence xmlns='jabber:client'><show>away</show></presence>");
        XmlElement away = await(aliceHome, e -> presence(e, bob + "/work", null));
        assertThat(away.childText("show", "jabber:client")).isEqualTo("away");

        // A new resource of Alice probes Bob on its initial presence and learns his presence.
        TestProbe<SessionMessage> alicePhone = cluster.bind(alice, "phone");
        cluster.fromClient(alice + "/phone", "<presence xmlns='jabber:client'/>");
        // The two resources of Alice see each other at once ...
        await(alicePhone, e -> presence(e, alice + "/home", null));
        await(aliceHome, e -> presence(e, alice + "/phone", null));
        // ... and Bob's answer to the probe follows.
        XmlElement probed = await(alicePhone, e -> presence(e, bob + "/work", null));
        assertThat(probed.childText("show", "jabber:client")).isEqualTo("away");

        // Bob's session ends: both of Alice's resources see him go.
        cluster.router.user(org.kaiku.protocol.jid.Jid.parse(bob)).tell(new UserEntity.Unbind("work", bobWork.getRef()));
        await(aliceHome, e -> presence(e, bob + "/work", "unavailable"));
        await(alicePhone, e -> presence(e, bob + "/work", "unavailable"));
    }

    @Test
    void messagesFlowBetweenAccountsThroughTheRouter() {
        String carol = "carol@example.com";
        String dave = "dave@example.com";
        TestProbe<SessionMessage> carolS = cluster.bind(carol, "a");
        TestProbe<SessionMessage> daveS = cluster.bind(dave, "b");
        cluster.fromClient(carol + "/a", "<presence xmlns='jabber:client'/>");
        await(carolS, e -> presence(e, carol + "/a", null));

        cluster.router.route(ClusterHarness.parse(
                "<message xmlns='jabber:client' type='chat' from='dave@example.com/b' to='Carol@Example.com'><body>hi</body></message>"));
        XmlElement msg = await(carolS, e -> e.name().equals("message"));
        assertThat(msg.childText("body", "jabber:client")).isEqualTo("hi");
        assertThat(msg.attr("to")).isEqualTo(carol);

        // Dave never sent presence: a chat to his bare JID is stored offline (XEP-0160) and
        // reaches him, with a delay notation, when he does.
        cluster.router.route(ClusterHarness.parse(
                "<message xmlns='jabber:client' type='chat' id='c1' from='carol@example.com/a' to='dave@example.com'><body>there?</body></message>"));
        daveS.expectNoMessage(EntityHarness.QUIET);
        carolS.expectNoMessage(EntityHarness.QUIET);
        cluster.fromClient(dave + "/b", "<presence xmlns='jabber:client'/>");
        XmlElement stored = await(daveS, e -> e.name().equals("message"));
        assertThat(stored.attr("id")).isEqualTo("c1");
        assertThat(stored.child("delay", "urn:xmpp:delay").attr("from")).isEqualTo("example.com");
    }
}
