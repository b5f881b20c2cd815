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
import java.util.Set;
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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
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
 *
 * <p>The operator's view ({@link ClusterView} through {@code kaiku status}, and Pekko Management's
 * endpoints) counts the accounts online on each node and the shards and entities of each, in
 * agreement with what each node's own shard region holds; a connection stays on the node that
 * accepted it while its account's entity lives on the other node, and messages route both ways
 * between two such accounts. The operator-view test runs first so that its counts are exact.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
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
    @Order(1)
    void operatorViewCountsSessionsAndShardsPerNode() throws Exception {
        X509TrustManager trust = XmppTestClients.trustNode(work.resolve("a/tls/localhost.p12"), "changeit");
        List<String> onA = List.of("op1@localhost", "op3@localhost");
        List<String> onB = List.of("op2@localhost", "op4@localhost");
        for (String jid : List.of("op1", "op2", "op3", "op4")) {
            assertThat(a.accounts().add(jid + "@localhost", "pw-" + jid).toCompletableFuture().get(60, TimeUnit.SECONDS)).isTrue();
            KaikuServer node = onA.contains(jid + "@localhost") ? a : b;
            XMPPTCPConnection c = XmppTestClients.smack(node.c2sPort(), jid, "pw-" + jid, "r", trust);
            clients.add(c);
            c.connect().login();
        }
        // each node's set, as both nodes see it (the other node's copy arrives by gossip)
        for (KaikuServer viewer : List.of(a, b)) {
            await("accounts online per node as " + viewer.system().address() + " sees them", () ->
                    accountsOn(viewer, a).equals(java.util.Set.copyOf(onA)) && accountsOn(viewer, b).equals(java.util.Set.copyOf(onB)));
        }
        for (KaikuServer viewer : List.of(a, b)) {
            await("the status view counts 2 accounts online on each node", () -> {
                ObjectNode view = new ClusterView(viewer.system(), Duration.ofSeconds(10)).toJson();
                for (JsonNode m : view.path("members")) {
                    if (m.path("accounts_online").asInt(-1) != 2) {
                        return false;
                    }
                }
                return view.path("members").size() == 2;
            });
        }

        // shard statistics add up: the cluster-wide answer equals what each region holds itself
        Map<String, Set<String>> localA = localEntities(a);
        Map<String, Set<String>> localB = localEntities(b);
        assertThat(union(localA).size() + union(localB).size()).isGreaterThanOrEqualTo(4);
        ObjectNode view = new ClusterView(a.system(), Duration.ofSeconds(10)).toJson();
        assertThat(view.path("sharding_complete").asBoolean()).isTrue();
        for (JsonNode m : view.path("members")) {
            Map<String, Set<String>> local = m.path("address").asText().equals(a.system().address().toString()) ? localA : localB;
            JsonNode user = m.path("sharding").path("user");
            assertThat(user.path("shards").asInt()).as("shards on %s", m.path("address")).isEqualTo(local.size());
            assertThat(user.path("entities").asInt()).as("entities on %s", m.path("address")).isEqualTo(union(local).size());
            assertThat(m.path("account_entities").asInt()).isEqualTo(user.path("entities").asInt());
        }
        // every account online has its entity on exactly one node
        for (String jid : List.of("op1@localhost", "op2@localhost", "op3@localhost", "op4@localhost")) {
            assertThat(union(localA).contains(jid) ^ union(localB).contains(jid)).as("%s lives on one node", jid).isTrue();
        }

        // kaiku status prints the same per node
        java.io.StringWriter out = new java.io.StringWriter();
        int code = org.kaiku.deploy.KaikuMain.execute(new java.io.PrintWriter(out, true), new java.io.PrintWriter(new java.io.StringWriter(), true),
                "status", "--admin-port", String.valueOf(a.adminPort()), "--data-dir", work.resolve("a").toString());
        assertThat(code).as(out.toString()).isZero();
        assertThat(out.toString()).contains("online 2").contains(a.system().address().toString()).contains(b.system().address().toString());

        // Pekko Management on both nodes: ready (Up, Cassandra, listener), alive, two members Up
        for (KaikuServer node : List.of(a, b)) {
            String base = "http://127.0.0.1:" + node.managementPort();
            assertThat(httpGet(base + "/ready").statusCode()).isEqualTo(200);
            assertThat(httpGet(base + "/alive").statusCode()).isEqualTo(200);
            JsonNode members = new com.fasterxml.jackson.databind.ObjectMapper().readTree(httpGet(base + "/cluster/members").body());
            assertThat(members.path("members")).hasSize(2).allMatch(m -> m.path("status").asText().equals("Up"));
        }
    }

    @Test
    @Order(2)
    void aConnectionStaysOnItsNodeWhileItsEntityLivesOnTheOther() throws Exception {
        X509TrustManager trust = XmppTestClients.trustNode(work.resolve("a/tls/localhost.p12"), "changeit");
        // a user connected to A whose entity lands on B, and one connected to B whose entity lands on A
        XMPPTCPConnection onAEntityOnB = loginUntilEntityOn(a, b, "ra", trust);
        XMPPTCPConnection onBEntityOnA = loginUntilEntityOn(b, a, "rb", trust);
        String x = onAEntityOnB.getUser().asBareJid().toString();
        String y = onBEntityOnA.getUser().asBareJid().toString();

        // each session stays on the node that accepted it
        await("sessions registered on their own nodes", () -> accountsOn(a, a).contains(x) && !accountsOn(a, b).contains(x)
                && accountsOn(a, b).contains(y) && !accountsOn(a, a).contains(y));
        // messages both ways: session (A) -> entity (B) -> entity (A) -> session (B), and back
        for (int i = 0; i < 5; i++) {
            roundTrip(onAEntityOnB, onBEntityOnA);
            roundTrip(onBEntityOnA, onAEntityOnB);
        }
        assertThat(onAEntityOnB.isConnected() && onBEntityOnA.isConnected()).isTrue();
    }

    /**
     * Logs in users {@code prefix0, prefix1, ...} on {@code connectTo} until one's account entity
     * lives on {@code entityOn} (new shards go to the region with fewer, so this comes quickly).
     */
    private XMPPTCPConnection loginUntilEntityOn(KaikuServer connectTo, KaikuServer entityOn, String prefix, X509TrustManager trust)
            throws Exception {
        for (int i = 0; i < 40; i++) {
            String user = prefix + i;
            String jid = user + "@localhost";
            assertThat(a.accounts().add(jid, "pw-" + user).toCompletableFuture().get(60, TimeUnit.SECONDS)).isTrue();
            XMPPTCPConnection c = XmppTestClients.smack(connectTo.c2sPort(), user, "pw-" + user, "r", trust);
            clients.add(c);
            c.connect().login();
            if (union(localEntities(entityOn)).contains(jid)) {
                return c;
            }
        }
        throw new AssertionError("no account of 40 got its entity on " + entityOn.system().address());
    }

    /** This node's replica of {@code node}'s set of accounts with a session bound there. */
    private static Set<String> accountsOn(KaikuServer viewer, KaikuServer node) {
        long uid = Cluster.get(node.system()).selfMember().uniqueAddress().longUid();
        try {
            return org.kaiku.engine.user.SessionRegistry.accountsOn(viewer.system(), uid, Duration.ofSeconds(5))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The account entities {@code node}'s own shard region holds, by shard. */
    private static Map<String, Set<String>> localEntities(KaikuServer node) throws Exception {
        org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState state = org.apache.pekko.actor.typed.javadsl.AskPattern
                .<org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery, org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState>ask(
                        org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.get(node.system()).shardState(),
                        reply -> new org.apache.pekko.cluster.sharding.typed.GetShardRegionState(org.kaiku.engine.user.UserEntity.ENTITY_KEY, reply),
                        Duration.ofSeconds(10), node.system().scheduler())
                .toCompletableFuture().get(15, TimeUnit.SECONDS);
        Map<String, Set<String>> byShard = new java.util.HashMap<>();
        for (org.apache.pekko.cluster.sharding.ShardRegion.ShardState shard : state.getShards()) {
            byShard.put(shard.shardId(), Set.copyOf(shard.getEntityIds()));
        }
        return byShard;
    }

    private static Set<String> union(Map<String, Set<String>> byShard) {
        Set<String> all = new java.util.HashSet<>();
        byShard.values().forEach(all::addAll);
        return all;
    }

    private static java.net.http.HttpResponse<String> httpGet(String url) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                .timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(3)
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

    /**
     * Issue 8: one room (XEP-0045) whose occupants sit on both nodes. The room entity lives on
     * one node (sharding decides); occupants on the other reach it and hear it across nodes:
     * presence of each join, group messages, a private message, and a leave.
     */
    @Test
    @Order(4)
    void aRoomHasOccupantsOnBothNodes() throws Exception {
        String[] users = {"gina", "hana", "ivan"};
        for (String u : users) {
            assertThat(a.accounts().add(u + "@localhost", u + "-secret").toCompletableFuture().get(60, TimeUnit.SECONDS)).isTrue();
        }
        X509TrustManager trust = XmppTestClients.trustNode(work.resolve("a/tls/localhost.p12"), "changeit");
        // gina on node A; hana and ivan on node B
        List<XMPPTCPConnection> logged = new ArrayList<>();
        for (int i = 0; i < users.length; i++) {
            XMPPTCPConnection c = XmppTestClients.smack((i == 0 ? a : b).c2sPort(), users[i], users[i] + "-secret", "r", trust);
            clients.add(c);
            c.connect().login();
            logged.add(c);
        }
        org.jxmpp.jid.EntityBareJid roomJid = JidCreate.entityBareFrom("spread@conference.localhost");
        org.jivesoftware.smackx.muc.MultiUserChat gina =
                org.jivesoftware.smackx.muc.MultiUserChatManager.getInstanceFor(logged.get(0)).getMultiUserChat(roomJid);
        gina.create(org.jxmpp.jid.parts.Resourcepart.from("Gina")).makeInstant();
        org.jivesoftware.smackx.muc.MultiUserChat hana =
                org.jivesoftware.smackx.muc.MultiUserChatManager.getInstanceFor(logged.get(1)).getMultiUserChat(roomJid);
        org.jivesoftware.smackx.muc.MultiUserChat ivan =
                org.jivesoftware.smackx.muc.MultiUserChatManager.getInstanceFor(logged.get(2)).getMultiUserChat(roomJid);
        hana.join(org.jxmpp.jid.parts.Resourcepart.from("Hana"));
        ivan.join(org.jxmpp.jid.parts.Resourcepart.from("Ivan"));
        await("gina (A) sees both occupants from B", () -> gina.getOccupants().size() == 3);
        await("hana (B) sees gina (A)", () -> hana.getOccupants().size() == 3);

        hana.sendMessage("from B to everyone");
        for (org.jivesoftware.smackx.muc.MultiUserChat m : List.of(gina, hana, ivan)) {
            Message got = withBody(m);
            assertThat(got).as("the group message at " + m.getNickname()).isNotNull();
            assertThat(got.getBody()).isEqualTo("from B to everyone");
            assertThat(got.getFrom().toString()).isEqualTo("spread@conference.localhost/Hana");
        }
        gina.sendMessage("from A to everyone");
        for (org.jivesoftware.smackx.muc.MultiUserChat m : List.of(gina, hana, ivan)) {
            assertThat(withBody(m).getBody()).isEqualTo("from A to everyone");
        }

        // a private message from A to an occupant on B (section 7.5)
        BlockingQueue<String> atIvan = new LinkedBlockingQueue<>();
        logged.get(2).addSyncStanzaListener(st -> atIvan.add(((Message) st).getBody()), MessageTypeFilter.CHAT);
        logged.get(0).sendStanza(logged.get(0).getStanzaFactory().buildMessageStanza()
                .to(JidCreate.entityFullFrom("spread@conference.localhost/Ivan")).ofType(Message.Type.chat)
                .setBody("just for ivan").build());
        assertThat(atIvan.poll(30, TimeUnit.SECONDS)).isEqualTo("just for ivan");

        ivan.leave();
        await("gina (A) sees ivan (B) leave", () -> gina.getOccupants().size() == 2);
    }

    /** The room's next message with a body (the subject message sent on join has none). */
    private static Message withBody(org.jivesoftware.smackx.muc.MultiUserChat m) throws Exception {
        for (int i = 0; i < 10; i++) {
            Message got = m.nextMessage(30_000);
            if (got == null || got.getBody() != null) {
                return got;
            }
        }
        return null;
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
