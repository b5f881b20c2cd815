package org.kaiku.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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

import org.kaiku.engine.testing.XmppTestClients;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * The whole journey a user makes, against a real node in its own process with its own real
 * Cassandra node: accounts made with the CLI, two Smack clients over STARTTLS + SCRAM subscribing
 * to each other, presence, 1,000 messages in order while a hostile client is thrown out; then a
 * clean restart (SIGTERM) and a crash (SIGKILL) must both keep accounts and rosters.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndToEndTest {
    private final Path work = Path.of("target", "e2e-" + System.nanoTime()).toAbsolutePath();
    private final Path dataDir = work.resolve("data");
    private final Path log = work.resolve("server.log");
    /** Every server this test started, so a failed assertion cannot leave one running. */
    private final List<ServerProcess> started = new ArrayList<>();

    @AfterAll
    void cleanUp() throws Exception {
        ServerProcess.cleanUp(started, dataDir);
    }

    @Test
    void chatSurvivesRestartAndCrash() throws Exception {
        Files.createDirectories(work);
        ServerProcess.Ports ports = ServerProcess.Ports.free();
        BareJid aliceJid = JidCreate.bareFrom("alice@localhost");
        BareJid bobJid = JidCreate.bareFrom("bob@localhost");

        // 1. cold start: a fresh data dir, so the local Cassandra node is made from nothing
        ServerProcess first = start(ports);
        System.out.println("cold start to ready: " + first.readyMillis + " ms");
        X509TrustManager trust = XmppTestClients.trustNode(dataDir.resolve("tls/localhost.p12"), "changeit");
        assertThat(cli(first, "user", "add", "alice@localhost", "alice-secret")).isZero();
        assertThat(cli(first, "user", "add", "bob@localhost", "bob-secret")).isZero();
        assertThat(cli(first, "user", "add", "alice@localhost", "again")).isNotZero();

        XMPPTCPConnection alice = XmppTestClients.smack(first.c2sPort, "alice", "alice-secret", "phone", trust);
        XMPPTCPConnection bob = XmppTestClients.smack(first.c2sPort, "bob", "bob-secret", "laptop", trust);
        alice.connect().login();
        bob.connect().login();
        Roster aliceRoster = Roster.getInstanceFor(alice);
        Roster bobRoster = Roster.getInstanceFor(bob);
        aliceRoster.setSubscriptionMode(Roster.SubscriptionMode.accept_all);
        bobRoster.setSubscriptionMode(Roster.SubscriptionMode.accept_all);
        aliceRoster.createItemAndRequestSubscription(bobJid, "Bob", new String[] {"friends"});
        bobRoster.createItemAndRequestSubscription(aliceJid, "Alice", null);
        XmppTestClients.await("alice sees bob online", () -> aliceRoster.getPresence(bobJid).isAvailable());
        XmppTestClients.await("bob sees alice online", () -> bobRoster.getPresence(aliceJid).isAvailable());
        XmppTestClients.await("mutual subscription", () -> mutual(aliceRoster, bobJid) && mutual(bobRoster, aliceJid));

        List<String> received = Collections.synchronizedList(new ArrayList<>());
        bob.addSyncStanzaListener(st -> received.add(((Message) st).getBody()), MessageTypeFilter.CHAT);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            String body = "message " + i;
            sent.add(body);
            alice.sendStanza(alice.getStanzaFactory().buildMessageStanza().to(bobJid).ofType(Message.Type.chat).setBody(body).build());
            if (i == 500) {
                String hostile = XmppTestClients.streamOpen() + "<message><body>" + "&unknown;";
                assertThat(XmppTestClients.raw(first.c2sPort, hostile.getBytes(StandardCharsets.UTF_8)))
                        .contains("<stream:error>").contains("xmpp-streams");
            }
        }
        XmppTestClients.await("1000 messages", () -> received.size() >= 1000);
        assertThat(received).containsExactlyElementsOf(sent);
        // XEP-0313: the archive writes trail delivery (they are not waited for); once the newest
        // is in Cassandra the whole conversation must survive the restarts below.
        MamManager bobMam = MamManager.getInstanceFor(bob);
        assertThat(bobMam.isSupported()).isTrue();
        XmppTestClients.await("the archive holds message 999", () -> newestArchived(bobMam, aliceJid).equals("message 999"));

        // 2. clean restart: SIGTERM closes every stream, stops the node and its Cassandra
        // 143 = 128 + SIGTERM: the JVM's exit code after a signal whose shutdown hook ran
        assertThat(first.terminate()).isIn(0, 143);
        XmppTestClients.await("clients see the server go", () -> !alice.isConnected() && !bob.isConnected());
        ServerProcess second = start(ports);
        System.out.println("warm start to ready: " + second.readyMillis + " ms");
        assertRostersKept(second, trust, aliceJid, bobJid);

        // 3. crash: SIGKILL, then start again on the same data dir (its Cassandra is reused)
        second.kill();
        try (ServerProcess third = start(ports)) {
            System.out.println("start after kill -9 to ready: " + third.readyMillis + " ms");
            assertRostersKept(third, trust, aliceJid, bobJid);
            assertThat(third.terminate()).isIn(0, 143);
        }
        assertThat(Files.exists(dataDir.resolve("cassandra").resolve("cassandra.pid"))).isFalse();
    }

    private void assertRostersKept(ServerProcess server, X509TrustManager trust, BareJid aliceJid, BareJid bobJid) throws Exception {
        XMPPTCPConnection alice = XmppTestClients.smack(server.c2sPort, "alice", "alice-secret", "phone", trust);
        XMPPTCPConnection bob = XmppTestClients.smack(server.c2sPort, "bob", "bob-secret", "laptop", trust);
        try {
            alice.connect().login();
            bob.connect().login();
            Roster aliceRoster = Roster.getInstanceFor(alice);
            aliceRoster.reloadAndWait();
            RosterEntry entry = aliceRoster.getEntry(bobJid);
            assertThat(entry).isNotNull();
            assertThat(entry.getName()).isEqualTo("Bob");
            assertThat(mutual(aliceRoster, bobJid)).isTrue();
            assertThat(entry.getGroups()).extracting(g -> g.getName()).containsExactly("friends");
            XmppTestClients.await("presence after restart", () -> aliceRoster.getPresence(bobJid).isAvailable());

            MamManager bobMam = MamManager.getInstanceFor(bob);
            assertThat(bobMam.isSupported()).isTrue();
            MamManager.MamQuery page = bobMam.queryArchive(MamManager.MamQueryArgs.builder()
                    .limitResultsToJid(aliceJid).setResultPageSizeTo(5).queryLastPage().build());
            assertThat(page.getMessages()).extracting(Message::getBody)
                    .containsExactly("message 995", "message 996", "message 997", "message 998", "message 999");
            assertThat(page.pagePrevious(5)).extracting(Message::getBody)
                    .containsExactly("message 990", "message 991", "message 992", "message 993", "message 994");
        } finally {
            alice.disconnect();
            bob.disconnect();
        }
    }

    /** The body of the newest archived message with {@code with}, or "" (a failed query counts as none). */
    private static String newestArchived(MamManager mam, BareJid with) {
        try {
            List<Message> last = mam.queryMostRecentPage(with, 1).getMessages();
            return last.isEmpty() ? "" : last.get(0).getBody();
        } catch (Exception e) {
            return "";
        }
    }

    private ServerProcess start(ServerProcess.Ports ports) throws Exception {
        ServerProcess p = ServerProcess.start(dataDir, ports, log);
        started.add(p);
        return p;
    }

    private static boolean mutual(Roster roster, BareJid contact) {
        RosterEntry e = roster.getEntry(contact);
        return e != null && e.canSeeHisPresence() && e.canSeeMyPresence();
    }

    /** `kaiku user ...` as an operator types it, against the running node's admin port and data dir. */
    private int cli(ServerProcess server, String... args) {
        return server.cli(dataDir, args);
    }
}
