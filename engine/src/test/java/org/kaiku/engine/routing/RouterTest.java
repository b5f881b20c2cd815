package org.kaiku.engine.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.engine.user.ClusterHarness;
import org.kaiku.protocol.xml.XmlElement;

/** Routing by 'to' (RFC 6120 section 10) and the bounces the router makes itself (section 8.3). */
class RouterTest {
    private static final Duration QUIET = Duration.ofMillis(300);
    private static ClusterHarness cluster;

    @BeforeAll
    static void start() {
        cluster = new ClusterHarness("RouterTest");
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static XmlElement stanza(String xml) {
        return ClusterHarness.parse(xml);
    }

    private static XmlElement next(TestProbe<SessionMessage> session) {
        SessionMessage m = session.receiveMessage(Duration.ofSeconds(5));
        assertThat(m).isInstanceOf(SessionMessage.Deliver.class);
        return ((SessionMessage.Deliver) m).stanza();
    }

    private static String condition(XmlElement error) {
        assertThat(error.attr("type")).isEqualTo("error");
        return error.child("error", "jabber:client").elements().get(0).name();
    }

    @Test
    void theDomainAndItsResourcesGoToTheServerHandler() {
        cluster.router.route(stanza("<iq xmlns='jabber:client' type='get' id='1' from='x@example.com/r' to='EXAMPLE.com'/>"));
        assertThat(cluster.server.receiveMessage().attr("to")).isEqualTo("example.com");
        cluster.router.route(stanza("<message xmlns='jabber:client' from='x@example.com/r' to='example.com/admin'/>"));
        assertThat(cluster.server.receiveMessage().attr("to")).isEqualTo("example.com/admin");
    }

    @Test
    void localAccountsGetTheStanzaWithACanonicalTo() {
        TestProbe<SessionMessage> erin = cluster.bind("erin@example.com", "a");
        cluster.router.route(stanza("<message xmlns='jabber:client' from='x@example.com/r' to='Erin@Example.com/a'><body>1</body></message>"));
        XmlElement m = next(erin);
        assertThat(m.attr("to")).isEqualTo("erin@example.com/a");
        assertThat(m.childText("body", "jabber:client")).isEqualTo("1");
        cluster.server.expectNoMessage(QUIET);
    }

    @Test
    void otherDomainsBounceWithRemoteServerNotFound() {
        TestProbe<SessionMessage> finn = cluster.bind("finn@example.com", "a");
        cluster.router.route(stanza("<message xmlns='jabber:client' id='m1' from='finn@example.com/a' to='someone@remote.test'><body>2</body></message>"));
        XmlElement bounce = next(finn);
        assertThat(condition(bounce)).isEqualTo("remote-server-not-found");
        assertThat(bounce.attr("id")).isEqualTo("m1");
        assertThat(bounce.attr("to")).isEqualTo("finn@example.com/a");
        assertThat(bounce.attr("from")).isEqualTo("someone@remote.test");
    }

    @Test
    void malformedToBouncesWithJidMalformedFromTheDomain() {
        TestProbe<SessionMessage> gus = cluster.bind("gus@example.com", "a");
        cluster.router.route(stanza("<iq xmlns='jabber:client' type='get' id='q' from='gus@example.com/a' to='@example.com'><ping xmlns='urn:xmpp:ping'/></iq>"));
        XmlElement bounce = next(gus);
        assertThat(condition(bounce)).isEqualTo("jid-malformed");
        assertThat(bounce.attr("from")).isEqualTo("example.com");
    }

    @Test
    void errorsAreNeverBouncedAndStanzasWithoutToAreDropped() {
        TestProbe<SessionMessage> hal = cluster.bind("hal@example.com", "a");
        assertThatCode(() -> {
            cluster.router.route(stanza("<message xmlns='jabber:client' type='error' from='hal@example.com/a' to='x@remote.test'/>"));
            cluster.router.route(stanza("<message xmlns='jabber:client' type='error' from='hal@example.com/a' to='@bad'/>"));
            cluster.router.route(stanza("<message xmlns='jabber:client' from='hal@example.com/a'/>"));
            // A remote sender's stanza to another remote domain: the bounce itself cannot be delivered and is dropped.
            cluster.router.route(stanza("<message xmlns='jabber:client' from='x@remote.test' to='y@elsewhere.test'/>"));
        }).doesNotThrowAnyException();
        hal.expectNoMessage(QUIET);
        cluster.server.expectNoMessage(QUIET);
        // Still routing afterwards.
        cluster.router.route(stanza("<message xmlns='jabber:client' from='x@example.com/r' to='hal@example.com/a'><body>ok</body></message>"));
        assertThat(next(hal).childText("body", "jabber:client")).isEqualTo("ok");
    }

    @Test
    void deliverToUserReachesTheEntity() {
        TestProbe<SessionMessage> ivy = cluster.bind("ivy@example.com", "a");
        cluster.router.deliverToUser(org.kaiku.protocol.jid.Jid.parse("ivy@example.com"),
                new org.kaiku.engine.user.UserEntity.Deliver(stanza(
                        "<message xmlns='jabber:client' type='headline' from='example.com' to='ivy@example.com'><body>motd</body></message>")));
        // Headline to the bare JID with no available resource (ivy never sent presence) is dropped;
        // a message to the full JID reaches the bound resource.
        cluster.router.deliverToUser(org.kaiku.protocol.jid.Jid.parse("ivy@example.com"),
                new org.kaiku.engine.user.UserEntity.Deliver(stanza(
                        "<message xmlns='jabber:client' from='example.com' to='ivy@example.com/a'><body>direct</body></message>")));
        assertThat(next(ivy).childText("body", "jabber:client")).isEqualTo("direct");
    }
}
