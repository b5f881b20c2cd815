package org.kaiku.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import javax.net.ssl.X509TrustManager;
import org.jivesoftware.smack.filter.MessageTypeFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smack.roster.RosterEntry;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.mam.MamManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.kaiku.engine.testing.XmppTestClients;

/**
 * Three Kaiku nodes started through {@code deploy/bin/kaiku run --seed-nodes ... --cassandra ...},
 * sharing one Cassandra node started once by {@code deploy/bin/kaiku cassandra}; Smack clients on
 * different nodes; then node 3 is killed with SIGKILL while alice (node 1) keeps writing to carol
 * (node 3). The cluster downs node 3 (keep-majority) and moves its accounts: alice sees carol go
 * unavailable and bob (node 2) sees dave (node 3) go; carol and dave log in again on the
 * surviving nodes and find their rosters; carol gets what was sent while she was away (offline
 * storage) and her archive holds every message alice's stream management saw acknowledged
 * without an error: none lost. Node 3 then comes back and joins again; frozen with SIGSTOP (a
 * partition) it is downed by the majority, which serves on; resumed, it exits with status 1 and,
 * restarted as a supervisor would, joins once more. The split brain resolver decides after 5 s
 * here (20 s by default).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterFailoverTest {
    private static final Pattern CASSANDRA_READY = Pattern.compile("Cassandra ready: cql=127\\.0\\.0\\.1:(\\d+)");
    private final Path work = Path.of("target", "failover-" + System.nanoTime()).toAbsolutePath();
    private final List<ServerProcess> nodes = new ArrayList<>();
    private final List<XMPPTCPConnection> clients = new ArrayList<>();
    private Process cassandra;

    @AfterAll
    void cleanUp() throws Exception {
        for (XMPPTCPConnection c : clients) {
            c.instantShutdown();
        }
        for (ServerProcess n : nodes) {
            if (n.process.isAlive()) {
                n.kill();
            }
        }
        if (cassandra != null && cassandra.isAlive()) {
            cassandra.destroy(); // `kaiku cassandra` stops its node on SIGTERM
            if (!cassandra.waitFor(90, TimeUnit.SECONDS)) {
                cassandra.destroyForcibly();
            }
        }
        ServerProcess.cleanUp(List.of(), work.resolve("cassandra-home")); // the node itself, should the command have died first
    }

    @Test
    void killedNodesUsersAreSeenGoneMoveAndLoseNothingAcknowledged() throws Exception {
        Files.createDirectories(work);
        ServerProcess.Ports cass = ServerProcess.Ports.free();
        Path shared = work.resolve("cluster.conf");
        Files.writeString(shared, String.join("\n",
                "kaiku.cassandra.local.storage-port = " + cass.storage(),
                "kaiku.cassandra.local.jmx-port = " + cass.jmx(),
                "pekko.cluster.split-brain-resolver.stable-after = 5s",
                // three nodes on one machine: the embedded relay's fixed UDP port would clash
                "kaiku.relay.enabled = off",
                // a loaded test machine pauses processes: only a dead node should count as unreachable
                "pekko.cluster.failure-detector.acceptable-heartbeat-pause = 8s",
                ""));
        Path cassLog = work.resolve("cassandra.log");
        cassandra = ServerProcess.script(List.of("bash", Path.of("bin", "kaiku").toAbsolutePath().toString(), "cassandra",
                "--data-dir", work.resolve("cassandra-home").toString(), "--cql-port", String.valueOf(cass.cql()),
                "--config", shared.toString())).start();
        String contact = "127.0.0.1:" + ServerProcess.awaitLine(cassandra, cassLog, CASSANDRA_READY).group(1);

        // c2s, admin and cluster port of each node, all distinct (separate Ports.free() calls may repeat one)
        int[] p = org.kaiku.deploy.cluster.TwoNodeClusterTest.freePorts(9);
        ServerProcess.Ports[] ports = new ServerProcess.Ports[3];
        for (int i = 0; i < 3; i++) {
            ports[i] = new ServerProcess.Ports(p[3 * i], -1, p[3 * i + 1], p[3 * i + 2], 0, 0, 0);
        }
        String seeds = "127.0.0.1:" + ports[0].cluster() + ",127.0.0.1:" + ports[1].cluster();
        List<List<String>> nodeArgs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            List<String> args = new ArrayList<>(List.of(
                    "--data-dir", work.resolve("node" + (i + 1)).toString(),
                    "--c2s-port", String.valueOf(ports[i].c2s()), "--c2s-tls-port", "-1",
                    "--admin-port", String.valueOf(ports[i].admin()),
                    "--cluster-host", "127.0.0.1", "--cluster-port", String.valueOf(ports[i].cluster()),
                    "--seed-nodes", seeds, "--cassandra", contact, "--config", shared.toString()));
            if (i > 0) { // one certificate for the whole cluster: node 1's
                Files.writeString(work.resolve("node" + (i + 1) + ".conf"), Files.readString(shared)
                        + "kaiku.tls.keystore = \"" + work.resolve("node1/tls/localhost.p12") + "\"\n");
                args.set(args.size() - 1, work.resolve("node" + (i + 1) + ".conf").toString());
            }
            nodeArgs.add(args);
            ServerProcess node = ServerProcess.startScript(work.resolve("node" + (i + 1) + ".log"), args.toArray(String[]::new));
            nodes.add(node);
            System.out.println("node " + (i + 1) + " ready after " + node.readyMillis + " ms");
        }
        ServerProcess n1 = nodes.get(0);
        ServerProcess n2 = nodes.get(1);
        ServerProcess n3 = nodes.get(2);
        Path n1Data = work.resolve("node1");
        awaitFor("three members up", Duration.ofSeconds(120), () -> upMembers(n1) == 3);

        String[] users = {"alice", "bob", "carol", "dave", "erin", "frank"};
        for (String u : users) {
            assertThat(n1.cli(n1Data, "user", "add", u + "@localhost", u + "-secret")).isZero();
        }
        X509TrustManager trust = XmppTestClients.trustNode(n1Data.resolve("tls/localhost.p12"), "changeit");
        XMPPTCPConnection alice = login(n1, "alice", "desk", trust);
        XMPPTCPConnection bob = login(n2, "bob", "desk", trust);
        XMPPTCPConnection carol = login(n3, "carol", "desk", trust);
        XMPPTCPConnection dave = login(n3, "dave", "desk", trust);
        login(n1, "erin", "desk", trust);
        login(n2, "frank", "desk", trust);
        BareJid aliceJid = JidCreate.bareFrom("alice@localhost");
        BareJid bobJid = JidCreate.bareFrom("bob@localhost");
        BareJid carolJid = JidCreate.bareFrom("carol@localhost");
        BareJid daveJid = JidCreate.bareFrom("dave@localhost");
        befriend(alice, carol, aliceJid, carolJid);
        befriend(bob, dave, bobJid, daveJid);
        Roster aliceRoster = Roster.getInstanceFor(alice);
        Roster bobRoster = Roster.getInstanceFor(bob);

        JsonNode before = status(n1).path("cluster");
        System.out.println("before the kill: " + before);
        for (JsonNode m : before.path("members")) {
            assertThat(m.path("account_entities").asInt()).as("accounts hosted by %s", m.path("address").asText()).isPositive();
        }

        // what alice's stream management saw acknowledged, and what came back as an error
        Set<String> acked = ConcurrentHashMap.newKeySet();
        Set<String> errored = ConcurrentHashMap.newKeySet();
        alice.addStanzaAcknowledgedListener(s -> {
            if (s instanceof Message m && m.getBody() != null) {
                acked.add(m.getBody());
            }
        });
        alice.addAsyncStanzaListener(s -> {
            String body = bodiesById.get(String.valueOf(s.getStanzaId()));
            errored.add(body != null ? body : String.valueOf(((Message) s).getBody()));
        }, MessageTypeFilter.ERROR);
        Set<String> carolGot = ConcurrentHashMap.newKeySet();
        carol.addSyncStanzaListener(s -> carolGot.add(((Message) s).getBody()), MessageTypeFilter.CHAT);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sent.add(send(alice, carolJid, "before " + i));
        }
        awaitFor("carol has the first 20", Duration.ofSeconds(60), () -> carolGot.size() == 20);

        long killedAt = System.nanoTime();
        n3.kill();
        carol.instantShutdown();
        dave.instantShutdown();
        for (int i = 0; i < 20; i++) {
            sent.add(send(alice, carolJid, "during " + i));
        }
        awaitFor("alice sees carol (node 3) go", Duration.ofSeconds(180), () -> !aliceRoster.getPresence(carolJid).isAvailable());
        long carolGoneMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        awaitFor("bob sees dave (node 3) go", Duration.ofSeconds(180), () -> !bobRoster.getPresence(daveJid).isAvailable());
        long daveGoneMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        awaitFor("two members left", Duration.ofSeconds(60), () -> upMembers(n1) == 2 && members(n1) == 2);
        for (int i = 0; i < 20; i++) {
            sent.add(send(alice, carolJid, "after " + i));
        }
        awaitFor("every message acknowledged or answered", Duration.ofSeconds(120),
                () -> sent.stream().allMatch(b -> acked.contains(b) || errored.contains(b)));

        // carol and dave come back on the surviving nodes
        XMPPTCPConnection carol2 = XmppTestClients.smack(n1.c2sPort, "carol", "carol-secret", "phone", trust);
        clients.add(carol2);
        carol2.addSyncStanzaListener(s -> carolGot.add(((Message) s).getBody()), MessageTypeFilter.CHAT);
        carol2.connect().login();
        XMPPTCPConnection dave2 = login(n2, "dave", "phone", trust);
        RosterEntry alicesEntry = awaitEntry(carol2, aliceJid);
        assertThat(alicesEntry.getType()).isEqualTo(org.jivesoftware.smack.roster.packet.RosterPacket.ItemType.both);
        assertThat(awaitEntry(dave2, bobJid).getType()).isEqualTo(org.jivesoftware.smack.roster.packet.RosterPacket.ItemType.both);
        awaitFor("carol gets what was sent while she was away", Duration.ofSeconds(60),
                () -> sent.stream().filter(b -> b.startsWith("after ")).allMatch(carolGot::contains));
        MamManager mam = MamManager.getInstanceFor(carol2);
        assertThat(mam.isSupported()).isTrue();
        MamManager.MamQuery page = mam.queryArchive(MamManager.MamQueryArgs.builder().limitResultsToJid(aliceJid)
                .setResultPageSizeTo(200).build());
        Set<String> archived = ConcurrentHashMap.newKeySet();
        page.getMessages().forEach(m -> archived.add(m.getBody()));

        List<String> lost = sent.stream()
                .filter(b -> acked.contains(b) && !errored.contains(b))
                .filter(b -> !carolGot.contains(b) && !archived.contains(b))
                .toList();
        System.out.printf("failover: carol seen gone after %d ms, dave after %d ms; sent %d, acknowledged %d, answered with an error %d,"
                        + " delivered live or offline %d, archived %d, lost %d%n", carolGoneMs, daveGoneMs, sent.size(),
                acked.size(), errored.size(), carolGot.size(), archived.size(), lost.size());
        System.out.println("answered with an error: " + new java.util.TreeSet<>(errored));
        assertThat(lost).as("acknowledged messages carol never got nor has in her archive").isEmpty();
        assertThat(sent.stream().filter(b -> b.startsWith("after ")).allMatch(acked::contains)).isTrue();

        // The crashed node comes back (as a supervisor would restart it) and joins again.
        Path n3Log = work.resolve("node3.log");
        ServerProcess back = ServerProcess.startScript(n3Log, nodeArgs.get(2).toArray(String[]::new));
        nodes.set(2, back);
        awaitFor("node 3 rejoined", Duration.ofSeconds(120), () -> upMembers(n1) == 3);

        // A partition: node 3 frozen (SIGSTOP) is unreachable to the others, and the majority
        // (keep-majority) downs it and serves on; resumed, node 3 finds itself out of the cluster,
        // stops and `kaiku run` exits with 1; restarted, it joins again without anyone's help.
        long pid = back.process.pid(); // bin/kaiku execs java: the same process
        assertThat(new ProcessBuilder("kill", "-STOP", String.valueOf(pid)).start().waitFor()).isZero();
        try {
            awaitFor("the majority removes the frozen node", Duration.ofSeconds(120), () -> upMembers(n1) == 2 && members(n1) == 2);
            Set<String> bobGot = ConcurrentHashMap.newKeySet();
            bob.addSyncStanzaListener(s -> bobGot.add(((Message) s).getBody()), MessageTypeFilter.CHAT);
            send(alice, bobJid, "majority serves on");
            awaitFor("bob (node 2) hears alice (node 1) during the partition", Duration.ofSeconds(60),
                    () -> bobGot.contains("majority serves on"));
        } finally {
            new ProcessBuilder("kill", "-CONT", String.valueOf(pid)).start().waitFor();
        }
        assertThat(back.process.waitFor(180, TimeUnit.SECONDS)).as("node 3 stops once it learns it was downed").isTrue();
        assertThat(back.process.exitValue()).isEqualTo(1);
        assertThat(Files.readString(n3Log)).contains("kaiku: kaiku.cluster: this node was removed from its cluster");
        ServerProcess again = ServerProcess.startScript(n3Log, nodeArgs.get(2).toArray(String[]::new));
        nodes.set(2, again);
        awaitFor("node 3 joined again after the partition", Duration.ofSeconds(120), () -> upMembers(n1) == 3);
        JsonNode after = status(again).path("cluster");
        System.out.println("after the partition healed: " + after);

        again.terminate();
        n2.terminate();
        n1.terminate();
    }

    private XMPPTCPConnection login(ServerProcess node, String user, String resource, X509TrustManager trust) throws Exception {
        XMPPTCPConnection c = XmppTestClients.smack(node.c2sPort, user, user + "-secret", resource, trust);
        c.setUseStreamManagement(true);
        clients.add(c);
        c.connect().login();
        return c;
    }

    private static void befriend(XMPPTCPConnection a, XMPPTCPConnection b, BareJid aJid, BareJid bJid) throws Exception {
        Roster ra = Roster.getInstanceFor(a);
        Roster rb = Roster.getInstanceFor(b);
        ra.setSubscriptionMode(Roster.SubscriptionMode.accept_all);
        rb.setSubscriptionMode(Roster.SubscriptionMode.accept_all);
        ra.createItemAndRequestSubscription(bJid, null, null);
        rb.createItemAndRequestSubscription(aJid, null, null);
        awaitFor(aJid + " sees " + bJid, Duration.ofSeconds(60), () -> ra.getPresence(bJid).isAvailable());
        awaitFor(bJid + " sees " + aJid, Duration.ofSeconds(60), () -> rb.getPresence(aJid).isAvailable());
    }

    private final java.util.Map<String, String> bodiesById = new ConcurrentHashMap<>();

    private String send(XMPPTCPConnection from, BareJid to, String body) throws Exception {
        Message m = XmppTestClients.chat(from, to, body);
        bodiesById.put(m.getStanzaId(), body);
        from.sendStanza(m);
        return body;
    }

    private static RosterEntry awaitEntry(XMPPTCPConnection c, BareJid jid) throws Exception {
        Roster r = Roster.getInstanceFor(c);
        awaitFor("roster of " + c.getUser() + " has " + jid, Duration.ofSeconds(60), () -> r.getEntry(jid) != null);
        return r.getEntry(jid);
    }

    /** GET /status of a node, with its admin token. */
    private JsonNode status(ServerProcess node) throws Exception {
        int index = nodes.indexOf(node) + 1;
        String token = Files.readString(work.resolve("node" + index).resolve("admin.token")).trim();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node.adminPort + "/status"))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(r.body());
    }

    private int upMembers(ServerProcess node) {
        return countMembers(node, Optional.of("Up"));
    }

    private int members(ServerProcess node) {
        return countMembers(node, Optional.empty());
    }

    private int countMembers(ServerProcess node, Optional<String> state) {
        try {
            int n = 0;
            for (JsonNode m : status(node).path("cluster").path("members")) {
                if (state.isEmpty() || (state.get().equals(m.path("status").asText()) && m.path("reachable").asBoolean())) {
                    n++;
                }
            }
            return n;
        } catch (Exception e) {
            return -1;
        }
    }

    /** Waits for a condition; the deadline only bounds a failing test. */
    private static void awaitFor(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(100);
        }
    }
}
