package org.kaiku.deploy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.X509TrustManager;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.kaiku.engine.XmppEngine;
import org.kaiku.engine.config.EngineSettings;
import org.kaiku.engine.storage.Stores;
import org.kaiku.engine.testing.XmppTestClients;

/**
 * One node as {@code kaiku run} wires the relay and the engine ({@link EmbeddedRelay} then
 * {@link XmppEngine#start} with its bytestreams proxy), but without Cassandra: Pekko's in-memory
 * journal and the engine's in-memory stores, every port free, loopback only.
 */
final class BytestreamsNode implements AutoCloseable {
    final EmbeddedRelay.Started relay;
    final ActorSystem<Void> system;
    final XmppEngine engine;
    final Path dataDir;

    BytestreamsNode(Path dataDir, Map<String, Object> overrides) throws Exception {
        this.dataDir = dataDir;
        Config config = ConfigFactory.parseMap(overrides)
                .withFallback(ConfigFactory.parseString(
                        "pekko.actor.provider = cluster\n"
                                + "pekko.remote.artery.canonical.hostname = 127.0.0.1\n"
                                + "pekko.remote.artery.canonical.port = 0\n"
                                + "pekko.cluster.seed-nodes = []\n"
                                + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n"
                                + "pekko.persistence.journal.plugin = \"pekko.persistence.journal.inmem\"\n"
                                + "pekko.persistence.snapshot-store.plugin = \"pekko.persistence.snapshot-store.local\"\n"
                                + "pekko.persistence.snapshot-store.local.dir = \"" + dataDir.resolve("snapshots").toString().replace("\\", "/") + "\"\n"
                                + "pekko.loglevel = WARNING\n"
                                + "kaiku.c2s.port = 0\n"
                                + "kaiku.c2s.tls-port = -1\n"
                                + "kaiku.sasl.scram-iterations = 4096\n"
                                + "kaiku.relay.enabled = on\n"
                                + "kaiku.relay.port = 0\n"
                                + "kaiku.relay.socks5.port = 0\n"
                                + "kaiku.data-dir = \"" + dataDir.toString().replace("\\", "/") + "\"\n"))
                .withFallback(ConfigFactory.load());
        relay = EmbeddedRelay.start(config, dataDir);
        ActorSystem<Void> sys = null;
        XmppEngine started = null;
        try {
            sys = ActorSystem.create(Behaviors.empty(), "socks5-test", relay.config());
            Cluster cluster = Cluster.get(sys);
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (cluster.selfMember().status() != MemberStatus.up()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the test node did not come up");
                }
                Thread.sleep(50);
            }
            started = XmppEngine.start(sys, EngineSettings.fromConfig(relay.config()), Stores.inMemory(), relay.bytestreams())
                    .toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (sys != null) {
                sys.terminate();
            }
            relay.relay().close();
            throw e;
        }
        system = sys;
        engine = started;
    }

    X509TrustManager trust() throws Exception {
        return XmppTestClients.trustNode(dataDir.resolve("tls/localhost.p12"), "changeit");
    }

    XMPPTCPConnection smack(String user, String resource) throws Exception {
        return XmppTestClients.smack(engine.c2sPort(), user, user + "-secret", resource, trust());
    }

    void addUser(String local) throws Exception {
        if (!engine.accounts().add(local + "@localhost", local + "-secret").toCompletableFuture().get(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(local + " exists");
        }
    }

    @Override
    public void close() throws Exception {
        try {
            engine.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
            relay.relay().close();
        }
    }
}
