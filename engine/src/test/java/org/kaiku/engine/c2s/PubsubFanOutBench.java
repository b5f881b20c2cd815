package org.kaiku.engine.c2s;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.jivesoftware.smack.filter.AndFilter;
import org.jivesoftware.smack.filter.FromMatchesFilter;
import org.jivesoftware.smack.filter.StanzaTypeFilter;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.pubsub.LeafNode;
import org.jivesoftware.smackx.pubsub.PayloadItem;
import org.jivesoftware.smackx.pubsub.PubSubManager;
import org.jivesoftware.smackx.pubsub.SimplePayload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.kaiku.engine.pubsub.NodeEntity;
import org.kaiku.engine.pubsub.PartitionEntity;

/**
 * A measurement, not a test (it asserts nothing and runs only when asked): one pubsub node with
 * {@code kaiku.bench.pubsub} subscribers (default 100,000) over {@code kaiku.bench.partitions}
 * partitions (default 16), of which {@code kaiku.bench.online} (default 20) are Smack clients
 * logged in to the node, the rest devices of a remote domain that the router answers at once
 * (this server has no s2s: each of their notifications costs one routing decision and one
 * remote-server-not-found back to the service, no session). One engine node, persistence
 * testkit journal (in memory). Reports: the publisher's iq result, the last online delivery, and
 * the moment every partition had routed its slice (a query sent to each partition after the
 * publish result is answered behind its fan-out). See docs/bench/PUBSUB.md.
 */
class PubsubFanOutBench {

    @Test
    @EnabledIfSystemProperty(named = "kaiku.bench.pubsub", matches = "\\d+")
    void fanOut() throws Exception {
        int subscribers = Integer.getInteger("kaiku.bench.pubsub");
        int partitions = Integer.getInteger("kaiku.bench.partitions", 16);
        int online = Integer.getInteger("kaiku.bench.online", 20);
        Path dataDir = Files.createTempDirectory("pubsub-bench");
        // The persistence testkit's in-memory journal deserialises a persistence id's whole history
        // on every append when it serialises events, which made creating 100,000 subscriptions
        // quadratic in the tool itself (a partition holds thousands of events). Events are kept as
        // objects here; their CBOR round trip is PubsubSerializationTest's job.
        try (EngineNode node = new EngineNode(dataDir, Map.of("kaiku.pubsub.partitions", partitions, "pekko.loglevel", "WARNING",
                "pekko.persistence.testkit.events.serialize", false, "pekko.persistence.testkit.snapshots.serialize", false))) {
            BareJid service = JidCreate.bareFrom("pubsub.localhost");
            node.addUser("owner@localhost", "owner-secret");
            XMPPTCPConnection owner = node.smack("owner", "owner-secret", "hub");
            owner.connect().login();
            LeafNode fleet = PubSubManager.getInstanceFor(owner, service).createNode("fleet");
            ClusterSharding sharding = ClusterSharding.get(node.testKit.system());

            long t0 = System.nanoTime();
            int offline = subscribers - online;
            for (int start = 0; start < offline; start += 1000) {
                List<CompletableFuture<Done>> acks = new ArrayList<>();
                for (int i = start; i < Math.min(offline, start + 1000); i++) {
                    String jid = "device" + i + "@iot.example";
                    acks.add(sharding.entityRefFor(NodeEntity.ENTITY_KEY, "fleet")
                            .<Done>ask(r -> new NodeEntity.AddSubscriber(jid, r), Duration.ofSeconds(120)).toCompletableFuture());
                }
                CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
                if ((start / 1000) % 10 == 9) {
                    System.out.printf("PUBSUB-BENCH subscribed %d after %.1f s%n", start + 1000, (System.nanoTime() - t0) / 1e9);
                }
            }
            long subscribed = System.nanoTime() - t0;

            List<XMPPTCPConnection> watchers = new ArrayList<>();
            CountDownLatch delivered = new CountDownLatch(online);
            ConcurrentLinkedQueue<Long> arrivals = new ConcurrentLinkedQueue<>();
            for (int i = 0; i < online; i++) {
                String user = "watcher" + i;
                node.addUser(user + "@localhost", user + "-secret");
                XMPPTCPConnection c = node.smack(user, user + "-secret", "screen");
                c.addAsyncStanzaListener(s -> {
                    arrivals.add(System.nanoTime());
                    delivered.countDown();
                }, new AndFilter(StanzaTypeFilter.MESSAGE, FromMatchesFilter.createBare(service)));
                c.connect().login();
                PubSubManager.getInstanceFor(c, service).getLeafNode("fleet").subscribe(c.getUser().asBareJid());
                watchers.add(c);
            }

            long p0 = System.nanoTime();
            fleet.publish(new PayloadItem<>("reading-1", new SimplePayload("<reading xmlns='urn:example:iot'>42</reading>")));
            long result = System.nanoTime() - p0;
            List<CompletableFuture<PartitionEntity.Subscriptions>> drained = new ArrayList<>();
            for (int k = 0; k < partitions; k++) {
                drained.add(sharding.entityRefFor(PartitionEntity.ENTITY_KEY, PartitionEntity.entityId("fleet", k))
                        .<PartitionEntity.Subscriptions>ask(r -> new PartitionEntity.Query(1, null, r),
                                Duration.ofSeconds(300)).toCompletableFuture());
            }
            CompletableFuture.allOf(drained.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
            long routed = System.nanoTime() - p0;
            boolean all = delivered.await(300, TimeUnit.SECONDS);
            long last = arrivals.stream().mapToLong(t -> t - p0).max().orElse(-1);
            System.out.printf("PUBSUB-BENCH subscribers=%d partitions=%d online=%d cores=%d%n", subscribers, partitions, online,
                    Runtime.getRuntime().availableProcessors());
            System.out.printf("PUBSUB-BENCH subscribe-all=%.1f s (%.0f/s)%n", subscribed / 1e9, offline / (subscribed / 1e9));
            System.out.printf("PUBSUB-BENCH publish-result=%.1f ms all-partitions-routed=%.1f ms last-online-delivery=%.1f ms (all online: %s)%n",
                    result / 1e6, routed / 1e6, last / 1e6, all);
            for (XMPPTCPConnection c : watchers) {
                c.disconnect();
            }
            owner.disconnect();
        }
    }
}
