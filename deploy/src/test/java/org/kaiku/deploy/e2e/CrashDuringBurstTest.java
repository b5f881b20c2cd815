package org.kaiku.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.net.ssl.X509TrustManager;
import org.jivesoftware.smack.filter.MessageTypeFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.mam.MamManager;
import org.jivesoftware.smackx.mam.element.MamElements;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.impl.JidCreate;

import org.kaiku.engine.testing.XmppTestClients;

/**
 * Issue 5, point 6a: kill -9 loses nothing acknowledged. Two Smack clients with stream
 * management (XEP-0198) on a real server process and its real Cassandra node: alice sends bob a
 * burst of 10,000 messages as fast as Smack takes them (no pacing, Smack's default ack
 * requests); once she has heard acks for {@value #KILL_AFTER_ACKED} of them, the test kills the
 * server with SIGKILL and starts it again on the same data (the Cassandra node, which writes
 * with commitlog_sync batch, outlives the server process).
 *
 * <p>Then, as a client would: bob logs in again, alice logs in again and sends again every
 * message whose ack she did not hear, in order, then the rest of the burst. bob catches up from
 * his archive (XEP-0313), paging through it from the start, one archive entry per stored copy.
 *
 * <p>Asserted: every message alice heard acknowledged before the kill is in bob's archive exactly
 * once, in the order sent and ahead of everything else; all 10,000 are there at the end; the
 * acknowledged copies (for a message stored twice, the later) come in the order sent; bob's live
 * stream before the kill was in order and without repeats. Printed: how many were acknowledged at the
 * kill, lost and duplicated. A duplicate can only be a message that was stored but whose ack had
 * not reached alice when the server died; she sent it again, so it is stored twice. Such
 * unacknowledged copies may also be out of order among themselves: writes in flight together
 * complete in any order, and the kill can leave a later one stored and an earlier one not.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrashDuringBurstTest {
    private static final int BURST = 10_000;
    /** The server is killed once alice heard this many messages acknowledged. */
    private static final int KILL_AFTER_ACKED = 3_000;
    private final Path work = Path.of("target", "crash-burst-" + System.nanoTime()).toAbsolutePath();
    private final Path dataDir = work.resolve("data");
    private final List<ServerProcess> started = new ArrayList<>();

    @AfterAll
    void cleanUp() throws Exception {
        ServerProcess.cleanUp(started, dataDir);
    }

    @Test
    void everyAcknowledgedMessageSurvivesAKillOnceAndInOrder() throws Exception {
        Files.createDirectories(work);
        ServerProcess.Ports ports = ServerProcess.Ports.free();
        ServerProcess first = ServerProcess.start(dataDir, ports, work.resolve("server.log"));
        started.add(first);
        X509TrustManager trust = XmppTestClients.trustNode(dataDir.resolve("tls/localhost.p12"), "changeit");
        assertThat(cli(first, "user", "add", "alice@localhost", "alice-secret")).isZero();
        assertThat(cli(first, "user", "add", "bob@localhost", "bob-secret")).isZero();
        BareJid bobJid = JidCreate.bareFrom("bob@localhost");
        BareJid aliceJid = JidCreate.bareFrom("alice@localhost");

        // bob is online: his copies go out at once; what survives the kill is his archive
        XMPPTCPConnection bob = XmppTestClients.smack(first.c2sPort, "bob", "bob-secret", "laptop", trust);
        bob.setUseStreamManagement(true);
        List<Integer> live = Collections.synchronizedList(new ArrayList<>());
        bob.addSyncStanzaListener(st -> live.add(index((Message) st)), MessageTypeFilter.CHAT);
        bob.connect().login();

        XMPPTCPConnection alice = XmppTestClients.smack(first.c2sPort, "alice", "alice-secret", "phone", trust);
        alice.setUseStreamManagement(true);
        Set<Integer> acked = ConcurrentHashMap.newKeySet();
        alice.addStanzaAcknowledgedListener(st -> {
            if (st instanceof Message m && m.getBody() != null) {
                acked.add(index(m));
            }
        });
        alice.connect().login();
        assertThat(alice.isSmEnabled()).isTrue();

        AtomicInteger handedToSmack = new AtomicInteger();
        AtomicReference<Throwable> stoppedBy = new AtomicReference<>();
        long t0 = System.nanoTime();
        Thread sender = new Thread(() -> {
            try {
                for (int i = 0; i < BURST; i++) {
                    alice.sendStanza(XmppTestClients.chat(alice, bobJid, "burst " + i));
                    handedToSmack.set(i + 1);
                }
            } catch (Throwable e) {
                stoppedBy.set(e); // the server died under it
            }
        }, "burst-sender");
        sender.start();

        awaitLong(() -> KILL_AFTER_ACKED + " acknowledged (" + acked.size() + " so far, " + handedToSmack.get()
                + " handed to Smack)", () -> acked.size() >= KILL_AFTER_ACKED || !sender.isAlive(), 180);
        assertThat(sender.isAlive()).as("the burst was still running when the server was killed").isTrue();
        first.kill();
        sender.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(sender.isAlive()).as("the sender noticed the crash").isFalse();
        // acks already read off the socket are reported asynchronously: let them settle
        awaitLong(() -> "alice noticed the crash", () -> !alice.isConnected(), 60);
        awaitStable(acked::size);
        Set<Integer> ackedAtKill = Set.copyOf(acked);
        int resumeFrom = 0;
        while (ackedAtKill.contains(resumeFrom)) {
            resumeFrom++;
        }
        assertThat(ackedAtKill).as("acks are a gap-free prefix of what was sent").hasSize(resumeFrom);
        System.out.printf("crash-burst: killed %d ms into the burst, %d acknowledged, %d handed to Smack, %d seen live by bob%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), ackedAtKill.size(), handedToSmack.get(), live.size());
        assertThat(live).as("bob's live stream before the kill: in order, no repeats").isSorted().doesNotHaveDuplicates();

        ServerProcess second = ServerProcess.start(dataDir, ports, work.resolve("server.log"));
        started.add(second);
        XMPPTCPConnection bob2 = XmppTestClients.smack(second.c2sPort, "bob", "bob-secret", "laptop", trust);
        XMPPTCPConnection alice2 = XmppTestClients.smack(second.c2sPort, "alice", "alice-secret", "phone", trust);
        try {
            bob2.setUseStreamManagement(true);
            bob2.connect().login();
            alice2.setUseStreamManagement(true);
            AtomicInteger acked2 = new AtomicInteger();
            alice2.addStanzaAcknowledgedListener(st -> {
                if (st instanceof Message) {
                    acked2.incrementAndGet();
                }
            });
            alice2.connect().login();
            // everything she did not hear acknowledged, again and in order, then the rest
            for (int i = resumeFrom; i < BURST; i++) {
                alice2.sendStanza(XmppTestClients.chat(alice2, bobJid, "burst " + i));
            }
            alice2.requestSmAcknowledgement();
            int resent = BURST - resumeFrom;
            awaitLong(() -> "the rest acknowledged (" + acked2.get() + " of " + resent + ")", () -> acked2.get() == resent, 180);

            // bob catches up from his archive, one entry per stored copy
            MamManager mam = MamManager.getInstanceFor(bob2);
            assertThat(mam.isSupported()).isTrue(); // Smack learns the MAM version from this
            Map<String, Integer> byStanzaId = new LinkedHashMap<>();
            MamManager.MamQuery page = mam.queryArchive(MamManager.MamQueryArgs.builder()
                    .limitResultsToJid(aliceJid).setResultPageSizeTo(250).build());
            collect(page, byStanzaId);
            while (!page.isComplete()) {
                page.pageNext(250);
                collect(page, byStanzaId);
            }
            Map<Integer, Integer> copies = new HashMap<>();
            byStanzaId.values().forEach(i -> copies.merge(i, 1, Integer::sum));
            List<Integer> lost = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                if (!copies.containsKey(i)) {
                    lost.add(i);
                }
            }
            List<Integer> duplicated = copies.entrySet().stream().filter(e -> e.getValue() > 1)
                    .map(Map.Entry::getKey).sorted().toList();
            // the acknowledged copy of a message stored twice is the later one (the first was
            // written before the kill, unacknowledged, and may have been written out of order
            // with its neighbours, which were in flight with it)
            List<Integer> entries = new ArrayList<>(byStanzaId.values());
            Set<Integer> later = new java.util.HashSet<>();
            List<Integer> acknowledgedCopies = new ArrayList<>();
            for (int k = entries.size() - 1; k >= 0; k--) {
                if (later.add(entries.get(k))) {
                    acknowledgedCopies.add(0, entries.get(k));
                }
            }
            System.out.printf("crash-burst: archive entries %d, lost %d, duplicated %d %s, whole run %d ms%n",
                    byStanzaId.size(), lost.size(), duplicated.size(), duplicated,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));

            assertThat(lost).as("lost messages").isEmpty();
            assertThat(duplicated).as("only a message whose ack alice had not heard may be stored twice")
                    .noneMatch(ackedAtKill::contains);
            assertThat(acknowledgedCopies).as("acknowledged copies in the order sent").isSorted();
            assertThat(entries.subList(0, ackedAtKill.size())).as("what was acknowledged before the kill, first and in order")
                    .isEqualTo(ackedAtKill.stream().sorted().toList());
        } finally {
            alice2.disconnect();
            bob2.disconnect();
        }
        assertThat(second.terminate()).isIn(0, 143);
    }

    private static int index(Message m) {
        return Integer.parseInt(m.getBody().substring("burst ".length()));
    }

    private static void collect(MamManager.MamQuery page, Map<String, Integer> byStanzaId) {
        for (MamElements.MamResultExtension r : page.getMamResultExtensions()) {
            byStanzaId.put(r.getId(), index((Message) r.getForwarded().getForwardedStanza()));
        }
    }

    /** Waits until {@code value} has not changed for half a second (bounded: 30 s). */
    private static void awaitStable(Supplier<Integer> value) throws InterruptedException {
        int last = value.get();
        long stableSince = System.nanoTime();
        long deadline = stableSince + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() - stableSince < TimeUnit.MILLISECONDS.toNanos(500) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            int now = value.get();
            if (now != last) {
                last = now;
                stableSince = System.nanoTime();
            }
        }
    }

    private static void awaitLong(Supplier<String> what, BooleanSupplier condition, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what.get());
            }
            Thread.sleep(20);
        }
    }

    private int cli(ServerProcess server, String... args) {
        return server.cli(dataDir, args);
    }
}
