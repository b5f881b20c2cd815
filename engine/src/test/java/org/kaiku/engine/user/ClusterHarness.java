package org.kaiku.engine.user;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.FishingOutcome;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.engine.routing.Router;
import org.kaiku.engine.storage.InMemoryOfflineStore;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.xml.XmlElement;

/**
 * A one-node cluster on loopback with Cluster Sharding, the persistence testkit journal and
 * snapshot store, the real {@link Router} and the account entities behind it, with offline
 * messages in memory. What the router hands to the server lands on {@link #server}.
 */
public final class ClusterHarness implements AutoCloseable {
    public static final String DOMAIN = "example.com";

    public final ActorTestKit testKit;
    public final TestProbe<XmlElement> server;
    public final Router router;
    /** Where the account entities keep offline messages (XEP-0160). */
    public final InMemoryOfflineStore offline = new InMemoryOfflineStore();

    public ClusterHarness(String name) {
        Config config = ConfigFactory.parseString("""
                        pekko.loglevel = WARNING
                        pekko.actor.provider = cluster
                        pekko.remote.artery.canonical.hostname = 127.0.0.1
                        pekko.remote.artery.canonical.port = 0
                        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                        pekko.coordinated-shutdown.exit-jvm = off
                        """)
                .withFallback(PersistenceTestKitPlugin.getInstance().config())
                .withFallback(PersistenceTestKitSnapshotPlugin.config());
        testKit = ActorTestKit.create(name, config);
        Cluster cluster = Cluster.get(testKit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        TestProbe<Object> waiter = testKit.createTestProbe();
        waiter.awaitAssert(Duration.ofSeconds(10), () -> {
            if (cluster.selfMember().status() != MemberStatus.up()) {
                throw new AssertionError("cluster member not up yet: " + cluster.selfMember().status());
            }
            return null;
        });
        server = testKit.createTestProbe(XmlElement.class);
        TestProbe<XmlElement> sink = server;
        router = new Router(testKit.system(), DOMAIN, s -> sink.getRef().tell(s));
        UserEntity.init(testKit.system(), router, offline, 1000);
    }

    /** Binds {@code resource} of {@code bare} through sharding and returns the session probe. */
    public TestProbe<SessionMessage> bind(String bare, String resource) {
        TestProbe<SessionMessage> session = testKit.createTestProbe(SessionMessage.class);
        TestProbe<UserEntity.BindResult> reply = testKit.createTestProbe(UserEntity.BindResult.class);
        router.user(Jid.parse(bare)).tell(new UserEntity.Bind(resource, session.getRef(), reply.getRef()));
        UserEntity.BindResult result = reply.receiveMessage(Duration.ofSeconds(10));
        if (!(result instanceof UserEntity.Bound)) {
            throw new AssertionError("not bound: " + result);
        }
        return session;
    }

    public void fromClient(String fullJid, String xml) {
        Jid full = Jid.parse(fullJid);
        router.user(full).tell(new UserEntity.FromClient(full.resource(), parse(xml).withAttr("from", fullJid)));
    }

    /** Waits for a stanza on the session that satisfies the predicate, skipping others. */
    public static XmlElement await(TestProbe<SessionMessage> session, Predicate<XmlElement> wanted) {
        List<SessionMessage> seen = session.fishForMessage(Duration.ofSeconds(5), m -> outcome(m, wanted));
        return ((SessionMessage.Deliver) seen.get(seen.size() - 1)).stanza();
    }

    private static FishingOutcome outcome(SessionMessage m, Predicate<XmlElement> wanted) {
        if (m instanceof SessionMessage.Deliver d && wanted.test(d.stanza())) {
            return FishingOutcomes.complete();
        }
        return FishingOutcomes.continueAndIgnore();
    }

    /** A stanza from its XML text. */
    public static XmlElement parse(String xml) {
        return EntityHarness.xml(xml);
    }

    @Override
    public void close() {
        testKit.shutdownTestKit();
    }
}
