package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.jivesoftware.smack.filter.MessageTypeFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.blocking.BlockingCommandManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.kaiku.engine.testing.XmppTestClients;

/**
 * XEP-0191 with Smack's BlockingCommandManager: Alice blocks Mallory, a contact who sees her
 * presence. Mallory sees her go offline and gets service-unavailable for his messages; Alice's
 * own messages to him are refused with the blocked error; her other client gets the pushes; the
 * list outlives the session; unblocking brings her presence back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BlockingSmackTest {
    @TempDir
    static Path dataDir;
    private EngineNode node;

    @BeforeAll
    void start() throws Exception {
        node = new EngineNode(dataDir, Map.of());
        node.addUser("alice@localhost", "alice-secret");
        node.addUser("mallory@localhost", "mallory-secret");
    }

    @AfterAll
    void stop() throws Exception {
        node.close();
    }

    @Test
    void aliceBlocksAndUnblocksMallory() throws Exception {
        XMPPTCPConnection alice = node.smack("alice", "alice-secret", "phone");
        XMPPTCPConnection desk = node.smack("alice", "alice-secret", "desk");
        XMPPTCPConnection mallory = node.smack("mallory", "mallory-secret", "lair");
        BareJid aliceJid = JidCreate.bareFrom("alice@localhost");
        BareJid malloryJid = JidCreate.bareFrom("mallory@localhost");
        List<String> aliceGot = Collections.synchronizedList(new ArrayList<>());
        List<Message> malloryErrors = Collections.synchronizedList(new ArrayList<>());
        List<Message> aliceErrors = Collections.synchronizedList(new ArrayList<>());
        List<List<Jid>> deskPushes = Collections.synchronizedList(new ArrayList<>());
        try {
            alice.connect().login();
            desk.connect().login();
            mallory.connect().login();
            alice.addSyncStanzaListener(st -> aliceGot.add(((Message) st).getBody()), MessageTypeFilter.CHAT);
            alice.addSyncStanzaListener(st -> aliceErrors.add((Message) st), MessageTypeFilter.ERROR);
            mallory.addSyncStanzaListener(st -> malloryErrors.add((Message) st), MessageTypeFilter.ERROR);

            Roster aliceRoster = Roster.getInstanceFor(alice);
            Roster malloryRoster = Roster.getInstanceFor(mallory);
            aliceRoster.setSubscriptionMode(Roster.SubscriptionMode.accept_all);
            // the request reaches both of Alice's clients; Smack's default would refuse it on the desk
            Roster.getInstanceFor(desk).setSubscriptionMode(Roster.SubscriptionMode.accept_all);
            malloryRoster.setSubscriptionMode(Roster.SubscriptionMode.accept_all);
            malloryRoster.createItemAndRequestSubscription(aliceJid, "Alice", null);
            XmppTestClients.await("mallory sees alice online", () -> malloryRoster.getPresence(aliceJid).isAvailable());

            BlockingCommandManager blocking = BlockingCommandManager.getInstanceFor(alice);
            BlockingCommandManager deskBlocking = BlockingCommandManager.getInstanceFor(desk);
            assertThat(blocking.isSupportedByServer()).isTrue();
            assertThat(blocking.getBlockList()).isEmpty();
            assertThat(deskBlocking.getBlockList()).isEmpty(); // the desk asked, so it gets pushes
            deskBlocking.addJidsBlockedListener(jids -> deskPushes.add(List.copyOf(jids)));

            blocking.blockContacts(List.of(malloryJid));
            XmppTestClients.await("the push to the desk", () -> !deskPushes.isEmpty());
            assertThat(deskPushes.get(0)).containsExactly(malloryJid);
            XmppTestClients.await("mallory sees alice offline", () -> !malloryRoster.getPresence(aliceJid).isAvailable());

            // Mallory writes: Alice never sees it, Mallory gets service-unavailable.
            mallory.sendStanza(XmppTestClients.chat(mallory, aliceJid, "let me in"));
            XmppTestClients.await("mallory's error", () -> !malloryErrors.isEmpty());
            assertThat(malloryErrors.get(0).getError().getCondition()).isEqualTo(StanzaError.Condition.service_unavailable);

            // Alice writes to Mallory: refused with not-acceptable and <blocked/>.
            alice.sendStanza(XmppTestClients.chat(alice, malloryJid, "oops"));
            XmppTestClients.await("alice's error", () -> !aliceErrors.isEmpty());
            StanzaError refused = aliceErrors.get(0).getError();
            assertThat(refused.getCondition()).isEqualTo(StanzaError.Condition.not_acceptable);
            assertThat((Object) refused.getExtension("blocked", "urn:xmpp:blocking:errors")).isNotNull();

            // The list is the account's, not the session's: a new session reads it back.
            desk.disconnect();
            XMPPTCPConnection desk2 = node.smack("alice", "alice-secret", "desk2");
            try {
                desk2.connect().login();
                assertThat(BlockingCommandManager.getInstanceFor(desk2).getBlockList()).containsExactly(malloryJid);
                // and that new session refuses stanzas to Mallory from its first one
                List<Message> desk2Errors = Collections.synchronizedList(new ArrayList<>());
                desk2.addSyncStanzaListener(st -> desk2Errors.add((Message) st), MessageTypeFilter.ERROR);
                desk2.sendStanza(XmppTestClients.chat(desk2, malloryJid, "from the new desk"));
                XmppTestClients.await("desk2's error", () -> !desk2Errors.isEmpty());
            } finally {
                desk2.disconnect();
            }

            blocking.unblockAll();
            XmppTestClients.await("mallory sees alice again", () -> malloryRoster.getPresence(aliceJid).isAvailable());
            mallory.sendStanza(XmppTestClients.chat(mallory, aliceJid, "hello again"));
            XmppTestClients.await("alice gets mallory's message", () -> aliceGot.contains("hello again"));
            assertThat(aliceGot).containsExactly("hello again");
        } finally {
            alice.disconnect();
            desk.disconnect();
            mallory.disconnect();
        }
    }
}
