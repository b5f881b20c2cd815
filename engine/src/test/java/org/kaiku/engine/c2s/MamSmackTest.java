package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.jivesoftware.smack.filter.MessageTypeFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.mam.MamManager;
import org.jivesoftware.smackx.mam.element.MamElements;
import org.jivesoftware.smackx.sid.element.StanzaIdElement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.kaiku.engine.testing.XmppTestClients;

/**
 * Message Archive Management (XEP-0313) end to end with Smack's MamManager: Alice and Bob chat,
 * every message Bob receives carries a XEP-0359 stanza-id by his bare JID, and Bob pages his
 * archive of the conversation backwards from the newest page and forwards from the oldest,
 * finding both sides in order, the ids of the live stanza-ids among the archive ids.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MamSmackTest {
    @TempDir
    static Path dataDir;
    private EngineNode node;

    @BeforeAll
    void start() throws Exception {
        node = new EngineNode(dataDir, Map.of());
        node.addUser("alice@localhost", "alice-secret");
        node.addUser("bob@localhost", "bob-secret");
    }

    @AfterAll
    void stop() throws Exception {
        node.close();
    }

    private static List<String> bodies(List<Message> messages) {
        return messages.stream().map(Message::getBody).toList();
    }

    @Test
    void bobPagesHisArchiveBothWaysAndSeesTheStanzaIds() throws Exception {
        XMPPTCPConnection alice = node.smack("alice", "alice-secret", "phone");
        XMPPTCPConnection bob = node.smack("bob", "bob-secret", "laptop");
        List<Message> bobGot = Collections.synchronizedList(new ArrayList<>());
        List<Message> aliceGot = Collections.synchronizedList(new ArrayList<>());
        bob.addSyncStanzaListener(st -> bobGot.add((Message) st), MessageTypeFilter.CHAT);
        alice.addSyncStanzaListener(st -> aliceGot.add((Message) st), MessageTypeFilter.CHAT);
        BareJid aliceJid = JidCreate.bareFrom("alice@localhost");
        BareJid bobJid = JidCreate.bareFrom("bob@localhost");
        int count = 12;
        try {
            alice.connect().login();
            bob.connect().login();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                boolean fromAlice = i % 2 == 0;
                XMPPTCPConnection sender = fromAlice ? alice : bob;
                sender.sendStanza(sender.getStanzaFactory().buildMessageStanza()
                        .to(fromAlice ? bobJid : aliceJid).ofType(Message.Type.chat).setBody("line " + i).build());
                expected.add("line " + i);
                int want = i / 2 + 1;
                XmppTestClients.await("line " + i, () -> (fromAlice ? bobGot : aliceGot).size() >= want);
            }
            // Bob's own messages are archived by his account after they were routed: a roster
            // reload goes through the same account after them, so they are archived by its answer.
            Roster.getInstanceFor(bob).reloadAndWait();

            List<String> liveIds = new ArrayList<>();
            for (Message m : bobGot) {
                StanzaIdElement sid = StanzaIdElement.getStanzaId(m);
                assertThat(sid).as("stanza-id on %s", m.getBody()).isNotNull();
                assertThat(sid.getBy()).isEqualTo("bob@localhost");
                liveIds.add(sid.getId());
            }
            for (Message m : aliceGot) {
                assertThat(StanzaIdElement.getStanzaId(m).getBy()).isEqualTo("alice@localhost");
            }

            MamManager mam = MamManager.getInstanceFor(bob);
            assertThat(mam.isSupported()).isTrue();

            MamManager.MamQuery newest = mam.queryArchive(MamManager.MamQueryArgs.builder()
                    .limitResultsToJid(aliceJid).setResultPageSizeTo(5).queryLastPage().build());
            assertThat(bodies(newest.getMessages())).containsExactlyElementsOf(expected.subList(7, 12));
            assertThat(newest.isComplete()).isFalse();
            assertThat(bodies(newest.pagePrevious(5))).containsExactlyElementsOf(expected.subList(2, 7));
            assertThat(bodies(newest.pagePrevious(5))).containsExactlyElementsOf(expected.subList(0, 2));
            assertThat(newest.isComplete()).isTrue();

            MamManager.MamQuery oldest = mam.queryArchive(MamManager.MamQueryArgs.builder()
                    .limitResultsToJid(aliceJid).setResultPageSizeTo(5).build());
            List<String> forward = new ArrayList<>(bodies(oldest.getMessages()));
            List<String> archiveIds = new ArrayList<>(oldest.getMamResultExtensions().stream().map(MamElements.MamResultExtension::getId).toList());
            while (!oldest.isComplete()) {
                forward.addAll(bodies(oldest.pageNext(5)));
                archiveIds.addAll(oldest.getMamResultExtensions().stream().map(MamElements.MamResultExtension::getId).toList());
            }
            assertThat(forward).containsExactlyElementsOf(expected);
            assertThat(archiveIds).doesNotHaveDuplicates().containsAll(liveIds);
            List<String> incomingIds = new ArrayList<>();
            for (int i = 0; i < count; i += 2) {
                incomingIds.add(archiveIds.get(i));
            }
            assertThat(incomingIds).as("the ids Bob saw live are the archive ids of Alice's lines").containsExactlyElementsOf(liveIds);

            MamManager aliceMam = MamManager.getInstanceFor(alice);
            assertThat(aliceMam.isSupported()).isTrue();
            MamManager.MamQuery aliceView = aliceMam.queryMostRecentPage(bobJid, 3);
            assertThat(bodies(aliceView.getMessages())).containsExactlyElementsOf(expected.subList(9, 12));
        } finally {
            alice.disconnect();
            bob.disconnect();
        }
    }

    @Test
    void messagesToAnOfflineAccountAreArchivedToo() throws Exception {
        node.addUser("carol@localhost", "carol-secret");
        node.addUser("dave@localhost", "dave-secret");
        XMPPTCPConnection carol = node.smack("carol", "carol-secret", "phone");
        BareJid carolJid = JidCreate.bareFrom("carol@localhost");
        BareJid daveJid = JidCreate.bareFrom("dave@localhost");
        try {
            carol.connect().login();
            for (int i = 0; i < 5; i++) {
                carol.sendStanza(XmppTestClients.chat(carol, daveJid, "offline " + i));
            }
        } finally {
            carol.disconnect();
        }
        XMPPTCPConnection dave = node.smack("dave", "dave-secret", "laptop");
        List<Message> daveGot = Collections.synchronizedList(new ArrayList<>());
        dave.addSyncStanzaListener(st -> daveGot.add((Message) st), MessageTypeFilter.CHAT);
        try {
            dave.connect().login();
            XmppTestClients.await("the offline messages", () -> daveGot.size() >= 5);
            MamManager mam = MamManager.getInstanceFor(dave);
            assertThat(mam.isSupported()).isTrue(); // Smack learns the MAM version from this
            XmppTestClients.await("the archive", () -> {
                try {
                    return mam.queryArchive(MamManager.MamQueryArgs.builder().limitResultsToJid(carolJid).build())
                            .getMessageCount() == 5;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        } finally {
            dave.disconnect();
        }
    }
}
