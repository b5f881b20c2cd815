package org.kaiku.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.X509TrustManager;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.jivesoftware.smack.filter.MessageTypeFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.kaiku.deploy.KaikuServer;
import org.kaiku.deploy.admin.ClusterView;
import org.kaiku.deploy.config.ConfigLoader;
import org.kaiku.engine.testing.XmppTestClients;
import org.kaiku.persistence.cassandra.LocalCassandra;

/**
 * Two Kaiku nodes (two actor systems, full servers) in this JVM, joined into one Pekko cluster on
 * loopback through the seed-node setting and sharing one real Cassandra node: a client on node A
 * and a client on node B subscribe to each other, see each other's presence and exchange
 * messages both ways; the accounts' entities are spread over both nodes, so each stanza crosses
 * nodes in CBOR at least once (session to entity, or entity to session); a logout on B reaches A
 * as unavailable presence. Both nodes use the certificate node A made (one keystore for the whole
 * cluster, as an operator would configure it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public class TwoNodeClusterTest {
    private final Path work = Path.of("target", "cluster2-" + System.nanoTime()).toAbsolutePath();
    private LocalCassandra cassandra;
    private KaikuServer a;
    private KaikuServer b;
    private final List<XMPPTCPConnection> clients = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        int[] ports = freePorts(3);
        cassandra = LocalCassandra.startOrReuse(new LocalCassandra.Config(work.resolve("cassandra"), ports[0], ports[1], ports[2],
                null, "512M"));
        String contact = "127.0.0.1:" + cassandra.contactPoint().getPort();
        int seedPort = freePorts(1)[0]; // after Cassandra took its own ephemeral ports (JMX)
        String seed = "127.0.0.1:" + seedPort;
        a = KaikuServer.start(node("a", seedPort, seed, contact, null));
        b = KaikuServer.start(node("b", 0, seed, contact, work.resolve("a/tls/localhost.p12")));
        awaitUp(a, 2);
        awaitUp(b, 2);
    }

    private com.typesafe.config.Config node(String name, int clusterPort, String seed, String contact, Path keystore) {
        Map<String, Object> flags = new java.util.HashMap<>(Map.of(
                "kaiku.data-dir", work.resolve(name).toString(),
                "kaiku.c2s.port", 0,
                "kaiku.c2s.tls-port", -1,
                "kaiku.admin.port", 0,
                "kaiku.cluster.port", clusterPort,
                "kaiku.cluster.seed-nodes", List.of(seed),
                "kaiku.cassandra.contact-points", List.of(contact),
                "pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on"));
        if (keystore != null) {
            flags.put("kaiku.tls.keystore", keystore.toString());
        }
        // two nodes in one JVM: the embedded relay's fixed UDP port would clash
        flags.put("kaiku.relay.enabled", false);
        return ConfigLoader.load(flags, null);
    }

    @AfterAll
    void stop() {
        for (XMPPTCPConnection c : clients) {
            c.disconnect();
        }
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
        if (cassandra != null) {
            cassandra.close();
        }
    }

    @Test
    void stanzasAndPresenceCrossNodesBothWays() throws Exception {
        String[] users = {"alice", "bob", "carol", "dave", "erin", "frank"};
        for (String u : users) {
            assertThat(a.accounts().add(u + "@localhost", u + "-secret").toCompletableFuture().get(60, TimeUnit.SECONDS)).isTrue();
        }
        X509TrustManager trust = XmppTestClients.trustNode(work.resolve("a/tls/localhost.p12"), "changeit");
        // alice, carol, erin on node A; bob, dave, frank on node B
        List<XMPPTCPConnection> logged = new ArrayList<>();
        for (int i = 0; i < users.length; i++) {
            KaikuServer node = i % 2 == 0 ? a : b;
            XMPPTCPConnection c = XmppTestClients.smack(node.c2sPort(), users[i], users[i] + "-secret", "r", trust);
            clients.add(c);
            c.connect().login();
            logged.add(c);
        }
        XMPPTCPConnection alice = logged.get(0);
        XMPPTCPConnection bob = logged.get(1);
        BareJid aliceJid = JidCreate.bareFrom("alice@localhost");
        BareJid bobJid = JidCreate.bareFrom("bob@localhost");

        Roster aliceRoster = Roster.getInstanceFor(alice);
        Roster bobRoster = Roster.getInstanceFor(bob);
        aliceRoster.setSubscriptionMode(Roster.SubscriptionMode.accept_all);
        bobRoster.setSubscriptionMode(Roster.SubscriptionMode.accept_all);
        aliceRoster.createItemAndRequestSubscription(bobJid, "Bob", null);
        bobRoster.createItemAndRequestSubscription(aliceJid, "Alice", null);
        await("alice (A) sees bob (B) online", () -> aliceRoster.getPresence(bobJid).isAvailable());
        await("bob (B) sees alice (A) online", () -> bobRoster.getPresence(aliceJid).isAvailable());

        BlockingQueue<String> atBob = new LinkedBlockingQueue<>();
        BlockingQueue<String> atAlice = new LinkedBlockingQueue<>();
        bob.addSyncStanzaListener(s -> atBob.add(((Message) s).getBody()), MessageTypeFilter.CHAT);
        alice.addSyncStanzaListener(s -> atAlice.add(((Message) s).getBody()), MessageTypeFilter.CHAT);
        for (int i = 0; i < 20; i++) {
            alice.sendStanza(XmppTestClients.chat(alice, bobJid, "a->b " + i));
            bob.sendStanza(XmppTestClients.chat(bob, aliceJid, "b->a " + i));
        }
        for (int i = 0; i < 20; i++) {
            assertThat(atBob.poll(30, TimeUnit.SECONDS)).isEqualTo("a->b " + i);
            assertThat(atAlice.poll(30, TimeUnit.SECONDS)).isEqualTo("b->a " + i);
        }
        // every pair across the nodes: each user on A writes to each user on B and back
        for (int i = 0; i < users.length; i += 2) {
            for (int j = 1; j < users.length; j += 2) {
                roundTrip(logged.get(i), logged.get(j));
                roundTrip(logged.get(j), logged.get(i));
            }
        }

        // the six accounts' entities live on both nodes, and both nodes see two members Up
        ObjectNode view = new ClusterView(a.system(), Duration.ofSeconds(10)).toJson();
        assertThat(view.path("members")).hasSize(2);
        int entities = 0;
        for (JsonNode m : view.path("members")) {
            assertThat(m.path("status").asText()).isEqualTo("Up");
            assertThat(m.path("account_entities").asInt()).as("accounts on %s", m.path("address").asText()).isPositive();
            entities += m.path("account_entities").asInt();
        }
        assertThat(entities).isGreaterThanOrEqualTo(users.length);

        // bob logs out on B: alice on A sees him go
        bob.disconnect();
        await("alice (A) sees bob (B) go", () -> !aliceRoster.getPresence(bobJid).isAvailable());
    }

    /** {@code from} writes to {@code to}; the message arrives with its body. */
    private static void roundTrip(XMPPTCPConnection from, XMPPTCPConnection to) throws Exception {
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        org.jivesoftware.smack.StanzaListener l = s -> got.add(((Message) s).getBody());
        to.addSyncStanzaListener(l, MessageTypeFilter.CHAT);
        try {
            String body = from.getUser() + " to " + to.getUser();
            from.sendStanza(XmppTestClients.chat(from, to.getUser().asBareJid(), body));
            assertThat(got.poll(30, TimeUnit.SECONDS)).isEqualTo(body);
        } finally {
            to.removeSyncStanzaListener(l);
        }
    }

    private static void awaitUp(KaikuServer node, int members) throws InterruptedException {
        Cluster cluster = Cluster.get(node.system());
        await(members + " members up", () -> {
            int up = 0;
            for (org.apache.pekko.cluster.Member m : cluster.state().getMembers()) {
                if (m.status() == MemberStatus.up()) {
                    up++;
                }
            }
            return up == members;
        });
    }

    /** Waits for a condition (the deadline only bounds a failing test; a slow shared machine is expected). */
    public static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(50);
        }
    }

    /** {@code n} distinct free loopback ports (all held open until every one is chosen). */
    public static int[] freePorts(int n) throws Exception {
        int[] p = new int[n];
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
                held.add(s);
                p[i] = s.getLocalPort();
            }
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
        return p;
    }
}
