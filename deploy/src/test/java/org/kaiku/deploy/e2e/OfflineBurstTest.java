package org.kaiku.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.X509TrustManager;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.filter.MessageTypeFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.delay.packet.DelayInformation;
import org.jivesoftware.smackx.mam.MamManager;
import org.jivesoftware.smackx.ping.packet.Ping;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.impl.JidCreate;

import org.kaiku.engine.testing.XmppTestClients;

/**
 * Issue 5, a recipient offline for a whole burst, against the server as users launch it (its own
 * process, its own Cassandra): every message arrives at login, in order, each with a delay stamp,
 * and the recipient's archive holds every one of them, in order, paged as a client pages it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OfflineBurstTest {
    /** The default offline quota (kaiku.offline.max-messages): the burst fills it exactly. */
    private static final int BURST = 1000;
    private final Path work = Path.of("target", "offline-burst-" + System.nanoTime()).toAbsolutePath();
    private final Path dataDir = work.resolve("data");
    private final List<ServerProcess> started = new ArrayList<>();

    @AfterAll
    void cleanUp() throws Exception {
        ServerProcess.cleanUp(started, dataDir);
    }

    @Test
    void anOfflineRecipientGetsTheWholeBurstInOrderAndFindsItInItsArchive() throws Exception {
        Files.createDirectories(work);
        ServerProcess server = ServerProcess.start(dataDir, ServerProcess.Ports.free(), work.resolve("server.log"));
        started.add(server);
        X509TrustManager trust = XmppTestClients.trustNode(dataDir.resolve("tls/localhost.p12"), "changeit");
        assertThat(cli(server, "user", "add", "carol@localhost", "carol-secret")).isZero();
        assertThat(cli(server, "user", "add", "dave@localhost", "dave-secret")).isZero();
        BareJid daveJid = JidCreate.bareFrom("dave@localhost");
        BareJid carolJid = JidCreate.bareFrom("carol@localhost");

        XMPPTCPConnection carol = XmppTestClients.smack(server.c2sPort, "carol", "carol-secret", "phone", trust);
        List<String> sent = new ArrayList<>();
        try {
            carol.connect().login();
            for (int i = 0; i < BURST; i++) {
                String body = "burst " + i;
                sent.add(body);
                carol.sendStanza(XmppTestClients.chat(carol, daveJid, body));
            }
            // Dave's account answers an iq to his bare JID only after it took every message
            // before it: from then on all of them are on their way into the offline store.
            try {
                carol.sendIqRequestAndWaitForResponse(new Ping(daveJid));
            } catch (XMPPException.XMPPErrorException expected) {
                // service-unavailable: nobody answers pings for an offline account
            }
        } finally {
            carol.disconnect();
        }

        XMPPTCPConnection dave = XmppTestClients.smack(server.c2sPort, "dave", "dave-secret", "laptop", trust);
        List<Message> received = Collections.synchronizedList(new ArrayList<>());
        dave.addSyncStanzaListener(st -> received.add((Message) st), MessageTypeFilter.CHAT);
        try {
            dave.connect().login();
            XmppTestClients.await("the whole burst", () -> received.size() >= BURST);
            assertThat(received).extracting(Message::getBody).containsExactlyElementsOf(sent);
            for (Message m : received) {
                DelayInformation delay = DelayInformation.from(m);
                assertThat(delay).as("delay stamp on %s", m.getBody()).isNotNull();
                assertThat(delay.getFrom()).isEqualTo("localhost");
            }

            // The archive trails delivery (writes are not waited for): once the newest is there,
            // page through it from the start as a client catching up would.
            MamManager mam = MamManager.getInstanceFor(dave);
            assertThat(mam.isSupported()).isTrue(); // Smack learns the MAM version from this
            XmppTestClients.await("the archive holds the last message", () -> newest(mam, carolJid).equals("burst " + (BURST - 1)));
            List<String> archived = new ArrayList<>();
            MamManager.MamQuery page = mam.queryArchive(MamManager.MamQueryArgs.builder()
                    .limitResultsToJid(carolJid).setResultPageSizeTo(250).build());
            archived.addAll(page.getMessages().stream().map(Message::getBody).toList());
            while (!page.isComplete()) {
                archived.addAll(page.pageNext(250).stream().map(Message::getBody).toList());
            }
            assertThat(archived).containsExactlyElementsOf(sent);
        } finally {
            dave.disconnect();
        }
        assertThat(server.terminate()).isIn(0, 143);
    }

    private static String newest(MamManager mam, BareJid with) {
        try {
            List<Message> last = mam.queryMostRecentPage(with, 1).getMessages();
            return last.isEmpty() ? "" : last.get(0).getBody();
        } catch (Exception e) {
            return "";
        }
    }

    private int cli(ServerProcess server, String... args) {
        return server.cli(dataDir, args);
    }
}
