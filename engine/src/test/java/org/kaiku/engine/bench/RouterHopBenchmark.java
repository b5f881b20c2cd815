package org.kaiku.engine.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.kaiku.engine.routing.Router;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.engine.storage.InMemoryOfflineStore;
import org.kaiku.engine.user.UserEntity;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.XmlText;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The in-memory message hop, end to end (RFC 6121 section 8.5.3, message to a full JID):
 * {@link Router#route(XmlElement, Jid)} with a pre-parsed address, Cluster Sharding to the
 * recipient's {@link UserEntity} on this node, the entity's delivery decision (no journal write
 * for messages), and the {@link SessionMessage.Deliver} reaching the bound session actor.
 *
 * <p>One invocation routes {@value #BATCH} messages from the benchmark thread and waits until
 * the session actor has counted all of them, so the score is messages per second with the
 * pipeline kept full, not the latency of one message. The node is a real one-node cluster on
 * loopback with the persistence testkit journal (only the Bind is journaled); no TestKit.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RouterHopBenchmark {
    static final int BATCH = 1000;
    private static final String DOMAIN = "example.com";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private ActorSystem<Void> system;
    private Router router;
    private final AtomicReference<CountDownLatch> delivered = new AtomicReference<>(new CountDownLatch(0));
    private XmlElement stanza;
    private Jid target;

    @Setup(Level.Trial)
    public void startNode() throws Exception {
        Config config = ConfigFactory.parseString("""
                        pekko.loglevel = WARNING
                        pekko.actor.provider = cluster
                        pekko.remote.artery.canonical.hostname = 127.0.0.1
                        pekko.remote.artery.canonical.port = 0
                        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                        pekko.coordinated-shutdown.exit-jvm = off
                        pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
                        """)
                .withFallback(PersistenceTestKitPlugin.getInstance().config())
                .withFallback(PersistenceTestKitSnapshotPlugin.config())
                .withFallback(ConfigFactory.load());
        system = ActorSystem.create(Behaviors.empty(), "router-hop-bench", config);
        Cluster cluster = Cluster.get(system);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (cluster.selfMember().status() != MemberStatus.up()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the benchmark node did not come up");
            }
            Thread.sleep(20);
        }
        router = new Router(system, DOMAIN, s -> { });
        UserEntity.init(system, router, new InMemoryOfflineStore(), 1000);

        ActorRef<SessionMessage> session = system.systemActorOf(countingSession(), "bench-session", Props.empty());
        Jid bob = Jid.parse("bob@" + DOMAIN);
        UserEntity.BindResult bound = router.user(bob)
                .<UserEntity.BindResult>ask(replyTo -> new UserEntity.Bind("phone", session, replyTo), TIMEOUT)
                .toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (!(bound instanceof UserEntity.Bound b)) {
            throw new IllegalStateException("bind refused: " + bound);
        }
        target = Jid.parse(b.fullJid());
        stanza = new XmlElement("message", "jabber:client",
                Map.of("from", "alice@" + DOMAIN + "/laptop", "to", target.toString(), "type", "chat", "id", "b1"),
                List.of(new XmlElement("body", "jabber:client", Map.of(),
                        List.of(new XmlText("Are you coming to the meeting at three?")))));
    }

    /** Counts deliveries down on the latch of the running invocation. */
    private Behavior<SessionMessage> countingSession() {
        return Behaviors.receive(SessionMessage.class)
                .onMessage(SessionMessage.Deliver.class, d -> {
                    delivered.get().countDown();
                    return Behaviors.same();
                })
                .build();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void routeToSession() throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(BATCH);
        delivered.set(latch);
        for (int i = 0; i < BATCH; i++) {
            router.route(stanza, target);
        }
        if (!latch.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException(latch.getCount() + " of " + BATCH + " messages not delivered");
        }
    }

    @TearDown(Level.Trial)
    public void stopNode() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
}
