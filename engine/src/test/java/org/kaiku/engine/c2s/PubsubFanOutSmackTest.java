package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.impl.JidCreate;
import org.kaiku.engine.pubsub.NodeEntity;
import org.kaiku.engine.pubsub.PartitionEntity;

/**
 * The partitioned fan-out of XEP-0060 notifications: a node with 3,000 subscriptions created
 * through the entity API (devices of a remote domain, offline as far as this server can tell)
 * and a handful of subscribers online through Smack, chosen to fall in different partitions. The
 * subscriptions are spread over the node's partition entities, the owner's list gathers them all,
 * and one publish reaches every online subscriber, whatever partition holds it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PubsubFanOutSmackTest {
    private static final int PARTITIONS = 16;
    private static final int DEVICES = 3000;
    @TempDir
    static Path dataDir;
    private EngineNode node;
    private XMPPTCPConnection owner;
    private final List<XMPPTCPConnection> online = new ArrayList<>();
    private final List<BlockingQueue<String>> inboxes = new ArrayList<>();
    private org.jivesoftware.smack.provider.ExtensionElementProvider<?> smackEvents;

    @BeforeAll
    void start() throws Exception {
        // COMPAT(Smack 4.5): see PubsubSmackTest; notifications are read as XML
        smackEvents = org.jivesoftware.smack.provider.ProviderManager.getExtensionProvider("event", "http://jabber.org/protocol/pubsub#event");
        org.jivesoftware.smack.provider.ProviderManager.addExtensionProvider("event", "http://jabber.org/protocol/pubsub#event",
                org.jivesoftware.smack.parsing.StandardExtensionElementProvider.INSTANCE);
        node = new EngineNode(dataDir, Map.of("kaiku.pubsub.partitions", PARTITIONS));
        node.addUser("owner@localhost", "owner-secret");
        owner = node.smack("owner", "owner-secret", "hub");
        owner.connect().login();
        Set<Integer> partitions = new HashSet<>();
        for (int i = 0; online.size() < 5; i++) {
            String user = "watcher" + i;
            if (!partitions.add(PartitionEntity.partitionOf(user + "@localhost", PARTITIONS))) {
                continue;
            }
            node.addUser(user + "@localhost", user + "-secret");
            XMPPTCPConnection c = node.smack(user, user + "-secret", "screen");
            BlockingQueue<String> inbox = new LinkedBlockingQueue<>();
            c.addAsyncStanzaListener(s -> inbox.add(s.toXML().toString()), new AndFilter(StanzaTypeFilter.MESSAGE,
                    FromMatchesFilter.createBare(JidCreate.bareFrom("pubsub.localhost"))));
            c.connect().login();
            online.add(c);
            inboxes.add(inbox);
        }
    }

    @AfterAll
    void stop() throws Exception {
        for (XMPPTCPConnection c : online) {
            c.disconnect();
        }
        if (owner != null) {
            owner.disconnect();
        }
        node.close();
        org.jivesoftware.smack.provider.ProviderManager.addExtensionProvider("event", "http://jabber.org/protocol/pubsub#event", smackEvents);
    }

    @Test
    void onePublishReachesEveryOnlineSubscriberAcrossPartitions() throws Exception {
        PubSubManager pm = PubSubManager.getInstanceFor(owner, JidCreate.bareFrom("pubsub.localhost"));
        LeafNode fleet = pm.createNode("fleet");
        ClusterSharding sharding = ClusterSharding.get(node.testKit.system());
        List<CompletableFuture<Done>> acks = new ArrayList<>();
        for (int i = 0; i < DEVICES; i++) {
            String jid = "device" + i + "@iot.example";
            acks.add(sharding.entityRefFor(NodeEntity.ENTITY_KEY, "fleet")
                    .<Done>ask(r -> new NodeEntity.AddSubscriber(jid, r), Duration.ofSeconds(60)).toCompletableFuture());
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        for (XMPPTCPConnection c : online) {
            PubSubManager.getInstanceFor(c, JidCreate.bareFrom("pubsub.localhost")).getLeafNode("fleet").subscribe(c.getUser().asBareJid());
        }

        // the slices: every partition holds some, together all of them
        int total = 0;
        int nonEmpty = 0;
        for (int k = 0; k < PARTITIONS; k++) {
            int id = k;
            int size = sharding.entityRefFor(PartitionEntity.ENTITY_KEY, PartitionEntity.entityId("fleet", k))
                    .<PartitionEntity.Subscriptions>ask(r -> new PartitionEntity.Query(1, null, r), Duration.ofSeconds(30))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS).subscriptions().size();
            total += size;
            nonEmpty += size > 0 ? 1 : 0;
            assertThat(size).as("partition %d", id).isLessThan(DEVICES / 4);
        }
        assertThat(total).isEqualTo(DEVICES + online.size());
        assertThat(nonEmpty).isEqualTo(PARTITIONS);
        assertThat(fleet.getSubscriptionsAsOwner()).hasSize(DEVICES + online.size());

        fleet.publish(new PayloadItem<>("reading-1", new SimplePayload("<reading xmlns='urn:example:iot'>42</reading>")));
        for (BlockingQueue<String> inbox : inboxes) {
            String m = inbox.poll(60, TimeUnit.SECONDS);
            assertThat(m).as("a notification to each online watcher").isNotNull();
            assertThat(m.replace('\'', '"')).contains("id=\"reading-1\"").contains(">42</reading>");
        }
    }
}
