package org.kaiku.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.X509TrustManager;
import org.jivesoftware.smack.ConnectionListener;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.filter.MessageTypeFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.mam.MamManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.kaiku.deploy.KaikuMain;
import org.kaiku.engine.testing.XmppTestClients;
import org.kaiku.persistence.cassandra.LocalCassandra;

/**
 * Issue 5, point 6b: the Cassandra node dies (SIGKILL of its JVM) and comes back on the same data
 * directory while two clients with stream management (XEP-0198) exchange messages at a steady
 * rate, against the server as users launch it (its own process, `--cassandra` naming the node).
 *
 * <p>It checks, with a real Cassandra process and the real `kaiku status` command: the sessions
 * never drop; `kaiku status` says DOWN (exit 3) during the outage and up (exit 0) after it; the
 * server logs the outage once on the way down and once on the way back; online messages keep
 * flowing during the outage; work that needs storage (a roster set) is refused with
 * wait/resource-constraint; a message to an offline user is either refused with that error or
 * stored and delivered later; and every message the server acknowledged and did not refuse was
 * delivered exactly once and is in the recipient's archive once Cassandra is back. Loss and
 * duplicate counts are printed and must be zero.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CassandraOutageTest {
    private static final long SEND_EVERY_MS = 20;
    private final Path work = Path.of("target", "outage-" + System.nanoTime()).toAbsolutePath();
    private final Path dataDir = work.resolve("data");
    private final List<ServerProcess> started = new ArrayList<>();
    private LocalCassandra cassandra;

    @AfterAll
    void cleanUp() throws Exception {
        ServerProcess.cleanUp(started, dataDir);
        if (cassandra != null) {
            cassandra.close();
        }
    }

    @Test
    void sessionsSurviveACassandraOutageAndNothingAcknowledgedIsLost() throws Exception {
        Files.createDirectories(work);
        ServerProcess.Ports ports = ServerProcess.Ports.free();
        // Cassandra must get its ports back after the restart: ports from the ephemeral range
        // (what port 0 gives) were seen taken meanwhile by other processes' outgoing connections
        int[] fixed = freeBelowEphemeral(3);
        int cql = fixed[0];
        LocalCassandra.Config node = new LocalCassandra.Config(work.resolve("cassandra"), cql, fixed[1], fixed[2], null, "512M");
        cassandra = LocalCassandra.startOrReuse(node);
        Path log = work.resolve("server.log");
        ServerProcess server = ServerProcess.start(dataDir, ports, log, "--cassandra", "127.0.0.1:" + cql);
        started.add(server);
        for (String user : List.of("alice", "bob", "carol", "dave")) {
            assertThat(cli(server, "user", "add", user + "@localhost", user + "-secret")).isZero();
        }
        assertThat(status(server).exit).isZero();
        X509TrustManager trust = XmppTestClients.trustNode(dataDir.resolve("tls/localhost.p12"), "changeit");
        BareJid bobJid = JidCreate.bareFrom("bob@localhost");
        BareJid carolJid = JidCreate.bareFrom("carol@localhost");
        BareJid daveJid = JidCreate.bareFrom("dave@localhost");

        Traffic t = new Traffic();
        XMPPTCPConnection alice = t.watched(XmppTestClients.smack(server.c2sPort, "alice", "alice-secret", "desk", trust));
        XMPPTCPConnection bob = t.watched(XmppTestClients.smack(server.c2sPort, "bob", "bob-secret", "phone", trust));
        bob.addSyncStanzaListener(st -> t.delivered.add(((Message) st).getBody()), MessageTypeFilter.CHAT);
        alice.addStanzaAcknowledgedListener(st -> {
            if (st instanceof Message m && m.getBody() != null) {
                t.acked.add(m.getBody());
            }
        });
        alice.addAsyncStanzaListener(st -> t.refusal(st.getStanzaId(), st.getError()), MessageTypeFilter.ERROR);
        alice.connect().login();
        bob.connect().login();
        assertThat(alice.isSmEnabled()).isTrue();
        assertThat(bob.isSmEnabled()).isTrue();

        // carol is offline: one message before the outage keeps her account's entity running
        t.send(alice, carolJid, "carol-warmup");
        AtomicBoolean sending = new AtomicBoolean(true);
        Thread sender = new Thread(() -> t.sendSteadily(alice, bobJid, carolJid, sending), "outage-sender");
        sender.start();
        try {
            XmppTestClients.await("traffic before the outage", () -> t.delivered.size() >= 50);

            ProcessHandle cassandraJvm = ProcessHandle.of(cassandra.pid()).orElseThrow();
            cassandraJvm.destroyForcibly(); // SIGKILL: no flush, no clean shutdown
            cassandraJvm.onExit().get(30, TimeUnit.SECONDS);
            long killedAt = System.nanoTime();
            Status down = awaitStatus(server, 3);
            System.out.println("kaiku status during the outage (exit " + down.exit + "):\n" + down.out);
            assertThat(down.out).contains("storage:     DOWN since").contains("last error:");
            int deliveredAtDown = t.delivered.size();

            // storage-bound work is refused with wait/resource-constraint, not accepted and lost
            assertThatThrownBy(() -> Roster.getInstanceFor(alice).createItem(JidCreate.bareFrom("dave@localhost"), "Dave", null))
                    .isInstanceOfSatisfying(XMPPException.XMPPErrorException.class, e -> {
                        assertThat(e.getStanzaError().getCondition()).isEqualTo(StanzaError.Condition.resource_constraint);
                        assertThat(e.getStanzaError().getType()).isEqualTo(StanzaError.Type.WAIT);
                    });
            // dave's account entity is not running: it starts, cannot read its journal, and
            // retries with backoff, holding these until Cassandra is back
            for (int i = 0; i < 5; i++) {
                t.send(alice, daveJid, "dave-" + i);
            }
            XmppTestClients.await("online delivery during the outage", () -> t.delivered.size() >= deliveredAtDown + 100);

            cassandra = LocalCassandra.startOrReuse(node);
            Status up = awaitStatus(server, 0);
            long outageMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            System.out.println("kaiku status after the restart:\n" + up.out);
            int deliveredAtUp = t.delivered.size();
            XmppTestClients.await("traffic after the outage", () -> t.delivered.size() >= deliveredAtUp + 50);
            sending.set(false);
            sender.join();
            assertThat(t.failure.get()).isNull();

            alice.requestSmAcknowledgement();
            XmppTestClients.await("the server acknowledges all that alice sent", () -> t.acked.containsAll(t.sent));
            Set<String> forBob = t.acceptedFor("bob");
            XmppTestClients.await("bob has every accepted message", () -> t.delivered.containsAll(forBob));

            List<String> archived = awaitArchive(bob, JidCreate.bareFrom("alice@localhost"), forBob);
            Set<String> forCarol = t.acceptedFor("carol");
            List<String> carolGot = offlineMessages(server.c2sPort, "carol", trust, forCarol);
            Set<String> forDave = t.acceptedFor("dave");
            List<String> daveGot = offlineMessages(server.c2sPort, "dave", trust, forDave);

            int lostOnline = count(forBob, b -> !t.delivered.contains(b));
            int lostArchive = count(forBob, b -> !archived.contains(b));
            int lostOffline = count(forCarol, b -> !carolGot.contains(b)) + count(forDave, b -> !daveGot.contains(b));
            int duplicates = t.delivered.size() - Set.copyOf(t.delivered).size()
                    + carolGot.size() - Set.copyOf(carolGot).size() + daveGot.size() - Set.copyOf(daveGot).size();
            System.out.printf("outage %d ms: sent %d, acked %d, refused %d (%s), delivered to bob %d (%d during the outage),"
                            + " offline to carol %d and dave %d, lost online %d, lost from archive %d, lost offline %d,"
                            + " duplicates %d%n",
                    outageMs, t.sent.size(), t.acked.size(), t.refused.size(), t.refused.values().stream().distinct().toList(),
                    t.delivered.size(), deliveredAtUp - deliveredAtDown, carolGot.size(), daveGot.size(),
                    lostOnline, lostArchive, lostOffline, duplicates);

            assertThat(t.refused.values()).allMatch(c -> c.equals("wait/resource-constraint"));
            assertThat(lostOnline).isZero();
            assertThat(lostArchive).isZero();
            assertThat(lostOffline).isZero();
            assertThat(duplicates).isZero();
            assertThat(t.closed).as("connections closed during the test").isEmpty();
            assertThat(alice.isAuthenticated() && bob.isAuthenticated()).isTrue();
            assertThat(alice.streamWasResumed() || bob.streamWasResumed()).isFalse();
        } finally {
            sending.set(false);
            sender.join(10_000);
            alice.disconnect();
            bob.disconnect();
        }
        String logText = Files.readString(log, StandardCharsets.UTF_8);
        // once per transition, not per failed write: one DOWN line and one "back" line per outage
        // seen (a node just restarted on a loaded machine may time a probe out once more)
        int downs = occurrences(logText, "storage is DOWN");
        System.out.println("outage transitions logged: " + downs + " down, "
                + occurrences(logText, "storage is back after an outage") + " back");
        assertThat(downs).isBetween(1, 3);
        assertThat(occurrences(logText, "storage is back after an outage")).isEqualTo(downs);
        assertThat(server.terminate()).isIn(0, 143);
    }

    /** Logs {@code user} in and takes its offline messages until {@code expected} arrived (or 30 s). */
    private static List<String> offlineMessages(int port, String user, X509TrustManager trust, Set<String> expected)
            throws Exception {
        XMPPTCPConnection c = XmppTestClients.smack(port, user, user + "-secret", "pad", trust);
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        c.addSyncStanzaListener(st -> got.add(((Message) st).getBody()), MessageTypeFilter.CHAT);
        c.connect().login();
        try {
            XmppTestClients.await(user + " has every message that was not refused", () -> got.containsAll(expected));
        } catch (AssertionError e) {
            // counted as lost below, with the others
        }
        c.disconnect();
        synchronized (got) {
            return new ArrayList<>(got);
        }
    }

    /**
     * A free loopback port below the kernel's ephemeral range (found by binding it), so no
     * outgoing connection on the machine takes it while Cassandra is down.
     */
    private static int[] freeBelowEphemeral(int count) throws java.io.IOException {
        int low = 32768;
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        if (Files.exists(range)) {
            try (var r = Files.newBufferedReader(range)) {
                String line = r.readLine();
                low = line == null ? low : Integer.parseInt(line.trim().split("\\s+")[0]);
            } catch (NumberFormatException e) {
                // keep the usual default
            }
        }
        if (low < 16_000) {
            low = 32768;
        }
        int from = Math.max(1024, low - 12_000);
        int[] ports = new int[count];
        int found = 0;
        int port = from + new java.util.Random().nextInt(Math.max(1, low - from - 1000));
        for (; found < count && port < low; port++) {
            try (java.net.ServerSocket s = new java.net.ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
                ports[found++] = port;
            } catch (java.io.IOException taken) {
                // try the next
            }
        }
        if (found < count) {
            throw new java.io.IOException("no " + count + " free ports below " + low);
        }
        return ports;
    }

    /** Waits, asking as an operator would, until `kaiku status` exits with {@code exit}. */
    private Status awaitStatus(ServerProcess server, int exit) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        Status s = status(server);
        while (s.exit != exit) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("kaiku status never exited " + exit + "; last (" + s.exit + "):\n" + s.out);
            }
            Thread.sleep(500);
            s = status(server);
        }
        return s;
    }

    /** Bob's archive of his chat with alice, once it holds {@code expected} (retried writes land late). */
    private static List<String> awaitArchive(XMPPTCPConnection bob, BareJid with, Set<String> expected) throws Exception {
        MamManager mam = MamManager.getInstanceFor(bob);
        assertThat(mam.isSupported()).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            List<String> archived = new ArrayList<>();
            MamManager.MamQuery page = mam.queryArchive(MamManager.MamQueryArgs.builder()
                    .limitResultsToJid(with).setResultPageSizeTo(500).build());
            archived.addAll(page.getMessages().stream().map(Message::getBody).toList());
            while (!page.isComplete()) {
                archived.addAll(page.pageNext(500).stream().map(Message::getBody).toList());
            }
            if (archived.containsAll(expected) || System.nanoTime() > deadline) {
                return archived;
            }
            Thread.sleep(1000);
        }
    }

    private record Status(int exit, String out) {
    }

    /** The real CLI in a process of its own, as an operator runs it. */
    private Status status(ServerProcess server) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "org.kaiku.deploy.KaikuMain",
                "status", "--admin-port", String.valueOf(server.adminPort), "--data-dir", dataDir.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Status(p.exitValue(), out);
    }

    private int cli(ServerProcess server, String... args) {
        return server.cli(dataDir, args);
    }

    private static int count(Set<String> bodies, java.util.function.Predicate<String> lost) {
        return (int) bodies.stream().filter(lost).count();
    }

    private static int occurrences(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    /** What alice sent, what the server acknowledged or refused, what bob received. */
    private static final class Traffic {
        final Set<String> sent = ConcurrentHashMap.newKeySet();
        final Set<String> acked = ConcurrentHashMap.newKeySet();
        final Map<String, String> idToBody = new ConcurrentHashMap<>();
        final Map<String, String> refused = new ConcurrentHashMap<>();
        final List<String> delivered = Collections.synchronizedList(new ArrayList<>());
        final List<String> closed = Collections.synchronizedList(new ArrayList<>());
        final java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic.AtomicReference<>();

        XMPPTCPConnection watched(XMPPTCPConnection c) {
            c.addConnectionListener(new ConnectionListener() {
                @Override
                public void connectionClosed() {
                    closed.add(c.getConfiguration().getUsername() + ": closed");
                }

                @Override
                public void connectionClosedOnError(Exception e) {
                    closed.add(c.getConfiguration().getUsername() + ": " + e);
                }
            });
            return c;
        }

        /** One message to bob every few milliseconds, and every tenth one also to offline carol. */
        void sendSteadily(XMPPTCPConnection alice, BareJid bob, BareJid carol, AtomicBoolean sending) {
            try {
                for (int i = 0; sending.get(); i++) {
                    send(alice, bob, "bob-" + i);
                    if (i % 10 == 0) {
                        send(alice, carol, "carol-" + i);
                    }
                    Thread.sleep(SEND_EVERY_MS);
                }
            } catch (Exception e) {
                failure.set(e);
            }
        }

        void send(XMPPTCPConnection alice, BareJid to, String body) throws Exception {
            Message m = XmppTestClients.chat(alice, to, body);
            idToBody.put(m.getStanzaId(), body);
            sent.add(body);
            alice.sendStanza(m);
        }

        void refusal(String id, StanzaError error) {
            String body = idToBody.get(id);
            if (body != null) {
                refused.put(body, error == null ? "none"
                        : error.getType().name().toLowerCase() + "/" + error.getCondition().name().replace('_', '-'));
            }
        }

        /** Bodies for {@code user} that the server acknowledged and did not refuse. */
        Set<String> acceptedFor(String user) {
            Set<String> out = new java.util.TreeSet<>();
            for (String b : acked) {
                if (b.startsWith(user + "-") && !refused.containsKey(b)) {
                    out.add(b);
                }
            }
            return out;
        }
    }
}
