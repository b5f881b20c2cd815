package org.kaiku.engine.c2s;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.X509TrustManager;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.kaiku.engine.XmppEngine;
import org.kaiku.engine.storage.Stores;
import org.kaiku.engine.config.EngineSettings;
import org.kaiku.engine.testing.XmppTestClients;

/**
 * A one-node engine for c2s tests: a real cluster-sharding actor system on loopback, the
 * persistence testkit journal instead of Cassandra, credentials in memory, real listeners on
 * free ports.
 */
final class EngineNode implements AutoCloseable {
    final ActorTestKit testKit;
    final XmppEngine engine;
    final EngineSettings settings;
    /** The in-memory stores the engine uses, for tests that look into them. */
    final Stores stores;

    EngineNode(Path dataDir, Map<String, Object> overrides) throws Exception {
        this(dataDir, overrides, Stores.inMemory());
    }

    /** A node on these stores (a test that gates or fails writes). */
    EngineNode(Path dataDir, Map<String, Object> overrides, Stores stores) throws Exception {
        this.stores = stores;
        Config config = ConfigFactory.parseMap(overrides)
                .withFallback(ConfigFactory.parseString(
                        "pekko.actor.provider = cluster\n"
                                + "pekko.remote.artery.canonical.hostname = 127.0.0.1\n"
                                + "pekko.remote.artery.canonical.port = 0\n"
                                + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n"
                                // a bound on a stop that hangs, not a timing: a loaded machine may need more than 10 s
                                + "pekko.actor.testkit.typed.system-shutdown-default = 60s\n"
                                + "kaiku.c2s.port = 0\n"
                                + "kaiku.c2s.tls-port = 0\n"
                                + "kaiku.sasl.scram-iterations = 4096\n"
                                + "kaiku.data-dir = \"" + dataDir.toString().replace("\\", "/") + "\"\n"))
                .withFallback(PersistenceTestKitPlugin.getInstance().config())
                .withFallback(PersistenceTestKitSnapshotPlugin.config())
                .withFallback(ConfigFactory.load());
        testKit = ActorTestKit.create("c2s-test", config);
        Cluster cluster = Cluster.get(testKit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (cluster.selfMember().status() != MemberStatus.up()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the test node did not come up");
            }
            Thread.sleep(50);
        }
        settings = EngineSettings.fromConfig(config);
        engine = XmppEngine.start(testKit.system(), settings, stores)
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** Trusts exactly the certificate this node made. */
    X509TrustManager trust() throws Exception {
        return XmppTestClients.trustNode(settings.dataDir().resolve("tls/localhost.p12"), "changeit");
    }

    /** A Smack client for this node's STARTTLS port (not yet connected). */
    XMPPTCPConnection smack(String user, String password, String resource) throws Exception {
        return XmppTestClients.smack(engine.c2sPort(), user, password, resource, trust());
    }

    void addUser(String jid, String password) throws Exception {
        if (!engine.accounts().add(jid, password).toCompletableFuture().get(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException(jid + " exists");
        }
    }

    @Override
    public void close() throws Exception {
        try {
            engine.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } finally {
            testKit.shutdownTestKit();
        }
    }

    static Duration timeout() {
        return Duration.ofSeconds(20);
    }
}
